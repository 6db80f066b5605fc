"""``coopetition accounts``: encrypted keystores (new, import, list, remove) and balances."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from ..exceptions import AccountError
from ._context import CliContext, pass_cli
from .output import Money
from .params import ACCOUNT, ACCOUNT_NAME

__all__ = ["accounts", "hidden_prompt", "secret_prompt"]

_password_file_option = click.option(
    "--password-file", type=click.Path(dir_okay=False, path_type=Path), envvar="COOPETITION_PASSWORD_FILE",
    default=None, help="Read the password from the first line of this file (env COOPETITION_PASSWORD_FILE).",
)


_PASSWORD_SOURCES = "set COOPETITION_PASSWORD_FILE to a file holding it (or COOPETITION_PASSWORD)"


def secret_prompt(advice: str = _PASSWORD_SOURCES, *, confirm: bool = False) -> Callable[[str], str]:
    """A prompt for a secret (``load_account(prompt=...)``, ``read_password(prompt=...)``).

    On a terminal: click's hidden prompt. Without one (a pipe, a script, a service): one line read
    from standard input (two with ``confirm``), echoing nothing and printing no prompt, so nothing
    but the program's own output reaches the user (no ``GetPassWarning``, no echo warning); when
    standard input has nothing, an AccountError ending with ``advice`` (how to give the secret).
    """

    def ask(text: str) -> str:
        if sys.stdin.isatty():
            return str(click.prompt(text, hide_input=True, confirmation_prompt=confirm, err=True))
        while True:
            first = _line(text, advice)
            if not confirm or first == _line(text, advice):
                return first
            click.echo("Error: the two entered values do not match", err=True)

    return ask


def _line(text: str, advice: str) -> str:
    line = sys.stdin.readline()
    if not line:
        what = text[0].lower() + text[1:]
        raise AccountError(f"{what} is needed but there is no terminal to ask for it: {advice}")
    return line.rstrip("\r\n")


hidden_prompt = secret_prompt()
"""Ask for a password without echo (for ``load_account(prompt=...)`` in other commands)."""
_with_option = f"pass --password-file FILE, or {_PASSWORD_SOURCES}"
_password_prompt = secret_prompt(_with_option)
_confirmed_prompt = secret_prompt(_with_option, confirm=True)


@click.group()
def accounts() -> None:
    """Manage encrypted keystore accounts (Web3 Secret Storage V3, scrypt).

    Keystores live in $COOPETITION_HOME/keystores (default ~/.coopetition/keystores). Passwords come
    from a hidden prompt, COOPETITION_PASSWORD, or a file (--password-file / COOPETITION_PASSWORD_FILE).
    """


@accounts.command("new")
@click.argument("name", type=ACCOUNT_NAME)
@_password_file_option
@pass_cli
def new_cmd(cli: CliContext, name: str, password_file: Path | None) -> None:
    """Create a new random account in keystore NAME."""
    from .._chain.accounts import create_keystore, read_password

    password = read_password(password_file=password_file, prompt=_confirmed_prompt,
                             prompt_text=f"New password for {name}", purpose=f"new keystore {name!r}")
    info = create_keystore(name, password)
    cli.emit(f"created {info.name}: {info.address} ({info.path})",
             {"name": info.name, "address": info.address, "path": str(info.path)})


@accounts.command("import")
@click.argument("name", type=ACCOUNT_NAME)
@click.option("--private-key-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Read the private key (64 hex digits) from this file instead of a hidden prompt.")
@click.option("--keystore", "keystore_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Import an existing Foundry/geth V3 keystore file as it is.")
@_password_file_option
@pass_cli
def import_cmd(cli: CliContext, name: str, private_key_file: Path | None, keystore_file: Path | None,
               password_file: Path | None) -> None:
    """Import an account as keystore NAME, from a private key (hidden prompt or file) or a keystore.

    A private key is never taken from the command line, where shells and process lists keep it.
    """
    from .._chain.accounts import (
        create_keystore,
        import_keystore_file,
        parse_private_key,
        read_keystore_file,
        read_password,
    )
    from ..exceptions import InputError

    if private_key_file is not None and keystore_file is not None:
        raise InputError("give either --private-key-file or --keystore, not both")
    if keystore_file is not None:
        if not keystore_file.is_file():
            raise InputError(f"keystore file {keystore_file} does not exist")
        read_keystore_file(keystore_file)  # a malformed file fails before any password is asked
        password = read_password(password_file=password_file, prompt=_password_prompt,
                                 prompt_text=f"Password of {keystore_file.name}",
                                 purpose=f"keystore file {keystore_file}")
        info = import_keystore_file(name, keystore_file, password)
    else:
        if private_key_file is not None:
            try:
                text = private_key_file.read_text()
            except OSError as exc:
                raise AccountError(f"cannot read {private_key_file}: {exc.strerror or exc}") from None
        else:
            text = secret_prompt("pass --private-key-file FILE")("Private key")
        key = parse_private_key(text)
        password = read_password(password_file=password_file, prompt=_confirmed_prompt,
                                 prompt_text=f"New password for {name}", purpose=f"new keystore {name!r}")
        info = create_keystore(name, password, private_key=key)
    cli.emit(f"imported {info.name}: {info.address} ({info.path})",
             {"name": info.name, "address": info.address, "path": str(info.path)})


@accounts.command("list")
@click.option("--json", "json_", is_flag=True, help="Machine-readable JSON on stdout.")
@pass_cli
def list_cmd(cli: CliContext, json_: bool) -> None:
    """List keystores: name and address."""
    from .._chain.accounts import keystore_dir, list_keystores

    cli.json = cli.json or json_
    infos = list_keystores()
    data = [{"name": i.name, "address": i.address, "path": str(i.path)} for i in infos]
    if infos:
        width = max(len(i.name) for i in infos)
        human = "\n".join(f"{i.name:<{width}}  {i.address or '(address unknown)'}" for i in infos)
    else:
        human = f"no keystores in {keystore_dir()}: create one with `coopetition accounts new NAME`"
    cli.emit(human, data)


@accounts.command("remove")
@click.argument("name", type=ACCOUNT_NAME)
@click.option("--yes", "-y", "yes", is_flag=True, help="Do not ask for confirmation.")
@pass_cli
def remove_cmd(cli: CliContext, name: str, yes: bool) -> None:
    """Delete keystore NAME (the key is gone for good unless you have a copy)."""
    from .._chain.accounts import find_keystore, remove_keystore

    info = find_keystore(name)
    if not (yes or cli.yes):
        click.confirm(
            f"Delete keystore {info.name} ({info.address})? Without a copy the key is lost",
            abort=True, err=True,
        )
    remove_keystore(info.name)
    cli.emit(f"removed {info.name} ({info.address})",
             {"name": info.name, "address": info.address, "removed": True})


@accounts.command("balance")
@click.argument("ref", type=ACCOUNT, required=False)
@pass_cli
def balance_cmd(cli: CliContext, ref: str | None) -> None:
    """Show the balance of REF on --network: a keystore name, an address, or a dev index (dev
    networks only). Default: the global --account, else dev account 0."""
    from .._chain.accounts import account_address
    from .._chain.network import open_chain
    from .._units import format_amount

    chain = open_chain(cli.network, cli.project)
    address = account_address(ref if ref is not None else cli.account, chain)
    balance = Money(int(chain.w3.eth.get_balance(address)))  # type: ignore[arg-type]
    cli.emit(f"{address}: {format_amount(balance.value)} ({balance.value} wei) on {chain.spec.name} "
             f"(chain id {chain.chain_id})",
             {"address": address, "balance": balance, "network": chain.spec.name, "chainId": chain.chain_id})
