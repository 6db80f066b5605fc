"""A fast ABI codec with eth-abi's exact results and errors, for the per-item paths (reads, batch
reads, calldata, logs).

eth-abi builds a stream, a frame stack and a decoder object per value; a list of 1,000 records spends
most of its client time there. :func:`encode` and :func:`decode` do the common cases by hand and hand
everything else to eth-abi:

* :func:`encode` writes arguments of the elementary static types (``uint<N>``, ``int<N>``,
  ``address``, ``bool``, ``bytes<N>``) itself when every value is plainly valid (an ``int`` in range, a
  ``bool``, an address eth-abi accepts, ``bytes`` that fit); any other type, or any value it would have
  to reject, goes to ``eth_abi.encode``, so the output and the exception are eth-abi's own.
* :func:`decode` reads elementary static types, ``bytes``, ``string``, ``T[]``, ``T[k]`` and tuples,
  nested, into what eth-abi returns (tuples for arrays and tuples, lowercase ``0x`` addresses, ``bool``,
  ``int``, ``bytes``, ``str``). It checks at least as much as eth-abi's strict mode (padding, offsets,
  lengths, a ``bool`` other than 0/1, utf-8) and on any doubt decodes again with ``eth_abi.decode``: the
  same exception comes out, or eth-abi's value where this reader was stricter than it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from eth_abi import abi as eth_abi

__all__ = ["decode", "encode"]

_ZERO = bytes(32)
_TRUE = bytes(31) + b"\x01"
_ADDRESS_PAD = bytes(12)


class _Fallback(Exception):
    """The fast path cannot vouch for the result: eth-abi decides."""


# ------------------------------------------------------------------------------------ type parsing

# A parsed type: ("uint", bits) ("int", bits) ("address",) ("bool",) ("fixed-bytes", n) ("bytes",)
# ("string",) ("array", item, size or None) ("tuple", (components...)).
_Type = tuple[Any, ...]


def _parse(text: str) -> _Type | None:
    """A canonical type string parsed, or None for anything this codec leaves to eth-abi."""
    try:
        node, rest = _parse_at(text, 0)
    except (ValueError, IndexError):
        return None
    return node if rest == len(text) else None


def _size(digits: str, low: int, high: int, step: int = 1) -> int:
    if not digits.isdigit() or digits != str(int(digits)):
        raise ValueError(digits)
    n = int(digits)
    if not low <= n <= high or n % step:
        raise ValueError(digits)
    return n


def _parse_at(text: str, at: int) -> tuple[_Type, int]:
    node: _Type
    if text[at] == "(":
        parts: list[_Type] = []
        at += 1
        while True:
            part, at = _parse_at(text, at)
            parts.append(part)
            if text[at] == ",":
                at += 1
                continue
            if text[at] != ")":
                raise ValueError(text)
            at += 1
            break
        node = ("tuple", tuple(parts))
    else:
        end = at
        while end < len(text) and text[end] not in "[,)":
            end += 1
        name = text[at:end]
        at = end
        if name in ("address", "bool", "bytes", "string"):
            node = (name,)
        elif name.startswith("uint"):
            node = ("uint", _size(name[4:], 8, 256, 8))
        elif name.startswith("int"):
            node = ("int", _size(name[3:], 8, 256, 8))
        elif name.startswith("bytes"):
            node = ("fixed-bytes", _size(name[5:], 1, 32))
        else:
            raise ValueError(name)
    while at < len(text) and text[at] == "[":
        close = text.index("]", at)
        digits = text[at + 1 : close]
        node = ("array", node, _size(digits, 1, 2**32) if digits else None)
        at = close + 1
    return node, at


def _dynamic(node: _Type) -> bool:
    kind = node[0]
    if kind in ("bytes", "string"):
        return True
    if kind == "array":
        return node[2] is None or _dynamic(node[1])
    if kind == "tuple":
        return any(_dynamic(c) for c in node[1])
    return False


def _head_size(node: _Type) -> int:
    """Bytes a value of ``node`` takes in its container's head (32 for a pointer)."""
    if _dynamic(node):
        return 32
    if node[0] == "array":
        return int(node[2]) * _head_size(node[1])
    if node[0] == "tuple":
        return sum(_head_size(c) for c in node[1])
    return 32


# --------------------------------------------------------------------------------------- decoding

# A reader takes (data, position) and returns the value found there (for a dynamic type: at the
# start of its own encoding, i.e. where its pointer points).
_Reader = Callable[[bytes, int], Any]


def _word(data: bytes, at: int) -> bytes:
    word = data[at : at + 32]
    if len(word) != 32:
        raise _Fallback
    return word


def _reader(node: _Type) -> _Reader:
    kind = node[0]
    if kind == "uint":
        bits = node[1]

        def read_uint(data: bytes, at: int) -> int:
            word = data[at : at + 32]
            value = int.from_bytes(word, "big")
            if value >> bits or len(word) != 32:
                raise _Fallback
            return value

        return read_uint
    if kind == "int":
        low, high = -(2 ** (node[1] - 1)), 2 ** (node[1] - 1)

        def read_int(data: bytes, at: int) -> int:
            value = int.from_bytes(_word(data, at), "big", signed=True)
            if not low <= value < high:
                raise _Fallback
            return value

        return read_int
    if kind == "address":

        def read_address(data: bytes, at: int) -> str:
            word = data[at : at + 32]
            if word[:12] != _ADDRESS_PAD or len(word) != 32:
                raise _Fallback
            return "0x" + word[12:].hex()

        return read_address
    if kind == "bool":

        def read_bool(data: bytes, at: int) -> bool:
            word = data[at : at + 32]
            if word == _ZERO:
                return False
            if word != _TRUE:
                raise _Fallback
            return True

        return read_bool
    if kind == "fixed-bytes":
        size = node[1]

        def read_fixed_bytes(data: bytes, at: int) -> bytes:
            word = _word(data, at)
            if word[size:] != _ZERO[size:]:
                raise _Fallback
            return word[:size]

        return read_fixed_bytes
    if kind in ("bytes", "string"):
        text = kind == "string"

        def read_bytes(data: bytes, at: int) -> Any:
            length = int.from_bytes(_word(data, at), "big")
            start = at + 32
            padded = -(-length // 32) * 32
            if start + padded > len(data) or data[start + length : start + padded] != bytes(padded - length):
                raise _Fallback
            raw = data[start : start + length]
            if not text:
                return raw
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _Fallback from None

        return read_bytes
    if kind == "array":
        return _array_reader(node)
    return _tuple_reader(node[1])


def _tuple_reader(children: Sequence[_Type]) -> _Reader:
    """A tuple at ``at`` (its frame): static members read in place, a dynamic member's head word a
    pointer relative to the frame, checked to land past the whole head and inside the data (eth-abi's
    pointer check, with the head's full size)."""
    head = sum(_head_size(c) for c in children)
    plan: list[tuple[_Reader, int, bool]] = []
    at = 0
    for child in children:
        plan.append((_reader(child), at, _dynamic(child)))
        at += _head_size(child)
    static = [(read, off) for read, off, _ in plan]

    if not any(dynamic for _, _, dynamic in plan):

        def read_static_tuple(data: bytes, at: int) -> tuple[Any, ...]:
            return tuple([read(data, at + off) for read, off in static])

        return read_static_tuple

    def read_tuple(data: bytes, at: int) -> tuple[Any, ...]:
        values = []
        for read, off, dynamic in plan:
            if dynamic:
                offset = int.from_bytes(_word(data, at + off), "big")
                if offset < head or at + offset >= len(data):
                    raise _Fallback
                values.append(read(data, at + offset))
            else:
                values.append(read(data, at + off))
        return tuple(values)

    return read_tuple


def _array_reader(node: _Type) -> _Reader:
    item, size = node[1], node[2]
    read = _reader(item)
    step = _head_size(item)
    dynamic_item = _dynamic(item)

    def read_items(data: bytes, frame: int, count: int) -> tuple[Any, ...]:
        if frame + count * step > len(data):
            raise _Fallback
        if not dynamic_item:
            return tuple(read(data, frame + i * step) for i in range(count))
        values = []
        head = count * 32
        for i in range(count):
            offset = int.from_bytes(data[frame + 32 * i : frame + 32 * i + 32], "big")
            if offset < head or frame + offset >= len(data):
                raise _Fallback
            values.append(read(data, frame + offset))
        return tuple(values)

    if size is not None:
        fixed = int(size)

        def read_sized(data: bytes, at: int) -> tuple[Any, ...]:
            return read_items(data, at, fixed)

        return read_sized

    def read_dynamic(data: bytes, at: int) -> tuple[Any, ...]:
        count = int.from_bytes(_word(data, at), "big")
        return read_items(data, at + 32, count)

    return read_dynamic


@lru_cache(maxsize=1024)
def _decoder(types: tuple[str, ...]) -> _Reader | None:
    nodes = [_parse(t) if type(t) is str else None for t in types]
    if not nodes or any(n is None for n in nodes):
        return None
    return _tuple_reader([n for n in nodes if n is not None])


T = TypeVar("T")


def _cached(build: Callable[[tuple[str, ...]], T | None], types: Sequence[str]) -> T | None:
    """``build``'s cached reader or writers for ``types``; ``None`` (eth-abi decides) for what it
    cannot take, an unhashable "type" included, so that eth-abi says what is wrong."""
    try:
        return build(types if isinstance(types, tuple) else tuple(types))
    except TypeError:
        return None


def decode(types: Sequence[str], data: bytes | bytearray) -> tuple[Any, ...]:
    """``eth_abi.decode(types, data)``: the same values, the same exceptions, in a fraction of the time."""
    kind = type(types)
    if (kind is tuple or kind is list) and isinstance(data, (bytes, bytearray)):
        reader = _cached(_decoder, types)
        if reader is not None:
            try:
                return reader(data if type(data) is bytes else bytes(data), 0)  # type: ignore[no-any-return]
            except _Fallback:
                pass
    return tuple(eth_abi.decode(types, data))


# --------------------------------------------------------------------------------------- encoding

_Writer = Callable[[Any], bytes]


@lru_cache(maxsize=4096)
def _address_word(value: str | bytes) -> bytes:
    """The head word of an address eth-abi accepts (raises _Fallback otherwise)."""
    from eth_utils.address import is_address, to_canonical_address

    if not is_address(value):
        raise _Fallback
    return _ADDRESS_PAD + bytes(to_canonical_address(value))


def _writer(node: _Type | None) -> _Writer | None:
    if node is None:
        return None
    kind = node[0]
    if kind == "uint":
        limit = 2 ** node[1]

        def write_uint(value: Any) -> bytes:
            if type(value) is not int or not 0 <= value < limit:
                raise _Fallback
            return value.to_bytes(32, "big")

        return write_uint
    if kind == "int":
        low, high = -(2 ** (node[1] - 1)), 2 ** (node[1] - 1)

        def write_int(value: Any) -> bytes:
            if type(value) is not int or not low <= value < high:
                raise _Fallback
            return value.to_bytes(32, "big", signed=True)

        return write_int
    if kind == "address":

        def write_address(value: Any) -> bytes:
            if type(value) is not str and type(value) is not bytes:
                raise _Fallback
            return _address_word(value)

        return write_address
    if kind == "bool":

        def write_bool(value: Any) -> bytes:
            if value is True:
                return _ZERO[:31] + b"\x01"
            if value is False:
                return _ZERO
            raise _Fallback

        return write_bool
    if kind == "fixed-bytes":
        size = node[1]

        def write_fixed_bytes(value: Any) -> bytes:
            if type(value) is not bytes or len(value) > size:
                raise _Fallback
            return value + _ZERO[len(value) :]

        return write_fixed_bytes
    return None


@lru_cache(maxsize=1024)
def _encoder(types: tuple[str, ...]) -> tuple[_Writer, ...] | None:
    writers = [_writer(_parse(t)) if type(t) is str else None for t in types]
    if any(w is None for w in writers):
        return None
    return tuple(w for w in writers if w is not None)


def encode(types: Sequence[str], args: Sequence[Any]) -> bytes:
    """``eth_abi.encode(types, args)``: the same bytes, the same exceptions."""
    kind = type(types)
    if (kind is tuple or kind is list) and isinstance(args, (list, tuple)) and len(types) == len(args):
        writers = _cached(_encoder, types)
        if writers is not None:
            try:
                return b"".join([w(a) for w, a in zip(writers, args, strict=True)])
            except _Fallback:
                pass
    return bytes(eth_abi.encode(types, args))
