"""Gas of shared R&D cost pools (CostSharing v2), side by side with OpenZeppelin 4.9.6 PaymentSplitter.

Everything runs on the ``embedded`` chain (eth-tester), the measured transactions through the library's
real transaction pipeline (``connect("embedded")``, the typed binding); each scenario starts on a
fresh chain, so the figures are deterministic.

CostSharing scenario (:func:`measure_costs`): a consortium of ``participants`` members, an ETH pool of
all of them in which A and B hold 40% each (50% each with two participants; the other members share
the rest), approval rule "more than half of the other participants' shares, at least 2 of them", so
that A's and B's approvals book an expense whatever the number of participants. A creates the pool
(which accepts its own seat), B joins on chain, the other members' EIP-712 acceptances are submitted
in one transaction. ``booked`` expenses are then booked in settlement period 0 (set up in batches
through ``multicall``, sent without estimates), all paid to the same external supplier. Measured, one
transaction each:

1. ``submit``: A submits a new expense (payee: the supplier);
2. ``approve``: A approves it (below the rule);
3. ``approve (books)``: B approves it: the rule is met and it is booked (running totals, no loop
   over expenses; the voters' membership is re-checked, one call per voter);
4. ``pay``: once period 0 has opened, A pays part of its debt (its second payment: warm storage, as
   every later one);
5. ``claim``: the supplier withdraws part of its pro-rata part (its second claim).

Baseline (:func:`measure_splitter`): OpenZeppelin Contracts 4.9.6 ``PaymentSplitter`` (npm
``@openzeppelin/contracts-v4``, unchanged; contracts/test/CostsPaymentSplitter.sol only gives it a
constructor) with the same payees and equal shares: ether sent to it (its ``receive``), then
``release(account)`` for a payee's first and second release.

"Per-user gas unchanged" is shown by running the scenario for 10 and 1,000 booked expenses and for 2
and 50 participants: the per-user operations cost the same gas, to the unit.

Run alone: ``.venv/bin/python bench/gas_costs.py`` prints the table.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gas_common import GasRow, GasTable, deploy, fresh_connection, markdown_table, raw_send

__all__ = [
    "CLAIM_CEILING", "PAY_CEILING", "SUBMIT_CEILING", "CostsGas", "SplitterGas", "calldata_gas", "gas_report",
    "measure_costs", "measure_splitter",
]

BATCH = 50
"""Expenses submitted (and approved) per setup ``multicall``."""
SPLITTER = "OpenZeppelin 4.9.6 PaymentSplitter"
ZERO = "0x" + "00" * 20
DAY = 86_400
CLAIM_CEILING = 45_524
"""The anchor: PaymentSplitter's later ``release`` (issue 12)."""
PAY_CEILING = 40_000
SUBMIT_CEILING = 110_000


@dataclass(frozen=True)
class CostsGas:
    participants: int
    booked: int
    create_pool: int
    join: int
    submit_acceptances: int
    submit: int
    approve: int
    approve_books: int
    pay: int
    claim: int
    execution: dict[str, int]
    """Per operation: gas used minus the 21,000 base and the calldata's intrinsic gas (4 per zero
    byte, 16 per other byte), i.e. what the contract's code costs."""


def calldata_gas(data: bytes) -> int:
    """Intrinsic gas of calldata: 4 per zero byte, 16 per non-zero byte."""
    return sum(16 if byte else 4 for byte in data)


@dataclass(frozen=True)
class SplitterGas:
    payees: int
    receive: int
    release_first: int
    release_second: int


# ----------------------------------------------------------------------------------- helpers


def _filler_key(i: int) -> bytes:
    from eth_utils.crypto import keccak

    return bytes(keccak(text=f"coopetition bench filler {i}"))


def _shares(participants: int) -> list[int]:
    if participants == 2:
        return [5000, 5000]
    rest = participants - 2
    each = 2000 // rest
    return [4000, 4000, *[each] * (rest - 1), 2000 - each * (rest - 1)]


def _time_travel(conn: Any, to: int) -> None:
    tester = conn.w3.provider.ethereum_tester
    tester.time_travel(to)
    tester.mine_blocks(1)


# ----------------------------------------------------------------------------------- measures


def measure_costs(participants: int = 3, booked: int = 10) -> CostsGas:
    """The CostSharing scenario of the module docstring on a fresh chain."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    from coopetition.bindings.cost_sharing import (
        CostSharing,
        PoolProposedEvent,
        SignedAcceptance,
        Terms,
    )

    conn = fresh_connection()
    accounts = conn.chain.dev_accounts()
    a, b, supplier = accounts[1], accounts[2], accounts[7]
    fillers = [Account.from_key(_filler_key(i)) for i in range(participants - 2)]
    members = [str(a.address), str(b.address), *[str(f.address) for f in fillers]]
    consortium = deploy(conn, "Consortium", [members, [f"M{i}" for i in range(participants)], 2, 0, False])
    address = deploy(conn, "CostSharing", [consortium])
    as_a = CostSharing(conn.w3, address, conn.as_account(a).sender)
    as_b = CostSharing(conn.w3, address, conn.as_account(b).sender)
    as_supplier = CostSharing(conn.w3, address, conn.as_account(supplier).sender)
    terms = Terms("bench", ZERO, tuple(members), tuple(_shares(participants)), 5000, 2, DAY, 30 * DAY, 360 * DAY)
    created = as_a.create_pool(terms)
    pid = PoolProposedEvent.from_result(created)[0].pool_id
    terms_hash = as_a.pool_info(pid).terms_hash
    join = as_b.join_pool(pid, terms_hash)
    chain_id, deadline = int(conn.w3.eth.chain_id), 2**40
    signed = []
    for f in fillers:
        message = {
            "types": {"Acceptance": [{"name": "poolId", "type": "uint256"}, {"name": "participant", "type": "address"},
                                     {"name": "termsHash", "type": "bytes32"}, {"name": "deadline", "type": "uint256"}]},
            "primaryType": "Acceptance",
            "domain": {"name": "CostSharing", "version": "2", "chainId": chain_id, "verifyingContract": address},
            "message": {"poolId": pid, "participant": f.address, "termsHash": terms_hash, "deadline": deadline},
        }
        signature = f.sign_message(encode_typed_data(full_message=message)).signature
        signed.append(SignedAcceptance(str(f.address), deadline, bytes(signature)))
    acceptances = as_a.submit_acceptances(pid, signed) if signed else None
    assert as_a.pool_info(pid).status == 1, "the pool did not go live"
    amount = 10**15 + 7  # does not divide: every booking exercises the remainder rule

    for start in range(0, booked, BATCH):
        n = min(BATCH, booked - start)
        submits = [CostSharing.encode_submit_expense(pid, amount, str(supplier.address),
                                                     (start + i + 1).to_bytes(32, "big"), "setup")
                   for i in range(n)]
        approvals = [CostSharing.encode_approve_expense(start + i + 1) for i in range(n)]
        raw_send(conn, str(a.address), address, CostSharing.encode_multicall(submits), gas=25_000_000)
        raw_send(conn, str(a.address), address, CostSharing.encode_multicall(approvals), gas=25_000_000)
        raw_send(conn, str(b.address), address, CostSharing.encode_multicall(approvals), gas=25_000_000)
    assert as_a.period_totals(pid, 0).booked == amount * booked

    measured_evidence = b"\xee" * 32  # the same calldata whatever the number of expenses before
    submit = as_a.submit_expense(pid, amount, str(supplier.address), measured_evidence, "INV-bench")
    eid = as_a.expense_count()
    approve = as_a.approve_expense(eid)
    approve_books = as_b.approve_expense(eid)
    assert as_a.expense(eid).status == 1
    _time_travel(conn, as_a.period_opens_at(pid, 0))
    # A's first payment and the supplier's first claim, so the measured ones are the steady state
    as_a.pay(pid, 0, str(a.address), 1000, value=1000)
    as_supplier.claim(pid, 0, 100, str(supplier.address))
    pay = as_a.pay(pid, 0, str(a.address), 1000, value=1000)
    claim = as_supplier.claim(pid, 0, 100, str(supplier.address))
    data = {
        "submit": CostSharing.encode_submit_expense(pid, amount, str(supplier.address), measured_evidence, "INV-bench"),
        "approve": CostSharing.encode_approve_expense(eid),
        "approve_books": CostSharing.encode_approve_expense(eid),
        "pay": CostSharing.encode_pay(pid, 0, str(a.address), 1000),
        "claim": CostSharing.encode_claim(pid, 0, 100, str(supplier.address)),
    }
    used = {"submit": submit.gas_used, "approve": approve.gas_used, "approve_books": approve_books.gas_used,
            "pay": pay.gas_used, "claim": claim.gas_used}
    execution = {k: used[k] - 21_000 - calldata_gas(data[k]) for k in used}
    return CostsGas(participants, booked, created.gas_used, join.gas_used,
                    acceptances.gas_used if acceptances else 0, submit.gas_used, approve.gas_used,
                    approve_books.gas_used, pay.gas_used, claim.gas_used, execution)


def measure_splitter(payees: int = 3) -> SplitterGas:
    """OpenZeppelin 4.9.6 PaymentSplitter with ``payees`` equal payees (dev accounts 1.. then fillers)."""
    from eth_utils.address import to_checksum_address

    from coopetition._runtime import BoundContract
    from coopetition._seam import PendingCall

    conn = fresh_connection()
    accounts = conn.chain.dev_accounts()
    payer, first = accounts[5], accounts[1]
    addresses = [str(first.address), str(accounts[2].address),
                 *[str(to_checksum_address(f"0x{0xC057_0000 + i:040x}")) for i in range(payees - 2)]]
    splitter = deploy(conn, "CostsPaymentSplitter", [addresses, [1] * payees], test=True)

    class _Splitter(BoundContract):
        contract_name = "CostsPaymentSplitter"

        def release(self, account: str) -> Any:
            return self._transact("release", "release(address)", (account,))

    payer_sender = conn.as_account(payer).sender
    assert payer_sender is not None
    receive = payer_sender.send(PendingCall("CostsPaymentSplitter", splitter, "receive()", (), b"", 10**18))
    as_first = _Splitter(conn.w3, splitter, conn.as_account(first).sender)
    release_first = as_first.release(str(first.address))
    payer_sender.send(PendingCall("CostsPaymentSplitter", splitter, "receive()", (), b"", 10**18))
    release_second = as_first.release(str(first.address))
    return SplitterGas(payees, receive.gas_used, release_first.gas_used, release_second.gas_used)


# ----------------------------------------------------------------------------------- report


def gas_report() -> GasTable:
    """The cost-sharing gas table for ``make bench`` (bench/run.py)."""
    small = measure_costs(2, 10)
    many_expenses = measure_costs(2, 1000)
    many_people = measure_costs(50, 10)
    base = measure_costs(3, 10)
    split = measure_splitter(3)
    split50 = measure_splitter(50)
    rows: list[GasRow] = [
        GasRow("create a pool (3 participants; accepts the creator's seat)", base.create_pool, "", None,
               "loops over the participants once, at creation only"),
        GasRow("join a pool on chain (the acceptance that makes it live)", small.join),
        GasRow("submit 48 signed EIP-712 acceptances in one transaction", many_people.submit_acceptances, "", None,
               "bounded loop: at most 50 participants"),
        GasRow("**submit** an expense", base.submit, "ceiling (issue 12)", SUBMIT_CEILING,
               "amount, payee, evidence hash and a digest of the reference stored; the reference emitted"),
        GasRow("**approve** (below the rule)", base.approve),
        GasRow("approve that meets the rule and **books** it", base.approve_books, "", None,
               "period totals and the payee's credit; the evidence hash registered; voters' membership re-checked"),
        GasRow("**pay** in part of a debt (ETH)", base.pay, "ceiling (issue 12)", PAY_CEILING,
               f"two storage slots read; {SPLITTER} ether received: {split.receive:,}"),
        GasRow("**claim** part of a pro-rata part (ETH)", base.claim, f"{SPLITTER}: `release` (2nd, same payee)",
               split.release_second, "pull payment; the ceiling of issue 12"),
        GasRow(f"{SPLITTER}: first `release`", split.release_first, "", None, "for reference"),
    ]
    ops = (("submit", "submit"), ("approve", "approve"), ("approve (books)", "approve_books"), ("pay", "pay"),
           ("claim", "claim"))
    for what, key in ops:
        low, high = small.execution[key], many_expenses.execution[key]
        total_diff = getattr(many_expenses, key) - getattr(small, key)
        note = "unchanged" if low == high else "CHANGED"
        if total_diff:
            note += f"; the transaction costs {total_diff:+} gas of calldata (a larger expense id has more non-zero bytes)"
        rows.append(GasRow(f"{what}, execution: 1,000 booked expenses (2 participants)", high,
                           f"{what}, execution: 10 booked expenses", low, note))
    for what, key in ops:
        low, high = small.execution[key], many_people.execution[key]
        note = "unchanged" if low == high else "CHANGED"
        if getattr(many_people, key) == getattr(small, key):
            note += " (whole transaction too)"
        rows.append(GasRow(f"{what}, execution: 50 participants (10 booked)", high,
                           f"{what}, execution: 2 participants", low, note))
    rows.append(GasRow(f"{SPLITTER} `release` (2nd): 50 payees", split50.release_second,
                       f"{SPLITTER} `release` (2nd): 3 payees", split.release_second, "the baseline is also O(1)"))
    intro = (
        "CostSharing keeps per-period running totals and per-account, per-period positions, so every per-user "
        "action costs the same gas whatever the number of expenses booked so far and the number of participants "
        "(rows marked 'unchanged': execution gas, i.e. gas used minus the 21,000 base and the calldata, measured "
        "with 10 and 1,000 booked expenses and with 2 and 50 participants in the same run; only an expense id "
        "with more non-zero bytes makes its transaction's calldata dearer). pay and claim read two storage slots "
        "each: the pool constants they need are cached in the account's slot. Baseline: OpenZeppelin 4.9.6 "
        "PaymentSplitter, which splits incoming ether by fixed shares but has no consent, expenses, approvals, "
        "disputes or pro-rata default."
    )
    details = {"scenarios": [asdict(x) for x in (small, many_expenses, many_people, base)],
               "splitter": [asdict(split), asdict(split50)]}
    return GasTable("costs", "Shared R&D cost pools (CostSharing)", tuple(rows), intro, details)


if __name__ == "__main__":
    table = gas_report()
    print(table.intro)
    print("\n".join(markdown_table(table.rows)))
