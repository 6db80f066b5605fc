"""The gas claim of issue 5, checked in CI on small numbers (bench/gas_escrow.py reports 2 vs 50 partners):
every per-user action of the escrow costs the same gas whatever the number of partners of the venture
and of other ventures in the contract, and the OpenZeppelin 4.9 RefundEscrow baseline is measured."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from gas_escrow import PER_USER, measure_escrow, measure_refund_escrow


def test_per_user_gas_does_not_depend_on_partners_or_other_ventures() -> None:
    two = measure_escrow(2, 0)
    more_partners = measure_escrow(6, 0)
    more_ventures = measure_escrow(2, 4)
    for key in PER_USER:
        assert getattr(more_partners, key) == getattr(two, key), key
        assert getattr(more_ventures, key) == getattr(two, key), key
    assert more_partners.create > two.create  # only creation records every partner


def test_refund_escrow_baseline_is_measured() -> None:
    oz = measure_refund_escrow()
    assert 20_000 < oz.deposit_again < oz.deposit_new < 100_000
    assert 21_000 < oz.withdraw_refund < 100_000 and 21_000 < oz.beneficiary_withdraw < 100_000
