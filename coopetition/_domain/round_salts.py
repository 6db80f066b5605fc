"""The secret half of a sealed pledge: the commitment rule and the local salt store.

A partner commits ``keccak256(abi.encode(chainId, escrow, roundId, partner, pledge, salt))``
(:func:`pledge_commitment`, the rule of the escrow's ``commitPledge`` NatSpec computed here, so the
pledge never leaves the machine before its reveal: the escrow has deliberately no view for it, since
asking a node's ``eth_call`` would show the pledge to the node).

The salt store keeps what the reveal needs, one JSON file per (chain, escrow, round, partner)::

    <state>/salts/chain-<id>-<genesis>/<escrow>/round-<n>/<partner>.json

written atomically (a temporary file, fsynced, then linked into place: a reader sees the whole file
or none), mode 0600 whatever the umask (the folders 0700), and never overwritten. The file is
written **before** the commitment is sent, so a process that dies after sending still has its salt.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..exceptions import InputError
from . import checks

__all__ = ["SALT_BYTES", "SaltRecord", "SaltStore", "new_salt", "pledge_commitment"]

SALT_BYTES = 32
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def new_salt() -> bytes:
    """32 bytes from the operating system's secure random source."""
    return secrets.token_bytes(SALT_BYTES)


def pledge_commitment(*, chain_id: int, escrow: str, round_id: int, partner: str, pledge: int,
                      salt: bytes) -> bytes:
    """The commitment the escrow checks at reveal, computed locally (the escrow has no view for it)."""
    from eth_abi import abi as eth_abi
    from eth_utils.crypto import keccak

    if len(salt) != SALT_BYTES:
        raise InputError(f"a salt is {SALT_BYTES} bytes, not {len(salt)}")
    return bytes(keccak(eth_abi.encode(
        ["uint256", "address", "uint256", "address", "uint256", "bytes32"],
        [chain_id, checks.address(escrow, "escrow"), round_id, checks.address(partner, "partner"), pledge, salt],
    )))


@dataclass(frozen=True)
class SaltRecord:
    """What a partner needs to reveal its pledge (the salt is left out of ``repr``)."""

    chain_id: int
    escrow: str
    round_id: int
    partner: str
    pledge: int
    salt: bytes = field(repr=False)
    commitment: bytes

    def to_json(self) -> str:
        return json.dumps({
            "chainId": self.chain_id, "escrow": self.escrow, "roundId": self.round_id, "partner": self.partner,
            "pledge": str(self.pledge), "salt": "0x" + self.salt.hex(), "commitment": "0x" + self.commitment.hex(),
        }, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, where: Path) -> SaltRecord:
        try:
            data = json.loads(text)
            return cls(chain_id=int(data["chainId"]), escrow=str(data["escrow"]), round_id=int(data["roundId"]),
                       partner=str(data["partner"]), pledge=int(data["pledge"]),
                       salt=bytes.fromhex(str(data["salt"]).removeprefix("0x")),
                       commitment=bytes.fromhex(str(data["commitment"]).removeprefix("0x")))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"the salt file {where} is damaged ({exc}): restore it from a backup") from None


class SaltStore:
    """The salt files of one chain under ``root`` (the CLI uses ``<project>/.coopetition/salts``).

    ``chain`` keys the folder: the chain id and the start of the genesis hash (a reset dev chain
    gets a new folder, so its round 1 does not collide with the old chain's)."""

    def __init__(self, root: Path | str, *, chain_id: int, genesis_hash: str) -> None:
        self.root = Path(root)
        self.chain_id = chain_id
        genesis = _UNSAFE.sub("", genesis_hash.lower().removeprefix("0x"))[:16] or "unknown"
        self.folder = self.root / f"chain-{chain_id}-{genesis}"

    def __repr__(self) -> str:
        return f"SaltStore({self.folder})"

    def path(self, escrow: str, round_id: int, partner: str) -> Path:
        """Where the salt of ``partner`` in round ``round_id`` of ``escrow`` lives."""
        escrow = checks.address(escrow, "escrow")
        partner = checks.address(partner, "partner")
        return self.folder / escrow / f"round-{int(round_id)}" / f"{partner}.json"

    def load(self, escrow: str, round_id: int, partner: str) -> SaltRecord | None:
        """The record saved for this pledge, or ``None`` when there is no file."""
        where = self.path(escrow, round_id, partner)
        try:
            text = where.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise InputError(f"cannot read the salt file {where}: {exc.strerror or exc}") from None
        return SaltRecord.from_json(text, where)

    def save(self, record: SaltRecord) -> Path:
        """Write ``record`` to its own file (mode 0600) and return where; an existing file is never
        replaced (:class:`InputError` says where it is)."""
        where = self.path(record.escrow, record.round_id, record.partner)
        if where.exists():
            raise InputError(
                f"a salt file already exists at {where}: it holds the pledge already committed (or about to "
                "be); reveal with it, or move it away yourself if you are sure it is no longer needed"
            )
        _make_private_dirs(where.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{where.name}.", suffix=".tmp", dir=where.parent)
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(record.to_json())
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp, where)  # atomic, and refuses an existing file (unlike os.replace)
            except FileExistsError:
                raise InputError(f"a salt file already exists at {where}: not overwritten") from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        _fsync_dir(where.parent)
        return where


def _make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and its missing parents, each mode 0700 whatever the umask."""
    missing = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for made in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(made, 0o700)
        os.chmod(made, 0o700)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
