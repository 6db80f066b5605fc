"""Gas of the titles contracts on the embedded chain (bench/gas_titles.py's scenario, the figures
`make bench` reports): the ceilings of issue 14, the anchors measured in the same run, and per-user gas
that does not depend on the number of open offers (1 and 1,000)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
gas_titles = importlib.import_module("gas_titles")


@pytest.fixture(scope="module")
def scenarios() -> dict[str, Any]:
    return {"one": gas_titles.measure_titles(1), "many": gas_titles.measure_titles(gas_titles.SPAM)}


def test_offer_fill_and_new_holder_signed_fill_stay_under_the_ceilings_of_issue_14(scenarios: dict[str, Any]) -> None:
    for name, s in scenarios.items():
        assert s.offer <= gas_titles.OFFER_CEILING == 130_000, name
        assert s.fill_token <= gas_titles.FILL_CEILING == 110_000, name
        assert s.signed_token_new <= gas_titles.SIGNED_NEW_CEILING == 125_000, name
        assert s.signed_token <= gas_titles.AIRSWAP_LIGHT_GAS == 95_223, name  # AirSwap's swapLight


def test_a_signed_erc20_fill_with_existing_holders_costs_at_most_85_700_and_1_15_plain_transfers(
    scenarios: dict[str, Any],
) -> None:
    """Met by compiling the titles contracts through the IR pipeline with 1,000,000 optimizer runs (the
    ``titles`` compiler profile in pyproject.toml); the two plain transfers it is compared with are
    OpenZeppelin's tokens as compiled for every other contract (200 runs), measured in the same run."""
    one = scenarios["one"]
    assert one.signed_token <= gas_titles.SIGNED_EXISTING_CEILING == 85_700
    assert one.signed_token <= 1.15 * (one.plain_transfer + one.erc20_transfer), one


def test_the_anchors_are_the_plain_openzeppelin_transfers(scenarios: dict[str, Any]) -> None:
    """Measured in the same run; within a few gas of issue 14's figures (calldata of other addresses)."""
    one = scenarios["one"]
    for measured, anchor in ((one.plain_transfer, 39_988), (one.plain_transfer_new, 57_088),
                             (one.erc20_transfer, 34_501), (one.erc20_transfer_new, 51_601)):
        assert abs(measured - anchor) <= 100, (measured, anchor)


def test_per_user_gas_is_identical_with_1_and_1000_open_offers(scenarios: dict[str, Any]) -> None:
    one, many = scenarios["one"], scenarios["many"]
    for op in gas_titles.PER_USER:
        assert getattr(many, op) == getattr(one, op), op


def test_the_figures_stay_where_they_were_measured(scenarios: dict[str, Any]) -> None:
    """Exact figures, so that a change of gas is seen and the bench's report is updated with it."""
    one = scenarios["one"]
    assert (one.offer, one.fill_token, one.signed_token, one.signed_token_new, one.signed_first) == (
        127_043, 86_577, 84_791, 119_015, 101_891)
