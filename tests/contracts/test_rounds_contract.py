"""Sealed negotiation rounds of the JointVentureEscrow (issue 17) on a real EVM (eth-tester), through the
generated typed binding: opening rules, commitments that bind, the timing edges to the second, the
allocation rule (checked against the Python model of tests/_rounds_support.py), bonds to the wei, the
effective state, the reserve books."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from _escrow_support import EscrowWorld
from _rounds_support import BOND, ETH, ETHER, U112, RoundPlay, allocate, bond_refunds, commitment
from eth_account import Account

from coopetition.bindings.joint_venture_escrow import ABI as ESCROW_ABI
from coopetition.bindings.joint_venture_escrow import (
    BondWithdrawnEvent,
    JointVentureEscrowAssetNotContract,
    JointVentureEscrowInvalidFundingDeadline,
    JointVentureEscrowInvalidLongStop,
    JointVentureEscrowInvalidName,
    JointVentureEscrowMilestonesExceedTotal,
    JointVentureEscrowNotMember,
    JointVentureEscrowRoundAlreadySettled,
    JointVentureEscrowRoundCommitmentMismatch,
    JointVentureEscrowRoundDuplicatePartner,
    JointVentureEscrowRoundInvalidAmounts,
    JointVentureEscrowRoundInvalidDates,
    JointVentureEscrowRoundInvalidPartnerCount,
    JointVentureEscrowRoundNoBond,
    JointVentureEscrowRoundUnknown,
    JointVentureEscrowRoundWrongBond,
    JointVentureEscrowRoundWrongPhase,
    JointVentureEscrowZeroBeneficiary,
    JointVentureEscrowZeroMilestone,
    JointVentureEscrowZeroRecipient,
    PledgeCommittedEvent,
    PledgeRevealedEvent,
    RoundFailedEvent,
    RoundOpenedEvent,
    RoundPartnerInvitedEvent,
    RoundSettledEvent,
    RoundState,
    RoundTerms,
    State,
)

OUTSIDER = 9


@pytest.fixture(scope="module")
def world() -> Iterator[EscrowWorld]:
    yield EscrowWorld.start(6)  # members 0..5 (5 is the default beneficiary); account 9 is not a member


def change(terms: RoundTerms, **fields: object) -> RoundTerms:
    return RoundTerms(**{**terms.__dict__, **fields})


def played(world: EscrowWorld, pledges: dict[int, int], *, reveal: tuple[int, ...] | None = None,
           **kw: object) -> RoundPlay:
    """A round of the partners in ``pledges`` (in that order), each committing its pledge; ``reveal``
    (default: all) reveal after the commit deadline; the clock is then past the reveal deadline."""
    play = RoundPlay.open(world, list(pledges), **kw)  # type: ignore[arg-type]
    for who, pledge in pledges.items():
        play.commit(who, pledge)
    play.after_commit()
    for who in pledges if reveal is None else reveal:
        play.reveal(who)
    play.after_reveal()
    return play


# ------------------------------------------------------------------------------------ opening


def test_open_records_the_terms_and_reserves_the_bond_exposure(world: EscrowWorld) -> None:
    esc = world.escrow(None)
    before = esc.reserved(ETH)
    terms = RoundPlay.make_terms(world, [0, 1, 2], budget=3 * ETHER, bond=BOND, milestones=(ETHER, 2 * ETHER))
    tx = world.escrow(1).open_round(terms)
    opened = RoundOpenedEvent.from_result(tx)[0]
    rid = opened.round_id
    assert (opened.opener, opened.asset, opened.budget, opened.bond, opened.name) == (
        world.address(1), ETH, 3 * ETHER, BOND, "sealed")
    assert (opened.commit_deadline, opened.reveal_deadline) == (terms.commit_deadline, terms.reveal_deadline)
    invited = RoundPartnerInvitedEvent.from_result(tx)
    assert [(e.partner, e.index) for e in invited] == [(world.address(i), i) for i in range(3)]
    assert esc.round_count() >= rid and esc.reserved(ETH) == before + 3 * BOND
    r = esc.round(rid)
    assert (r.opener, r.beneficiary, r.budget, r.bond, r.partner_count, r.quorum) == (
        world.address(1), terms.beneficiary, 3 * ETHER, BOND, 3, 2)
    assert (r.committed_count, r.revealed_count, r.revealed_total, r.venture_id, r.finalized) == (0, 0, 0, 0, False)
    assert r.state == RoundState.COMMIT and r.funding_deadline == terms.funding_deadline
    lists = esc.round_lists(rid)
    assert (lists.name, lists.milestones) == ("sealed", (ETHER, 2 * ETHER))
    assert lists.partners == tuple(world.address(i) for i in range(3))
    p = esc.round_partner(rid, world.address(0))
    assert (p.invited, p.committed, p.revealed, p.commitment, p.pledge, p.allocation) == (
        True, False, False, b"\0" * 32, 0, 0)
    assert not esc.round_partner(rid, world.address(4)).invited
    with pytest.raises(JointVentureEscrowRoundUnknown):
        esc.round(10**6)


def test_open_refuses_bad_terms_each_with_its_error(world: EscrowWorld) -> None:
    good = RoundPlay.make_terms(world, [0, 1, 2])
    now = world.env.now()

    def open_(**fields: object) -> None:
        world.escrow(0).open_round(change(good, **fields))

    with pytest.raises(JointVentureEscrowRoundInvalidPartnerCount) as e1:
        open_(partners=(world.address(0),))
    assert (e1.value.count, e1.value.max) == (1, 20)
    with pytest.raises(JointVentureEscrowRoundInvalidPartnerCount):
        open_(partners=tuple(Account.create().address for _ in range(21)))
    with pytest.raises(JointVentureEscrowRoundDuplicatePartner) as e2:
        open_(partners=(world.address(0), world.address(1), world.address(0)))
    assert e2.value.partner == world.address(0)
    with pytest.raises(JointVentureEscrowNotMember) as e3:
        open_(partners=(world.address(0), world.env.address(OUTSIDER)))
    assert e3.value.account == world.env.address(OUTSIDER)
    with pytest.raises(JointVentureEscrowNotMember):
        RoundPlay(world, 0, good).world.escrow(OUTSIDER).open_round(good)
    for fields in ({"budget": 0}, {"budget": U112 + 1}, {"bond": 2**96}, {"quorum": 0}):
        with pytest.raises(JointVentureEscrowRoundInvalidAmounts):
            open_(**fields)
    for fields in ({"commit_deadline": now}, {"reveal_deadline": good.commit_deadline},
                   {"funding_deadline": good.reveal_deadline}):
        with pytest.raises(JointVentureEscrowRoundInvalidDates) as e4:
            open_(**fields)
        assert e4.value.commit_deadline == fields.get("commit_deadline", good.commit_deadline)
    with pytest.raises(JointVentureEscrowInvalidFundingDeadline):
        open_(funding_deadline=now + 366 * 86400, long_stop=now + 400 * 86400)
    with pytest.raises(JointVentureEscrowInvalidLongStop):
        open_(long_stop=good.funding_deadline)
    with pytest.raises(JointVentureEscrowMilestonesExceedTotal) as e5:
        open_(milestones=(good.budget, 1))
    assert (e5.value.milestone_total, e5.value.total) == (good.budget + 1, good.budget)
    with pytest.raises(JointVentureEscrowZeroMilestone):
        open_(milestones=(1, 0))
    with pytest.raises(JointVentureEscrowInvalidName):
        open_(name="x" * 65)
    with pytest.raises(JointVentureEscrowZeroBeneficiary):
        open_(beneficiary=ETH)
    with pytest.raises(JointVentureEscrowAssetNotContract):
        open_(asset=world.address(3))


# ------------------------------------------------------------------------------ commitments


def test_the_escrow_accepts_exactly_the_documented_hash_and_has_no_view_that_takes_a_pledge(
        world: EscrowWorld) -> None:
    # No view computes a commitment: calling one on a node would hand the pledge to the node before
    # its reveal. The hash is computed locally (tests/_rounds_support.commitment, written from the NatSpec).
    assert not [f for f in ESCROW_ABI if f.get("type") == "function" and "ommitment" in f["name"]]
    play = RoundPlay.open(world, [0, 1])
    salt = os.urandom(32)
    chain_id = int(world.w3.eth.chain_id)
    documented = commitment(chain_id, world.escrow_address, play.round_id, world.address(0), 12345, salt)
    world.escrow(0).commit_pledge(play.round_id, documented, value=play.terms.bond)
    play.after_commit()
    world.escrow(0).reveal_pledge(play.round_id, 12345, salt)
    assert world.escrow(None).round_partner(play.round_id, world.address(0)).pledge == 12345


def test_commitments_bind_amount_salt_partner_round_escrow_and_chain(world: EscrowWorld) -> None:
    play = RoundPlay.open(world, [0, 1, 2])
    other = RoundPlay.open(world, [0, 1, 2])
    pledge, salt = 2 * ETHER, os.urandom(32)
    chain_id = int(world.w3.eth.chain_id)
    second_escrow = world.env.deploy("JointVentureEscrow", [world.consortium_address])
    commits = {
        0: play.hash_for(0, pledge, salt),
        # partner 1 copies partner 0's commitment word for word
        1: play.hash_for(0, pledge, salt),
        # partner 2 commits for the other round, for another escrow (2 rounds), for another chain
    }
    commits[2] = other.hash_for(2, pledge, salt)
    for who, c in commits.items():
        tx = world.escrow(who).commit_pledge(play.round_id, c, value=BOND)
        assert PledgeCommittedEvent.from_result(tx)[0].commitment == c
    play.after_commit()

    def refused(who: int, amount: int, s: bytes) -> JointVentureEscrowRoundCommitmentMismatch:
        with pytest.raises(JointVentureEscrowRoundCommitmentMismatch) as err:
            world.escrow(who).reveal_pledge(play.round_id, amount, s)
        assert (err.value.round_id, err.value.partner, err.value.committed) == (
            play.round_id, world.address(who), commits[who])
        return err.value

    refused(0, pledge + 1, salt)  # another amount
    refused(0, pledge, os.urandom(32))  # another salt
    err = refused(1, pledge, salt)  # the copied commitment: partner 1's address is in the hash
    assert err.computed == play.hash_for(1, pledge, salt)
    refused(2, pledge, salt)  # made for the other round
    # the same secret made for another escrow or another chain never matches this round's hash
    assert commitment(chain_id, second_escrow, play.round_id, world.address(0), pledge, salt) != commits[0]
    assert commitment(chain_id + 1, world.escrow_address, play.round_id, world.address(0), pledge, salt) != commits[0]
    tx = world.escrow(0).reveal_pledge(play.round_id, pledge, salt)  # the right one passes
    ev = PledgeRevealedEvent.from_result(tx)[0]
    assert (ev.round_id, ev.partner, ev.pledge) == (play.round_id, world.address(0), pledge)
    assert world.escrow(None).round_partner(play.round_id, world.address(0)).pledge == pledge


def test_a_commitment_made_for_another_escrow_is_refused_there(world: EscrowWorld) -> None:
    second = world.env.deploy("JointVentureEscrow", [world.consortium_address])
    play = RoundPlay.open(world, [0, 1])
    from coopetition.bindings.joint_venture_escrow import JointVentureEscrow

    other = JointVentureEscrow(world.w3, second, world.pipeline(0))
    other.open_round(play.terms)  # round 1 there, the same terms
    salt = os.urandom(32)
    mine = play.hash_for(0, ETHER, salt)  # made for the first escrow's round
    other.commit_pledge(1, mine, value=BOND)
    play.after_commit()
    with pytest.raises(JointVentureEscrowRoundCommitmentMismatch):
        other.reveal_pledge(1, ETHER, salt)


# ----------------------------------------------------------------------------------- timing


def block_time(world: EscrowWorld, tx: object) -> int:
    return int(world.w3.eth.get_block(tx.block_number)["timestamp"])  # type: ignore[attr-defined]


def test_commit_at_the_deadline_is_accepted_and_one_second_later_refused(world: EscrowWorld) -> None:
    play = RoundPlay.open(world, [0, 1, 2])
    t = play.terms
    play.commit(0, ETHER)
    play.next_block_at(t.commit_deadline)
    assert block_time(world, play.commit(1, 2 * ETHER)) == t.commit_deadline  # AT the deadline: accepted
    play.clock_at(t.commit_deadline + 1)
    with pytest.raises(JointVentureEscrowRoundWrongPhase) as err:  # one second later: refused
        play.simulate(2).commit_pledge(play.round_id, play.hash_for(2, ETHER, b"\1" * 32), value=BOND)
    assert (err.value.round_id, err.value.state) == (play.round_id, RoundState.REVEAL)


def test_reveal_at_the_reveal_deadline_is_accepted_and_one_second_later_refused(world: EscrowWorld) -> None:
    play = RoundPlay.open(world, [0, 1])
    t = play.terms
    play.commit(0, ETHER)
    play.commit(1, 2 * ETHER)
    play.next_block_at(t.reveal_deadline)
    assert block_time(world, play.reveal(0)) == t.reveal_deadline  # AT the reveal deadline: accepted
    play.clock_at(t.reveal_deadline + 1)
    with pytest.raises(JointVentureEscrowRoundWrongPhase) as err:  # one second late: refused
        play.simulate(1).reveal_pledge(play.round_id, 2 * ETHER, play.salts[world.address(1)])
    # the effective state after the reveal phase: only partner 0's 1 ether was revealed, short of 3
    assert err.value.state == RoundState.FAILED
    assert world.escrow(None).round(play.round_id).state == RoundState.FAILED


def test_reveal_at_the_commit_deadline_and_settle_at_the_reveal_deadline_are_refused(world: EscrowWorld) -> None:
    play = RoundPlay.open(world, [0, 1])
    t = play.terms
    play.commit(0, 2 * ETHER)
    play.commit(1, 2 * ETHER)
    play.clock_at(t.commit_deadline)
    with pytest.raises(JointVentureEscrowRoundWrongPhase) as err:  # AT the commit deadline: refused
        play.simulate(0).reveal_pledge(play.round_id, 2 * ETHER, play.salts[world.address(0)])
    assert err.value.state == RoundState.COMMIT
    tx = play.direct(0).reveal_pledge(play.round_id, 2 * ETHER, play.salts[world.address(0)])
    assert block_time(world, tx) == t.commit_deadline + 1  # one second after it: accepted
    play.reveal(1)
    play.clock_at(t.reveal_deadline)
    with pytest.raises(JointVentureEscrowRoundWrongPhase) as err:  # AT the reveal deadline: too early
        play.simulate(OUTSIDER).settle_round(play.round_id, *play.lists())
    assert err.value.state == RoundState.REVEAL
    tx = play.direct(OUTSIDER).settle_round(play.round_id, *play.lists())  # one second later anyone settles
    assert block_time(world, tx) == t.reveal_deadline + 1
    assert RoundSettledEvent.from_result(tx)[0].venture_id > 0


# ------------------------------------------------------------------------------- allocation


def test_settle_creates_the_venture_by_the_allocation_rule(world: EscrowWorld) -> None:
    # three partners pledge sealed; partner 2 pledges far above its share
    pledges = {0: ETHER, 1: 2 * ETHER, 2: 5 * ETHER + 7}
    play = played(world, pledges, budget=3 * ETHER, quorum=2, by=1)
    esc = world.escrow(None)
    assert esc.round(play.round_id).state == RoundState.SETTLED and not esc.round(play.round_id).finalized
    tx = world.escrow(OUTSIDER).settle_round(play.round_id, *play.lists())
    settled = RoundSettledEvent.from_result(tx)[0]
    vid = settled.venture_id
    assert settled.revealed_total == sum(pledges.values())
    expected = allocate([world.address(i) for i in pledges], {world.address(i): p for i, p in pledges.items()},
                        {m.address for m in world.members}, 3 * ETHER)
    assert list(esc.partners(vid)) == [a for a, _ in expected]
    assert [esc.partner(vid, a).owed for a, _ in expected] == [s for _, s in expected]
    assert sum(s for _, s in expected) == 3 * ETHER
    assert all(s <= pledges[i] for (_, s), i in zip(expected, pledges, strict=True))
    v = esc.venture(vid)
    assert (v.creator, v.beneficiary, v.total, v.state) == (world.address(1), play.terms.beneficiary, 3 * ETHER,
                                                           State.FUNDING)
    assert (v.quorum, v.dissolution_quorum) == (2, 2)
    assert (v.funding_deadline, v.long_stop) == (play.terms.funding_deadline, play.terms.long_stop)
    assert esc.venture_name(vid) == "sealed"
    assert [esc.milestone(vid, i).amount for i in range(v.milestone_count)] == list(play.terms.milestones)
    r = esc.round(play.round_id)
    assert (r.state, r.venture_id, r.finalized) == (RoundState.SETTLED, vid, True)
    for i, (a, s) in enumerate(expected):
        assert esc.round_partner(play.round_id, a).allocation == s, i
    with pytest.raises(JointVentureEscrowRoundAlreadySettled):
        world.escrow(0).settle_round(play.round_id, *play.lists())
    # partners deposit as in any venture
    for i, (_, s) in enumerate(expected):
        world.escrow(i).deposit(vid, s, value=s)
    assert esc.venture(vid).state == State.ACTIVE


def test_quorum_is_capped_and_dissolution_is_the_easiest_exit(world: EscrowWorld) -> None:
    play = played(world, {0: 2 * ETHER, 1: 2 * ETHER, 2: 0}, quorum=5)
    vid = play.settle()
    v = world.escrow(None).venture(vid)
    assert (v.partner_count, v.quorum, v.dissolution_quorum) == (2, 2, 1)  # partner 2 pledged 0: left out


def test_short_pledges_fail_the_round_and_every_bond_returns(world: EscrowWorld) -> None:
    play = played(world, {0: ETHER, 1: ETHER}, budget=3 * ETHER)
    esc = world.escrow(None)
    assert esc.round(play.round_id).state == RoundState.FAILED
    count = esc.venture_count()
    tx = world.escrow(OUTSIDER).settle_round(play.round_id, *play.lists())
    failed = RoundFailedEvent.from_result(tx)[0]
    assert (failed.revealed_total, failed.budget) == (2 * ETHER, 3 * ETHER)
    assert esc.venture_count() == count and esc.round(play.round_id).finalized
    for who in (0, 1):
        assert esc.bond_refundable(play.round_id, world.address(who)) == BOND


def test_a_partner_whose_share_rounds_to_zero_is_left_out_and_the_sum_stays_exact(world: EscrowWorld) -> None:
    # budget 10 wei; one whale and ten pledges of 1 wei: the split is computed again without the zeros
    partners = list(range(5))
    pledges = {0: 10**6, 1: 1, 2: 1, 3: 1, 4: 3}
    play = played(world, pledges, budget=10, milestones=(10,))
    vid = play.settle()
    esc = world.escrow(None)
    expected = allocate([world.address(i) for i in partners], {world.address(i): p for i, p in pledges.items()},
                        {m.address for m in world.members}, 10)
    assert [(a, esc.partner(vid, a).owed) for a in esc.partners(vid)] == expected
    assert sum(s for _, s in expected) == 10 and len(expected) < len(partners)


def test_a_pledge_above_2_112_counts_as_2_112_minus_1(world: EscrowWorld) -> None:
    play = played(world, {0: 2**200, 1: U112}, budget=2 * ETHER, milestones=(ETHER,))
    esc = world.escrow(None)
    assert esc.round_partner(play.round_id, world.address(0)).pledge == U112
    vid = play.settle()
    assert [esc.partner(vid, world.address(i)).owed for i in (0, 1)] == [ETHER, ETHER]


def test_funding_deadline_passed_at_settle_fails_the_round(world: EscrowWorld) -> None:
    play = played(world, {0: 2 * ETHER, 1: 2 * ETHER}, funding_for=50)
    play.clock_at(play.terms.funding_deadline - 1)
    assert world.escrow(None).round(play.round_id).state == RoundState.SETTLED
    world.env.time_travel(1)  # at the funding deadline the venture could not be created any more
    assert world.escrow(None).round(play.round_id).state == RoundState.FAILED
    assert play.settle() == 0 and world.escrow(None).round(play.round_id).finalized


# ------------------------------------------------------------------------------------ bonds


def test_non_revealers_forfeit_their_bonds_to_the_revealers_to_the_wei(world: EscrowWorld) -> None:
    bond = 10**16 + 1
    play = played(world, {0: 2 * ETHER, 1: 2 * ETHER, 2: 2 * ETHER, 3: ETHER, 4: ETHER}, bond=bond,
                  reveal=(2, 0, 1))
    esc = world.escrow(None)
    committed = [world.address(i) for i in range(5)]
    expected = bond_refunds(bond, committed, [world.address(i) for i in (2, 0, 1)])
    for a in committed:
        assert esc.bond_refundable(play.round_id, a) == expected[a]
    assert sum(expected.values()) == 5 * bond
    play.settle()
    start = esc.reserved(ETH)
    for i in (0, 1, 2):
        a = world.address(i)
        dest = Account.create().address
        tx = world.escrow(i).withdraw_bond(play.round_id, dest)
        ev = BondWithdrawnEvent.from_result(tx)[0]
        assert (ev.partner, ev.to, ev.amount) == (a, dest, expected[a]) and world.balance(dest) == expected[a]
    assert esc.reserved(ETH) == start - 5 * bond
    for i in (3, 4):
        with pytest.raises(JointVentureEscrowRoundNoBond):
            world.escrow(i).withdraw_bond(play.round_id, world.address(i))


def test_if_nobody_reveals_each_gets_its_own_bond_back_and_pushing_pays_the_partner(world: EscrowWorld) -> None:
    play = played(world, {0: ETHER, 1: ETHER}, reveal=())
    esc = world.escrow(None)
    assert esc.round(play.round_id).state == RoundState.FAILED
    before = world.balance(1)
    tx = world.escrow(OUTSIDER).push_bond(play.round_id, world.address(1))
    assert BondWithdrawnEvent.from_result(tx)[0].to == world.address(1) and world.balance(1) == before + BOND
    assert esc.round_partner(play.round_id, world.address(1)).bond_withdrawn
    with pytest.raises(JointVentureEscrowZeroRecipient):
        world.escrow(0).withdraw_bond(play.round_id, ETH)


def test_bonds_wait_for_the_reveal_deadline_and_need_the_exact_value(world: EscrowWorld) -> None:
    play = RoundPlay.open(world, [0, 1])
    for value in (0, BOND - 1, BOND + 1):
        with pytest.raises(JointVentureEscrowRoundWrongBond) as err:
            play.commit(0, ETHER, value=value)
        assert (err.value.value, err.value.bond) == (value, BOND)
    play.commit(0, ETHER)
    with pytest.raises(JointVentureEscrowRoundWrongPhase):
        world.escrow(0).withdraw_bond(play.round_id, world.address(0))
    assert world.escrow(None).bond_refundable(play.round_id, world.address(0)) == 0


def test_an_erc20_round_takes_the_bond_in_the_token_and_no_ether(world: EscrowWorld) -> None:
    token = world.deploy_test("MockERC20", ["Bond", "BND", 18])
    t = world.token(token)
    for i in (0, 1):
        t.mint(world.address(i), 10 * ETHER)
        world.token(token, i).approve(world.escrow_address, 10 * ETHER)
    play = RoundPlay.open(world, [0, 1], asset=token, bond=ETHER, budget=2 * ETHER)
    assert world.escrow(None).reserved(token) == 2 * ETHER
    with pytest.raises(JointVentureEscrowRoundWrongBond):
        play.commit(0, 2 * ETHER, value=1)
    play.commit(0, 2 * ETHER)
    play.commit(1, 2 * ETHER)
    assert t.balance_of(world.escrow_address) == 2 * ETHER
    play.after_commit()
    play.reveal(0)
    play.after_reveal()
    vid = play.settle()
    assert world.escrow(None).venture(vid).asset == token
    world.escrow(0).withdraw_bond(play.round_id, world.address(0))
    assert t.balance_of(world.address(0)) == 10 * ETHER + ETHER  # its bond and partner 1's forfeited one
    assert world.escrow(None).reserved(token) == 2 * ETHER  # the venture's total only
