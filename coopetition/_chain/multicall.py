"""Many ``eth_call``s in a constant number of round trips: Multicall3 ``aggregate3``.

:func:`batch_calls` is the one reader every list uses: the calls go to the Multicall3 at its canonical
address :data:`MULTICALL3_ADDRESS` in chunks of :data:`CHUNK`, and the chunks travel in one JSON-RPC
batch, so a list of any length is one round trip. A chain without Multicall3 there gets the plain
``eth_call``s in one JSON-RPC batch instead (same answer). Embedded chains have it in their genesis
state (:func:`multicall3_genesis`), dev chains and test nodes get it with ``anvil_setCode``
(:func:`install_multicall3`); the code is this project's ``contracts/Multicall3.sol``, call-compatible
with the canonical deployment.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from .providers import block_param, rpc_error, speaks_json_rpc

if TYPE_CHECKING:
    from web3 import Web3
    from web3.types import BlockIdentifier

__all__ = [
    "CHUNK",
    "MULTICALL3_ADDRESS",
    "CallResult",
    "batch_calls",
    "has_multicall3",
    "install_multicall3",
    "multicall3_code",
    "multicall3_genesis",
]

MULTICALL3_ADDRESS = "0xcA11bde05977b3631167028862bE2a173976CA11"
CHUNK = 200
"""Calls per ``aggregate3`` (well under a node's ``eth_call`` gas cap for the reads of this project)."""
MAX_REQUEST = 1_500_000
"""Calldata characters per HTTP request: nodes cap the body (anvil at 2 MiB, geth at 5 MB), so a
batch bigger than this goes in several requests (about 3,300 reads each)."""
_AGGREGATE3 = bytes.fromhex("82ad56cb")  # aggregate3((address,bool,bytes)[])
_HAS_CODE: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class CallResult:
    """What one call returned: its return data, or its revert data when ``success`` is False."""

    success: bool
    data: bytes


def multicall3_code() -> bytes:
    """The runtime code of ``contracts/Multicall3.sol``."""
    from .._artifacts import load_artifact

    code = load_artifact("Multicall3").deployed_bytecode
    return bytes.fromhex(code[2:] if code.startswith("0x") else code)


def multicall3_genesis() -> dict[bytes, dict[str, Any]]:
    """The genesis-state entry (eth-tester's format) putting Multicall3 at its canonical address."""
    return {bytes.fromhex(MULTICALL3_ADDRESS[2:]): {"balance": 0, "nonce": 1, "code": multicall3_code(), "storage": {}}}


def install_multicall3(w3: Web3) -> bool:
    """Put Multicall3 at its canonical address with ``anvil_setCode`` unless code is there already;
    True when it was installed. Dev nodes only (the method exists on anvil and hardhat)."""
    if len(w3.eth.get_code(cast(Any, MULTICALL3_ADDRESS))) > 0:
        return False
    w3.provider.make_request(cast(Any, "anvil_setCode"), [MULTICALL3_ADDRESS, "0x" + multicall3_code().hex()])
    _HAS_CODE.pop(w3, None)
    return True


def has_multicall3(w3: Web3) -> bool:
    """Whether the chain has code at :data:`MULTICALL3_ADDRESS` (asked once per connection)."""
    known = _HAS_CODE.get(w3)
    if known is None:
        known = _HAS_CODE[w3] = len(w3.eth.get_code(cast(Any, MULTICALL3_ADDRESS))) > 0
    return known


def _word(n: int) -> bytes:
    return n.to_bytes(32, "big")


def _encode(calls: Sequence[tuple[str, bytes]]) -> str:
    """``aggregate3`` calldata, every call with ``allowFailure`` (the ABI layout written directly:
    eth-abi takes most of a big list's time)."""
    heads, tails, offset = [], [], 32 * len(calls)
    for to, data in calls:
        padded = data + b"\0" * (-len(data) % 32)
        item = b"\0" * 12 + bytes.fromhex(to[2:]) + _word(1) + _word(96) + _word(len(data)) + padded
        heads.append(_word(offset))
        tails.append(item)
        offset += len(item)
    return "0x" + (_AGGREGATE3 + _word(32) + _word(len(calls)) + b"".join(heads) + b"".join(tails)).hex()


def _decode(raw: bytes) -> list[CallResult]:
    """The ``(bool,bytes)[]`` ``aggregate3`` returns (read directly, see :func:`_encode`)."""
    start = int.from_bytes(raw[0:32], "big")
    count = int.from_bytes(raw[start:start + 32], "big")
    base = start + 32
    out = []
    for i in range(count):
        item = base + int.from_bytes(raw[base + 32 * i:base + 32 * i + 32], "big")
        ok = raw[item + 31] == 1
        at = item + int.from_bytes(raw[item + 32:item + 64], "big")
        size = int.from_bytes(raw[at:at + 32], "big")
        out.append(CallResult(ok, bytes(raw[at + 32:at + 32 + size])))
    return out


def _answer(response: Any) -> Any:
    """One answer of a raw ``eth_call`` batch: the returned bytes, or the error (:func:`rpc_error`)."""
    if isinstance(response, dict) and isinstance(response.get("result"), str):
        return bytes.fromhex(response["result"][2:])
    return rpc_error(response)


def _many(w3: Web3, txs: list[dict[str, Any]], block: BlockIdentifier) -> list[Any]:
    """``eth_call`` each of ``txs``: one JSON-RPC batch where the provider has them (sent raw, past
    web3's per-request formatting: the calls and answers are plain hex), else in turn. A call that
    reverts gives its exception in place of its result."""
    from .._abi import revert_data

    make_batch = getattr(w3.provider, "make_batch_request", None)
    param = block_param(block)
    if len(txs) > 1 and make_batch is not None and param is not None and speaks_json_rpc(w3):
        groups: list[list[dict[str, Any]]] = [[]]
        size = 0
        for tx in txs:
            if groups[-1] and size + len(tx["data"]) > MAX_REQUEST:
                groups.append([])
                size = 0
            groups[-1].append(tx)
            size += len(tx["data"])
        answers: list[Any] = []
        for group in groups:
            responses = make_batch([("eth_call", [tx, param]) for tx in group])
            if not isinstance(responses, list) or len(responses) != len(group):
                raise _answer(responses)  # the node refused the whole batch
            answers.extend(_answer(r) for r in responses)
        return answers
    out: list[Any] = []
    for tx in txs:
        try:
            out.append(bytes(w3.eth.call(cast(Any, tx), block)))
        except Exception as exc:
            if revert_data(exc) is None and "revert" not in str(exc).lower() \
                    and type(exc).__name__ not in ("TransactionFailed", "ContractLogicError"):
                raise
            out.append(exc)
    return out


def batch_calls(w3: Web3, calls: Sequence[tuple[str, bytes]], *,
                block: BlockIdentifier = "latest") -> tuple[CallResult, ...]:
    """``(target, calldata)`` -> each call's :class:`CallResult`, in order, read at ``block``, in one
    round trip where the node takes JSON-RPC batches and the calls fit in :data:`MAX_REQUEST` (more: one
    round trip per that much calldata; eth-tester: one call per chunk)."""
    from .._abi import revert_data

    if not calls:
        return ()
    if has_multicall3(w3):
        chunks = [calls[i:i + CHUNK] for i in range(0, len(calls), CHUNK)]
        txs = [{"to": MULTICALL3_ADDRESS, "data": _encode(chunk)} for chunk in chunks]
        results: list[CallResult] = []
        for raw in _many(w3, txs, block):
            if isinstance(raw, Exception):
                raise raw
            results.extend(_decode(bytes(raw)))
        return tuple(results)
    plain = _many(w3, [{"to": to, "data": "0x" + data.hex()} for to, data in calls], block)
    return tuple(CallResult(False, revert_data(r) or b"") if isinstance(r, Exception) else CallResult(True, bytes(r))
                 for r in plain)
