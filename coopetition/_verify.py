"""Checking a deployed suite against the shipped artifacts, and attaching to one deployed by another
company.

:func:`verify_suite` checks, for every recorded contract of the suite (and the title exchange the
registry deployed), that the address runs the runtime code of the artifact shipped in this package
and that every satellite points at the same consortium. Immutables are masked: solc leaves each
immutable as a ``PUSH32`` of 32 zero bytes in the runtime code it outputs and the constructor
fills them in, so those operands are ignored when comparing (the values that matter, the
consortium each satellite is bound to and the registry the exchange serves, are read through their
getters and compared). Everything else, the metadata hash at the end included, must be identical.

:func:`attach_suite` builds the deployment records of an existing suite from the chain, for a
company that did not deploy it: from the consortium's address it finds the block that created it
(a binary search over ``eth_getCode`` at past blocks) and the creating transaction, then the other
contracts among the next addresses that deployer created (the suite is deployed in order by one
account), checks each one as :func:`verify_suite` does and records them. A node without history
(pruned state) cannot answer the search: pass the satellites' addresses instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from eth_utils.address import to_checksum_address

from ._artifacts import Artifact, load_artifact
from .exceptions import DeploymentError

if TYPE_CHECKING:
    from web3 import Web3

    from ._session import Connection

__all__ = ["ContractCheck", "SuiteVerification", "attach_suite", "runtime_matches", "verify_suite"]

_PUSH1, _PUSH32 = 0x60, 0x7F
_SATELLITES = ("TitleRegistry", "CostSharing", "JointVentureEscrow")
_LOOKAHEAD = 16
"""How many later creations of the consortium's deployer are searched for the satellites."""


@dataclass(frozen=True)
class ContractCheck:
    """One contract of the suite, as found on chain."""

    name: str
    address: str
    code_matches: bool
    """The address runs the shipped artifact's runtime code (immutables masked)."""
    consortium: str | None
    """The consortium it points at (None for the consortium itself)."""
    problem: str | None
    """What is wrong, in one line; None when nothing is."""


@dataclass(frozen=True)
class SuiteVerification:
    network: str
    consortium: str
    contracts: tuple[ContractCheck, ...]

    @property
    def ok(self) -> bool:
        return all(c.problem is None for c in self.contracts)

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(f"{c.name} at {c.address}: {c.problem}" for c in self.contracts if c.problem)


def _masked(code: bytes) -> set[int]:
    """Offsets of the operand bytes of every ``PUSH32 0x00…00`` (an immutable placeholder)."""
    masked: set[int] = set()
    i = 0
    while i < len(code):
        op = code[i]
        if _PUSH1 <= op <= _PUSH32:
            size = op - _PUSH1 + 1
            if op == _PUSH32 and not any(code[i + 1:i + 33]):
                masked.update(range(i + 1, i + 33))
            i += size
        i += 1
    return masked


def runtime_matches(on_chain: bytes, artifact_runtime: str) -> bool:
    """Whether ``on_chain`` is ``artifact_runtime`` with only its immutable placeholders filled in."""
    expected = bytes.fromhex(artifact_runtime.removeprefix("0x"))
    if not expected or len(on_chain) != len(expected):
        return False
    masked = _masked(expected)
    return all(a == b or i in masked for i, (a, b) in enumerate(zip(on_chain, expected, strict=True)))


def _code(w3: Web3, address: str) -> bytes:
    return bytes(w3.eth.get_code(cast(Any, to_checksum_address(address))))


def _getter(w3: Web3, address: str, artifact: Artifact, name: str) -> str | None:
    try:
        value = w3.eth.contract(address=cast(Any, to_checksum_address(address)), abi=cast(Any, list(artifact.abi)))
        return to_checksum_address(str(getattr(value.functions, name)().call()))
    except Exception:
        return None


def _check(w3: Web3, name: str, address: str, consortium: str | None, *,
           registry: str | None = None) -> ContractCheck:
    """``name`` at ``address``: its code, and (for a satellite) the consortium it points at."""
    artifact = load_artifact(name)
    code = _code(w3, address)
    if not code:
        return ContractCheck(name, address, False, None, "no contract at this address")
    if not runtime_matches(code, artifact.deployed_bytecode):
        return ContractCheck(name, address, False, None,
                             f"its runtime code is not the shipped {name} artifact's (another contract, or "
                             "another build)")
    if consortium is None:
        return ContractCheck(name, address, True, None, None)
    points_at = _getter(w3, address, artifact, "consortium")
    if points_at is None or points_at.lower() != consortium.lower():
        return ContractCheck(name, address, True, points_at,
                             f"it points at consortium {points_at}, not at {to_checksum_address(consortium)}")
    if registry is not None:
        serves = _getter(w3, address, artifact, "titles")
        if serves is None or serves.lower() != registry.lower():
            return ContractCheck(name, address, True, points_at,
                                 f"it serves title registry {serves}, not {to_checksum_address(registry)}")
    return ContractCheck(name, address, True, points_at, None)


def verify_suite(conn: Connection) -> SuiteVerification:
    """Check every recorded contract of the suite on ``conn`` (see the module docstring).

    A contract of the suite with no record is a problem too. Reads only."""
    from ._session import SUITE

    suite = conn.suite()
    w3 = conn.w3
    consortium = suite.addresses.get("Consortium")
    checks: list[ContractCheck] = []
    for entry in SUITE:
        address = suite.addresses.get(entry.name)
        if address is None:
            checks.append(ContractCheck(entry.name, "", False, None, "not recorded"))
            continue
        checks.append(_check(w3, entry.name, address, None if entry.name == "Consortium" else consortium or ""))
        if entry.name == "TitleRegistry" and checks[-1].problem is None and consortium:
            exchange = _getter(w3, address, load_artifact("TitleRegistry"), "exchange")
            if exchange is None:
                checks.append(ContractCheck("TitleExchange", "", False, None, "the registry names no exchange"))
            else:
                checks.append(_check(w3, "TitleExchange", exchange, consortium, registry=address))
    return SuiteVerification(conn.network, consortium or "", tuple(checks))


# ---------------------------------------------------------------------------------------- attach


def _creation_block(w3: Web3, address: str) -> int | None:
    """The first block at whose end ``address`` holds code; None when the node cannot say."""
    target = cast(Any, to_checksum_address(address))
    try:
        high = int(w3.eth.block_number)
        if not bytes(w3.eth.get_code(target, high)):
            return None
        low = 0
        while low < high:
            middle = (low + high) // 2
            if bytes(w3.eth.get_code(target, middle)):
                high = middle
            else:
                low = middle + 1
        return low
    except Exception:  # a node without the state of past blocks
        return None


def _creation(w3: Web3, address: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(transaction, receipt) of the transaction that created ``address`` directly, if found."""
    from web3 import Web3 as _Web3

    block_number = _creation_block(w3, address)
    if block_number is None:
        return None
    block = w3.eth.get_block(block_number, full_transactions=True)
    for tx in block["transactions"]:
        tx_map = cast(Mapping[str, Any], tx)
        if tx_map.get("to") is not None:
            continue
        receipt = w3.eth.get_transaction_receipt(tx_map["hash"])
        created = receipt.get("contractAddress")
        if created and str(created).lower() == address.lower():
            as_json = json.loads(_Web3.to_json(cast(Any, dict(receipt))))
            return dict(tx_map), cast(dict[str, Any], as_json)
    return None


def _constructor_args(artifact: Artifact, tx: Mapping[str, Any]) -> list[Any] | None:
    """The constructor arguments of ``tx``, when its input is the artifact's creation code + args."""
    from eth_abi import abi as eth_abi

    data = bytes(tx.get("input") or tx.get("data") or b"")
    creation = bytes.fromhex(artifact.bytecode.removeprefix("0x"))
    if not data.startswith(creation):
        return None
    ctor = next((e for e in artifact.abi if e.get("type") == "constructor"), None)
    if ctor is None:
        return []
    types = [str(i["type"]) for i in ctor.get("inputs", ())]
    from ._chain.records import json_safe

    values = eth_abi.decode(types, data[len(creation):])
    return cast(list[Any], json_safe([_checksummed(t, v) for t, v in zip(types, values, strict=True)]))


def _checksummed(kind: str, value: Any) -> Any:
    """Addresses as deploy records them (EIP-55), also inside arrays."""
    if kind.endswith("]"):
        inner = kind[: kind.rindex("[")]
        return [_checksummed(inner, v) for v in value]
    return to_checksum_address(value) if kind == "address" else value


def attach_suite(conn: Connection, consortium: str, *, addresses: Mapping[str, str] | None = None) -> SuiteVerification:
    """Record the suite of ``consortium`` (deployed by someone else) in ``conn``'s deployment records.

    ``addresses`` may name the satellites (``{"TitleRegistry": "0x…", …}``); the others are found
    from the chain (module docstring). Every contract is checked first; nothing is written unless
    all pass. Records already there for the same addresses are kept; for other addresses, refused.
    """
    from ._chain.network import block_hash_reader
    from ._chain.txdata import create_address

    w3 = conn.w3
    consortium = str(to_checksum_address(consortium))
    given = {name: str(to_checksum_address(a)) for name, a in (addresses or {}).items()}
    unknown = set(given) - set(_SATELLITES)
    if unknown:
        raise DeploymentError(f"unknown contract name(s) {', '.join(sorted(unknown))}: "
                              f"the satellites are {', '.join(_SATELLITES)}")
    head = _check(w3, "Consortium", consortium, None)
    if head.problem is not None:
        raise DeploymentError(f"{consortium} is not this project's Consortium: {head.problem}")
    created = {"Consortium": _creation(w3, consortium)}
    found: dict[str, str] = {"Consortium": consortium, **given}
    missing = [n for n in _SATELLITES if n not in found]
    if missing:
        origin = created["Consortium"]
        if origin is None:
            raise DeploymentError(
                f"the node cannot say who created {consortium} (no history of past blocks): pass the addresses "
                f"of {', '.join(missing)} (--title-registry, --cost-sharing, --escrow)"
            )
        deployer, nonce = str(origin[0]["from"]), int(origin[0]["nonce"])
        for k in range(1, _LOOKAHEAD + 1):
            candidate = create_address(deployer, nonce + k)
            for name in list(missing):
                if _check(w3, name, candidate, consortium).problem is None:
                    found[name] = candidate
                    missing.remove(name)
                    break
        if missing:
            raise DeploymentError(
                f"no {', '.join(missing)} bound to consortium {consortium} among the next {_LOOKAHEAD} contracts "
                f"its deployer created: pass the address(es) (--title-registry, --cost-sharing, --escrow)"
            )
    checks = [head]
    for name in _SATELLITES:
        check = _check(w3, name, found[name], consortium)
        if check.problem is not None:
            raise DeploymentError(f"{name} at {found[name]}: {check.problem}")
        checks.append(check)
    store = conn.store
    for name, address in found.items():
        existing = store.record(name)
        if existing is not None and str(existing.get("address", "")).lower() != address.lower():
            raise DeploymentError(
                f"the records of network {conn.network} already hold {name} at {existing.get('address')}: "
                f"attach to {consortium} under another --network name, or move those records away"
            )
    store.check_chain(conn.chain.chain_id, conn.chain.genesis_hash, block_hash=block_hash_reader(w3),
                      fix="connect to the node of the chain these records were made on")
    for name, address in found.items():
        if store.record(name) is not None:
            continue
        artifact = load_artifact(name)
        origin = created.get(name) or _creation(w3, address)
        args = _constructor_args(artifact, origin[0]) if origin else None
        store.save(name, {
            "address": address,
            "abi": list(artifact.abi),
            "transactionHash": origin[1]["transactionHash"] if origin else None,
            "receipt": origin[1] if origin else None,
            "args": args if args is not None else ([consortium] if name != "Consortium" else None),
            "numDeployments": 1,
            "solcInputHash": artifact.solc_input_hash,
            "bytecode": artifact.bytecode,
            "deployedBytecode": artifact.deployed_bytecode,
            "compiler": {"version": artifact.compiler_version},
            "attached": True,
        })
    return SuiteVerification(conn.network, consortium, tuple(checks))
