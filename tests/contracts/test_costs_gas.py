"""Gas of CostSharing v2 on the embedded chain (bench/gas_costs.py's scenario, the figures `make bench`
reports): the ceilings of issue 12, and per-user gas that does not depend on the number of booked
expenses (10 and 1,000) or of participants (2 and 50)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
gas_costs = importlib.import_module("gas_costs")

PER_USER = ("submit", "approve", "approve_books", "pay", "claim")


@pytest.fixture(scope="module")
def scenarios() -> dict[str, Any]:
    return {
        "base": gas_costs.measure_costs(2, 10),
        "many_expenses": gas_costs.measure_costs(2, 1000),
        "many_participants": gas_costs.measure_costs(50, 10),
    }


def test_claim_pay_and_submit_stay_under_the_ceilings_of_issue_12(scenarios: dict[str, Any]) -> None:
    for name, s in scenarios.items():
        assert s.claim <= gas_costs.CLAIM_CEILING == 45_524, name
        assert s.pay <= gas_costs.PAY_CEILING == 40_000, name
        assert s.submit <= gas_costs.SUBMIT_CEILING == 110_000, name


def test_per_user_gas_is_identical_with_10_and_1000_expenses_and_with_2_and_50_participants(
    scenarios: dict[str, Any],
) -> None:
    base, many_expenses, many_people = (scenarios[k] for k in ("base", "many_expenses", "many_participants"))
    assert many_expenses.execution == base.execution
    assert many_people.execution == base.execution
    for op in PER_USER:  # the whole transaction too (only an expense id's calldata differs with more expenses)
        assert getattr(many_people, op) == getattr(base, op), op
    for op in ("submit", "pay", "claim"):
        assert getattr(many_expenses, op) == getattr(base, op), op
    assert 0 < base.pay < base.claim < base.approve < base.approve_books


def test_the_figures_stay_where_they_were_measured(scenarios: dict[str, Any]) -> None:
    """Exact figures, so that a change of gas is seen and the bench's report is updated with it."""
    base = scenarios["base"]
    assert (base.submit, base.pay, base.claim) == (106_828, 37_650, 40_935)


def test_calldata_gas_counts_zero_and_other_bytes() -> None:
    assert gas_costs.calldata_gas(b"\x00\x01\x00\xff") == 4 + 16 + 4 + 16
