"""The ABI codec: canonical types and signatures, selectors, the custom-error registry, revert and
log decoding. The transaction pipeline and the bindings' runtime (:mod:`coopetition._runtime`) both
use it; nothing here talks to a node.

* :func:`function_signature`, :func:`selector`, :func:`canonical_type` are ``eth_utils.abi``'s
  (``abi_to_signature``, ``function_signature_to_4byte_selector``, ``collapse_if_tuple``) under the
  names the bindings use; :func:`split_types` splits a canonical signature back into its types.
* :func:`decode_revert` turns revert data into the most specific
  :class:`~coopetition.exceptions.ContractRevertError` available: the generated class registered with
  :func:`register_errors` for that selector (the one registered for ``contract`` first), else an error
  decoded from ``abi``, else ``Error(string)``/``Panic(uint256)``/empty data/unknown selector.
* :func:`revert_data` digs the raw revert bytes out of whatever web3 or a node raised.
* :func:`decode_log` / :func:`decode_logs` decode receipt logs into
  :class:`~coopetition._seam.DecodedEvent` (for the transaction pipeline and the event queries).
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from eth_abi.exceptions import DecodingError
from eth_utils.abi import (
    abi_to_signature,
    collapse_if_tuple,
    event_signature_to_log_topic,
    function_signature_to_4byte_selector,
)
from eth_utils.address import to_checksum_address

from . import _codec
from ._seam import DecodedEvent
from .exceptions import (
    ContractCustomError,
    ContractRevertError,
    PanicError,
    RevertReasonError,
    UnknownRevertError,
)

if TYPE_CHECKING:
    from eth_typing import ABIComponent, ABIElement

__all__ = [
    "ERROR_STRING_SELECTOR",
    "PANIC_SELECTOR",
    "canonical_type",
    "checksum",
    "decode_log",
    "decode_logs",
    "decode_revert",
    "event_signature",
    "event_topic",
    "function_signature",
    "register_errors",
    "registered_errors",
    "revert_data",
    "selector",
    "split_types",
]

ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")
PANIC_SELECTOR = bytes.fromhex("4e487b71")

# selector -> [(contract name, generated class)], in registration order
_REGISTRY: dict[bytes, list[tuple[str, type[ContractCustomError]]]] = {}
# (contract, signature) -> class built from an ABI at run time, so the same error gives the same class
_DYNAMIC: dict[tuple[str | None, str], type[ContractCustomError]] = {}
_LOCK = threading.Lock()


# --------------------------------------------------------------------------------------------- ABI


def canonical_type(param: Mapping[str, Any]) -> str:
    """The canonical ABI type of one ABI parameter, tuples expanded: ``(address,uint256)[]``."""
    return collapse_if_tuple(cast("ABIComponent", param))


def function_signature(entry: Mapping[str, Any]) -> str:
    """``name(type,...)`` of a function, event or error ABI entry."""
    return abi_to_signature(cast("ABIElement", {"type": "function", **entry}))


event_signature = function_signature


@lru_cache(maxsize=4096)
def selector(signature: str) -> bytes:
    """The 4-byte selector of a canonical function or error signature (a keccak, kept per signature)."""
    return bytes(function_signature_to_4byte_selector(signature))


@lru_cache(maxsize=4096)
def event_topic(signature: str) -> bytes:
    """The 32-byte topic 0 of a canonical event signature."""
    return bytes(event_signature_to_log_topic(signature))


@lru_cache(maxsize=4096)
def split_types(signature: str) -> tuple[str, ...]:
    """The top-level parameter types of a canonical signature ``name(a,(b,c)[],d)`` (kept per
    signature)."""
    start = signature.index("(")
    inner = signature[start + 1 : signature.rindex(")")]
    types: list[str] = []
    depth = 0
    current = ""
    for ch in inner:
        if ch == "," and depth == 0:
            types.append(current)
            current = ""
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        current += ch
    if current:
        types.append(current)
    return tuple(types)


def checksum(value: Any) -> str:
    """An address as returned by eth-abi (lowercase) in its EIP-55 checksummed form.

    Text is checksummed once per address (a keccak each time otherwise, and a list reads the same
    few addresses over and over)."""
    if type(value) is str:
        return _checksum_text(value)
    return str(to_checksum_address(value))


@lru_cache(maxsize=8192)
def _checksum_text(value: str) -> str:
    return str(to_checksum_address(value))


def _normalise(typ: str, value: Any) -> Any:
    """Generic conversion of an eth-abi decoded value: checksummed addresses, tuples kept."""
    if typ.endswith("]"):
        inner = typ[: typ.rindex("[")]
        return tuple(_normalise(inner, v) for v in value)
    if typ.startswith("("):
        types = split_types("x" + typ)
        return tuple(_normalise(t, v) for t, v in zip(types, value, strict=False))
    if typ == "address":
        return checksum(value)
    return value


def _to_bytes(data: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(data, str):
        text = data[2:] if data[:2] in ("0x", "0X") else data
        try:
            return bytes.fromhex(text)
        except ValueError:
            return data.encode()
    return bytes(data)


# ------------------------------------------------------------------------------------------ errors


def register_errors(contract: str, errors: Iterable[type[ContractCustomError]]) -> None:
    """Make :func:`decode_revert` raise these generated classes for their selectors.

    Registering the same contract and signature again (a re-imported module) replaces the class.
    """
    with _LOCK:
        for cls in errors:
            sel = bytes(cls.selector)
            if len(sel) != 4:
                raise ValueError(f"{cls.__name__}.selector must be 4 bytes, got {sel.hex() or 'nothing'}")
            entries = _REGISTRY.setdefault(sel, [])
            entries[:] = [
                (c, k) for c, k in entries if not (c == contract and k.signature == cls.signature)
            ]
            entries.append((contract, cls))


def registered_errors(selector_: bytes) -> list[tuple[str, type[ContractCustomError]]]:
    """The (contract, class) pairs registered for a selector, oldest first."""
    with _LOCK:
        return list(_REGISTRY.get(bytes(selector_), ()))


def _decode_args(cls: type[ContractCustomError], payload: bytes) -> tuple[Any, ...]:
    types = split_types(cls.signature)
    raw = _codec.decode(types, payload)
    convert = getattr(cls, "_convert_args", None)
    if convert is not None:
        return tuple(convert(raw))
    return tuple(_normalise(t, v) for t, v in zip(types, raw, strict=False))


def _error_class_from_abi(
    entry: Mapping[str, Any], contract: str | None
) -> type[ContractCustomError]:
    signature = function_signature(entry)
    key = (contract, signature)
    with _LOCK:
        cached = _DYNAMIC.get(key)
        if cached is not None:
            return cached
        names: list[str] = []
        for i, param in enumerate(entry.get("inputs", ())):
            name = str(param.get("name") or f"arg{i}")
            if name in names or hasattr(ContractCustomError, name) or name in {"data", "contract"}:
                name = f"{name}_"
            names.append(name)
        cls = type(
            str(entry["name"]),
            (ContractCustomError,),
            {
                "__module__": __name__,
                "__doc__": f"Custom error {signature} (decoded from the ABI at run time).",
                "error_name": str(entry["name"]),
                "signature": signature,
                "selector": selector(signature),
                "arg_names": tuple(names),
            },
        )
        _DYNAMIC[key] = cls
        return cls


def decode_revert(
    data: bytes | str,
    *,
    contract: str | None = None,
    abi: Sequence[Mapping[str, Any]] | None = None,
) -> ContractRevertError:
    """Turn revert data into the most specific exception (returned, not raised).

    Order: generated class registered for this selector (the one registered for ``contract``
    first), a class decoded from ``abi``, ``Error(string)`` → :class:`RevertReasonError`,
    ``Panic(uint256)`` → :class:`PanicError`, empty → :class:`ContractRevertError`, anything
    else → :class:`UnknownRevertError` naming the selector. ``data`` may also be a hex string.
    """
    raw = _to_bytes(data)
    who = contract or "contract"
    if not raw:
        return ContractRevertError(f"{who} reverted without a reason", data=raw, contract=contract)
    sel, payload = raw[:4], raw[4:]
    if len(raw) >= 4 and sel == ERROR_STRING_SELECTOR:
        try:
            (reason,) = _codec.decode(["string"], payload)
        except (DecodingError, UnicodeDecodeError, ValueError):
            pass
        else:
            return RevertReasonError(str(reason), data=raw, contract=contract)
    if len(raw) >= 4 and sel == PANIC_SELECTOR:
        try:
            (code,) = _codec.decode(["uint256"], payload)
        except (DecodingError, ValueError):
            pass
        else:
            return PanicError(int(code), data=raw, contract=contract)

    candidates: list[type[ContractCustomError]] = []
    if len(raw) >= 4:
        entries = registered_errors(sel)
        candidates.extend(cls for c, cls in entries if c == contract)
        candidates.extend(cls for c, cls in reversed(entries) if c != contract)
        for entry in abi or ():
            if entry.get("type") == "error" and selector(function_signature(entry)) == sel:
                candidates.append(_error_class_from_abi(entry, contract))
    for cls in candidates:
        try:
            values = _decode_args(cls, payload)
        except (DecodingError, ValueError, TypeError, OverflowError):
            continue
        return cls(*values, data=raw, contract=contract)
    if len(raw) < 4:
        return UnknownRevertError(
            f"{who} reverted with {len(raw)} byte(s) of malformed revert data 0x{raw.hex()}",
            data=raw, contract=contract,
        )
    return UnknownRevertError(
        f"{who} reverted with unknown error 0x{sel.hex()} ({len(payload)} bytes of arguments);"
        " generate bindings for the contract that defines it to decode it",
        data=raw, contract=contract,
    )


def revert_data(exc: BaseException) -> bytes | None:
    """The raw revert data carried by a web3 / provider exception, or ``None`` if it has none.

    Handles web3's ``ContractLogicError.data`` (hex string, or a node's ``{"data": "0x..."}``),
    ``Web3RPCError.rpc_response``, and eth-tester's ``TransactionFailed("execution reverted: b'...'")``
    (whose ``Error(string)`` arrives already decoded as text: it is re-encoded, so
    :func:`decode_revert` still gives a :class:`RevertReasonError`).
    """
    data: Any = getattr(exc, "data", None)
    if data is None:
        response = getattr(exc, "rpc_response", None)
        if isinstance(response, Mapping) and isinstance(response.get("error"), Mapping):
            data = response["error"].get("data")
    for _ in range(3):
        if isinstance(data, Mapping):
            data = data.get("data", data.get("result"))
        else:
            break
    if data is None:
        for arg in exc.args[::-1]:
            if isinstance(arg, BaseException):
                return revert_data(arg)
            if isinstance(arg, (bytes, bytearray)):
                return bytes(arg)
            if isinstance(arg, str):
                parsed = _revert_text(arg)
                if parsed is not None:
                    return parsed
        return None
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, str):
        return _revert_text(data) if not data.startswith("0x") else _hex_bytes(data)
    return None


def _hex_bytes(text: str) -> bytes | None:
    try:
        return bytes.fromhex(text[2:] if text[:2] in ("0x", "0X") else text)
    except ValueError:
        return None


def _revert_text(text: str) -> bytes | None:
    """Revert data from a message: ``0x..``, ``Reverted 0x..``, ``execution reverted: b'..'``/reason."""
    if text.startswith("0x"):
        return _hex_bytes(text)
    if text.startswith("Reverted "):
        return _hex_bytes(text[len("Reverted "):].strip())
    if not text.startswith("execution reverted"):
        return None
    rest = text[len("execution reverted"):].lstrip(":").strip()
    if not rest:
        return b""
    if rest.startswith(("b'", 'b"')):
        try:
            value = ast.literal_eval(rest)
        except (ValueError, SyntaxError):
            return None
        return bytes(value) if isinstance(value, bytes) else None
    if rest.startswith("0x"):
        hexed = _hex_bytes(rest)
        if hexed is not None:
            return hexed
    return ERROR_STRING_SELECTOR + _codec.encode(["string"], [rest])


# ------------------------------------------------------------------------------------------ events


def _hex(value: Any) -> str:
    if isinstance(value, str):
        return value if value.startswith("0x") else "0x" + value
    return "0x" + bytes(value).hex()


def _number(value: Any) -> int:
    """A log's block number or index: an int (web3, eth-tester) or the node's hex text."""
    if isinstance(value, str):
        return int(value, 16)
    return int(value or 0)


def decode_log(entry: Mapping[str, Any], log: Mapping[str, Any]) -> DecodedEvent | None:
    """Decode one log against one event ABI entry; ``None`` if the log is not that event.

    Argument keys are the Solidity parameter names (``arg<i>`` for unnamed ones). Indexed
    dynamic values (string, bytes, arrays, structs) arrive as their 32-byte keccak hash.
    """
    topics = [_to_bytes(t) if isinstance(t, str) else bytes(t) for t in log.get("topics", ())]
    inputs = list(entry.get("inputs", ()))
    anonymous = bool(entry.get("anonymous", False))
    if not anonymous:
        if not topics or topics[0] != event_topic(event_signature(entry)):
            return None
        topics = topics[1:]
    indexed = [p for p in inputs if p.get("indexed")]
    plain = [p for p in inputs if not p.get("indexed")]
    if len(topics) != len(indexed):
        return None
    data = _to_bytes(log.get("data", b"") or b"")
    try:
        plain_values = _codec.decode([canonical_type(p) for p in plain], data)
    except (DecodingError, ValueError, TypeError):
        return None
    args: dict[str, Any] = {}
    topic_iter = iter(topics)
    plain_iter = iter(plain_values)
    for i, param in enumerate(inputs):
        name = str(param.get("name") or f"arg{i}")
        typ = canonical_type(param)
        if param.get("indexed"):
            topic = next(topic_iter)
            if typ in ("string", "bytes") or typ.endswith("]") or typ.startswith("("):
                args[name] = topic
            else:
                args[name] = _normalise(typ, _codec.decode([typ], topic)[0])
        else:
            args[name] = _normalise(typ, next(plain_iter))
    tx_hash = log.get("transactionHash")
    return DecodedEvent(
        name=str(entry["name"]),
        address=checksum(log["address"]) if log.get("address") else "",
        args=args,
        log_index=_number(log.get("logIndex")),
        block_number=_number(log.get("blockNumber")),
        transaction_hash=_hex(tx_hash) if tx_hash is not None else "",
    )


def decode_logs(
    abi: Sequence[Mapping[str, Any]], logs: Iterable[Mapping[str, Any]], *, address: str | None = None
) -> tuple[DecodedEvent, ...]:
    """Decode every log that matches an event of ``abi`` (optionally only those from ``address``).

    Logs that match no event of the ABI (another contract's, or a foreign event) are skipped.
    """
    events = [e for e in abi if e.get("type") == "event"]
    want = checksum(address) if address else None
    decoded: list[DecodedEvent] = []
    for log in logs:
        if want is not None and log.get("address") and checksum(log["address"]) != want:
            continue
        for entry in events:
            event = decode_log(entry, log)
            if event is not None:
                decoded.append(event)
                break
    return tuple(decoded)
