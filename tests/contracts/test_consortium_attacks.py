"""Regression tests of the attacks on Consortium v1 (issue 13), driven as an attacker or a stuck
consortium would drive them, on the embedded chain through the typed binding. Each now does no harm.

1. Revival: under v1 the proposer's approval was automatic, approvals never expired and a later
   ``setQuorum(1)`` let anyone execute every old open proposal at once (a member received 10 ether from a
   proposal nobody else approved).
2. N-of-N lost key: under v1 the member with the lost key could not be removed
   (``QuorumNotReached(3, 4)``) and governance froze for good.
3. What the fix for 2 must not open: a member of a 2-of-2 consortium expelling the other in one
   transaction and spending alone.
4. An expelled proposer cancelling its own quorum-approved proposal.
"""

from __future__ import annotations

import pytest
from _consortium import DAY, Gov
from _embedded import EmbeddedEnv

from coopetition.bindings.consortium import (
    Consortium,
    ConsortiumCancelAfterThreshold,
    ConsortiumDelayNotElapsed,
    ConsortiumDelayRequired,
    ConsortiumInvalidSignature,
    ConsortiumNotMember,
    ConsortiumProposalNotLive,
    ConsortiumThresholdNotReached,
    ProposalState,
)

ETHER = 10**18
DEPLOYER, MALLORY, ALICE, BOB, CAROL, OUTSIDER = 0, 1, 2, 3, 4, 5


def test_revival_after_a_quorum_change_pays_nothing(env: EmbeddedEnv) -> None:
    # Founders who chose single approvals may lower the quorum to 1; Mallory prepares for that day.
    gov = Gov.deploy(env, [MALLORY, ALICE, BOB], ["Mallory", "Alice", "Bob"], 2, single=True)
    env.send_ether(DEPLOYER, gov.address, 20 * ETHER)
    stale = gov.propose(MALLORY, b"", target=gov.addr(MALLORY), value=10 * ETHER, description="consulting fee",
                        ttl=89 * DAY)
    stale_signed = gov.decision(b"", target=gov.addr(MALLORY), value=10 * ETHER, description="bonus")
    alice_once = gov.signature(ALICE, stale_signed)  # Alice once signed a bonus that never got a 2nd signature

    gov.govern(Consortium.encode_set_quorum(1), by=ALICE)  # decided for other reasons
    before = env.balance(gov.addr(MALLORY))
    mallory = gov.as_(MALLORY)
    with pytest.raises(ConsortiumProposalNotLive) as err:
        gov.execute(stale, by=MALLORY)
    assert err.value.state is ProposalState.SUPERSEDED
    with pytest.raises(ConsortiumProposalNotLive):
        mallory.approve(stale)
    with pytest.raises(ConsortiumInvalidSignature):  # the old signature, presented in the new epoch
        mallory.execute_with_signatures(stale_signed.target, stale_signed.value, b"", stale_signed.description_hash,
                                        stale_signed.expiry, gov.view.decision_nonce(), [alice_once])
    with pytest.raises(ConsortiumProposalNotLive):  # nor as a recorded proposal of the old epoch
        mallory.approve_with_signatures(stale, [gov.signature(ALICE, gov.decision_of(stale))])
    assert env.balance(gov.addr(MALLORY)) <= before  # nothing (the pipeline does not even send a failing call)
    assert env.balance(gov.address) == 20 * ETHER


def test_revival_of_a_quorum_approved_proposal_after_a_membership_change(env: EmbeddedEnv) -> None:
    gov = Gov.deploy(env, [MALLORY, ALICE, BOB], ["Mallory", "Alice", "Bob"], 2)
    env.send_ether(DEPLOYER, gov.address, 20 * ETHER)
    approved = gov.propose(ALICE, b"", target=gov.addr(MALLORY), value=10 * ETHER, description="advance")
    gov.as_(MALLORY).approve(approved)  # approved, but the others then decide to admit Carol first
    gov.govern(Consortium.encode_add_member(gov.addr(CAROL), "Carol"), by=ALICE)
    with pytest.raises(ConsortiumProposalNotLive) as err:
        gov.execute(approved, by=MALLORY)
    assert err.value.state is ProposalState.SUPERSEDED
    assert env.balance(gov.address) == 20 * ETHER


def test_a_lost_key_in_an_n_of_n_consortium_no_longer_freezes_governance(env: EmbeddedEnv) -> None:
    gov = Gov.deploy(env, [ALICE, BOB, CAROL], ["Alice", "Bob", "Carol"], 3)
    env.send_ether(DEPLOYER, gov.address, 5 * ETHER)
    # Carol's key is lost. Alice and Bob cannot pass anything else ...
    stuck = gov.propose(ALICE, b"", target=gov.addr(OUTSIDER), value=ETHER)
    gov.as_(BOB).approve(stuck)
    with pytest.raises(ConsortiumThresholdNotReached):
        gov.execute(stuck)
    # ... but removing Carol needs min(3, 3 - 1) = 2 approvals, without Carol's.
    removal = gov.removal(gov.addr(CAROL))
    assert gov.view.threshold_for(gov.address, removal) == 2
    with pytest.raises(ConsortiumDelayRequired):  # not at once: Carol could still object if she can
        gov.execute_signed(gov.one_shot(removal), [ALICE, BOB])
    pid = gov.propose(ALICE, removal, ttl=8 * DAY)
    gov.as_(BOB).approve(pid)
    assert gov.view.proposal_state(pid) is ProposalState.QUEUED
    with pytest.raises(ConsortiumDelayNotElapsed):
        gov.execute(pid)
    env.time_travel(7 * DAY)
    gov.execute(pid)
    assert (gov.view.member_count(), gov.view.quorum()) == (2, 2)  # the quorum follows the members
    gov.execute_signed(gov.one_shot(b"", target=gov.addr(OUTSIDER), value=ETHER), [ALICE, BOB])
    assert env.balance(gov.address) == 4 * ETHER


def test_a_member_of_a_2_of_2_consortium_cannot_expel_the_other_and_spend_alone(env: EmbeddedEnv) -> None:
    gov = Gov.deploy(env, [MALLORY, ALICE], ["Mallory", "Alice"], 2)
    env.send_ether(DEPLOYER, gov.address, 5 * ETHER)
    expel = gov.removal(gov.addr(ALICE))
    assert gov.view.threshold_for(gov.address, expel) == 1  # Alice's approval is not needed ...
    with pytest.raises(ConsortiumDelayRequired) as err:  # ... but not in one transaction
        gov.execute_signed(gov.one_shot(expel), [MALLORY], by=MALLORY)
    assert err.value.delay == 7 * DAY
    pid = gov.propose(MALLORY, expel, ttl=8 * DAY)  # her own approval meets the threshold: queued
    assert gov.view.proposal_state(pid) is ProposalState.QUEUED
    with pytest.raises(ConsortiumDelayNotElapsed):
        gov.execute(pid, by=MALLORY)
    gov.as_(ALICE).object(pid)  # one objection is a veto when quorum = members
    assert gov.view.proposal_state(pid) is ProposalState.VETOED
    env.time_travel(7 * DAY)
    with pytest.raises(ConsortiumProposalNotLive):
        gov.execute(pid, by=MALLORY)
    assert gov.view.is_member(gov.addr(ALICE))
    assert env.balance(gov.address) == 5 * ETHER


def test_an_expelled_proposer_cannot_cancel_its_quorum_approved_proposal(env: EmbeddedEnv) -> None:
    gov = Gov.deploy(env, [MALLORY, ALICE, BOB], ["Mallory", "Alice", "Bob"], 2)
    approved = gov.propose(MALLORY, Consortium.encode_add_member(gov.addr(CAROL), "Carol"))
    gov.as_(ALICE).approve(approved)
    with pytest.raises(ConsortiumCancelAfterThreshold):  # alone, not once the threshold is reached
        gov.as_(MALLORY).cancel(approved)
    gov.govern(gov.removal(gov.addr(MALLORY)), by=ALICE)
    with pytest.raises(ConsortiumProposalNotLive):  # superseded by the removal
        gov.as_(MALLORY).cancel(approved)
    with pytest.raises(ConsortiumNotMember):
        gov.as_(MALLORY).propose(gov.address, 0, b"", "x", env.now() + 3600)


@pytest.fixture
def env() -> EmbeddedEnv:
    return EmbeddedEnv.start()
