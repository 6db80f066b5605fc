"""The sealed-round demo act on a fresh embedded chain: three partners pledge sealed (Globex above its
share), what the chain shows in each phase, the settlement into a venture whose contributions are the
allocations, exact to the wei, and the bonds back."""

from __future__ import annotations

import re

from coopetition._demo import DemoMember
from coopetition._demo.rounds import demo_act
from coopetition._session import SuiteMember, connect, deploy_suite

ETHER = 10**18


def test_demo_act_shows_hashes_then_pledges_then_allocations() -> None:
    base = connect("embedded", 0)
    accounts = base.chain.dev_accounts()
    members = [DemoMember(label, accounts[i + 1], base.as_account(accounts[i + 1]))
               for i, label in enumerate(("Acme", "Globex", "Initech"))]
    deploy_suite(base, [SuiteMember(m.label, m.address) for m in members], 2)
    lines: list[str] = []
    summary = demo_act(base, members, lines.append)
    text = "\n".join(lines)
    allocations = {label: money.value for label, money in summary["allocations"].items()}  # type: ignore[attr-defined]
    # 6 ether weighted 3 : 4 : 2 by the cumulative floor: 2, floor(42/9) - 2, the rest
    assert allocations == {"Acme": 2 * ETHER, "Globex": 2_666_666_666_666_666_666, "Initech": 1_333_333_333_333_333_334}
    assert summary["allocationsExact"] is True and summary["ventureId"] == 1
    commit_phase = text[text.index("On chain during the commit phase"):text.index("Acme reveals")]
    assert "3 of 3 committed; pledges visible: 0." in commit_phase
    assert len(re.findall(r"commitment 0x[0-9a-f]{64}", commit_phase)) == 3
    assert "ETH" not in commit_phase  # no amount of any pledge
    assert "pledges Acme 3 ETH, Globex 4 ETH, Initech 2 ETH = 9 ETH for a budget of 6 ETH; no allocation yet." in text
    assert "Globex: pledged 4 ETH, allocated 2.666666666666666666 ETH, owes the venture 2.666666666666666666 ETH" in text
    assert "to the wei: yes" in text
    assert "Each partner takes its bond back: Acme 0.1 ETH, Globex 0.1 ETH, Initech 0.1 ETH." in text
    assert "salt" not in text.replace("its salt stays with it, never printed", "")
