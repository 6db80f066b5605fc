"""Gas of shared R&D cost splitting (CostSharing), side by side with OpenZeppelin 4.9.6 PaymentSplitter.

Everything runs on the ``embedded`` chain (eth-tester), the measured transactions through the library's
real transaction pipeline (``connect("embedded")``, the typed binding); each scenario starts on a
fresh chain, so the figures are deterministic.

CostSharing scenario (:func:`measure_costs`): a consortium of ``participants`` members (the filler
members are plain addresses), an ETH pool of all of them with equal shares and quorum 2, and
``booked`` expenses already booked (set up in batches through ``multicall``, sent without estimates),
all paid to the same external supplier; the first two participants A and B act. Then, measured one
transaction each:

1. ``submit``: A submits a new expense (payee: the supplier);
2. ``approve``: A approves it (1st approval, below the quorum);
3. ``approve (books)``: B approves it: the quorum books it (running totals updated, no loop);
4. ``pay``: A pays part of its debt (its second payment: warm storage, as every later one);
5. ``claim``: the supplier withdraws part of its credit (its second claim).

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
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gas_common import GasRow, GasTable, deploy, fresh_connection, markdown_table, raw_send

if TYPE_CHECKING:
    pass

__all__ = ["CostsGas", "SplitterGas", "calldata_gas", "gas_report", "measure_costs", "measure_splitter"]

BATCH = 50
"""Expenses submitted (and approved) per setup ``multicall``."""
SPLITTER = "OpenZeppelin 4.9.6 PaymentSplitter"


@dataclass(frozen=True)
class CostsGas:
    participants: int
    booked: int
    create_pool: int
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






def _filler(i: int) -> str:
    from eth_utils.address import to_checksum_address

    return str(to_checksum_address(f"0x{0xC057_0000 + i:040x}"))




# ----------------------------------------------------------------------------------- measures


def measure_costs(participants: int = 3, booked: int = 10) -> CostsGas:
    """The CostSharing scenario of the module docstring on a fresh chain."""
    from coopetition.bindings.cost_sharing import CostSharing, PoolCreatedEvent

    conn = fresh_connection()
    accounts = conn.chain.dev_accounts()
    a, b, supplier = accounts[1], accounts[2], accounts[7]
    members = [str(a.address), str(b.address), *[_filler(i) for i in range(participants - 2)]]
    labels = [f"M{i}" for i in range(participants)]
    consortium = deploy(conn, "Consortium", [members, labels, 2, 0, False])
    address = deploy(conn, "CostSharing", [consortium])
    as_a = CostSharing(conn.w3, address, conn.as_account(a).sender)
    as_b = CostSharing(conn.w3, address, conn.as_account(b).sender)
    as_supplier = CostSharing(conn.w3, address, conn.as_account(supplier).sender)
    share = 10_000 // participants
    shares = [share] * participants
    shares[-1] += 10_000 - share * participants
    created = as_a.create_pool("bench", "0x" + "00" * 20, members, shares, 2)
    pid = PoolCreatedEvent.from_result(created)[0].pool_id
    amount = 10**15 + 7  # does not divide: every booking exercises the remainder rule

    evidence = 0
    for start in range(0, booked, BATCH):
        n = min(BATCH, booked - start)
        submits = [CostSharing.encode_submit_expense(pid, amount, str(supplier.address),
                                                     (evidence + i + 1).to_bytes(32, "big"), "setup")
                   for i in range(n)]
        approvals = [CostSharing.encode_approve_expense(start + i + 1) for i in range(n)]
        raw_send(conn, str(a.address), address, CostSharing.encode_multicall(submits), gas=25_000_000)
        raw_send(conn, str(a.address), address, CostSharing.encode_multicall(approvals), gas=25_000_000)
        raw_send(conn, str(b.address), address, CostSharing.encode_multicall(approvals), gas=25_000_000)
        evidence += n
    assert as_a.pool_info(pid).total_booked == amount * booked
    # A's first payment and the supplier's first claim, so the measured ones are the steady state
    as_a.pay(pid, 1000, value=1000)
    as_supplier.claim(pid, 100, str(supplier.address))

    measured_evidence = b"\xee" * 32  # the same calldata whatever the number of expenses before
    submit = as_a.submit_expense(pid, amount, str(supplier.address), measured_evidence, "INV-bench")
    eid = as_a.expense_count()
    approve = as_a.approve_expense(eid)
    approve_books = as_b.approve_expense(eid)
    assert as_a.expense(eid).status == 1
    pay = as_a.pay(pid, 1000, value=1000)
    claim = as_supplier.claim(pid, 100, str(supplier.address))
    data = {
        "submit": CostSharing.encode_submit_expense(pid, amount, str(supplier.address), measured_evidence, "INV-bench"),
        "approve": CostSharing.encode_approve_expense(eid),
        "approve_books": CostSharing.encode_approve_expense(eid),
        "pay": CostSharing.encode_pay(pid, 1000),
        "claim": CostSharing.encode_claim(pid, 100, str(supplier.address)),
    }
    used = {"submit": submit.gas_used, "approve": approve.gas_used, "approve_books": approve_books.gas_used,
            "pay": pay.gas_used, "claim": claim.gas_used}
    execution = {k: used[k] - 21_000 - calldata_gas(data[k]) for k in used}
    return CostsGas(participants, booked, created.gas_used, submit.gas_used, approve.gas_used,
                    approve_books.gas_used, pay.gas_used, claim.gas_used, execution)


def measure_splitter(payees: int = 3) -> SplitterGas:
    """OpenZeppelin 4.9.6 PaymentSplitter with ``payees`` equal payees (dev accounts 1.. then fillers)."""
    from coopetition._runtime import BoundContract

    conn = fresh_connection()
    accounts = conn.chain.dev_accounts()
    payer, first = accounts[5], accounts[1]
    addresses = [str(first.address), str(accounts[2].address), *[_filler(i) for i in range(payees - 2)]]
    splitter = deploy(conn, "CostsPaymentSplitter", [addresses, [1] * payees], test=True)

    class _Splitter(BoundContract):
        contract_name = "CostsPaymentSplitter"

        def release(self, account: str) -> Any:
            return self._transact("release", "release(address)", (account,))

    from coopetition._seam import PendingCall

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
        GasRow("create a pool (3 participants)", base.create_pool, "", None,
               "loops over the participants once, at creation only"),
        GasRow("**submit** an expense", base.submit, "", None,
               "amount, payee, evidence hash and a short reference stored"),
        GasRow("**approve** (below the quorum)", base.approve),
        GasRow("approve that reaches the quorum and **books** it", base.approve_books, "", None,
               "running totals only: no loop over expenses or participants"),
        GasRow("**pay** in part of a debt (ETH)", base.pay, f"{SPLITTER}: ether received", split.receive,
               "pay checks the payer's net debt against the running totals"),
        GasRow("**claim** part of a credit (ETH)", base.claim, f"{SPLITTER}: `release` (2nd, same payee)",
               split.release_second, "pull payment; nets credits against what debtors paid in"),
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
        "CostSharing keeps per-pool and per-account running totals, so every per-user action costs the same "
        "gas whatever the number of expenses booked so far and the number of participants (rows marked "
        "'unchanged': execution gas, i.e. gas used minus the 21,000 base and the calldata, measured with 10 and 1,000 "
        "booked expenses and with 2 and 50 participants in the same run; only an expense id with more non-zero "
        "bytes makes its transaction's calldata dearer). "
        "Baseline: OpenZeppelin 4.9.6 PaymentSplitter, which splits incoming ether by fixed shares but has no "
        "expenses, approvals or netting."
    )
    details = {"scenarios": [asdict(x) for x in (small, many_expenses, many_people, base)],
               "splitter": [asdict(split), asdict(split50)]}
    return GasTable("costs", "Shared R&D cost splitting (CostSharing)", tuple(rows), intro, details)


if __name__ == "__main__":
    table = gas_report()
    print(table.intro)
    print("\n".join(markdown_table(table.rows)))
