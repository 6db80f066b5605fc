"""Demo act: a sealed round (``coopetition demo``, after the escrow act).

Acme opens a sealed round for a 6 ETH venture with a 0.1 ETH bond; Acme, Globex and Initech each
commit a hash of their pledge and a secret salt (Globex pledges 4 ETH, more than its share). The act
prints what anyone reading the chain sees at each phase: during the commit phase who committed and
the hashes only; after the reveals the pledges; after the settlement the allocations, which are the
new venture's contributions (the cumulative-floor split of the budget weighted by the pledges, exact
to the wei). Each partner then takes its bond back. The salts stay with the partners (the library
returns them; the CLI keeps them in a private file) and are never printed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .._domain.asset import Money
from .._units import format_amount
from .costs import _advance

if TYPE_CHECKING:
    from .._session import Connection
    from . import DemoMember

__all__ = ["demo_act"]

BUDGET = "6 ether"
BOND = "0.1 ether"
PLEDGES = {"Acme": "3 ether", "Globex": "4 ether", "Initech": "2 ether"}
COMMIT_PHASE = 3600
REVEAL_PHASE = 3600
BENEFICIARY_INDEX = 5


def _eth(value: int) -> str:
    return format_amount(value, symbol="ETH")


def demo_act(conn: Connection, members: Sequence[DemoMember], out: Callable[[str], None]) -> dict[str, object]:
    """Run the sealed-round act on ``conn``'s chain (the suite already deployed); returns a summary."""
    by_label = {m.label: m for m in members}
    partners = [by_label[label] for label in PLEDGES]
    rounds = {m.label: m.connection.suite().rounds for m in partners}
    acme = rounds["Acme"]
    beneficiary = str(conn.chain.dev_accounts()[BENEFICIARY_INDEX].address)

    out("")
    out("== Act: a sealed round ==")
    ref = acme.open(acme.terms(
        "Sodium-ion cell line", budget=BUDGET, bond=BOND, partners=list(PLEDGES), beneficiary=beneficiary,
        milestones=["2 ether", "4 ether"], commit_by=COMMIT_PHASE, reveal_by=COMMIT_PHASE + REVEAL_PHASE,
        quorum=2,
    ))
    rid = ref.id
    out(f"Acme opens sealed round #{rid} for a {BUDGET} venture: bond {BOND}, partners "
        f"{', '.join(PLEDGES)}, commits for an hour, reveals for an hour more (gas {ref.tx.gas_used:,}).")
    commits = {}
    for label, amount in PLEDGES.items():
        done = rounds[label].commit_pledge(rid, amount)
        commits[label] = done
        out(f"{label} commits a sealed pledge and pays the bond (gas {done.tx.gas_used:,}); its salt stays "
            "with it, never printed.")

    seen = acme.round(rid)
    out(f"On chain during the commit phase: {seen.committed} of {len(seen.partners)} committed; "
        f"pledges visible: {sum(p.pledge is not None for p in seen.partners)}.")
    for p in seen.partners:
        out(f"  {by_label_of(by_label, p.address)}: commitment {p.commitment}")

    _advance(conn, seen.commit_deadline - seen.now + 1)  # one second past the commit deadline
    for label in PLEDGES:
        shown = rounds[label].reveal_pledge(rid, commits[label].pledge, commits[label].salt)
        out(f"{label} reveals {_eth(shown.pledge)} (gas {shown.tx.gas_used:,}).")
    seen = acme.round(rid)
    out(f"On chain after the reveals: pledges {', '.join(f'{by_label_of(by_label, p.address)} {_eth(p.pledge or 0)}' for p in seen.partners)}"
        f" = {_eth(seen.revealed_total or 0)} for a budget of {_eth(seen.budget)}; no allocation yet.")

    _advance(conn, seen.reveal_deadline - seen.now + 1)
    settled = rounds["Initech"].settle_round(rid)
    seen = acme.round(rid)
    vid = seen.venture_id or 0
    venture = conn.suite().escrow.venture(vid)
    out(f"Initech settles: venture #{vid} {venture.name!r} is created in {venture.state.name.lower()} "
        f"(gas {settled.gas_used:,}).")
    out("On chain after the settlement: each partner's share of the budget weighted by its pledge.")
    for p, position in zip(seen.partners, venture.partners, strict=True):
        out(f"  {by_label_of(by_label, p.address)}: pledged {_eth(p.pledge or 0)}, allocated "
            f"{_eth(p.allocation or 0)}, owes the venture {_eth(position.owed)}")
    exact = (sum(p.owed for p in venture.partners) == seen.budget
             and [p.owed for p in venture.partners] == [p.allocation for p in seen.partners])
    out(f"Allocations add up to the budget and equal the venture's contributions, to the wei: "
        f"{'yes' if exact else 'NO'}; Globex pledged more than its share and owes less than its pledge.")

    bonds = {}
    for label, p in zip(PLEDGES, seen.partners, strict=True):
        rounds[label].withdraw_bond(rid)
        bonds[label] = p.bond_refundable
    out(f"Each partner takes its bond back: {', '.join(f'{k} {_eth(v)}' for k, v in bonds.items())}.")
    return {
        "roundId": rid,
        "ventureId": vid,
        "allocations": {by_label_of(by_label, p.address): Money(p.allocation or 0, seen.asset) for p in seen.partners},
        "allocationsExact": exact,
    }


def by_label_of(by_label: dict[str, DemoMember], address: str) -> str:
    return next((label for label, m in by_label.items() if m.address == address), address)
