"""The consortium's calls in words, and calldata as the services accept it (bytes or 0x-hex)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from eth_utils.address import to_checksum_address

from .. import _codec
from .._abi import function_signature, selector, split_types
from .._runtime import read_batch
from ..bindings.consortium import ABI, Consortium, ProposalCreatedEvent, ProposalState
from ..exceptions import InputError
from .paging import scan

if TYPE_CHECKING:
    from .consortium_records import Proposal

__all__ = ["calldata", "describe_call", "select_proposals"]

_FUNCTIONS: dict[bytes, Mapping[str, Any]] = {
    selector(function_signature(entry)): entry for entry in ABI if entry.get("type") == "function"
}


def _render_value(typ: str, value: Any) -> str:
    if typ == "address":
        return str(to_checksum_address(value))
    if typ == "string":
        return repr(str(value))
    if typ == "bytes" or typ.startswith("bytes"):
        return "0x" + bytes(value).hex()
    return str(value)


def describe_call(consortium: str, target: str, value: int, data: bytes) -> str:
    """A proposal's call in words.

    Calls to the consortium itself are decoded (``setQuorum(3)``, ``multicall[addMember(...);
    setQuorum(3)]``); a plain transfer reads ``send N wei to 0x...``; anything else names the
    selector and the target.
    """
    data = bytes(data)
    if not data:
        return f"send {value} wei to {target}"
    if to_checksum_address(target) == to_checksum_address(consortium) and len(data) >= 4:
        entry = _FUNCTIONS.get(data[:4])
        if entry is not None:
            signature = function_signature(entry)
            types = split_types(signature)
            try:
                args = _codec.decode(types, data[4:])
            except Exception:  # malformed arguments: fall through to the raw description
                args = None
            if args is not None:
                name = str(entry["name"])
                if name == "multicall":
                    inner = "; ".join(describe_call(consortium, consortium, 0, bytes(d)) for d in args[0])
                    return f"multicall[{inner}]"
                rendered = ", ".join(_render_value(t, a) for t, a in zip(types, args, strict=True))
                text = f"{name}({rendered})"
                return text if not value else f"{text} with {value} wei"
    head = f"call 0x{data[:4].hex()} ({len(data)} bytes) on {target}"
    return head if not value else f"{head} with {value} wei"


def calldata(value: bytes | str) -> bytes:
    """``value`` (bytes or 0x-hex text) as bytes; anything else raises :class:`InputError`."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        text = value[2:] if value[:2] in ("0x", "0X") else value
        try:
            return bytes.fromhex(text)
        except ValueError:
            raise InputError(f"calldata {value!r} is not hex") from None
    raise InputError(f"calldata must be bytes or 0x-hex text, got {type(value).__name__}")


def select_proposals(c: Consortium, created: Sequence[tuple[int, ProposalCreatedEvent]], limit: object,
                     snapshot: Callable[[int, ProposalCreatedEvent], Proposal], *, open_only: bool = False,
                     state: ProposalState | None = None) -> tuple[Proposal, ...]:
    """The first ``limit`` snapshots of the numbered creation events ``created`` (with ``open_only``
    the live ones, with ``state`` those in it), a window of proposals read per batch (see
    :func:`~.paging.scan`)."""
    def keep(p: Proposal) -> bool:
        return (p.is_open or not open_only) and state in (None, p.state)

    with read_batch(c.w3) as batch:
        def read(window: Sequence[tuple[int, ProposalCreatedEvent]]) -> list[Proposal]:
            batch.prefetch(partial(r, e.proposal_id) for _, e in window for r in (c.proposal, c.approvers))
            return [snapshot(n, e) for n, e in window]

        return scan(created, limit, read, None if not open_only and state is None else keep)
