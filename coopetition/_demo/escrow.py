"""Demo act: a joint venture of three companies (``coopetition demo``, after the consortium act).

Acme, Globex and Initech fund a venture in ether for a beneficiary company, approve and release two
milestones, and when the third milestone fails two of them dissolve the venture by vote (the
dissolution quorum is 3 - 2 + 1 = 2: any two partners who could block a release can get out): each
takes back what it paid minus its pro-rata part of what was released, exact to the wei (the
remainder rule of contracts/libraries/CumulativeSplit.sol); Acme pushes Initech's refund to it (anyone
may push a payment to its owner). Balances are printed before and after.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .._domain.asset import Money
from .._domain.escrow_records import when
from .._units import format_amount

if TYPE_CHECKING:
    from .._session import Connection
    from . import DemoMember

__all__ = ["demo_act"]

CONTRIBUTIONS = {"Acme": "3 ether", "Globex": "2 ether", "Initech": "2 ether"}
MILESTONES = ("1.5 ether", "1.5 ether", "4 ether")
BENEFICIARY_INDEX = 5
"""Dev account that plays the venture's company (not a consortium member)."""


def _eth(value: int) -> str:
    return format_amount(value, symbol="ETH")


def demo_act(conn: Connection, members: Sequence[DemoMember], out: Callable[[str], None]) -> dict[str, object]:
    """Run the escrow act on ``conn``'s chain (the suite already deployed); returns a summary."""
    from ..escrow import refund_shares

    by_label = {m.label: m for m in members}
    partners = [by_label[label] for label in CONTRIBUTIONS]
    acme, globex, initech = partners
    beneficiary_account = conn.chain.dev_accounts()[BENEFICIARY_INDEX]
    beneficiary = conn.as_account(beneficiary_account)
    beneficiary_address = str(beneficiary_account.address)
    w3 = conn.w3

    def balance(address: str) -> int:
        return int(w3.eth.get_balance(address))  # type: ignore[arg-type]

    everyone = [(m.label, m.address) for m in partners] + [("GigaCell (beneficiary)", beneficiary_address)]
    before = {address: balance(address) for _, address in everyone}
    gas_paid = {address: 0 for _, address in everyone}

    def paid_gas(address: str, tx: object) -> None:
        gas_paid[address] += int(tx.gas_used) * int(tx.effective_gas_price)  # type: ignore[attr-defined]

    out("")
    out("== Act: a joint venture in escrow ==")
    escrow = acme.connection.suite().escrow
    ref = escrow.create(escrow.terms(
        "Solid-state battery pilot line",
        partners=CONTRIBUTIONS, milestones=list(MILESTONES), beneficiary=beneficiary_address,
        deadline="30d", quorum=2,
    ))
    paid_gas(acme.address, ref.tx)
    vid = ref.id
    venture = escrow.venture(vid)
    out(f"Acme creates venture #{vid} {venture.name!r} for GigaCell ({beneficiary_address}): "
        f"{', '.join(f'{k} owes {v}' for k, v in CONTRIBUTIONS.items())}; total {_eth(venture.total)}; "
        f"milestones {', '.join(MILESTONES)}; quorum 2 of 3.")
    out(f"Ways out: {venture.dissolution_quorum} of 3 partners can dissolve it; after the long-stop "
        f"{when(venture.long_stop)} any partner may cancel it.")

    payments = [(acme, "1 ether"), (acme, "2 ether"), (globex, "2 ether"), (initech, "2 ether")]
    for member, amount in payments:
        tx = member.connection.suite().escrow.deposit(vid, amount)
        paid_gas(member.address, tx)
        out(f"{member.label} deposits {amount}.")
    venture = escrow.venture(vid)
    out(f"Fully funded: {_eth(venture.deposited)} held; the venture is {venture.state.name.lower()}.")

    as_beneficiary = beneficiary.suite().escrow
    for index in (0, 1):
        for member in (acme, globex):
            tx = member.connection.suite().escrow.approve_milestone(vid, index)
            paid_gas(member.address, tx)
        tx = as_beneficiary.release_milestone(vid, index)
        paid_gas(beneficiary_address, tx)
        tx = as_beneficiary.withdraw(vid)
        paid_gas(beneficiary_address, tx)
        out(f"Milestone {index} ({MILESTONES[index]}): Acme and Globex approve (2/2), GigaCell releases "
            f"and withdraws it.")

    out("Milestone 2 (the pilot line) fails its acceptance test: the partners vote to dissolve.")
    for member in (initech, globex):
        tx = member.connection.suite().escrow.vote_dissolution(vid)
        paid_gas(member.address, tx)
    venture = escrow.venture(vid)
    out(f"Venture #{vid} is {venture.state.name.lower()}: {_eth(venture.released)} was released, "
        f"{_eth(venture.deposited - venture.released)} goes back pro rata.")

    owed = [p.owed for p in venture.partners]
    parts = refund_shares(owed, venture.released)
    refunds: dict[str, int] = {}
    for member, part, position in zip(partners, parts, venture.partners, strict=True):
        if member is initech:
            tx = escrow.push_refund(vid, member.label)
            paid_gas(acme.address, tx)
            how = f"Acme pushes {member.label}'s refund of {_eth(position.refundable)} to it"
        else:
            tx = member.connection.suite().escrow.refund(vid)
            paid_gas(member.address, tx)
            how = f"{member.label} refunds {_eth(position.refundable)}"
        refunds[member.label] = position.refundable
        out(f"{how} (paid {_eth(position.paid)}, its part of the released money {_eth(part)}).")
    total_refunded = sum(refunds.values())
    venture = escrow.venture(vid)
    exact = total_refunded == venture.deposited - venture.released and venture.held == 0
    out(f"Refunds add up to {_eth(total_refunded)} = deposited - released, to the wei: "
        f"{'yes' if exact else 'NO'}; the escrow holds {_eth(venture.held)} for the venture.")

    out("Balances (ETH; 'net' leaves out the gas each paid):")
    for label, address in everyone:
        after = balance(address)
        net = after - before[address] + gas_paid[address]
        out(f"  {label:<24} before {_eth(before[address]):>28}  after {_eth(after):>28}  net {_eth(net)}")
    return {
        "ventureId": vid,
        "released": Money(venture.released, venture.asset),
        "refunds": {label: Money(value, venture.asset) for label, value in refunds.items()},
        "refundsExact": exact,
    }
