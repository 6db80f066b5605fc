"""Gas ceilings of the consortium's governance, measured on the embedded chain (deterministic).

The scenario is the one of the committed gas report (bench/gas_consortium.py, ``make bench``): a fresh
eth-tester chain, quorum 2, A proposes (its approval is recorded with the proposal), B approves, A
executes; see that module's docstring. Gas on a fresh embedded chain is exact and repeatable, so each
ceiling below is the value measured on the current contract: any regression, even by one unit of gas,
fails.

How to update the ceilings:

* gas went **down** (an optimisation): the tests still pass; lower the ceilings to the new values
  in the same change, so that the gain is kept, and regenerate the report with ``make bench``;
* gas went **up** on purpose (a feature, a fix): raise the ceiling in the same change and say why in
  the commit message, then ``make bench``.

The failure message prints every measured value as a ready-to-paste ``CEILINGS`` dict; the same figures
come from ``.venv/bin/python bench/gas_consortium.py``.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
gas_consortium: Any = importlib.import_module("gas_consortium")

CEILINGS: dict[str, int] = {
    "propose_add_member": 311_857,
    "approve_add_member": 38_746,
    "execute_add_member": 183_111,
    "propose_transfer": 156_056,
    "approve_transfer": 38_746,
    "execute_transfer": 55_140,
    "propose_set_quorum": 201_318,
    "approve_set_quorum": 38_746,
    "revoke": 38_747,
    "execute_set_quorum": 57_327,
    "deploy": 2_564_033,
}
"""Gas of each step of the 2-of-3 scenario (3 members), as measured: ``gas_used <= ceiling``."""

FLAT_BOUND = 0
"""Allowed extra gas per operation with 30 members instead of 3. Zero: approvals and the current
members are bitmaps over membership indices, and every index below 256 sits in the same storage word,
so the count reads the same single word pair whatever the member count (contracts/Consortium.sol)."""

PER_MEMBER_STEPS = ("propose_add_member", "approve_add_member", "execute_add_member", "revoke",
                    "approve_set_quorum", "execute_set_quorum")


@pytest.fixture(scope="module")
def three() -> Any:
    return gas_consortium.measure_consortium(3)


@pytest.fixture(scope="module")
def thirty() -> Any:
    return gas_consortium.measure_consortium(30)


def _over(measured: Any, names: Any) -> dict[str, tuple[int, int]]:
    values = asdict(measured)
    return {n: (values[n], CEILINGS[n]) for n in names if values[n] > CEILINGS[n]}


def _paste(measured: Any) -> str:
    values = asdict(measured)
    return "measured: CEILINGS = {" + ", ".join(f'"{n}": {values[n]:_}' for n in CEILINGS) + "}"


def test_propose_gas_stays_within_its_ceiling(three: Any) -> None:
    names = ("propose_add_member", "propose_transfer", "propose_set_quorum")
    assert not _over(three, names), f"propose got more expensive: {_over(three, names)}; {_paste(three)}"


def test_approve_and_revoke_gas_stay_within_their_ceilings(three: Any) -> None:
    names = ("approve_add_member", "approve_transfer", "approve_set_quorum", "revoke")
    assert not _over(three, names), f"approve/revoke got more expensive: {_over(three, names)}; {_paste(three)}"


def test_execute_gas_stays_within_its_ceiling(three: Any) -> None:
    names = ("execute_add_member", "execute_transfer", "execute_set_quorum")
    assert not _over(three, names), f"execute got more expensive: {_over(three, names)}; {_paste(three)}"


def test_deployment_gas_stays_within_its_ceiling(three: Any) -> None:
    assert not _over(three, ("deploy",)), f"deployment got more expensive; {_paste(three)}"


def test_approve_gas_with_30_members_equals_approve_gas_with_3(three: Any, thirty: Any) -> None:
    # B holds membership index 3 of 3 and index 30 of 30: the highest index in both consortiums.
    assert thirty.approve_add_member - three.approve_add_member <= FLAT_BOUND
    assert thirty.approve_add_member == three.approve_add_member


def test_per_member_gas_does_not_grow_from_3_to_30_members(three: Any, thirty: Any) -> None:
    grown = {
        step: (getattr(three, step), getattr(thirty, step))
        for step in PER_MEMBER_STEPS
        if getattr(thirty, step) - getattr(three, step) > FLAT_BOUND
    }
    assert not grown, f"gas grows with the member count (3 members, 30 members): {grown}"


@pytest.mark.parametrize("build", ["npm", "test"])
def test_safe_baseline_executes_a_2_of_3_transaction_for_each_action(build: str) -> None:
    # The report's baseline still works: Safe 1.4.1 as npm ships it and as compiled from
    # contracts/test/SafeBaseline.sol, set up 2 of 3, execTransaction with two EIP-712 signatures
    # (measure_safe fails unless each execution emits ExecutionSuccess and changes the Safe).
    safe = gas_consortium.measure_safe(build)
    assert 21_000 < safe.exec_transfer < 200_000
    assert 21_000 < safe.exec_add_owner < 200_000
    assert 21_000 < safe.exec_change_threshold < 200_000

HISTORY_EXTRA_CEILING = 4_694
"""Extra gas per operation once membership indices pass 255 (a 2nd approvals/current-members word
pair: two more cold storage reads and one more popcount), as measured at 257 admissions."""


@pytest.mark.slow
def test_gas_past_255_admissions_grows_by_one_word_pair_only(three: Any) -> None:
    history = gas_consortium.measure_history(founders=200, admissions=257)
    extra = {
        "propose": history.propose_transfer - three.propose_transfer,
        "approve": history.approve_transfer - three.approve_transfer,
        "execute": history.execute_transfer - three.execute_transfer,
    }
    assert all(0 < value <= HISTORY_EXTRA_CEILING for value in extra.values()), extra
