"""The demo's consortium act: one decision approved on chain, one by signatures, the gas of each."""

from __future__ import annotations

from coopetition._demo import FOUNDERS, NEWCOMER, DemoMember, consortium_act
from coopetition._session import SuiteMember, connect, deploy_suite


def test_act_one_decides_on_chain_then_by_signatures_and_prints_the_gas() -> None:
    base = connect("embedded", 0)
    accounts = base.chain.dev_accounts()
    founders = [DemoMember(label, accounts[i + 1], base.as_account(accounts[i + 1])) for i, label in enumerate(FOUNDERS)]
    newcomer = DemoMember(NEWCOMER, accounts[4], base.as_account(accounts[4]))
    deploy_suite(base, [SuiteMember(m.label, m.address) for m in founders], 2)
    auditor = accounts[5].address
    before = base.w3.eth.get_balance(auditor)
    lines: list[str] = []
    gas = consortium_act(base, founders, newcomer, lines.append)
    text = "\n".join(lines)
    assert "Executing with one approval is refused: " in text and "ConsortiumThresholdNotReached" in text
    assert "Members now: Acme, Globex, Initech, Umbrella; quorum 2 of 4." in text
    assert f"executed in one transaction (gas {gas['signed']:,})" in text
    assert f"{gas['onChain']:,} gas in all" in text
    assert 0 < gas["signed"] < gas["onChain"]  # one transaction beats propose + approve + execute
    assert base.w3.eth.get_balance(auditor) == before + 10**18
    assert founders[0].connection.suite().consortium.proposal_count() == 1  # the payment was never recorded
