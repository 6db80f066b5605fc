from __future__ import annotations

import pytest

from coopetition._units import format_amount, parse_amount, parse_deadline, parse_duration
from coopetition.exceptions import InputError


@pytest.mark.parametrize(
    ("text", "wei"),
    [
        ("1.5 ether", 1_500_000_000_000_000_000),
        ("1.5 ETH", 1_500_000_000_000_000_000),
        ("250 gwei", 250_000_000_000),
        ("7", 7),
        ("1_000 wei", 1000),
        (".5 ether", 500_000_000_000_000_000),
        (42, 42),
    ],
)
def test_parse_amount_reads_ether_units(text: str | int, wei: int) -> None:
    assert parse_amount(text).value == wei


def test_parse_amount_scales_token_by_its_decimals() -> None:
    assert parse_amount("12000 USDC", symbol="USDC", decimals=6).value == 12_000_000_000
    assert parse_amount("0.000001 usdc", symbol="USDC", decimals=6).value == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.5", "no unit"),
        ("abc", "cannot read amount"),
        ("1.5 DAI", "does not match the asset"),
        ("0.0000001 USDC", "more decimals"),
        ("-1 ether", "cannot read amount"),
    ],
)
def test_parse_amount_refuses_bad_input_with_a_reason(text: str, message: str) -> None:
    symbol = "USDC" if "USDC" in text or "DAI" in text else None
    with pytest.raises(InputError, match=message):
        parse_amount(text, symbol=symbol, decimals=6 if symbol else 18)


def test_format_amount_is_exact() -> None:
    assert format_amount(1_500_000_000_000_000_000) == "1.5 ETH"
    assert format_amount(1, symbol="USDC", decimals=6) == "0.000001 USDC"
    assert format_amount(10**24) == "1000000 ETH"


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("30d", 2_592_000), ("1d12h", 129_600), ("2w", 1_209_600), ("3600", 3600)])
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5y", "0", "10d later"])
def test_parse_duration_refuses_bad_input(text: str) -> None:
    with pytest.raises(InputError):
        parse_duration(text)


def test_parse_deadline_accepts_duration_and_iso_dates() -> None:
    now = 1_800_000_000
    assert parse_deadline("30d", now=now) == now + 30 * 86400
    assert parse_deadline("2030-01-01", now=now) == 1_893_456_000
    assert parse_deadline("2030-01-01T12:00:00Z", now=now) == 1_893_499_200
    with pytest.raises(InputError, match="in the past"):
        parse_deadline("2020-01-01", now=now)
