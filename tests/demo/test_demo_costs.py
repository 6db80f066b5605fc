"""The cost-sharing demo act on a fresh embedded chain: 50/30/20 accepted by a join and a signed
acceptance, three invoices paid by different members, settlement pro rata, everyone at its exact share."""

from __future__ import annotations

from coopetition._demo import DemoMember
from coopetition._demo.costs import demo_act
from coopetition._session import SuiteMember, connect, deploy_suite


def test_demo_act_ends_with_every_participant_at_its_exact_share() -> None:
    base = connect("embedded", 0)
    accounts = base.chain.dev_accounts()
    members = [DemoMember(label, accounts[i + 1], base.as_account(accounts[i + 1]))
               for i, label in enumerate(("Acme", "Globex", "Initech"))]
    deploy_suite(base, [SuiteMember(m.label, m.address) for m in members], 2)
    lines: list[str] = []
    summary = demo_act(base, members, lines.append)
    text = "\n".join(lines)
    assert summary["exact"] is True
    total = 20 * 10**18 + 1
    assert summary["totalBooked"].value == total  # type: ignore[attr-defined]
    costs = {label: money.value for label, money in summary["costs"].items()}  # type: ignore[attr-defined]
    assert costs == {"Acme": total // 2, "Globex": 6 * 10**18, "Initech": 4 * 10**18 + 1}
    assert "Still to accept: Globex, Initech." in text and "Acme submits it: pool #1 is live." in text
    assert text.count("its share, rounded to the wei") == 3 and "MISMATCH" not in text
    assert "Acme     bears 10,000,000,000,000,000,000 wei; exact share 10,000,000,000,000,000,000.5 wei" in text
    assert "Initech  bears 4,000,000,000,000,000,001 wei; exact share 4,000,000,000,000,000,000.2 wei" in text
    assert "Globex pays in 6 ETH." in text and "Initech collects 3.000000000000000001 ETH." in text
    assert "Acme collects 12 ETH." in text and "pool holds 0 ETH" in text
