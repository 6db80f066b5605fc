"""Per-user gas of CostSharing does not grow with the number of booked expenses or participants
(bench/gas_costs.py measures 10 vs 1,000 expenses and 2 vs 50 participants for the report; this test
runs the same scenario smaller so the suite stays fast)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
gas_costs = importlib.import_module("gas_costs")


def test_per_user_gas_is_the_same_for_2_and_120_expenses_and_for_2_and_12_participants() -> None:
    base = gas_costs.measure_costs(2, 2)
    many_expenses = gas_costs.measure_costs(2, 120)
    many_people = gas_costs.measure_costs(12, 2)
    assert many_expenses.execution == base.execution
    assert many_people.execution == base.execution
    for op in ("submit", "approve", "approve_books", "pay", "claim"):
        assert getattr(many_people, op) == getattr(base, op), op
    assert 0 < base.approve < base.approve_books < base.submit


def test_calldata_gas_counts_zero_and_other_bytes() -> None:
    assert gas_costs.calldata_gas(b"\x00\x01\x00\xff") == 4 + 16 + 4 + 16
