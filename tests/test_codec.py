"""The fast ABI codec (coopetition._codec) against eth-abi: the same bytes, values and exceptions for
random type trees and values, corrupted data included, and each of eth-abi's strict checks kept."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import abi as eth_abi
from eth_utils.address import to_checksum_address
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopetition import _codec
from coopetition._abi import checksum

# ------------------------------------------------------------------------------------ strategies

_SIZES = list(range(8, 257, 8))
_STATIC_LEAVES = st.one_of(
    st.sampled_from(_SIZES).map(lambda n: f"uint{n}"),
    st.sampled_from(_SIZES).map(lambda n: f"int{n}"),
    st.just("address"),
    st.just("bool"),
    st.integers(1, 32).map(lambda n: f"bytes{n}"),
)
_LEAVES = st.one_of(_STATIC_LEAVES, st.sampled_from(["bytes", "string"]))


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        children.map(lambda t: t + "[]"),
        st.tuples(children, st.integers(1, 3)).map(lambda p: f"{p[0]}[{p[1]}]"),
        st.lists(children, min_size=1, max_size=3).map(lambda ts: "(" + ",".join(ts) + ")"),
    )


TYPES = st.recursive(_LEAVES, _extend, max_leaves=6)


def _split(inner: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += (ch == "(") - (ch == ")")
        current += ch
    return [*parts, current]


def _values(typ: str) -> st.SearchStrategy[Any]:
    """Valid values of a canonical type (what a caller would pass to encode)."""
    if typ.endswith("]"):
        inner, size = typ[: typ.rindex("[")], typ[typ.rindex("[") + 1 : -1]
        items = _values(inner)
        if size:
            return st.lists(items, min_size=int(size), max_size=int(size)).map(tuple)
        return st.lists(items, max_size=3)
    if typ.startswith("("):
        return st.tuples(*[_values(t) for t in _split(typ[1:-1])])
    if typ.startswith("uint"):
        return st.integers(0, 2 ** int(typ[4:]) - 1)
    if typ.startswith("int"):
        bits = int(typ[3:])
        return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if typ == "address":
        raw = st.binary(min_size=20, max_size=20)
        return st.one_of(raw.map(lambda b: "0x" + b.hex()), raw.map(to_checksum_address), raw)
    if typ == "bool":
        return st.booleans()
    if typ == "string":
        return st.text(max_size=12)
    if typ == "bytes":
        return st.binary(max_size=70)
    return st.binary(max_size=int(typ[5:]))


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (True == 1 and b"" == bytearray() do not count)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _outcome(fn: Any, *args: Any) -> tuple[Any, ...]:
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # the exception's type and text are what is compared
        return ("error", type(exc), str(exc))


def _same_outcome(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    if a[0] == "ok" == b[0]:
        return _same(a[1], b[1])
    return a == b


TYPE_LISTS = st.lists(TYPES, min_size=1, max_size=4)
SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ------------------------------------------------------------------------------------ properties


@SETTINGS
@given(st.data())
def test_decode_equals_eth_abi_and_takes_the_fast_path(data: st.DataObject) -> None:
    types = data.draw(TYPE_LISTS)
    values = data.draw(st.tuples(*[_values(t) for t in types]))
    encoded = eth_abi.encode(types, values)
    expected = eth_abi.decode(types, encoded)
    assert _same(_codec.decode(types, encoded), expected)
    reader = _codec._decoder(tuple(types))
    assert reader is not None
    assert _same(reader(encoded, 0), expected)  # valid data never needs eth-abi


@SETTINGS
@given(st.data())
def test_encode_equals_eth_abi(data: st.DataObject) -> None:
    types = data.draw(st.lists(st.one_of(_STATIC_LEAVES, TYPES), min_size=1, max_size=5))
    values = data.draw(st.tuples(*[_values(t) for t in types]))
    assert _codec.encode(types, values) == eth_abi.encode(types, values)


@SETTINGS
@given(st.data())
def test_static_arguments_are_encoded_by_hand(data: st.DataObject) -> None:
    types = data.draw(st.lists(_STATIC_LEAVES, min_size=1, max_size=5))
    values = data.draw(st.tuples(*[_values(t) for t in types]))
    writers = _codec._encoder(tuple(types))
    assert writers is not None
    by_hand = b"".join(w(v) for w, v in zip(writers, values, strict=True))
    assert by_hand == eth_abi.encode(types, values)


_EDGES = sorted({e for n in _SIZES for e in (2**n, 2**n - 1, -(2 ** (n - 1)), -(2 ** (n - 1)) - 1, 2 ** (n - 1), 2 ** (n - 1) - 1)})
_BAD_VALUES = st.one_of(
    st.integers(-(2**257), 2**257),
    st.sampled_from(_EDGES),
    st.sampled_from(_EDGES).map(lambda e: e + 1),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.text(max_size=44),
    st.binary(max_size=40),
    st.binary(max_size=40).map(bytearray),
    st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex().upper()),
    st.binary(min_size=20, max_size=20).map(lambda b: to_checksum_address(b).swapcase()),
    st.binary(min_size=20, max_size=20).map(lambda b: b.hex()),
)


@SETTINGS
@given(st.lists(_STATIC_LEAVES, min_size=1, max_size=3), st.data())
def test_encode_rejects_what_eth_abi_rejects_with_its_error(types: list[str], data: st.DataObject) -> None:
    values = data.draw(st.lists(_BAD_VALUES, min_size=len(types), max_size=len(types)))
    fast = _outcome(_codec.encode, types, values)
    slow = _outcome(eth_abi.encode, types, values)
    assert _same_outcome(fast, slow), (types, values, fast, slow)


def _corrupt(encoded: bytes, data: st.DataObject) -> bytes:
    kind = data.draw(st.sampled_from(["flip", "truncate", "word", "extend"]))
    if kind == "truncate" or not encoded:
        return encoded[: data.draw(st.integers(0, max(len(encoded) - 1, 0)))]
    if kind == "extend":
        return encoded + data.draw(st.binary(min_size=1, max_size=40))
    words = len(encoded) // 32
    if kind == "word" and words:
        at = 32 * data.draw(st.integers(0, words - 1))
        word = data.draw(st.one_of(st.integers(0, 4 * len(encoded)), st.integers(0, 2**256 - 1)))
        return encoded[:at] + word.to_bytes(32, "big") + encoded[at + 32 :]
    at = data.draw(st.integers(0, len(encoded) - 1))
    byte = data.draw(st.integers(0, 255))
    return encoded[:at] + bytes([byte]) + encoded[at + 1 :]


@SETTINGS
@given(st.data())
def test_corrupted_data_gives_eth_abis_exception_or_value(data: st.DataObject) -> None:
    types = data.draw(TYPE_LISTS)
    values = data.draw(st.tuples(*[_values(t) for t in types]))
    bad = _corrupt(eth_abi.encode(types, values), data)
    fast = _outcome(_codec.decode, types, bad)
    slow = _outcome(eth_abi.decode, types, bad)
    assert _same_outcome(fast, slow), (types, bad.hex(), fast, slow)
    reader = _codec._decoder(tuple(types))
    assert reader is not None
    direct = _outcome(reader, bad, 0)
    if slow[0] == "error":  # the fast reader must never answer where eth-abi refuses
        assert direct[0] == "error" and direct[1] is _codec._Fallback, (types, bad.hex(), direct)
    elif direct[0] == "ok":
        assert _same(direct[1], slow[1])


# ----------------------------------------------------------------------------- strict checks, one by one


def _word(n: int) -> bytes:
    return n.to_bytes(32, "big")


def _strict_case(types: list[str], data: bytes) -> None:
    """eth-abi refuses ``data``; the fast reader refuses it too, and decode raises eth-abi's error."""
    with pytest.raises(Exception) as slow:
        eth_abi.decode(types, data)
    reader = _codec._decoder(tuple(types))
    assert reader is not None
    with pytest.raises(_codec._Fallback):
        reader(data, 0)
    with pytest.raises(type(slow.value)) as fast:
        _codec.decode(types, data)
    assert str(fast.value) == str(slow.value)


def test_uint_padding() -> None:
    _strict_case(["uint8"], _word(256))


def test_int_sign_extension() -> None:
    _strict_case(["int8"], _word(128))  # 0x80 with zero padding: not a sign-extended int8
    _strict_case(["int8"], b"\xff" * 30 + b"\x00\x01")


def test_address_padding() -> None:
    _strict_case(["address"], b"\x01" + bytes(31))


def test_bool_other_than_zero_or_one() -> None:
    _strict_case(["bool"], _word(2))
    _strict_case(["bool"], b"\x01" + bytes(31))


def test_fixed_bytes_padding() -> None:
    _strict_case(["bytes4"], b"abcde" + bytes(27))


def test_bytes_padding_and_length() -> None:
    _strict_case(["bytes"], _word(32) + _word(3) + b"abcX" + bytes(28))  # non-zero padding
    _strict_case(["bytes"], _word(32) + _word(33) + bytes(32))  # length past the data


def test_invalid_utf8() -> None:
    _strict_case(["string"], _word(32) + _word(2) + b"\xff\xfe" + bytes(30))


def test_pointers() -> None:
    _strict_case(["uint256", "bytes"], _word(1) + _word(32) + _word(0))  # into the head
    _strict_case(["bytes"], _word(64) + _word(0))  # past the end
    _strict_case(["uint256[]"], _word(32) + _word(2) + _word(1))  # array longer than the data
    _strict_case(["string[]"], _word(32) + _word(1) + _word(0) + _word(0))  # item pointer into the head


def test_truncated() -> None:
    _strict_case(["uint256", "address"], _word(1) + bytes(20))


def test_stricter_than_eth_abi_gives_eth_abis_value() -> None:
    # eth-abi counts a static tuple as one head word, so it lets this pointer land inside the head;
    # the fast reader does not, and the answer is eth-abi's
    types = ["(uint256,uint256,uint256)", "bytes"]
    data = _word(1) + _word(2) + _word(0) + _word(64)
    reader = _codec._decoder(tuple(types))
    assert reader is not None
    with pytest.raises(_codec._Fallback):
        reader(data, 0)
    assert _same(_codec.decode(types, data), eth_abi.decode(types, data))


@pytest.mark.parametrize("bits", [8, 64, 256])
def test_encode_range_edges(bits: int) -> None:
    for typ, values in ((f"uint{bits}", (-1, 0, 2**bits - 1, 2**bits)),
                        (f"int{bits}", (-(2 ** (bits - 1)) - 1, -(2 ** (bits - 1)), 2 ** (bits - 1) - 1, 2 ** (bits - 1)))):
        for value in values:
            fast = _outcome(_codec.encode, [typ], [value])
            assert _same_outcome(fast, _outcome(eth_abi.encode, [typ], [value])), (typ, value, fast)
    writers = _codec._encoder((f"uint{bits}",))
    assert writers is not None
    with pytest.raises(_codec._Fallback):
        writers[0](2**bits)


def test_types_it_does_not_know_go_to_eth_abi() -> None:
    assert _codec._decoder(("fixed128x18",)) is None
    assert _codec._decoder(("uint",)) is None
    assert _codec._encoder(("string",)) is None
    assert _codec.encode(["string"], ["hi"]) == eth_abi.encode(["string"], ["hi"])
    with pytest.raises(Exception) as slow:
        eth_abi.decode(["uint7"], _word(1))
    with pytest.raises(type(slow.value)):
        _codec.decode(["uint7"], _word(1))


def test_checksum_is_cached_and_exact() -> None:
    raw = "0x" + bytes(range(20)).hex()
    assert checksum(raw) == to_checksum_address(raw)
    assert checksum(bytes(range(20))) == to_checksum_address(raw)
    with pytest.raises(ValueError):
        checksum("0x1234")


def test_bytes_like_input_gives_plain_bytes_as_eth_abi() -> None:
    from hexbytes import HexBytes

    types = ["bytes", "bytes2", "address"]
    encoded = eth_abi.encode(types, [b"abc", b"xy", "0x" + "11" * 20])
    for data in (HexBytes(encoded), bytearray(encoded)):
        assert _same(_codec.decode(types, data), eth_abi.decode(types, data))
