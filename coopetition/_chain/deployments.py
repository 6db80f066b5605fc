"""Deployment records: ``deployments/<network>/`` in the hardhat-deploy shape, crash-safe.

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

Crash safety of :func:`deploy_contract`: the signed transaction (hash, nonce, raw bytes, and what
the record will hold) is written to ``<Name>.pending.json`` *before* it is broadcast. A rerun that
finds a pending record resolves it before anything else:

* mined → the record is finalised from the receipt (no second deployment);
* still in the node's pool → wait for it;
* unknown to the node (it crashed and restarted from an older state, or the crash came before the
  broadcast) and the sender's nonce is still free → the *same* signed bytes are broadcast again, so
  it can only ever be mined once;
* unknown and the nonce has been used by something else → it can never be mined: the pending
  record is dropped and the contract deployed afresh.

``embedded`` deployments (or a store created with ``root=None``) live in memory only.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from eth_utils.address import to_checksum_address

from .._seam import PendingCall, TxResult
from ..exceptions import (
    ChainIdMismatchError,
    ContractRevertError,
    CoopetitionError,
    DeploymentError,
    NodeUnreachableError,
    TransactionFailedError,
)

if TYPE_CHECKING:
    from .tx import SignedTx, TransactionPipeline

__all__ = ["Deployment", "DeploymentStore", "deploy_contract", "json_safe"]

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
    """True for a ``--dry-run``: nothing was sent, ``address`` is where it would land, ``gas_used`` the estimate."""


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

    def __init__(self, root: Path | None, network: str) -> None:
        self.network = network
        self.in_memory = root is None or network == "embedded"
        safe = _NETWORK_UNSAFE.sub("_", network).strip("._") or "network"
        self.folder: Path | None = None if self.in_memory or root is None else Path(root) / safe
        self._label = f"{Path(root).name if root else 'deployments'}/{safe}"
        self._memory: dict[str, str] = {}

    # ------------------------------------------------------------------ raw files

    def _read(self, filename: str) -> str | None:
        if self.folder is None:
            return self._memory.get(filename)
        try:
            return (self.folder / filename).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def _write(self, filename: str, text: str) -> None:
        if self.folder is None:
            self._memory[filename] = text
        else:
            _atomic_write(self.folder / filename, text)

    def _delete(self, filename: str) -> None:
        if self.folder is None:
            self._memory.pop(filename, None)
            return
        with contextlib.suppress(FileNotFoundError):
            (self.folder / filename).unlink()

    def _files(self) -> list[str]:
        if self.folder is None:
            return sorted(self._memory)
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.iterdir() if p.is_file())

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
    def _check_name(name: str) -> str:
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
        """
        recorded = self.recorded_chain()
        genesis_hash = genesis_hash.lower()
        if recorded is not None:
            old_id, old_genesis = recorded
            same_genesis = old_genesis is None or old_genesis.lower() == genesis_hash
            anchor = self._anchor() if block_hash is not None else None
            if old_id != chain_id:
                same = False
            elif anchor is not None and block_hash is not None:
                number, expected = anchor
                actual = block_hash(number)
                same = actual is not None and actual.lower() == expected.lower()
            else:
                same = same_genesis or not self.names()
            if same:
                if not same_genesis and write:
                    self._write(".genesis", genesis_hash + "\n")
                return
            if not reset:
                was = f"chain {old_id}" + (f" (genesis {_short(old_genesis)})" if old_genesis else "")
                now = f"chain {chain_id} (genesis {_short(genesis_hash)})"
                why = (
                    "the devnet was reset; rerun with --reset to deploy afresh"
                    if old_id == chain_id
                    else "wrong node for this network? point it at the right node, or rerun with --reset to deploy afresh"
                )
                raise ChainIdMismatchError(
                    f"{self._label} were made on {was} but the node reports {now}: {why}"
                )
        if not write:
            return
        if recorded is not None:
            for filename in self._files():
                if filename.endswith(".json") or filename in (".chainId", ".genesis"):
                    self._delete(filename)
        self._write(".chainId", f"{chain_id}\n")
        self._write(".genesis", genesis_hash + "\n")

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
        return self._json(f"{self._check_name(name)}.json")

    def save(self, name: str, record: Mapping[str, Any]) -> None:
        self._write(f"{self._check_name(name)}.json", _dump(record))

    def pending(self, name: str) -> dict[str, Any] | None:
        return self._json(f"{self._check_name(name)}.pending.json")

    def save_pending(self, name: str, data: Mapping[str, Any]) -> None:
        self._write(f"{self._check_name(name)}.pending.json", _dump(data))

    def clear_pending(self, name: str) -> None:
        self._delete(f"{self._check_name(name)}.pending.json")

    def deployment(self, name: str) -> Deployment | None:
        """The recorded deployment of ``name`` (``newly_deployed=False``), or None."""
        rec = self.record(name)
        if rec is None:
            return None
        return _from_record(name, rec, newly_deployed=False)

    def address(self, name: str) -> str:
        """The recorded address of ``name``; DeploymentError when it was never deployed here."""
        rec = self.record(name)
        if rec is None or not rec.get("address"):
            raise DeploymentError(
                f"{name} is not deployed on {self.network} (no {self._label}/{name}.json): deploy it first"
            )
        return to_checksum_address(str(rec["address"]))


def _short(h: str) -> str:
    return h[:10] + "…" if len(h) > 12 else h


def _dump(data: Mapping[str, Any]) -> str:
    return json.dumps(json_safe(data), indent=2, sort_keys=False) + "\n"


def _from_record(name: str, rec: Mapping[str, Any], *, newly_deployed: bool) -> Deployment:
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


def _encode_deploy_data(
    pipeline: TransactionPipeline, abi: Sequence[Mapping[str, Any]], bytecode: str, args: Sequence[Any]
) -> bytes:
    factory = pipeline.w3.eth.contract(abi=cast(Any, list(abi)), bytecode=cast(Any, bytecode))
    has_ctor = any(entry.get("type") == "constructor" for entry in abi)
    if not has_ctor and args:
        raise DeploymentError(f"the contract takes no constructor arguments but {len(args)} were given")
    try:
        data = factory.constructor(*args).data_in_transaction
    except (TypeError, ValueError) as exc:
        raise DeploymentError(f"constructor arguments do not match the ABI: {' '.join(str(exc).split())}") from None
    return bytes.fromhex(data[2:] if data.startswith("0x") else data)


def _receipt_json(pipeline: TransactionPipeline, tx_hash: str) -> dict[str, Any]:
    from web3 import Web3

    receipt = pipeline.w3.eth.get_transaction_receipt(cast(Any, tx_hash))
    data = json.loads(Web3.to_json(cast(Any, dict(receipt))))
    return cast(dict[str, Any], data)


def _finalize(
    pipeline: TransactionPipeline,
    store: DeploymentStore,
    name: str,
    result: TxResult,
    spec: Mapping[str, Any],
) -> Deployment:
    address = result.contract_address
    if not address:
        raise DeploymentError(f"the deployment of {name} ({result.transaction_hash}) created no contract")
    deployed = spec.get("deployedBytecode")
    if not deployed:
        deployed = "0x" + bytes(pipeline.w3.eth.get_code(cast(Any, address))).hex()
    previous = store.record(name)
    count = int(previous.get("numDeployments", 0)) + 1 if previous else 1
    record = {
        "address": address,
        "abi": list(spec.get("abi") or ()),
        "transactionHash": result.transaction_hash,
        "receipt": _receipt_json(pipeline, result.transaction_hash),
        "args": json_safe(list(spec.get("args") or ())),
        "numDeployments": count,
        "solcInputHash": spec.get("solcInputHash"),
        "bytecode": spec.get("bytecode"),
        "deployedBytecode": deployed,
        "compiler": {"version": spec.get("compilerVersion")},
    }
    store.save(name, record)
    store.clear_pending(name)
    return Deployment(
        name=name,
        address=address,
        transaction_hash=result.transaction_hash,
        block_number=result.block_number,
        gas_used=result.gas_used,
        args=tuple(spec.get("args") or ()),
        newly_deployed=True,
    )


def _resume(
    pipeline: TransactionPipeline, store: DeploymentStore, name: str, pending: Mapping[str, Any]
) -> Deployment | None:
    """Resolve an in-flight deployment left by a crash; None when it can never be mined."""
    tx_hash = str(pending.get("transactionHash", ""))
    spec = cast(Mapping[str, Any], pending.get("record") or {})
    call = PendingCall(
        contract=name,
        address="",
        function="constructor",
        args=tuple(spec.get("args") or ()),
        data=b"",
        abi=tuple(spec.get("abi") or ()),
    )
    state = pipeline.lookup(tx_hash) if tx_hash else "unknown"
    if state == "unknown":
        if not pending.get("from") or pending.get("nonce") is None:
            store.clear_pending(name)
            return None
        sender = to_checksum_address(str(pending["from"]))
        nonce = int(pending["nonce"])
        w3 = pipeline.w3
        mined_count = int(w3.eth.get_transaction_count(sender, "latest"))
        pool_count = int(w3.eth.get_transaction_count(sender, "pending"))
        raw = pending.get("rawTransaction")
        if mined_count == nonce and pool_count == nonce and raw:
            try:
                pipeline.broadcast_raw(str(raw), tx_hash, call)
            except NodeUnreachableError:
                raise
            except CoopetitionError:
                store.clear_pending(name)  # refused now (e.g. funds): deploy afresh, cleanly checked
                return None
        else:
            # The nonce went to another transaction (or lies beyond a gap the node no longer has):
            # this signed transaction can never be mined. Start again.
            store.clear_pending(name)
            return None
    try:
        result = pipeline.wait(tx_hash, call)
    except (ContractRevertError, TransactionFailedError):
        store.clear_pending(name)  # mined and failed: final, nothing to resume
        raise
    return _finalize(pipeline, store, name, result, spec)


def deploy_contract(
    pipeline: TransactionPipeline,
    store: DeploymentStore,
    *,
    name: str,
    abi: Sequence[Mapping[str, Any]],
    bytecode: str,
    args: Sequence[Any] = (),
    solc_input_hash: str | None = None,
    compiler_version: str | None = None,
    deployed_bytecode: str | None = None,
    reset: bool = False,
) -> Deployment:
    """Deploy ``name`` unless an identical deployment is recorded and its code is on chain.

    In order: the chain guard (:meth:`DeploymentStore.check_chain`); an in-flight deployment left
    by a crash is resolved (see the module docstring); an identical record (same bytecode and
    arguments) whose address holds code is returned as is (``newly_deployed=False``) unless
    ``reset``; otherwise the contract is deployed through ``pipeline`` with the pending record
    written before broadcast. With ``pipeline.dry_run`` nothing is sent or written.
    """
    with pipeline.node_errors():
        return _deploy(
            pipeline, store, name=name, abi=abi, bytecode=bytecode, args=args,
            solc_input_hash=solc_input_hash, compiler_version=compiler_version,
            deployed_bytecode=deployed_bytecode, reset=reset,
        )


def _deploy(
    pipeline: TransactionPipeline,
    store: DeploymentStore,
    *,
    name: str,
    abi: Sequence[Mapping[str, Any]],
    bytecode: str,
    args: Sequence[Any],
    solc_input_hash: str | None,
    compiler_version: str | None,
    deployed_bytecode: str | None,
    reset: bool,
) -> Deployment:
    store._check_name(name)
    if not bytecode or not bytecode.startswith("0x") or len(bytecode) <= 2:
        raise DeploymentError(f"{name} has no bytecode to deploy (abstract contract or interface?)")
    safe_args = json_safe(list(args))
    spec: dict[str, Any] = {
        "abi": list(abi),
        "args": safe_args,
        "bytecode": bytecode,
        "deployedBytecode": deployed_bytecode,
        "solcInputHash": solc_input_hash,
        "compilerVersion": compiler_version,
    }
    data = _encode_deploy_data(pipeline, abi, bytecode, args)
    call = PendingCall(
        contract=name,
        address="",
        function="constructor",
        args=tuple(args),
        data=data,
        value=0,
        abi=tuple(abi),
    )
    if pipeline.dry_run:
        store.check_chain(
            pipeline.chain_id, pipeline.genesis_hash, reset=reset, write=False,
            block_hash=_block_hash_of(pipeline),
        )
        estimate = pipeline.dry_run_result(pipeline.prepare(call))
        return Deployment(
            name=name,
            address=estimate.contract_address or "",
            transaction_hash="",
            block_number=estimate.block_number,
            gas_used=estimate.gas_used,
            args=tuple(args),
            newly_deployed=False,
            dry_run=True,
        )

    store.check_chain(
        pipeline.chain_id, pipeline.genesis_hash, reset=reset, block_hash=_block_hash_of(pipeline)
    )

    in_flight = store.pending(name)
    if in_flight is not None:
        resumed = _resume(pipeline, store, name, in_flight)
        if resumed is not None and not reset and _same(store.record(name), bytecode, safe_args):
            return resumed

    existing = store.record(name)
    if existing is not None and not reset and _same(existing, bytecode, safe_args):
        code = pipeline.w3.eth.get_code(cast(Any, to_checksum_address(str(existing["address"]))))
        if len(bytes(code)) > 0:
            return _from_record(name, existing, newly_deployed=False)

    prepared = pipeline.prepare(call)

    def persist(signed: SignedTx) -> None:
        store.save_pending(
            name,
            {
                "transactionHash": signed.transaction_hash,
                "from": signed.sender,
                "nonce": signed.nonce,
                "chainId": signed.chain_id,
                "contractAddress": signed.contract_address,
                "rawTransaction": signed.raw_transaction,
                "record": spec,
            },
        )

    try:
        signed = pipeline.submit(prepared, before_broadcast=persist)
    except NodeUnreachableError:
        raise  # it may or may not have reached the node: keep the pending record for the rerun
    except CoopetitionError:
        store.clear_pending(name)  # the node refused it (or the user cancelled): nothing in flight
        raise
    try:
        result = pipeline.wait(signed.transaction_hash, call)
    except (ContractRevertError, TransactionFailedError):
        store.clear_pending(name)  # mined and reverted: final
        raise
    return _finalize(pipeline, store, name, result, spec)


def _block_hash_of(pipeline: TransactionPipeline) -> Callable[[int], str | None]:
    def block_hash(number: int) -> str | None:
        try:
            block = pipeline.w3.eth.get_block(number)
        except Exception as exc:
            if type(exc).__name__ == "BlockNotFound":
                return None
            raise
        return "0x" + bytes(block["hash"]).hex()

    return block_hash


def _same(record: Mapping[str, Any] | None, bytecode: str, safe_args: Any) -> bool:
    if record is None:
        return False
    return (
        str(record.get("bytecode", "")).lower() == bytecode.lower()
        and record.get("args") == safe_args
    )
