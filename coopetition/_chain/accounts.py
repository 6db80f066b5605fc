"""Accounts: encrypted keystores for real networks, the well-known funded keys on dev chains.

Keystores are Web3 Secret Storage (version 3) files with scrypt, one ``<name>.json`` per account
(mode 0600) in a per-user folder (mode 0700): ``$COOPETITION_HOME/keystores``, default
``~/.coopetition/keystores``. Foundry (``cast wallet``) and geth keystores are imported as they are,
after checking that the password decrypts them; coopetition adds only ``name`` and, when missing,
``address`` so that listing never needs a password.

Passwords come from, in order: an explicit argument, a password file (argument), the
``COOPETITION_PASSWORD`` environment variable, the file named by ``COOPETITION_PASSWORD_FILE``, then a
hidden prompt. A private key is never accepted on the command line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import AccountError, InputError, KeystoreNotFoundError, WrongPasswordError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from .network import Chain

__all__ = [
    "DEFAULT_SCRYPT_N",
    "KeystoreInfo",
    "account_address",
    "create_keystore",
    "find_keystore",
    "import_keystore_file",
    "keystore_dir",
    "list_keystores",
    "load_account",
    "parse_private_key",
    "read_keystore_file",
    "read_password",
    "remove_keystore",
    "unlock_keystore",
]

DEFAULT_SCRYPT_N = 2**18
"""scrypt work factor of new keystores (geth's standard)."""
INSECURE_SCRYPT_ENV = "COOPETITION_INSECURE_SCRYPT_N"
"""Tests only: a smaller scrypt n for new keystores. Never set this for real keys."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_HEX_KEY = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")

PasswordPrompt = Callable[[str], str]


@dataclass(frozen=True)
class KeystoreInfo:
    name: str
    address: str | None
    """Checksummed address, or None for a foreign file without one."""
    path: Path


# -- where -----------------------------------------------------------------------------------------


def keystore_dir() -> Path:
    """``$COOPETITION_HOME/keystores``, default ``~/.coopetition/keystores`` (not created here)."""
    home = os.environ.get("COOPETITION_HOME")
    base = Path(home).expanduser() if home else Path.home() / ".coopetition"
    return base / "keystores"


def _ensure_dir() -> Path:
    folder = keystore_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)
    except OSError as exc:
        raise _folder_error(folder, exc) from None
    return folder


def _folder_error(folder: Path, exc: OSError) -> AccountError:
    from .records import file_error_cause

    return AccountError(f"cannot use the keystore folder {folder}: {file_error_cause(exc, folder)} "
                        "(COOPETITION_HOME chooses where it is)")


def _check_name(name: str) -> str:
    if not _NAME.match(name) or name.lower().startswith("0x") or name.isdigit():
        raise InputError(
            f"invalid account name {name!r}: use 1-64 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit (not 0x, not only digits)"
        )
    return name


def _checksum(address: str) -> str:
    from eth_utils.address import to_checksum_address

    return str(to_checksum_address(address))


def _address_of(data: dict[str, Any]) -> str | None:
    raw = data.get("address")
    if not isinstance(raw, str):
        return None
    text = raw if raw.startswith("0x") else "0x" + raw
    return _checksum(text) if _ADDRESS.match(text) else None


def read_keystore_file(path: Path) -> dict[str, Any]:
    """The JSON of a V3 keystore file; :class:`InputError` when it is not one."""
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError) as exc:
        raise AccountError(f"cannot read keystore {path}: {exc}") from None
    except ValueError:
        raise InputError(f"{path} is not a keystore: it is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("crypto", data.get("Crypto")), dict):
        raise InputError(f"{path} is not a Web3 Secret Storage keystore (no crypto section)")
    if data.get("version") != 3:
        raise InputError(f"{path} is a version {data.get('version')!r} keystore: only version 3 is supported")
    return data


def _write_private(path: Path, data: dict[str, Any]) -> None:
    """Atomically write ``data`` to ``path`` with mode 0600 (never world- or group-readable)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise _folder_error(path.parent, exc) from None
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _folder_error(path.parent, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# -- list / find -----------------------------------------------------------------------------------


def list_keystores() -> tuple[KeystoreInfo, ...]:
    folder = keystore_dir()
    if not folder.is_dir():
        return ()
    found: list[KeystoreInfo] = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        found.append(KeystoreInfo(name=path.stem, address=_address_of(data), path=path))
    return tuple(found)


def find_keystore(ref: str) -> KeystoreInfo:
    """A keystore by name or by address; :class:`KeystoreNotFoundError` when there is none."""
    ref = ref.strip()
    if ref.lower().startswith("0x"):
        if not _ADDRESS.match(ref):
            raise InputError(f"malformed address {ref!r}: expected 0x followed by 40 hex digits")
        wanted = ref.lower()
        for info in list_keystores():
            if info.address is not None and info.address.lower() == wanted:
                return info
        raise KeystoreNotFoundError(f"no keystore holds address {ref}: see `coopetition accounts list`")
    _check_name(ref)
    path = keystore_dir() / f"{ref}.json"
    if not path.is_file():
        raise KeystoreNotFoundError(f"no keystore named {ref!r}: see `coopetition accounts list`")
    data = read_keystore_file(path)
    return KeystoreInfo(name=ref, address=_address_of(data), path=path)


# -- passwords and keys ----------------------------------------------------------------------------


def _read_password_file(path: Path) -> str:
    try:
        text = Path(path).expanduser().read_text()
    except OSError as exc:
        raise AccountError(f"cannot read password file {path}: {exc.strerror or exc}") from None
    return text.splitlines()[0] if text else ""


def read_password(
    *,
    password: str | None = None,
    password_file: Path | None = None,
    prompt: PasswordPrompt | None = None,
    prompt_text: str = "Password",
    purpose: str = "this keystore",
) -> str:
    """The password from the first source that has one (see the module docstring)."""
    if password is not None:
        return password
    if password_file is not None:
        return _read_password_file(password_file)
    env = os.environ.get("COOPETITION_PASSWORD")
    if env is not None:
        return env
    env_file = os.environ.get("COOPETITION_PASSWORD_FILE")
    if env_file:
        return _read_password_file(Path(env_file))
    if prompt is not None:
        return prompt(prompt_text)
    raise AccountError(
        f"{purpose} needs a password: set COOPETITION_PASSWORD_FILE to a file holding it (or COOPETITION_PASSWORD)"
    )


def parse_private_key(text: str) -> bytes:
    """32 bytes from 64 hex digits (0x optional, surrounding whitespace ignored).

    The message of the error never repeats the input."""
    cleaned = text.strip()
    if not _HEX_KEY.match(cleaned):
        raise InputError("the private key must be 64 hex digits (0x optional)")
    key = bytes.fromhex(cleaned[2:] if cleaned.startswith("0x") else cleaned)
    order = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    if not 0 < int.from_bytes(key, "big") < order:
        raise InputError("the private key is out of range for secp256k1")
    return key


def _scrypt_n() -> int:
    raw = os.environ.get(INSECURE_SCRYPT_ENV)
    if not raw:
        return DEFAULT_SCRYPT_N
    try:
        n = int(raw)
    except ValueError:
        raise AccountError(f"{INSECURE_SCRYPT_ENV} must be a power of two, not {raw!r}") from None
    if n < 2 or n & (n - 1):
        raise AccountError(f"{INSECURE_SCRYPT_ENV} must be a power of two, not {raw!r}")
    return n


# -- create / import / remove ----------------------------------------------------------------------


def _refuse_duplicates(name: str, address: str) -> Path:
    folder = _ensure_dir()
    path = folder / f"{name}.json"
    if path.exists():
        raise AccountError(f"a keystore named {name!r} already exists: pick another name or remove it")
    for info in list_keystores():
        if info.address is not None and info.address.lower() == address.lower():
            raise AccountError(f"address {address} is already in keystore {info.name!r}")
    return path


def create_keystore(name: str, password: str, *, private_key: bytes | None = None) -> KeystoreInfo:
    """Encrypt ``private_key`` (a new random key when None) into keystore ``name``."""
    from eth_account import Account

    _check_name(name)
    if password == "":
        raise InputError("an empty password is not allowed for a new keystore")
    account = Account.from_key(private_key) if private_key is not None else Account.create()
    path = _refuse_duplicates(name, account.address)
    data = dict(Account.encrypt(account.key, password, kdf="scrypt", iterations=_scrypt_n()))
    data["address"] = account.address[2:].lower()
    data["name"] = name
    _write_private(path, data)
    return KeystoreInfo(name=name, address=account.address, path=path)


def _decrypt(data: dict[str, Any], password: str, what: str) -> bytes:
    from eth_account import Account

    normalised = dict(data)
    if "crypto" not in normalised and "Crypto" in normalised:  # older geth files
        normalised["crypto"] = normalised.pop("Crypto")
    try:
        return bytes(Account.decrypt(normalised, password))
    except ValueError as exc:
        if "MAC mismatch" in str(exc):
            raise WrongPasswordError(f"wrong password for {what}") from None
        raise AccountError(f"cannot decrypt {what}: {exc}") from None
    except (KeyError, TypeError) as exc:
        raise InputError(f"{what} is not a valid Web3 Secret Storage keystore (missing {exc})") from None


def import_keystore_file(name: str, source: Path, password: str) -> KeystoreInfo:
    """Copy a Foundry/geth V3 keystore as it is, after checking that ``password`` decrypts it."""
    from eth_account import Account

    _check_name(name)
    data = read_keystore_file(Path(source))
    key = _decrypt(data, password, f"keystore file {source}")
    address = Account.from_key(key).address
    recorded = _address_of(data)
    if recorded is not None and recorded != address:
        raise AccountError(f"keystore file {source} says address {recorded} but its key is {address}")
    path = _refuse_duplicates(name, address)
    stored = dict(data)
    stored.setdefault("address", address[2:].lower())
    stored["name"] = name
    _write_private(path, stored)
    return KeystoreInfo(name=name, address=address, path=path)


def remove_keystore(name: str) -> KeystoreInfo:
    info = find_keystore(name)
    info.path.unlink()
    return info


def unlock_keystore(info: KeystoreInfo, password: str) -> LocalAccount:
    from eth_account import Account

    key = _decrypt(read_keystore_file(info.path), password, f"keystore {info.name!r}")
    account: LocalAccount = Account.from_key(key)
    return account


# -- the one call senders use ----------------------------------------------------------------------


def _dev_index(ref: str | int) -> int | None:
    if isinstance(ref, bool):
        return None
    if isinstance(ref, int):
        return ref
    text = ref.strip()
    return int(text) if text.isdigit() and len(text) <= 3 else None


def load_account(
    ref: str | int | None,
    chain: Chain,
    *,
    password: str | None = None,
    password_file: Path | None = None,
    prompt: PasswordPrompt | None = None,
) -> LocalAccount:
    """The signing account for ``ref`` on ``chain``.

    ``ref`` is a keystore name, the address of a keystore, or a dev account index (``"0"``..``"9"``
    or an int) which only ``embedded`` and ``dev`` allow; ``None`` is dev account 0 on those and an
    error elsewhere. On a dev network the address of a dev account also works.
    """
    spec = chain.spec
    if ref is None:
        if spec.is_dev:
            return chain.dev_accounts()[0]
        raise AccountError(
            f"no account chosen for network {spec.name}: pass --account NAME "
            "(see `coopetition accounts list`)"
        )
    index = _dev_index(ref)
    if index is not None:
        accounts = chain.dev_accounts()  # raises AccountError on a non-dev network
        if not 0 <= index < len(accounts):
            raise AccountError(f"dev account index {index} is out of range (0-{len(accounts) - 1})")
        return accounts[index]
    assert isinstance(ref, str)
    text = ref.strip()
    if spec.is_dev and _ADDRESS.match(text):
        for account in chain.dev_accounts():
            if account.address.lower() == text.lower():
                return account
    info = find_keystore(text)
    secret = read_password(
        password=password, password_file=password_file, prompt=prompt,
        prompt_text=f"Password for {info.name}", purpose=f"keystore {info.name!r}",
    )
    return unlock_keystore(info, secret)


def account_address(ref: str | int | None, chain: Chain) -> str:
    """The address ``ref`` names on ``chain``, without decrypting anything (for read-only commands)."""
    if ref is None or _dev_index(ref) is not None:
        return str(load_account(ref, chain).address)
    assert isinstance(ref, str)
    text = ref.strip()
    if _ADDRESS.match(text):
        return _checksum(text)
    info = find_keystore(text)
    if info.address is None:
        raise AccountError(f"keystore {info.name!r} does not record its address: re-import it")
    return info.address
