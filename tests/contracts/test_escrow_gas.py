"""The gas claims of issues 5 and 11, checked in CI (bench/gas_escrow.py reports them in `make bench`).

- Issue 11's ceilings, asserted exactly: a first deposit <= 50,000, the deposit that completes funding
  <= 40,000, a refund <= 48,000, the beneficiary's withdrawal of one milestone <= 40,000.
- Every per-user action costs the same gas, to the unit, whatever the number of partners of the
  venture and of other ventures in the contract (2 vs 6 partners and 0 vs 4 other ventures here;
  2 vs 50 and 0 vs 20 under `-m slow`, as the bench does).
- The OpenZeppelin 4.9 RefundEscrow baseline is measured.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from gas_escrow import PER_USER, TARGETS, EscrowGas, measure_escrow, measure_refund_escrow

_BASE: list[EscrowGas] = []


def base() -> EscrowGas:
    if not _BASE:
        _BASE.append(measure_escrow(2, 0))
    return _BASE[0]


@pytest.mark.parametrize("key", sorted(TARGETS))
def test_gas_stays_under_the_issue_11_ceiling(key: str) -> None:
    gas = getattr(base(), key)
    assert gas <= TARGETS[key], f"{key}: {gas:,} gas > {TARGETS[key]:,}"


def test_per_user_gas_does_not_depend_on_partners_or_other_ventures() -> None:
    two = base()
    more_partners = measure_escrow(6, 0)
    more_ventures = measure_escrow(2, 4)
    for key in PER_USER:
        assert getattr(more_partners, key) == getattr(two, key), key
        assert getattr(more_ventures, key) == getattr(two, key), key
    assert more_partners.create > two.create  # only creation records every partner


@pytest.mark.slow
def test_per_user_gas_is_the_same_with_fifty_partners_and_twenty_other_ventures() -> None:
    two = base()
    fifty = measure_escrow(50, 0)
    crowded = measure_escrow(2, 20)
    for key in PER_USER:
        assert getattr(fifty, key) == getattr(crowded, key) == getattr(two, key), key


def test_refund_escrow_baseline_is_measured() -> None:
    oz = measure_refund_escrow()
    assert 20_000 < oz.deposit_again < oz.deposit_new < 100_000
    assert 21_000 < oz.withdraw_refund < 100_000 and 21_000 < oz.beneficiary_withdraw < 100_000
