"""Deployment records: ``deployments/<network>/`` in the hardhat-deploy shape, written atomically.

Layout::

    deployments/<network>/.chainId          the chain id, as plain text
    deployments/<network>/.genesis          the genesis block hash (a reset devnet has a new one)
    deployments/<network>/<Name>.json       one record per contract (hardhat-deploy shape)
    deployments/<network>/<Name>.pending.json   only while a deployment is in flight

A record holds ``address``, ``abi``, ``transactionHash``, ``receipt`` (JSON-safe: hex strings and
ints), ``args``, ``numDeployments``, ``solcInputHash``, ``bytecode``, ``deployedBytecode`` and
``compiler`` (``{"version": ...}``). Every file is written atomically: a temporary file in the same
folder, flushed and fsynced, then ``os.replace``; a reader sees the old file or the new one, never
half of one.

``embedded`` deployments (or a store created with ``root=None``) live in memory only.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils.address import to_checksum_address

from ..exceptions import ChainIdMismatchError, DeploymentError

__all__ = ["Deployment", "DeploymentStore", "file_error_cause", "from_record", "json_safe"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NETWORK_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Deployment:
    """The outcome of :func:`deploy_contract` (or a stored record)."""

    name: str
    address: str
    transaction_hash: str
    block_number: int
    gas_used: int
    args: tuple[Any, ...]
    newly_deployed: bool
    """False when an identical deployment was already recorded and its code is on chain."""
    dry_run: bool = False
    """True for a ``--dry-run``: nothing was sent, ``address`` is where it would land, ``gas_used`` the estimate
    (on the embedded chain, the gas a rehearsal on a snapshot used; see :func:`~coopetition._chain.deployments.rehearsal`)."""


def json_safe(value: Any) -> Any:
    """Bytes → ``0x`` hex, tuples → lists, mappings → dicts with string keys; ints stay exact."""
    if isinstance(value, bytes | bytearray | memoryview):
        return "0x" + bytes(value).hex()
    if hasattr(value, "hex") and type(value).__name__ == "HexBytes":
        return "0x" + bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, bool | int | str | float) or value is None:
        return value
    return str(value)


def _atomic_write(path: Path, text: str) -> None:
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class DeploymentStore:
    """The deployment records of one network.

    ``root`` is the deployments folder (``Project.deployments_dir``, i.e. ``<project>/deployments``);
    records go to ``root/<network>/``. ``root=None`` (and always for the ``embedded`` network) keeps
    everything in memory and writes nothing.
    """

    def __init__(self, root: Path | None, network: str, *, folder: str | None = None) -> None:
        self.network = network
        self.in_memory = root is None or network == "embedded"
        safe = folder or _NETWORK_UNSAFE.sub("_", network).strip("._") or "network"
        self.folder: Path | None = None if self.in_memory or root is None else Path(root) / safe
        self._label = f"{Path(root).name if root else 'deployments'}/{safe}"
        self._memory: dict[str, str] = {}

    @classmethod
    def for_chain(
        cls,
        root: Path | None,
        network: str,
        *,
        chain_id: int,
        genesis_hash: str,
        block_hash: Callable[[int], str | None],
    ) -> DeploymentStore:
        """The records of the chain the node serves, whatever the network is called.

        Records are keyed by the chain: its id and its anchor (the block of the most recent
        recorded receipt, else the genesis hash). ``deployments/<network>/`` is used when it holds
        records (or nothing else matches); otherwise any other folder of ``root`` whose records
        were made on this very chain, so ``-n http://127.0.0.1:8545`` finds what ``dev`` deployed.
        """
        own = cls(root, network)
        if own.folder is None or own.recorded_chain() is not None or root is None:
            return own
        try:
            folders = sorted(p.name for p in Path(root).iterdir() if p.is_dir() and not p.name.startswith("."))
        except FileNotFoundError:
            return own
        except OSError as exc:
            raise own._disk_error("list", "", exc) from None
        for name in folders:
            other = cls(root, network, folder=name)
            if other.names() and other.same_chain(chain_id, genesis_hash, block_hash):
                return other
        return own

    def same_chain(self, chain_id: int, genesis_hash: str, block_hash: Callable[[int], str | None] | None) -> bool:
        """Whether these records were made on the chain with ``chain_id`` whose blocks ``block_hash``
        reads (see :meth:`check_chain`); True before the first record."""
        recorded = self.recorded_chain()
        if recorded is None:
            return True
        old_id, old_genesis = recorded
        if old_id != chain_id:
            return False
        anchor = self._anchor() if block_hash is not None else None
        if anchor is not None and block_hash is not None:
            number, expected = anchor
            actual = block_hash(number)
            return actual is not None and actual.lower() == expected.lower()
        return old_genesis is None or old_genesis.lower() == genesis_hash.lower() or not self.names()

    def scratch_copy(self) -> DeploymentStore:
        """An in-memory copy of these records: a rehearsal (a dry run deployed for real on a snapshot
        of the embedded chain) writes there, never here."""
        copy = DeploymentStore(None, self.network)
        for filename in self._files():
            text = self._read(filename)
            if text is not None:
                copy._memory[filename] = text
        return copy

    # ------------------------------------------------------------------ raw files

    def _read(self, filename: str) -> str | None:
        if self.folder is None:
            return self._memory.get(filename)
        try:
            return (self.folder / filename).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._disk_error("read", filename, exc) from None

    def _write(self, filename: str, text: str) -> None:
        if self.folder is None:
            self._memory[filename] = text
            return
        try:
            _atomic_write(self.folder / filename, text)
        except OSError as exc:
            raise self._disk_error("write", filename, exc) from None

    def _delete(self, filename: str) -> None:
        if self.folder is None:
            self._memory.pop(filename, None)
            return
        try:
            (self.folder / filename).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise self._disk_error("delete", filename, exc) from None

    def _files(self) -> list[str]:
        if self.folder is None:
            return sorted(self._memory)
        try:
            if not self.folder.is_dir():
                return []
            return sorted(p.name for p in self.folder.iterdir() if p.is_file())
        except OSError as exc:
            raise self._disk_error("list", "", exc) from None

    def _disk_error(self, verb: str, filename: str, exc: OSError) -> DeploymentError:
        """A file system failure as what it is (never a node that does not answer): one line."""
        where = f"{self._label}/{filename}" if filename else self._label
        return DeploymentError(f"cannot {verb} {where} ({self.folder}): {file_error_cause(exc, self.folder)}")

    def _json(self, filename: str) -> dict[str, Any] | None:
        text = self._read(filename)
        if text is None:
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DeploymentError(
                f"{self._label}/{filename} is not valid JSON ({exc.msg} at line {exc.lineno}); "
                f"fix or delete it"
            ) from None
        if not isinstance(data, dict):
            raise DeploymentError(f"{self._label}/{filename} does not hold a JSON object; fix or delete it")
        return data

    @staticmethod
    def check_name(name: str) -> str:
        if not _NAME.match(name):
            raise DeploymentError(f"{name!r} is not a valid contract name for a deployment record")
        return name

    # ------------------------------------------------------------------ chain guard

    def recorded_chain(self) -> tuple[int, str | None] | None:
        """``(chain id, genesis hash)`` recorded for this network, or None before the first deployment."""
        text = self._read(".chainId")
        if text is None:
            return None
        try:
            chain_id = int(text.strip())
        except ValueError:
            raise DeploymentError(f"{self._label}/.chainId does not hold a chain id; fix or delete it") from None
        genesis = self._read(".genesis")
        return chain_id, genesis.strip() if genesis else None

    def check_chain(
        self,
        chain_id: int,
        genesis_hash: str,
        *,
        reset: bool = False,
        write: bool = True,
        block_hash: Callable[[int], str | None] | None = None,
        fix: str = "rerun with --reset to deploy afresh",
    ) -> None:
        """Stop unless the records were made on this chain; record the chain on first use.

        The chain id must match. Whether it is still the *same* chain (not a reset devnet) is
        judged by the block of the most recent record's receipt when ``block_hash`` (number → hash
        on the node) is given and a record has one: that block must still be there with the same
        hash. Otherwise by the genesis hash. (anvil 1.7 restarted from ``--state`` several times
        may report a different genesis block although every later block is kept; the anchor block
        makes the guard immune to that, and also catches a reset chain whose genesis happens to be
        identical.) With no final record there is nothing to protect and a new genesis is simply
        recorded.

        With ``reset=True`` a mismatch wipes this network's records (they point at contracts on
        another chain) and records the new chain instead. ``write=False`` only checks (dry runs).
        ``fix`` ends the message of a mismatch: what the caller's user can do about it (``deploy``
        has ``--reset``; a read or send does not, so it names the command that does).
        """
        recorded = self.recorded_chain()
        genesis_hash = genesis_hash.lower()
        if recorded is not None:
            old_id, old_genesis = recorded
            if self.same_chain(chain_id, genesis_hash, block_hash):
                if write and (old_genesis is None or old_genesis.lower() != genesis_hash):
                    self._write(".genesis", genesis_hash + "\n")
                return
            if not reset:
                was = f"chain {old_id}" + (f" (genesis {_short(old_genesis)})" if old_genesis else "")
                now = f"chain {chain_id} (genesis {_short(genesis_hash)})"
                why = (
                    f"the chain was reset (its contracts are gone); {fix}"
                    if old_id == chain_id
                    else f"wrong node for this network? point it at the right node, or {fix}"
                )
                raise ChainIdMismatchError(
                    f"{self._label} were made on {was} but the node reports {now}: {why}"
                )
        if not write:
            return
        if recorded is not None:
            # records first, the chain files last: a crash half way still finds the old chain
            # recorded, so the rerun wipes the rest instead of trusting records of another chain
            for filename in self._files():
                if filename.endswith(".json"):
                    self._delete(filename)
            self._delete(".genesis")
            self._delete(".chainId")
        self._write(".genesis", genesis_hash + "\n")
        self._write(".chainId", f"{chain_id}\n")  # last: the folder counts as recorded once it exists

    def _anchor(self) -> tuple[int, str] | None:
        """``(block number, block hash)`` of the most recent recorded deployment receipt."""
        best: tuple[int, str] | None = None
        for name in self.names():
            rec = self.record(name) or {}
            receipt = rec.get("receipt") or {}
            number, block = receipt.get("blockNumber"), receipt.get("blockHash")
            if number is None or not isinstance(block, str):
                continue
            n = _int(number)
            if best is None or n > best[0]:
                best = (n, block)
        return best

    # ------------------------------------------------------------------ records

    def names(self) -> tuple[str, ...]:
        """Contracts with a final record."""
        return tuple(
            f[: -len(".json")]
            for f in self._files()
            if f.endswith(".json") and not f.endswith(".pending.json") and not f.startswith(".")
        )

    def record(self, name: str) -> dict[str, Any] | None:
        return self._json(f"{self.check_name(name)}.json")

    def save(self, name: str, record: Mapping[str, Any]) -> None:
        self._write(f"{self.check_name(name)}.json", _dump(record))

    def pending(self, name: str) -> dict[str, Any] | None:
        return self._json(f"{self.check_name(name)}.pending.json")

    def save_pending(self, name: str, data: Mapping[str, Any]) -> None:
        self._write(f"{self.check_name(name)}.pending.json", _dump(data))

    def clear_pending(self, name: str) -> None:
        self._delete(f"{self.check_name(name)}.pending.json")

    def deployment(self, name: str) -> Deployment | None:
        """The recorded deployment of ``name`` (``newly_deployed=False``), or None."""
        rec = self.record(name)
        if rec is None:
            return None
        return from_record(name, rec, newly_deployed=False)

    def address(self, name: str) -> str:
        """The recorded address of ``name``; DeploymentError when it was never deployed here."""
        rec = self.record(name)
        if rec is None or not rec.get("address"):
            raise DeploymentError(
                f"{name} is not deployed on {self.network} (no {self._label}/{name}.json): deploy it first"
            )
        return to_checksum_address(str(rec["address"]))


def file_error_cause(exc: OSError, folder: Path | None = None) -> str:
    """What a file-system failure means for the user, and what to do: permission, disk full,
    read-only file system, else the system's own words (for one-line errors about local files)."""
    if isinstance(exc, PermissionError):
        return f"permission denied: make {folder or exc.filename} writable by this user"
    if exc.errno == errno.ENOSPC:
        return "no space left on the device: free some disk space and rerun"
    if exc.errno == errno.EROFS:
        return "the file system is read-only: use a folder on a writable one"
    if isinstance(exc, NotADirectoryError):
        return f"part of the path {exc.filename} is a file, not a folder: move that file"
    if isinstance(exc, FileExistsError):
        return f"{exc.filename} is a file, not a folder: move it"
    return exc.strerror or str(exc) or type(exc).__name__


def _short(h: str) -> str:
    return h[:10] + "…" if len(h) > 12 else h


def _dump(data: Mapping[str, Any]) -> str:
    return json.dumps(json_safe(data), indent=2, sort_keys=False) + "\n"


def from_record(name: str, rec: Mapping[str, Any], *, newly_deployed: bool) -> Deployment:
    receipt = rec.get("receipt") or {}
    return Deployment(
        name=name,
        address=to_checksum_address(str(rec["address"])),
        transaction_hash=str(rec.get("transactionHash", "")),
        block_number=_int(receipt.get("blockNumber")),
        gas_used=_int(receipt.get("gasUsed")),
        args=tuple(rec.get("args") or ()),
        newly_deployed=newly_deployed,
    )


def _int(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return int(value, 16) if value.startswith("0x") else int(value)
    return int(value)
