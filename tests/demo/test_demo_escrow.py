"""The escrow demo act on a fresh embedded chain: three companies fund a venture, two milestones are
released, the third fails and two partners (the dissolution quorum 3 - 2 + 1) end it with refunds exact
to the wei, one of them pushed to its partner by another."""

from __future__ import annotations

from coopetition._demo import DemoMember
from coopetition._demo.escrow import demo_act
from coopetition._session import SuiteMember, connect, deploy_suite

ETHER = 10**18


def test_demo_act_releases_two_milestones_then_two_partners_dissolve_and_refunds_are_exact() -> None:
    base = connect("embedded", 0)
    accounts = base.chain.dev_accounts()
    members = [DemoMember(label, accounts[i + 1], base.as_account(accounts[i + 1]))
               for i, label in enumerate(("Acme", "Globex", "Initech"))]
    deploy_suite(base, [SuiteMember(m.label, m.address) for m in members], 2)
    lines: list[str] = []
    summary = demo_act(base, members, lines.append)
    text = "\n".join(lines)
    # 3 of 7 ether released; parts floor(3*C_k/7) differences: 1.285714285714285714, 0.857142857142857143 (x2)
    assert summary["released"].value == 3 * ETHER  # type: ignore[attr-defined]
    refunds = {label: money.value for label, money in summary["refunds"].items()}  # type: ignore[attr-defined]
    assert refunds == {"Acme": 1_714_285_714_285_714_286, "Globex": 1_142_857_142_857_142_857,
                       "Initech": 1_142_857_142_857_142_857}
    assert sum(refunds.values()) == 4 * ETHER
    assert summary["refundsExact"] is True
    assert "Milestone 0 (1.5 ether): Acme and Globex approve (2/2), GigaCell releases and withdraws it." in text
    assert "is cancelled: 3 ETH was released, 4 ETH goes back pro rata." in text
    assert "to the wei: yes" in text
    assert "Ways out: 2 of 3 partners can dissolve it; after the long-stop 20" in text
    assert "Acme pushes Initech's refund of 1.142857142857142857 ETH to it" in text
    # balances net of gas: each partner bears exactly its part of the released 3 ether
    assert "net -1.285714285714285714 ETH" in text
    assert text.count("net -0.857142857142857143 ETH") == 2
    assert "net 3 ETH" in text
