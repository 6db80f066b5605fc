"""The ``coopetition`` command line.

Subcommand modules are imported only when invoked, so ``coopetition --help`` never loads web3.

Errors are mapped here and only here. Every error (a :class:`~coopetition.exceptions.CoopetitionError`
from the library, a bad option value or a missing argument) is one ``Error: ...`` line on stderr and
exit code 1; a command or option that does not exist keeps click's exit code 2. With ``--json`` the
error is one object on stdout instead, ``{"error": {"type": ..., "message": ...}}``, with the same
exit code. ``type`` is the library exception's class name (``InputError``, a contract's custom error
such as ``ConsortiumQuorumNotReached``, ``NodeUnreachableError``), ``InputError`` for a bad option
value, ``UsageError`` for any other misuse (a missing argument, an unknown option), ``Aborted`` when
a confirmation is declined, ``Interrupted`` (exit code 130) when Ctrl-C stops a command after it
sent a transaction (the line says its hash and nonce, that it may still be mined and what a rerun
does; a Ctrl-C before anything was sent exits 130 silently). A group given no command prints its help (with ``--json``, a
``UsageError`` object) and exits 2, as click does.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Sequence
from typing import Any

import click

from ..exceptions import CoopetitionError, SendInterrupted
from ._context import CliContext
from .output import show_error
from .params import ACCOUNT

# command name -> (module under coopetition.cli, attribute, short help shown by --help)
_COMMANDS: dict[str, tuple[str, str, str]] = {
    "compile": ("compile", "compile_cmd", "Compile contracts/ into the artifacts the package ships."),
    "bindings": ("bindings", "bindings_cmd", "Generate typed Python bindings from contract artifacts."),
    "devnet": ("devnet", "devnet", "Start, stop, inspect or reset the local anvil devnet."),
    "accounts": ("accounts", "accounts", "Manage encrypted keystore accounts."),
    "deploy": ("deploy", "deploy_cmd", "Deploy the contract suite and record it."),
    "attach": ("suite", "attach_cmd", "Record a suite another company deployed, found from the chain."),
    "verify": ("suite", "verify_cmd", "Check the recorded contracts run the shipped code, bound together."),
    "demo": ("demo", "demo_cmd", "Run the end-to-end demo on the embedded chain."),
    "consortium": ("consortium", "consortium", "Members, quorum and proposals of the consortium."),
    "costs": ("costs", "costs", "Shared R&D cost pools: expenses, approvals, settlement by netting."),
    "escrow": ("escrow", "escrow", "Joint ventures: fund, approve and release milestones, dissolve, refund."),
    "titles": ("titles", "titles", "Title classes, holdings, and the member-to-member title exchange."),
}


class CliError(click.ClickException):
    """A library error on its way to the top: its message and the name of its class."""

    exit_code = 1

    def __init__(self, message: str, kind: str, *, as_json: bool) -> None:
        super().__init__(message)
        self.kind = kind
        self.as_json = as_json


_NEGATIVE = re.compile(r"^-[0-9.]")


def _one_line(text: str) -> str:
    return "; ".join(line.strip() for line in text.splitlines() if line.strip()) or "failed"


def _wants_json(exc: click.ClickException | click.Abort, argv: Sequence[str]) -> bool:
    """--json was given (or, when the error came before the options were read, is in ``argv``)."""
    if isinstance(exc, CliError) and exc.as_json:
        return True
    ctx = getattr(exc, "ctx", None)
    obj = ctx.find_root().obj if isinstance(ctx, click.Context) else None
    return bool(getattr(obj, "json", False)) or "--json" in argv


def _kind_and_code(exc: click.ClickException) -> tuple[str, int, str]:
    """(error type, exit code, message) of a click exception."""
    message = exc.format_message()
    if isinstance(exc, CliError):
        return exc.kind, 1, message
    if isinstance(exc, click.exceptions.NoSuchOption) and _NEGATIVE.match(exc.option_name):
        return "InputError", 1, f"{exc.option_name!r} starts a negative number: amounts, ids and counts are zero or more"
    if isinstance(exc, (click.exceptions.NoSuchOption, click.exceptions.NoSuchCommand)):
        ctx = exc.ctx
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        return "UsageError", 2, message.rstrip(".") + hint
    if isinstance(exc, click.BadParameter) and not isinstance(exc, click.MissingParameter):
        return "InputError", 1, message
    if isinstance(exc, click.UsageError):
        return "UsageError", 1, message
    return "Error", 1, message


class LazyGroup(click.Group):
    """The root group: subcommands live in modules imported on first use; errors end here."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            if not standalone_mode:
                raise
            if _wants_json(exc, argv):
                show_error("UsageError", f"missing command (see '{exc.ctx.command_path} --help')", as_json=True)
            else:
                exc.show()  # a group given no command: its help, as click prints it
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            if not standalone_mode:
                raise
            kind, code, message = _kind_and_code(exc)
            show_error(kind, _one_line(message), as_json=_wants_json(exc, argv))
            sys.exit(code)
        except click.Abort as exc:
            if not standalone_mode:
                raise
            show_error("Aborted", "aborted: nothing was done", as_json=_wants_json(exc, argv))
            sys.exit(1)
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) and not isinstance(rv, bool) else 0)
        return rv

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(_COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = _COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attr, _ = entry
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{module_name}":
                return None  # listed but not built yet
            raise
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoopetitionError as exc:
            as_json = bool(getattr(ctx.obj, "json", False))
            raise CliError(str(exc), type(exc).__name__, as_json=as_json) from None
        except OSError as exc:
            if not exc.filename:
                raise
            from .._chain.records import (
                file_error_cause,  # a local file failed where nothing expected it
            )

            as_json = bool(getattr(ctx.obj, "json", False))
            raise CliError(f"cannot use {exc.filename}: {file_error_cause(exc)}", type(exc).__name__,
                           as_json=as_json) from None
        except SendInterrupted as exc:  # what was sent, in one line, then the usual Ctrl-C exit
            show_error("Interrupted", str(exc), as_json=bool(getattr(ctx.obj, "json", False)))
            raise click.exceptions.Exit(130) from None
        except KeyboardInterrupt:
            raise click.exceptions.Exit(130) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _COMMANDS[name][2]) for name in sorted(_COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group("coopetition", cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--network", "-n", envvar="COOPETITION_NETWORK", default=None,
    help="Network name (embedded, dev, or one from coopetition.toml) or an RPC URL. Default: dev.",
)
@click.option("--account", "-a", type=ACCOUNT, envvar="COOPETITION_ACCOUNT", default=None,
              help="Keystore name or address, or a dev account index on embedded/dev.")
@click.option("--json", "json_", is_flag=True, help="Machine-readable JSON on stdout.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation before sending.")
@click.option("--project", "project_path", envvar="COOPETITION_PROJECT", default=None,
              type=click.Path(file_okay=False), help="Project folder (default: found from the working directory).")
@click.version_option(package_name="coopetition")
@click.pass_context
def cli(ctx: click.Context, network: str | None, account: str | None, json_: bool, yes: bool,
        project_path: str | None) -> None:
    """Coopetition: governance, joint-venture escrow, shared R&D costs and title exchange for a
    consortium of competing companies on an Ethereum-compatible chain."""
    ctx.obj = CliContext(network=network, account=account, json=json_, yes=yes, project_path=project_path)


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point (py_ecc's BLS modules, unused here, load on first use only)."""
    from ._deferred_bls import install

    install()
    return cli.main(args=argv, prog_name="coopetition")
