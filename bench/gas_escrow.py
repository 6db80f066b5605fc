"""Gas of the joint-venture escrow (JointVentureEscrow), side by side with OpenZeppelin 4.9.6 RefundEscrow.

Everything runs on the ``embedded`` chain (eth-tester); the measured transactions go through the
library's real transaction pipeline (``connect("embedded")``, the typed binding). Each scenario starts
on a fresh chain, so the figures are deterministic.

Escrow scenario (:func:`measure_escrow`): a consortium whose members include ``partners`` partners
(A, B and fillers: funded keys known to eth-tester), ``others`` unrelated ventures created first, then
an ETH venture of all partners (1 ether each, three milestones of 0.5 ether, release quorum 2,
dissolution quorum 1). Measured, one transaction each:

1. ``create``: A creates the venture (loops over partners and milestones once: grows with them);
2. ``deposit``: A pays half of its contribution (its first payment);
3. ``deposit (completes)``: after everyone else paid (setup), A pays the rest: the venture becomes Active;
4. ``approve``: A approves milestone 0; ``approve (quorum)``: B's approval makes it releasable;
5. ``release``: anyone releases it (credited to the beneficiary);
6. ``withdraw``: the beneficiary pulls it (one milestone's worth);
7. ``push withdrawal``: milestone 1 approved and released (setup), an outsider pushes it to the beneficiary;
8. ``dissolve``: A's vote cancels the venture (dissolution quorum 1);
9. ``refund``: A pulls its refund (pro rata, cumulative floor); ``push refund``: an outsider pushes B's;
10. on a second venture (release quorum 1, dissolution quorum 2, still funding): ``vote`` (below the
    dissolution quorum) and ``unvote`` (A withdraws it).

Baseline (:func:`measure_refund_escrow`): OpenZeppelin Contracts 4.9.6 ``RefundEscrow`` (npm
``@openzeppelin/contracts-v4``, unchanged; contracts/test/EscrowRefundEscrowBaseline.sol only makes it
deployable): ``deposit(refundee)`` for a new and an existing refundee, ``enableRefunds``,
``withdraw(refundee)`` (the refund; owner-only in 4.9, where a crowdsale's ``claimRefund`` calls it), and on a second instance ``close`` + ``beneficiaryWithdraw``.

"Per-user gas unchanged" is shown by running the scenario with 2 and 50 partners and with 0 and 20
other ventures in the same run: every per-user operation costs the same gas, to the unit.

Run alone: ``.venv/bin/python bench/gas_escrow.py`` prints the table.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gas_common import GasRow, GasTable, deploy, fresh_connection, markdown_table, raw_send

if TYPE_CHECKING:
    from coopetition._session import Connection

__all__ = ["EscrowGas", "RefundEscrowGas", "gas_report", "measure_escrow", "measure_refund_escrow"]

ETHER = 10**18
BASELINE = "OpenZeppelin 4.9.6 RefundEscrow"
PER_USER = ("deposit", "deposit_completes", "approve", "approve_quorum", "release", "withdraw",
            "push_withdrawal", "dissolve", "refund", "push_refund", "vote", "unvote")
TARGETS = {"deposit": 50_000, "deposit_completes": 40_000, "refund": 48_000, "withdraw": 40_000}
"""Issue 11's ceilings (tests/test_escrow_gas.py asserts them)."""


@dataclass(frozen=True)
class EscrowGas:
    partners: int
    others: int
    create: int
    deposit: int
    deposit_completes: int
    approve: int
    approve_quorum: int
    release: int
    withdraw: int
    push_withdrawal: int
    dissolve: int
    refund: int
    push_refund: int
    vote: int
    unvote: int


@dataclass(frozen=True)
class RefundEscrowGas:
    deposit_new: int
    deposit_again: int
    enable_refunds: int
    withdraw_refund: int
    close: int
    beneficiary_withdraw: int


# ----------------------------------------------------------------------------------- helpers








def _fillers(conn: Connection, count: int) -> list[str]:
    """``count`` funded accounts eth-tester can send from (setup transactions only)."""
    from eth_account import Account

    tester = conn.w3.provider.ethereum_tester  # type: ignore[attr-defined]
    funder = str(conn.chain.dev_accounts()[0].address)
    out = []
    for _ in range(count):
        acct = Account.create()
        tester.add_account("0x" + bytes(acct.key).hex())
        conn.w3.eth.send_transaction({"from": funder, "to": acct.address, "value": 10 * ETHER})  # type: ignore[typeddict-item]
        out.append(str(acct.address))
    return out


# ----------------------------------------------------------------------------------- measures


def measure_escrow(partners: int = 3, others: int = 0) -> EscrowGas:
    """The escrow scenario of the module docstring on a fresh chain."""
    from coopetition.bindings.joint_venture_escrow import (
        JointVentureEscrow,
        VentureCreatedEvent,
        VentureTerms,
    )

    conn = fresh_connection()
    accounts = conn.chain.dev_accounts()
    a, b, outsider, beneficiary = accounts[1], accounts[2], accounts[3], accounts[7]
    fillers = _fillers(conn, partners - 2)
    members = [str(a.address), str(b.address), *fillers]
    consortium = deploy(conn, "Consortium", [members, [f"M{i}" for i in range(len(members))], 1, 0, True])
    address = deploy(conn, "JointVentureEscrow", [consortium])
    as_a = JointVentureEscrow(conn.w3, address, conn.as_account(a).sender)
    as_b = JointVentureEscrow(conn.w3, address, conn.as_account(b).sender)
    as_outsider = JointVentureEscrow(conn.w3, address, conn.as_account(outsider).sender)
    as_beneficiary = JointVentureEscrow(conn.w3, address, conn.as_account(beneficiary).sender)
    now = int(conn.w3.eth.get_block("latest")["timestamp"])

    def terms(name: str, quorum: int = 2, dissolution: int = 1) -> VentureTerms:
        return VentureTerms(name, "0x" + "00" * 20, str(beneficiary.address), tuple(members),
                            (ETHER,) * partners, (ETHER // 2,) * 3, now + 30 * 86400, now + 400 * 86400,
                            quorum, dissolution)

    for i in range(others):
        raw_send(conn, str(a.address), address, JointVentureEscrow.encode_create_venture(terms(f"other {i}")))
    created = as_a.create_venture(terms("bench"))
    vid = VentureCreatedEvent.from_result(created)[0].venture_id
    deposit = as_a.deposit(vid, ETHER // 2, value=ETHER // 2)
    raw_send(conn, str(b.address), address, JointVentureEscrow.encode_deposit(vid, ETHER), ETHER)
    for who in fillers:
        raw_send(conn, who, address, JointVentureEscrow.encode_deposit(vid, ETHER), ETHER)
    completes = as_a.deposit(vid, ETHER // 2, value=ETHER // 2)
    approve = as_a.approve_milestone(vid, 0)
    approve_quorum = as_b.approve_milestone(vid, 0)
    release = as_a.release_milestone(vid, 0)
    withdraw = as_beneficiary.withdraw(vid, str(beneficiary.address))
    raw_send(conn, str(a.address), address, JointVentureEscrow.encode_approve_milestone(vid, 1))
    raw_send(conn, str(b.address), address, JointVentureEscrow.encode_approve_milestone(vid, 1))
    raw_send(conn, str(a.address), address, JointVentureEscrow.encode_release_milestone(vid, 1))
    push_withdrawal = as_outsider.push_withdrawal(vid)
    dissolve = as_a.vote_dissolution(vid)
    refund = as_a.refund(vid, str(a.address))
    push_refund = as_outsider.push_refund(vid, str(b.address))
    side = VentureCreatedEvent.from_result(as_a.create_venture(terms("side", 1, 2)))[0].venture_id
    vote = as_a.vote_dissolution(side)
    unvote = as_a.withdraw_vote(side)
    return EscrowGas(partners, others, created.gas_used, deposit.gas_used, completes.gas_used, approve.gas_used,
                     approve_quorum.gas_used, release.gas_used, withdraw.gas_used, push_withdrawal.gas_used,
                     dissolve.gas_used, refund.gas_used, push_refund.gas_used, vote.gas_used, unvote.gas_used)


def measure_refund_escrow() -> RefundEscrowGas:
    """OpenZeppelin 4.9.6 RefundEscrow: deposits, refund, beneficiary withdrawal."""
    from coopetition._runtime import BoundContract
    from coopetition._seam import TxResult

    class _RefundEscrow(BoundContract):
        contract_name = "EscrowRefundEscrowBaseline"

        def deposit(self, refundee: str, value: int) -> TxResult:
            return self._transact("deposit", "deposit(address)", (refundee,), value)

        def enable_refunds(self) -> TxResult:
            return self._transact("enableRefunds", "enableRefunds()", ())

        def withdraw(self, payee: str) -> TxResult:
            return self._transact("withdraw", "withdraw(address)", (payee,))

        def close(self) -> TxResult:
            return self._transact("close", "close()", ())

        def beneficiary_withdraw(self) -> TxResult:
            return self._transact("beneficiaryWithdraw", "beneficiaryWithdraw()", ())

    conn = fresh_connection()
    accounts = conn.chain.dev_accounts()
    a, b, beneficiary = accounts[1], accounts[2], accounts[7]
    first = _RefundEscrow(conn.w3, deploy(conn, "EscrowRefundEscrowBaseline", [beneficiary.address], test=True),
                          conn.sender)
    deposit_new = first.deposit(str(a.address), ETHER // 2)
    deposit_again = first.deposit(str(a.address), ETHER // 2)
    first.deposit(str(b.address), ETHER)
    enable = first.enable_refunds()
    refund = first.withdraw(str(a.address))  # onlyOwner in 4.9 (a crowdsale's claimRefund calls it for the payee)
    second = _RefundEscrow(conn.w3, deploy(conn, "EscrowRefundEscrowBaseline", [beneficiary.address], test=True),
                           conn.sender)
    second.deposit(str(a.address), ETHER)
    close = second.close()
    payout = second.with_sender(conn.as_account(beneficiary).sender).beneficiary_withdraw()  # type: ignore[attr-defined]
    return RefundEscrowGas(deposit_new.gas_used, deposit_again.gas_used, enable.gas_used, refund.gas_used,
                           close.gas_used, payout.gas_used)


# ----------------------------------------------------------------------------------- report


def gas_report() -> GasTable:
    """The escrow gas table for ``make bench`` (bench/run.py)."""
    base = measure_escrow(3, 0)
    two = measure_escrow(2, 0)
    fifty = measure_escrow(50, 0)
    crowded = measure_escrow(2, 20)
    oz = measure_refund_escrow()
    def target(key: str) -> str:
        return f"issue 11 ceiling {TARGETS[key]:,}: {'met' if getattr(base, key) <= TARGETS[key] else 'MISSED'}"

    rows: list[GasRow] = [
        GasRow("**create** a venture (3 partners, 3 milestones)", base.create, "", None,
               "loops over partners and milestones once, at creation only"),
        GasRow("**deposit** (a partner's first payment, ETH)", base.deposit,
               f"{BASELINE}: `deposit` (new refundee)", oz.deposit_new,
               f"{target('deposit')}; one partner slot, the venture header read"),
        GasRow("deposit that completes funding (venture becomes Active)", base.deposit_completes,
               f"{BASELINE}: `deposit` (existing refundee)", oz.deposit_again,
               f"{target('deposit_completes')}; also clears the funding round's votes (no loop)"),
        GasRow("**approve** a milestone (below the quorum)", base.approve, "", None, "approvals as a bitmap"),
        GasRow("approve that reaches the quorum (releasable)", base.approve_quorum),
        GasRow("**release** a milestone (credited to the beneficiary)", base.release),
        GasRow("**withdraw** (beneficiary pulls one milestone, ETH)", base.withdraw,
               f"{BASELINE}: `beneficiaryWithdraw`", oz.beneficiary_withdraw,
               f"{target('withdraw')}; RefundEscrow also needs `close` ({oz.close:,}) first; the escrow pays "
               "milestone by milestone"),
        GasRow("push withdrawal (anyone pays the recorded beneficiary)", base.push_withdrawal, "", None,
               "to a cold address: 2,500 more than a pull to oneself"),
        GasRow("**dissolve** (the vote that reaches the dissolution quorum)", base.dissolve,
               f"{BASELINE}: `enableRefunds` (owner)", oz.enable_refunds, "RefundEscrow is cancelled by its single owner"),
        GasRow("dissolution vote below the quorum", base.vote),
        GasRow("withdraw a dissolution vote", base.unvote),
        GasRow("**refund** (pro rata after a release, ETH)", base.refund, f"{BASELINE}: `withdraw` (refund)",
               oz.withdraw_refund, f"{target('refund')}; cumulative floor via Math.mulDiv, no loop"),
        GasRow("push refund (anyone pays the recorded partner)", base.push_refund),
    ]
    for key in PER_USER:
        low, high = getattr(two, key), getattr(fifty, key)
        rows.append(GasRow(f"{key.replace('_', ' ')}: 50 partners", high, f"{key.replace('_', ' ')}: 2 partners",
                           low, "unchanged" if low == high else "CHANGED"))
    for key in PER_USER:
        low, high = getattr(two, key), getattr(crowded, key)
        rows.append(GasRow(f"{key.replace('_', ' ')}: 20 other ventures", high, f"{key.replace('_', ' ')}: none",
                           low, "unchanged" if low == high else "CHANGED"))
    intro = (
        "JointVentureEscrow v2 packs each partner into one slot and the venture header so that every hot path "
        "touches as few slots as it can, and keeps every per-user action at the same gas whatever the number of "
        "partners and of "
        "other ventures (rows marked 'unchanged': whole transactions with 2 and 50 partners, and with 0 and 20 "
        "other ventures, in the same run). Only `create` grows with the partners and milestones it records. "
        f"Baseline: {BASELINE} (one owner deposits for refundees; refunds or a beneficiary withdrawal, no "
        "milestones, no partner quorum)."
    )
    details = {"scenarios": [asdict(x) for x in (base, two, fifty, crowded)], "refundEscrow": asdict(oz)}
    return GasTable("escrow", "Joint-venture escrow (JointVentureEscrow)", tuple(rows), intro, details)


if __name__ == "__main__":
    table = gas_report()
    print(table.intro)
    print()
    print("\n".join(markdown_table(table.rows)))
