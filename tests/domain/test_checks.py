"""coopetition._domain.checks: the one set of input checks every service and CLI type uses."""

from __future__ import annotations

import pytest

from coopetition._domain import checks
from coopetition._domain.asset import ETHER, Asset, names_native
from coopetition.exceptions import InputError

CHECKSUMMED = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # the EIP-55 example


def test_address_accepts_one_case_and_returns_the_checksum() -> None:
    assert checks.address(CHECKSUMMED.lower(), "payee") == CHECKSUMMED
    assert checks.address("0x" + CHECKSUMMED[2:].upper(), "payee") == CHECKSUMMED
    assert checks.address(f"  {CHECKSUMMED} ", "payee") == CHECKSUMMED


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (CHECKSUMMED[:-1] + "D", "payee 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD has a wrong EIP-55 checksum"),
        ("0x1234", "payee '0x1234' is not an address: write 0x followed by 40 hex digits"),
        (None, "payee None is not an address"),
        ("0x" + "00" * 20, "payee must not be the zero address"),
    ],
)
def test_address_refusals_are_one_line_naming_the_input(value: object, message: str) -> None:
    with pytest.raises(InputError) as err:
        checks.address(value, "payee")
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_address_may_allow_the_zero_address() -> None:
    assert checks.address("0x" + "00" * 20, "asset", allow_zero=True) == "0x" + "00" * 20


def test_whole_numbers_and_bounds() -> None:
    assert checks.whole(3, "quorum", minimum=1) == 3
    assert checks.whole(" 7 ", "offer id") == 7
    for bad, message in [(True, "whole number"), ("1.5", "whole number"), (-1, "at least 0"), (None, "whole number")]:
        with pytest.raises(InputError, match=message):
            checks.whole(bad, "amount")
    with pytest.raises(InputError, match="quorum must be at least 1, got 0"):
        checks.whole(0, "quorum", minimum=1)
    with pytest.raises(InputError, match="at most 10"):
        checks.whole(11, "count", maximum=10)


def test_text_bytes_counts_utf8_bytes() -> None:
    assert checks.text_bytes("é" * 16, "label") == "é" * 16
    with pytest.raises(InputError, match="34 bytes long in UTF-8: at most 32"):
        checks.text_bytes("é" * 17, "label")
    with pytest.raises(InputError, match="label must not be empty"):
        checks.text_bytes("", "label")
    assert checks.text_bytes("", "reference", minimum=0) == ""
    with pytest.raises(InputError, match="must be text"):
        checks.text_bytes(5, "label")


def test_duration_and_deadline_name_the_input() -> None:
    assert checks.duration("1d12h", "expiry") == 36 * 3600
    assert checks.deadline("1h", now=1000, what="deadline") == 4600
    assert checks.deadline("2030-01-01", now=0, what="deadline") == 1893456000
    with pytest.raises(InputError, match=r"^expiry: cannot read duration 'soon'"):
        checks.duration("soon", "expiry")
    with pytest.raises(InputError, match=r"^deadline: deadline 2001-01-01 is in the past"):
        checks.deadline("2001-01-01", now=10**10, what="deadline")
    with pytest.raises(InputError, match=r"^expiry must be a duration"):
        checks.deadline(True, now=0, what="expiry")


def test_one_rule_names_ether_and_one_asset_type_formats_and_parses() -> None:
    for ref in (None, "ETH", "eth", "Ether", "0x" + "00" * 20, "0X" + "00" * 20):
        assert names_native(ref), ref
    for ref in (CHECKSUMMED, "USDC", 0):
        assert not names_native(ref), ref
    assert Asset.ether() == ETHER and ETHER.is_native and ETHER.symbol == "ETH"
    assert ETHER.parse("1.5 ether") == 15 * 10**17 and ETHER.parse(7) == 7
    assert ETHER.format(1333333333333333334) == "1.333333333333333334 ETH"
    usdc = Asset(CHECKSUMMED, "USDC", 6)
    assert not usdc.is_native and usdc.parse("12000.5 usdc") == 12_000_500_000 and usdc.format(1) == "0.000001 USDC"
    with pytest.raises(InputError, match="does not match the asset"):
        usdc.parse("1 ether")
    with pytest.raises(InputError, match="cannot read amount"):
        usdc.parse(True)  # type: ignore[arg-type]
