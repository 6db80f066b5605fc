"""Hypothesis stateful test of CostSharing on a real EVM (eth-tester).

Random participants submit, approve, reject and withdraw expenses with random payees (participants
and external suppliers), pay in part or all of their debts and claim part or all of their credits,
in any order; each example runs in a fresh pool of one deployment. After every step:

* total owed by the participants = total booked, to the wei, and each participant's owed amount is
  within 1 wei of its exact share of the total booked;
* the shares of each booked expense add up to its amount exactly;
* paid in - paid out = held, for the pool and (summed over all pools) for the contract's balance;
* every position matches an independent model (debt and credit from running totals).

At the end of an example (and at random moments, through the ``settle`` rule) every debt is paid and
every credit claimed in a random order: each participant's final cost (paid to suppliers directly +
paid in - withdrawn) is then its owed amount, within 1 wei of its exact share, whatever the order.

Transactions go through a lean :class:`~coopetition._seam.Sender` (simulate with ``eth_call`` so
refusals arrive as the binding's typed errors, then send with a fixed gas limit, skipping the
estimate) so that well over 1,000 steps fit in the default run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import pytest
from _costs import ACME, GLOBEX, INITECH, OUTSIDER, SUPPLIER, UMBRELLA, Costs
from eth_abi import abi as eth_abi
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from coopetition._abi import decode_logs, decode_revert, revert_data
from coopetition._seam import PendingCall, TxResult
from coopetition.bindings.cost_sharing import (
    CostSharing,
    CostSharingClaimExceedsCredit,
    CostSharingOverpayment,
    Expense,
    ExpenseStatus,
    Pool,
    PoolCreatedEvent,
    Position,
)

PARTICIPANT_POOL = (ACME, GLOBEX, INITECH, UMBRELLA)
EXTERNAL = (SUPPLIER, OUTSIDER)


class FastSender:
    """Send with a fixed gas limit (no simulation, no estimate) and decode the receipt's events; a
    reverted transaction is replayed as a call, so its revert data becomes the binding's typed error."""

    def __init__(self, costs: Costs, index: int) -> None:
        self.w3 = costs.env.w3
        self.address = costs.addr(index)

    def send(self, call: PendingCall) -> TxResult:
        tx: dict[str, Any] = {"from": self.address, "to": call.address, "data": "0x" + call.data.hex(),
                              "value": call.value}
        try:
            tx_hash = self.w3.eth.send_transaction({**tx, "gas": 2_000_000})  # type: ignore[typeddict-item]
        except Exception as exc:
            raise decode_revert(revert_data(exc) or b"", contract=call.contract, abi=call.abi) from None
        receipt = self.w3.eth.get_transaction_receipt(tx_hash)
        if receipt["status"] != 1:  # mined but reverted: replay it as a call to read the revert data
            try:
                self.w3.eth.call(tx, int(receipt["blockNumber"]) - 1)  # type: ignore[arg-type]
            except Exception as exc:
                raise decode_revert(revert_data(exc) or b"", contract=call.contract, abi=call.abi) from None
            raise AssertionError(f"{call.function} reverted without revert data")
        return TxResult(
            transaction_hash=tx_hash.hex(), block_number=int(receipt["blockNumber"]),
            gas_used=int(receipt["gasUsed"]), effective_gas_price=int(receipt.get("effectiveGasPrice", 0)),
            status=int(receipt["status"]), sender=self.address, to=call.address, contract_address=None,
            events=decode_logs(call.abi, receipt["logs"]),  # type: ignore[arg-type]
        )


class World:
    """One deployment shared by every example of a run (each example gets its own pool)."""

    def __init__(self) -> None:
        self.costs = Costs.start()
        self.bindings = {i: CostSharing(self.costs.env.w3, self.costs.address, FastSender(self.costs, i))
                         for i in (*PARTICIPANT_POOL, *EXTERNAL)}
        self.evidence = 0
        self.held_elsewhere = 0  # what earlier examples' pools still hold
        self.steps = 0


def batch(costs: Costs, calls: Sequence[tuple[str, tuple[Any, ...], str]]) -> list[Any]:
    """Several views of CostSharing in one ``eth_call`` through its ``multicall``; decoded values."""
    data = CostSharing.encode_multicall([CostSharing._encode(sig, args) for sig, args, _ in calls])
    raw = bytes(costs.env.w3.eth.call({"to": costs.address, "data": "0x" + data.hex()}))  # type: ignore[typeddict-item]
    (results,) = eth_abi.decode(["bytes[]"], raw)
    return [eth_abi.decode([out], r)[0] for (_, _, out), r in zip(calls, results, strict=True)]


POSITION = "(uint256,uint256,uint256,uint256,uint256,uint256)"
POOL = "(address,uint16,uint16,uint16,uint48,address,uint256,uint256,uint256,string)"


def exact_owed(total: int, lower: int, share: int) -> int:
    """The remainder rule, written independently: the whole wei in (T·lower/10⁴, T·upper/10⁴]."""
    return (total * (lower + share)) // 10_000 - (total * lower) // 10_000


class CostPoolMachine(RuleBasedStateMachine):
    world: World

    def __init__(self) -> None:
        super().__init__()
        self.pid = 0
        self.members: list[int] = []
        self.shares: dict[int, int] = {}
        self.lower: dict[int, int] = {}
        self.booked = 0
        self.credited: dict[int, int] = {}
        self.paid_in: dict[int, int] = {}
        self.withdrawn: dict[int, int] = {}
        self.expenses: dict[int, dict[str, Any]] = {}  # id -> amount, payee, submitter, status, votes

    # ----------------------------------------------------------------------------- helpers

    def c(self, who: int) -> CostSharing:
        return self.world.bindings[who]

    @property
    def view(self) -> CostSharing:
        return self.world.costs.view

    def owed(self, who: int) -> int:
        return exact_owed(self.booked, self.lower[who], self.shares[who]) if who in self.shares else 0

    def net(self, who: int) -> int:
        return self.credited.get(who, 0) + self.paid_in.get(who, 0) - self.owed(who) - self.withdrawn.get(who, 0)

    def held(self) -> int:
        return sum(self.paid_in.values()) - sum(self.withdrawn.values())

    def accounts(self) -> list[int]:
        return [*self.members, *[e for e in EXTERNAL if self.credited.get(e)]]

    def tick(self) -> None:
        self.world.steps += 1

    # ----------------------------------------------------------------------------- setup

    @initialize(data=st.data())
    def create_pool(self, data: st.DataObject) -> None:
        n = data.draw(st.integers(2, 4), label="participants")
        self.members = data.draw(st.permutations(PARTICIPANT_POOL), label="order")[:n]
        cuts = sorted(data.draw(st.lists(st.integers(1, 9_999), min_size=n - 1, max_size=n - 1, unique=True),
                                label="cuts"))
        bounds = [0, *cuts, 10_000]
        quorum = data.draw(st.integers(1, n), label="quorum")
        for i, who in enumerate(self.members):
            self.shares[who] = bounds[i + 1] - bounds[i]
            self.lower[who] = bounds[i]
        creator = data.draw(st.sampled_from(PARTICIPANT_POOL), label="creator")
        tx = self.c(creator).create_pool("stateful", "0x" + "00" * 20, [self.world.costs.addr(m) for m in self.members],
                                         [self.shares[m] for m in self.members], quorum)
        self.pid = PoolCreatedEvent.from_result(tx)[0].pool_id
        self.quorum = quorum
        self.tick()

    # ----------------------------------------------------------------------------- expenses

    @rule(data=st.data(), extra=st.one_of(st.integers(0, 20), st.integers(0, 10**6), st.integers(0, 10**21)))
    def submit(self, data: st.DataObject, extra: int) -> None:
        minimum = -(-10_000 // min(self.shares.values()))  # ceil(10,000 / smallest share)
        amount = minimum + extra
        submitter = data.draw(st.sampled_from(self.members), label="submitter")
        payee = data.draw(st.sampled_from([*self.members, *EXTERNAL]), label="payee")
        self.world.evidence += 1
        tx = self.c(submitter).submit_expense(self.pid, amount, self.world.costs.addr(payee),
                                              self.world.evidence.to_bytes(32, "big"), "ref")
        eid = tx.events[0].args["expenseId"]
        self.expenses[eid] = {"amount": amount, "payee": payee, "submitter": submitter, "status": "pending",
                              "approvals": 0, "rejections": 0, "voted": set()}
        self.tick()

    def _pending_vote(self, data: st.DataObject) -> tuple[int, int] | None:
        options = [(e, m) for e, x in self.expenses.items() if x["status"] == "pending"
                   for m in self.members if m not in x["voted"]]
        return data.draw(st.sampled_from(options), label="vote") if options else None

    def _can_vote(self) -> bool:
        return any(x["status"] == "pending" and len(x["voted"]) < len(self.members) for x in self.expenses.values())

    def _debtors(self) -> list[int]:
        return [m for m in self.members if self.net(m) < 0]

    def _creditors(self) -> list[int]:
        return [a for a in self.accounts() if self.net(a) > 0] if self.held() else []

    @precondition(lambda self: self._can_vote())
    @rule(data=st.data())
    def approve(self, data: st.DataObject) -> None:
        choice = self._pending_vote(data)
        assert choice is not None
        eid, who = choice
        x = self.expenses[eid]
        tx = self.c(who).approve_expense(eid)
        x["voted"].add(who)
        x["approvals"] += 1
        if x["approvals"] >= self.quorum:
            x["status"] = "booked"
            before = self.booked
            self.booked += x["amount"]
            self.credited[x["payee"]] = self.credited.get(x["payee"], 0) + x["amount"]
            assert [e.name for e in tx.events] == ["ExpenseApproved", "ExpenseBooked"]
            parts = [self.view.share_of_expense(eid, self.world.costs.addr(m)) for m in self.members]
            assert sum(parts) == x["amount"]
            for m, part in zip(self.members, parts, strict=True):  # never negative, within 2 wei
                floor = x["amount"] * self.shares[m] // 10_000
                assert floor >= 1 and floor - 1 <= part <= floor + 2
            assert self.view.expense(eid).booked_before == before
        self.tick()

    @precondition(lambda self: self._can_vote())
    @rule(data=st.data())
    def reject(self, data: st.DataObject) -> None:
        choice = self._pending_vote(data)
        assert choice is not None
        eid, who = choice
        x = self.expenses[eid]
        self.c(who).reject_expense(eid)
        x["voted"].add(who)
        x["rejections"] += 1
        if x["rejections"] > len(self.members) - self.quorum:
            x["status"] = "rejected"
        self.tick()

    @precondition(lambda self: any(x["status"] == "pending" for x in self.expenses.values()))
    @rule(data=st.data())
    def withdraw(self, data: st.DataObject) -> None:
        pending = [e for e, x in self.expenses.items() if x["status"] == "pending"]
        eid = data.draw(st.sampled_from(pending), label="withdrawn")
        self.c(self.expenses[eid]["submitter"]).withdraw_expense(eid)
        self.expenses[eid]["status"] = "withdrawn"
        self.tick()

    # ----------------------------------------------------------------------------- settlement

    @precondition(lambda self: bool(self._debtors()))
    @rule(data=st.data(), part=st.fractions(Fraction(1, 100), 1))
    def pay(self, data: st.DataObject, part: Fraction) -> None:
        debtors = self._debtors()
        who = data.draw(st.sampled_from(debtors), label="payer")
        debt = -self.net(who)
        amount = max(1, int(debt * part))
        self.c(who).pay(self.pid, amount, value=amount)
        self.paid_in[who] = self.paid_in.get(who, 0) + amount
        self.tick()

    @precondition(lambda self: bool(self._creditors()))
    @rule(data=st.data(), part=st.fractions(Fraction(1, 100), 1))
    def claim(self, data: st.DataObject, part: Fraction) -> None:
        creditors = self._creditors()
        who = data.draw(st.sampled_from(creditors), label="claimer")
        amount = max(1, int(min(self.net(who), self.held()) * part))
        self.c(who).claim(self.pid, amount, self.world.costs.addr(who))
        self.withdrawn[who] = self.withdrawn.get(who, 0) + amount
        self.tick()

    @rule(data=st.data())
    def overpay_or_overclaim_is_refused(self, data: st.DataObject) -> None:
        who = data.draw(st.sampled_from(self.members), label="who")
        net = self.net(who)
        if net <= 0:  # mined and reverted: the invariants then show that nothing changed
            with pytest.raises(CostSharingOverpayment) as paid:
                self.c(who).pay(self.pid, -net + 1, value=-net + 1)
            assert paid.value.debt == -net
        else:
            with pytest.raises(CostSharingClaimExceedsCredit) as claimed:
                self.c(who).claim(self.pid, net + 1, self.world.costs.addr(who))
            assert claimed.value.credit == net
        self.tick()

    @precondition(lambda self: any(self.net(a) for a in self.accounts()))
    @rule(data=st.data())
    def settle(self, data: st.DataObject) -> None:
        """Pay every debt and claim every credit, in a random order."""
        order = data.draw(st.permutations(self.accounts()), label="settlement order")
        self._settle(order)
        self.tick()

    def _settle(self, order: list[int]) -> None:
        for who in order:  # debts first (claims need the funds in), each debtor in the drawn order
            if self.net(who) < 0:
                amount = -self.net(who)
                self.c(who).pay(self.pid, amount, value=amount)
                self.paid_in[who] = self.paid_in.get(who, 0) + amount
        for who in order:
            if self.net(who) > 0:
                amount = self.net(who)
                self.c(who).claim(self.pid, amount, self.world.costs.addr(who))
                self.withdrawn[who] = self.withdrawn.get(who, 0) + amount
        assert self.view.held(self.pid) == 0
        for m in self.members:
            pos = self.view.position(self.pid, self.world.costs.addr(m))
            assert pos.debt == 0 and pos.credit == 0
            cost = pos.credited + pos.paid_in - pos.withdrawn
            assert cost == pos.owed == self.owed(m)
            assert abs(Fraction(cost) - Fraction(self.booked * self.shares[m], 10_000)) < 1

    # ----------------------------------------------------------------------------- invariants

    @invariant()
    def accounts_match_to_the_wei(self) -> None:
        if not self.pid:
            return
        costs = self.world.costs
        accounts = self.accounts()
        calls: list[tuple[str, tuple[Any, ...], str]] = [
            ("poolInfo(uint256)", (self.pid,), POOL), ("held(uint256)", (self.pid,), "uint256"),
            *[("position(uint256,address)", (self.pid, costs.addr(a)), POSITION) for a in accounts],
        ]
        last = max(self.expenses) if self.expenses else 0
        if last:
            calls.append(("expense(uint256)", (last,), "(address,uint64,uint8,uint16,address,uint16,uint64,uint256,bytes32,uint256,string)"))
        out = batch(costs, calls)
        info = Pool.from_abi(out[0])
        positions = {a: Position.from_abi(p) for a, p in zip(accounts, out[2:2 + len(accounts)], strict=True)}
        # total owed = total booked, to the wei; each owed within 1 wei of the exact share
        assert info.total_booked == self.booked
        assert sum(positions[m].owed for m in self.members) == self.booked
        for m in self.members:
            assert abs(Fraction(positions[m].owed) - Fraction(self.booked * self.shares[m], 10_000)) < 1
        # paid in - paid out = held (the pool's view, the model, and the contract's ether balance)
        assert info.total_paid_in - info.total_withdrawn == self.held() == out[1]
        assert costs.env.balance(costs.address) == self.world.held_elsewhere + self.held()
        # every position as the independent model computes it
        for a, pos in positions.items():
            net = self.net(a)
            assert (pos.debt, pos.credit) == (max(0, -net), max(0, net))
            assert (pos.paid_in, pos.withdrawn) == (self.paid_in.get(a, 0), self.withdrawn.get(a, 0))
            assert pos.credited == self.credited.get(a, 0)
        if last:
            e = Expense.from_abi(out[-1])
            x = self.expenses[last]
            assert e.status == {"pending": ExpenseStatus.PENDING, "booked": ExpenseStatus.BOOKED,
                                "rejected": ExpenseStatus.REJECTED, "withdrawn": ExpenseStatus.WITHDRAWN}[x["status"]]
            assert (e.approvals, e.rejections, e.amount) == (x["approvals"], x["rejections"], x["amount"])

    def teardown(self) -> None:
        if self.pid:
            self._settle(list(self.accounts()))
            self.world.held_elsewhere += self.held()


def run(min_steps: int, *, steps_per_example: int = 30, examples_per_round: int = 10) -> int:
    """Run rounds of random examples on one deployment until at least ``min_steps`` rule steps ran."""
    world = World()
    CostPoolMachine.world = world
    started = time.monotonic()
    cpu = time.process_time()
    while world.steps < min_steps:
        # examples run ~steps_per_example steps each: ask for just enough to pass min_steps
        wanted = -(-(min_steps - world.steps) // (steps_per_example - 5))
        run_state_machine_as_test(
            CostPoolMachine,
            settings=settings(max_examples=max(1, min(examples_per_round, wanted)), stateful_step_count=steps_per_example,
                              deadline=None, suppress_health_check=list(HealthCheck), database=None),
        )
    print(f"cost-sharing stateful: {world.steps} steps in {time.monotonic() - started:.1f} s"
          f" ({time.process_time() - cpu:.1f} s of CPU)")
    return world.steps


def test_cost_pools_keep_exact_accounts_over_a_thousand_steps() -> None:
    assert run(int(os.environ.get("COSTS_STATEFUL_STEPS", "1000"))) >= 1_000


@pytest.mark.slow
def test_cost_pools_keep_exact_accounts_long_run() -> None:
    assert run(10_000, steps_per_example=60) >= 10_000
