"""The gas claims of issue 17, checked in CI (bench/gas_rounds.py reports them in `make bench`).

- commit <= 50,000 and reveal <= 50,000: met for an ether bond and for no bond, asserted to the unit;
  an ERC-20 bond's commit is above (the token's transferFrom and the exact-amount check's two balance
  reads): its figures are asserted to the unit too, so that any change shows.
- the same per-partner gas whatever the number of partners of the round (3 vs 10);
- settle vs createVenture of the same venture, both measured in the same run: the difference is asserted
  to the unit; issue 17's ceiling (direct + 30,000) is not met yet (strict xfail: it fails the day it is met,
  so that the figure is updated).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from gas_rounds import COMMIT_CEILING, REVEAL_CEILING, SETTLE_MARGIN, RoundsGas, measure_rounds

_CACHE: dict[tuple[int, str], RoundsGas] = {}


def gas(partners: int = 3, kind: str = "ether") -> RoundsGas:
    if (partners, kind) not in _CACHE:
        _CACHE[partners, kind] = measure_rounds(partners, kind)
    return _CACHE[partners, kind]


@pytest.mark.parametrize("kind", ["ether", "none"])
def test_commit_and_reveal_stay_under_the_issue_17_ceilings(kind: str) -> None:
    g = gas(3, kind)
    # the last commit's calldata happens to hold one more zero byte (12 gas less): the salts are fixed
    assert (g.commit, g.commit_last) == (42_426, 42_414) and g.commit <= COMMIT_CEILING
    assert (g.reveal, g.reveal_last) == (37_600, 37_600) and g.reveal <= REVEAL_CEILING


def test_an_erc20_bond_commit_is_above_the_ceiling_by_the_token_transfer() -> None:
    g = gas(3, "erc20")
    # the first commit writes the escrow's token balance from zero; the others update it
    assert (g.commit, g.commit_last, g.reveal) == (83_020, 65_908, 37_600)
    assert g.commit_last > COMMIT_CEILING >= gas(3, "ether").commit


def test_per_partner_gas_does_not_depend_on_the_round_size() -> None:
    small, big = gas(3), gas(10)
    assert (small.commit, small.reveal, small.withdraw_bond) == (big.commit, big.reveal, big.withdraw_bond)
    assert big.open > small.open  # only opening records every partner


def test_settle_costs_the_direct_creation_plus_a_measured_overhead() -> None:
    g = gas(3)
    assert (g.create_direct, g.settle) == (478_354, 515_419)
    assert g.settle - g.create_direct == 37_065
    assert (g.withdraw_bond, g.push_bond) == (48_199, 50_584)
    ten = gas(10)  # each partner costs two cold reads (its list entry and its slot): about 5,300 more
    assert (ten.create_direct, ten.settle) == (993_231, 1_067_397)


@pytest.mark.xfail(strict=True, reason="settle reads the round's terms back from storage: +37,065 for 3 partners")
def test_settle_stays_within_the_direct_creation_plus_30000() -> None:
    g = gas(3)
    assert g.settle <= g.create_direct + SETTLE_MARGIN
