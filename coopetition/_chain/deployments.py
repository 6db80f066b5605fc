"""Deploying a contract through the transaction pipeline, recorded in a
:class:`~coopetition._chain.records.DeploymentStore` so that a crash never deploys twice.

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
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from eth_utils.address import to_checksum_address

from .._seam import PendingCall, TxResult
from ..exceptions import (
    ContractRevertError,
    CoopetitionError,
    DeploymentError,
    NodeUnreachableError,
    TransactionFailedError,
)
from .network import block_hash_reader
from .records import Deployment, DeploymentStore, from_record, json_safe
from .txdata import interrupted

if TYPE_CHECKING:
    from .tx import TransactionPipeline
    from .txdata import SignedTx

__all__ = ["deploy_contract"]


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
    if previous is None:
        count = 1
    elif str(previous.get("transactionHash", "")).lower() == result.transaction_hash.lower():
        # this very transaction was recorded before a crash left its pending record behind
        count = int(previous.get("numDeployments", 1))
    else:
        count = int(previous.get("numDeployments", 0)) + 1
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
        if pending.get("nonce") is None:
            result = pipeline.wait(tx_hash, call)
        else:
            with interrupted(tx_hash, int(pending["nonce"]), str(pending.get("from", "")), resumable=True):
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
    state_override: Mapping[str, Mapping[str, Any]] | None = None,
    nonce_offset: int = 0,
) -> Deployment:
    """Deploy ``name`` unless an identical deployment is recorded and its code is on chain.

    In order: the chain guard (:meth:`DeploymentStore.check_chain`); an in-flight deployment left
    by a crash is resolved (see the module docstring); an identical record (same bytecode and
    arguments) whose address holds code is returned as is (``newly_deployed=False``) unless
    ``reset``; otherwise the contract is deployed through ``pipeline`` with the pending record
    written before broadcast. With ``pipeline.dry_run`` nothing is sent or written: an identical
    recorded deployment is reported unchanged, anything else is simulated and estimated, against
    ``state_override`` (the code of contracts the same dry run would deploy before, at their
    predicted addresses) with its address predicted ``nonce_offset`` nonces ahead.
    """
    with pipeline.node_errors():
        return _deploy(
            pipeline, store, name=name, abi=abi, bytecode=bytecode, args=args,
            solc_input_hash=solc_input_hash, compiler_version=compiler_version,
            deployed_bytecode=deployed_bytecode, reset=reset, state_override=state_override,
            nonce_offset=nonce_offset,
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
    state_override: Mapping[str, Mapping[str, Any]] | None = None,
    nonce_offset: int = 0,
) -> Deployment:
    store.check_name(name)
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
        existing = store.record(name)
        if existing is not None and not reset and _same(existing, bytecode, safe_args) and len(bytes(
            pipeline.w3.eth.get_code(cast(Any, to_checksum_address(str(existing["address"]))))
        )) > 0:
            return from_record(name, existing, newly_deployed=False)
        overrides = {a: dict(v) for a, v in (state_override or {}).items()}
        if nonce_offset:  # the creation is simulated from the nonce it would be sent with
            pending = int(pipeline.w3.eth.get_transaction_count(pipeline.address, "pending"))
            overrides[pipeline.address] = {**overrides.get(pipeline.address, {}), "nonce": pending + nonce_offset}
        prepared = pipeline.prepare(call, state_override=overrides)
        estimate = pipeline.dry_run_result(prepared, nonce_offset=nonce_offset)
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
        # the transaction in flight was this very deployment (also under --reset): it is done
        if resumed is not None and _same(store.record(name), bytecode, safe_args):
            return resumed

    existing = store.record(name)
    if existing is not None and not reset and _same(existing, bytecode, safe_args):
        code = pipeline.w3.eth.get_code(cast(Any, to_checksum_address(str(existing["address"]))))
        if len(bytes(code)) > 0:
            return from_record(name, existing, newly_deployed=False)

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
        # Ctrl-C here: the pending record stays, so the rerun resumes this very transaction
        with interrupted(signed.transaction_hash, signed.nonce, signed.sender, resumable=True):
            result = pipeline.wait(signed.transaction_hash, call)
    except (ContractRevertError, TransactionFailedError):
        store.clear_pending(name)  # mined and reverted: final
        raise
    return _finalize(pipeline, store, name, result, spec)


def _block_hash_of(pipeline: TransactionPipeline) -> Callable[[int], str | None]:
    return block_hash_reader(pipeline.w3)


def _same(record: Mapping[str, Any] | None, bytecode: str, safe_args: Any) -> bool:
    if record is None:
        return False
    return (
        str(record.get("bytecode", "")).lower() == bytecode.lower()
        and record.get("args") == safe_args
    )


@contextmanager
def rehearsal(pipeline: TransactionPipeline, store: DeploymentStore) -> Iterator[tuple[TransactionPipeline, DeploymentStore]]:
    """A dry run of several dependent deployments on the embedded chain, which cannot simulate against
    contracts not deployed yet (eth-tester has no state overrides): they are deployed *for real* on a
    snapshot of the in-process chain, with a pipeline that has a nonce manager of its own and records
    in a scratch copy of ``store``, and the chain is reverted to the snapshot afterwards, also when a
    deployment fails. The caller reports the results as a dry run; nothing of them remains."""
    from .nonce import NonceManager
    from .tx import TransactionPipeline

    tester = getattr(pipeline.w3.provider, "ethereum_tester", None)
    if tester is None:
        raise DeploymentError(f"network {pipeline.network} is not the embedded chain: it cannot be rehearsed on a snapshot")
    snapshot = tester.take_snapshot()
    rehearsing = TransactionPipeline(
        pipeline.w3, pipeline.account, network=pipeline.network, is_dev=True, timeout=pipeline.timeout,
        gas_margin=pipeline.gas_margin, nonce_manager=NonceManager(),
    )
    try:
        yield rehearsing, store.scratch_copy()
    finally:
        tester.revert_to_snapshot(snapshot)
