"""Demo act: shared R&D cost pools (``coopetition demo``).

Acme proposes a pool to Globex and Initech, 50/30/20. Nobody owes anything until each accepted the
terms: Globex joins on chain, Initech signs an EIP-712 acceptance that Acme submits. Each pays one
supplier invoice directly (the invoices stay on their machines: only SHA-256 hashes go on chain), the
other two approve each one. Once the settlement period and its dispute window are over, each pays
its share and collects its pro-rata part: every participant ends at its exact share of the total, to
the wei (the odd wei follows the contract's cumulative-floor remainder rule).
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


def _advance(conn: Connection, seconds: int) -> None:
    """Move the dev chain's clock forward (embedded eth-tester or anvil)."""
    tester = getattr(conn.w3.provider, "ethereum_tester", None)
    if tester is not None:
        tester.time_travel(int(conn.w3.eth.get_block("latest")["timestamp"]) + seconds)
        tester.mine_blocks(1)
        return
    conn.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    conn.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def demo_act(conn: Connection, members: Sequence[DemoMember], out: Callable[[str], None]) -> dict[str, Any]:
    """Run the act on the suite deployed on ``conn``; returns a summary for ``--json``."""
    by_label = {m.label: m for m in members}
    svc = {label: by_label[label].connection.suite().costs for label, _ in SHARES}
    acme = svc["Acme"]
    names = {by_label[label].address: label for label, _ in SHARES}

    out("")
    out("== Act: shared R&D costs ==")
    ref = acme.create_pool("Solid-state battery R&D", [(by_label[label].address, share) for label, share in SHARES],
                           approval="50%", quorum=2)
    out(f"Acme proposes cost pool #{ref.id} in ETH: Acme 50%, Globex 30%, Initech 20%; an expense is booked by more"
        f" than half of the other participants' shares. Still to accept: {', '.join(names[a] for a in ref.must_accept)}.")
    svc["Globex"].join(ref.id)
    out("Globex accepts the terms on chain (join).")
    signed = svc["Initech"].sign_terms(ref.id, deadline="7d")
    out(f"Initech signs its acceptance off chain (EIP-712, {len(signed.to_json())} bytes of JSON) and hands it to Acme.")
    acme.submit_acceptances(ref.id, [signed])
    pool = acme.pool(ref.id)
    out(f"Acme submits it: pool #{pool.id} is {pool.status.name.lower()}.")

    for payer, amount, reference, document in INVOICES:
        evidence = "0x" + hashlib.sha256(document).hexdigest()
        submitted = svc[payer].submit(pool.id, amount, by_label[payer].address, evidence_hash=evidence,
                                      reference=reference)
        for label, _ in SHARES:
            if label != payer and acme.expense(submitted.id).status.name == "PENDING":
                svc[label].approve(submitted.id)
        expense = acme.expense(submitted.id)
        out(f"{payer} paid invoice {reference} of {pool.asset.format(expense.amount)} (evidence {evidence[:14]}…);"
            f" {expense.status.name.lower()} by the others' approvals.")

    pool = acme.pool(pool.id)
    out(f"Booked in period 0: {pool.asset.format(pool.total_booked)}.")
    for p in acme.balances(pool.id):
        out(f"  {names[p.account]:8} share {p.share_bps / 100:g}%: owes {pool.asset.format(p.owed)}, credited"
            f" {pool.asset.format(p.credit)} for the invoice it paid")

    period = acme.periods(pool.id)[0]
    _advance(conn, period.opens_at - int(conn.w3.eth.get_block("latest")["timestamp"]))
    out("The settlement period and its dispute window pass. Each pays its share; each collects its pro-rata part.")
    for label, _ in SHARES:
        debt = svc[label].position(pool.id, label, period=0).debt
        svc[label].pay(pool.id, period=0)
        out(f"  {label} pays in {pool.asset.format(debt)}.")
    for label, _ in SHARES:
        part = svc[label].position(pool.id, label, period=0).collectable
        svc[label].claim(pool.id, period=0)
        out(f"  {label} collects {pool.asset.format(part)}.")

    pool = acme.pool(pool.id)
    finals: dict[str, int] = {}
    exact_everywhere = True
    for p in acme.balances(pool.id):
        cost = p.credit + p.paid - p.withdrawn  # paid the supplier, paid in, collected
        exact = Fraction(pool.total_booked * p.share_bps, 10_000)
        finals[names[p.account]] = cost
        within = abs(Fraction(cost) - exact) < 1 and p.debt == 0 and p.collectable == 0 and cost == p.owed
        exact_everywhere = exact_everywhere and within
        verdict = "MISMATCH"
        if within:
            verdict = "exactly its share" if cost == exact else "its share, rounded to the wei"
        exact_text = f"{Decimal(exact.numerator) / Decimal(exact.denominator):,f}"
        out(f"  {names[p.account]:8} bears {cost:,} wei; exact share {exact_text} wei -> {verdict}")
    total = sum(finals.values())
    held = pool.total_paid_in - sum(p.withdrawn for p in acme.balances(pool.id))
    out(f"Sum of what the three bear: {total:,} wei = total booked {pool.total_booked:,} wei;"
        f" pool holds {pool.asset.format(held)}.")
    return {"poolId": pool.id, "totalBooked": Money(pool.total_booked, pool.asset),
            "costs": {label: Money(value, pool.asset) for label, value in finals.items()},
            "exact": exact_everywhere and total == pool.total_booked and held == 0}
