"""Demo act: shared R&D cost splitting (``coopetition demo``).

Acme, Globex and Initech share an R&D programme 50/30/20. Each pays one supplier invoice directly
(the invoices stay on their machines: only SHA-256 hashes go on chain), the other two approve each
one, then settlement nets the positions: debtors pay in the difference, creditors claim it. Every
participant ends at its exact share of the total, to the wei (the odd wei follows the contract's
cumulative-floor remainder rule).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .._domain.asset import Money

if TYPE_CHECKING:
    from .._session import Connection
    from . import DemoMember

__all__ = ["demo_act"]

SHARES = (("Acme", "50%"), ("Globex", "30%"), ("Initech", "20%"))
INVOICES = (  # (who paid the supplier, amount, reference, invoice text kept off chain)
    ("Acme", "12 ether", "LAB-2026-014", b"Cleanroom rental, 3 months"),
    ("Globex", "5 ether", "SIM-88", b"Simulation cluster hours"),
    ("Initech", "3000000000000000001", "PAT-7", b"Patent search, external counsel"),  # 3 ether + 1 wei
)


def demo_act(conn: Connection, members: Sequence[DemoMember], out: Callable[[str], None]) -> dict[str, Any]:
    """Run the act on the suite deployed on ``conn``; returns a summary for ``--json``."""
    by_label = {m.label: m for m in members}
    svc = {label: by_label[label].connection.suite().costs for label, _ in SHARES}
    acme = svc["Acme"]

    out("")
    out("== Act: shared R&D costs ==")
    ref = acme.create_pool("Solid-state battery R&D", [(by_label[label].address, share) for label, share in SHARES],
                           quorum=2)
    pool = acme.pool(ref.id)
    out(f"Acme creates cost pool #{pool.id} {pool.name!r} in ETH: Acme 50%, Globex 30%, Initech 20%; quorum 2.")

    names = {by_label[label].address: label for label, _ in SHARES}
    for payer, amount, reference, document in INVOICES:
        evidence = "0x" + hashlib.sha256(document).hexdigest()
        submitted = svc[payer].submit(pool.id, amount, by_label[payer].address, evidence_hash=evidence,
                                      reference=reference)
        for label, _ in SHARES:
            if label != payer:
                svc[label].approve(submitted.id)
        expense = acme.expense(submitted.id)
        split = acme.split_of(submitted.id)
        parts = ", ".join(f"{names[a]} {pool.asset.format(v)}" for a, v in split.items())
        out(f"{payer} paid invoice {reference} of {pool.asset.format(expense.amount)} (evidence {evidence[:14]}…);"
            f" approved by the other two, booked: {parts}.")
        assert sum(split.values()) == expense.amount

    pool = acme.pool(pool.id)
    out(f"Booked in total: {pool.asset.format(pool.total_booked)}.")
    for p in acme.balances(pool.id):
        state = f"owes {pool.asset.format(p.debt)}" if p.debt else f"is owed {pool.asset.format(p.credit)}"
        out(f"  {names[p.account]:8} share {p.share_bps / 100:g}%: owes {pool.asset.format(p.owed)}, paid suppliers"
            f" {pool.asset.format(p.credited)} -> {state}")

    out("Settlement by netting: debtors pay in the difference, creditors claim it.")
    for label, _ in SHARES:
        position = svc[label].position(pool.id, by_label[label].address)
        if position.debt:
            svc[label].pay(pool.id)
            out(f"  {label} pays in {pool.asset.format(position.debt)}.")
    for label, _ in SHARES:
        position = svc[label].position(pool.id, by_label[label].address)
        if position.credit:
            svc[label].claim(pool.id)
            out(f"  {label} claims {pool.asset.format(position.credit)}.")

    pool = acme.pool(pool.id)
    finals: dict[str, int] = {}
    exact_everywhere = True
    for p in acme.balances(pool.id):
        cost = p.credited + p.paid_in - p.withdrawn
        exact = Fraction(pool.total_booked * p.share_bps, 10_000)
        finals[names[p.account]] = cost
        within = abs(Fraction(cost) - exact) < 1 and p.debt == 0 and p.credit == 0 and cost == p.owed
        exact_everywhere = exact_everywhere and within
        verdict = "MISMATCH"
        if within:
            verdict = "exactly its share" if cost == exact else "its share, rounded to the wei"
        exact_text = f"{Decimal(exact.numerator) / Decimal(exact.denominator):,f}"
        out(f"  {names[p.account]:8} bears {cost:,} wei; exact share {exact_text} wei -> {verdict}")
    total = sum(finals.values())
    out(f"Sum of what the three bear: {total:,} wei = total booked {pool.total_booked:,} wei;"
        f" pool holds {pool.asset.format(pool.held)}.")
    return {"poolId": pool.id, "totalBooked": Money(pool.total_booked, pool.asset),
            "costs": {label: Money(value, pool.asset) for label, value in finals.items()},
            "exact": exact_everywhere and total == pool.total_booked and pool.held == 0}
