"""Accounts: keystores through the CLI and the library, dev keys only on dev networks."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import AnvilNode
from eth_account import Account

from coopetition._chain.accounts import (
    DEFAULT_SCRYPT_N,
    create_keystore,
    keystore_dir,
    load_account,
    read_password,
)
from coopetition._chain.network import Chain, open_chain
from coopetition.cli import cli
from coopetition.exceptions import AccountError, KeystoreNotFoundError, WrongPasswordError

KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
KEY_ADDRESS = Account.from_key(KEY).address


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
    result = CliRunner().invoke(cli, list(args), input=input, env=env)
    assert "Traceback" not in result.output
    return result


def keystore(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((keystore_dir() / f"{name}.json").read_text())
    return data


@pytest.fixture
def embedded() -> Chain:
    return open_chain("embedded")


# -- new / list / remove ---------------------------------------------------------------------------


def test_new_creates_a_0600_scrypt_v3_keystore_from_a_hidden_prompt() -> None:
    result = run("accounts", "new", "treasury", input="pw-1\npw-1\n")
    assert result.exit_code == 0, result.output
    assert "pw-1" not in result.output  # hidden prompt: the password is not echoed
    path = keystore_dir() / "treasury.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keystore_dir().stat().st_mode) == 0o700
    data = keystore("treasury")
    assert data["version"] == 3 and data["crypto"]["kdf"] == "scrypt" and data["name"] == "treasury"
    address = "0x" + data["address"]
    assert Account.from_key(Account.decrypt(data, "pw-1")).address.lower() == address.lower()
    assert address.lower() in result.output.lower()


def test_new_refuses_mismatched_confirmation_until_it_matches() -> None:
    result = run("accounts", "new", "ops", input="a-pass\nother\nb-pass\nb-pass\n")
    assert result.exit_code == 0
    Account.decrypt(keystore("ops"), "b-pass")


def test_default_scrypt_work_factor_is_strong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COOPETITION_INSECURE_SCRYPT_N")
    create_keystore("strong", "pw", private_key=bytes.fromhex(KEY[2:]))
    assert keystore("strong")["crypto"]["kdfparams"]["n"] == DEFAULT_SCRYPT_N == 2**18


def test_list_shows_names_and_addresses_and_json() -> None:
    assert "no keystores" in run("accounts", "list").output
    create_keystore("alice", "pw", private_key=bytes.fromhex(KEY[2:]))
    create_keystore("bob", "pw")
    result = run("accounts", "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["alice", KEY_ADDRESS] and lines[1].startswith("bob ")
    data = json.loads(run("accounts", "list", "--json").output)
    assert [d["name"] for d in data] == ["alice", "bob"] and data[0]["address"] == KEY_ADDRESS


def test_remove_asks_for_confirmation() -> None:
    create_keystore("gone", "pw")
    refused = run("accounts", "remove", "gone", input="n\n")
    assert refused.exit_code == 1 and (keystore_dir() / "gone.json").exists()
    accepted = run("accounts", "remove", "gone", input="y\n")
    assert accepted.exit_code == 0 and not (keystore_dir() / "gone.json").exists()
    create_keystore("gone2", "pw")
    assert run("accounts", "remove", "gone2", "--yes").exit_code == 0
    assert not (keystore_dir() / "gone2.json").exists()


def test_remove_missing_keystore_is_one_line() -> None:
    result = run("accounts", "remove", "nobody", "--yes")
    assert result.exit_code == 1
    assert result.output == "Error: no keystore named 'nobody': see `coopetition accounts list`\n"


def test_new_refuses_a_duplicate_name_and_a_bad_name() -> None:
    create_keystore("dup", "pw")
    result = run("accounts", "new", "dup", input="pw\npw\n")
    assert result.exit_code == 1 and "already exists" in result.output
    bad = run("accounts", "new", "../etc/passwd", input="pw\npw\n")
    assert bad.exit_code == 1 and "invalid account name" in bad.output
    assert run("accounts", "new", "7", input="pw\npw\n").exit_code == 1  # would shadow dev index 7


# -- import ----------------------------------------------------------------------------------------


def test_import_private_key_from_hidden_prompt() -> None:
    result = run("accounts", "import", "ops", input=f"{KEY}\npw\npw\n")
    assert result.exit_code == 0, result.output
    assert KEY[2:] not in result.output
    assert "0x" + keystore("ops")["address"].lower() == KEY_ADDRESS.lower()
    assert stat.S_IMODE((keystore_dir() / "ops.json").stat().st_mode) == 0o600


def test_import_private_key_from_file_with_password_from_env(tmp_path: Path) -> None:
    key_file = tmp_path / "key.txt"
    key_file.write_text(KEY[2:] + "\n")
    result = run("accounts", "import", "ops", "--private-key-file", str(key_file),
                 env={"COOPETITION_PASSWORD": "env-pw"})
    assert result.exit_code == 0, result.output
    assert Account.from_key(Account.decrypt(keystore("ops"), "env-pw")).address == KEY_ADDRESS


def test_import_never_takes_a_private_key_argument() -> None:
    result = run("accounts", "import", "ops", KEY, input="pw\npw\n")
    assert result.exit_code == 1 and "unexpected extra argument" in result.output
    assert not (keystore_dir() / "ops.json").exists()


def test_import_malformed_private_key_is_one_line_and_not_echoed() -> None:
    result = run("accounts", "import", "ops", input="0x1234nothex\n")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "Error: the private key must be 64 hex digits (0x optional)"
    assert "1234nothex" not in result.output


def foundry_style_keystore(tmp_path: Path, password: str, *, capital_crypto: bool = False) -> Path:
    """A keystore as `cast wallet import` writes it: no address field; old geth capitalises Crypto."""
    data = dict(Account.encrypt(KEY, password, kdf="scrypt", iterations=8192))
    del data["address"]
    if capital_crypto:
        data["Crypto"] = data.pop("crypto")
    path = tmp_path / "UTC--2026-11-26--foundry"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("capital_crypto", [False, True], ids=["foundry", "old-geth"])
def test_import_keystore_file_as_it_is(tmp_path: Path, capital_crypto: bool) -> None:
    source = foundry_style_keystore(tmp_path, "their-pw", capital_crypto=capital_crypto)
    original = json.loads(source.read_text())
    password_file = tmp_path / "pw.txt"
    password_file.write_text("their-pw\n")
    result = run("accounts", "import", "signer", "--keystore", str(source), "--password-file", str(password_file))
    assert result.exit_code == 0, result.output
    stored = keystore("signer")
    crypto_key = "Crypto" if capital_crypto else "crypto"
    assert stored[crypto_key] == original[crypto_key]  # not re-encrypted
    assert stored["name"] == "signer" and "0x" + stored["address"] == KEY_ADDRESS.lower()
    assert stat.S_IMODE((keystore_dir() / "signer.json").stat().st_mode) == 0o600
    chain = open_chain("embedded")
    assert load_account("signer", chain, password="their-pw").address == KEY_ADDRESS


def test_import_keystore_with_wrong_password_is_one_line(tmp_path: Path) -> None:
    source = foundry_style_keystore(tmp_path, "right")
    result = run("accounts", "import", "signer", "--keystore", str(source), input="wrong\n")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == f"Error: wrong password for keystore file {source}"
    assert not (keystore_dir() / "signer.json").exists()


def test_import_refuses_an_address_already_stored() -> None:
    create_keystore("first", "pw", private_key=bytes.fromhex(KEY[2:]))
    result = run("accounts", "import", "second", input=f"{KEY}\npw\npw\n")
    assert result.exit_code == 1 and "already in keystore 'first'" in result.output


def test_import_non_keystore_file_is_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    result = run("accounts", "import", "x", "--keystore", str(junk), input="pw\n")
    assert result.exit_code == 1 and result.output == f"Error: {junk} is not a keystore: it is not JSON\n"


# -- load_account ----------------------------------------------------------------------------------


def test_load_account_defaults_to_dev_account_0_and_takes_indices(embedded: Chain) -> None:
    dev = embedded.dev_accounts()
    assert load_account(None, embedded).address == dev[0].address
    assert load_account("3", embedded).address == dev[3].address
    assert load_account(9, embedded).address == dev[9].address
    assert load_account(dev[5].address, embedded).address == dev[5].address
    with pytest.raises(AccountError, match="out of range"):
        load_account(10, embedded)


def test_load_account_from_keystore_by_name_and_address(
    embedded: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_keystore("ops", "s3cret", private_key=bytes.fromhex(KEY[2:]))
    assert load_account("ops", embedded, password="s3cret").address == KEY_ADDRESS
    assert load_account(KEY_ADDRESS.lower(), embedded, prompt=lambda _: "s3cret").address == KEY_ADDRESS
    pw = tmp_path / "pw"
    pw.write_text("s3cret\n")
    assert load_account("ops", embedded, password_file=pw).address == KEY_ADDRESS
    monkeypatch.setenv("COOPETITION_PASSWORD_FILE", str(pw))
    assert load_account("ops", embedded).address == KEY_ADDRESS


def test_load_account_wrong_password(embedded: Chain) -> None:
    create_keystore("ops", "right")
    with pytest.raises(WrongPasswordError) as info:
        load_account("ops", embedded, password="wrong")
    assert str(info.value) == "wrong password for keystore 'ops'"


def test_load_account_missing_keystore(embedded: Chain) -> None:
    with pytest.raises(KeystoreNotFoundError) as info:
        load_account("nobody", embedded, password="x")
    assert str(info.value) == "no keystore named 'nobody': see `coopetition accounts list`"
    with pytest.raises(KeystoreNotFoundError, match="no keystore holds address"):
        load_account("0x" + "12" * 20, embedded, password="x")


def test_load_account_without_any_password_source_says_how(embedded: Chain) -> None:
    create_keystore("ops", "pw")
    with pytest.raises(AccountError, match="needs a password: set COOPETITION_PASSWORD"):
        load_account("ops", embedded)


def test_dev_index_refused_on_a_non_dev_network(anvil: AnvilNode) -> None:
    chain = open_chain(anvil.url)
    for ref in ("0", 0, None):
        with pytest.raises(AccountError) as info:
            load_account(ref, chain)
        assert "\n" not in str(info.value)
    with pytest.raises(AccountError) as info:
        load_account("0", chain)
    assert str(info.value) == (
        f"dev accounts are refused on network {anvil.url}: use a keystore (`coopetition accounts new`)")
    # the well-known address is just an address there: no key is handed out for it
    with pytest.raises(KeystoreNotFoundError):
        load_account("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", chain, password="x")


def test_cli_dev_index_refused_on_a_non_dev_network(anvil: AnvilNode) -> None:
    result = run("--network", anvil.url, "accounts", "balance", "0")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: dev accounts are refused on network {anvil.url}: use a keystore (`coopetition accounts new`)\n")


def test_keystore_account_works_on_a_non_dev_network(anvil: AnvilNode) -> None:
    create_keystore("ops", "pw", private_key=bytes.fromhex(KEY[2:]))
    chain = open_chain(anvil.url)
    assert load_account("ops", chain, password="pw").address == KEY_ADDRESS
    result = run("--network", anvil.url, "--account", "ops", "accounts", "balance")
    assert result.exit_code == 0 and result.output.startswith(f"{KEY_ADDRESS}: 0 ETH")


def test_password_sources_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "f"
    f.write_text("from-file\nsecond line ignored")
    monkeypatch.setenv("COOPETITION_PASSWORD", "from-env")
    assert read_password(password="explicit") == "explicit"
    assert read_password(password_file=f) == "from-file"
    assert read_password(prompt=lambda _: "prompted") == "from-env"
    monkeypatch.delenv("COOPETITION_PASSWORD")
    assert read_password(prompt=lambda _: "prompted") == "prompted"
    with pytest.raises(AccountError, match="cannot read password file"):
        read_password(password_file=tmp_path / "missing")
