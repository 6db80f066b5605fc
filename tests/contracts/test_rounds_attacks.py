"""Attacks on the sealed rounds (issue 17), each driven the way the attacker would (a hostile member's
transactions, an attacker contract or token from contracts/test/, through the typed bindings on a real
EVM), and each harmless: an expelled revealer cannot block the settlement, a silent partner cannot
either, the consortium's sweep cannot take the bonds, a re-entrant bond token or receiver gets nothing
twice, outsiders can neither act for a partner nor move a bond elsewhere, nothing is done twice."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from _consortium import govern, removal
from _escrow_support import EscrowWorld
from _rounds_support import BOND, ETH, ETHER, RoundPlay, allocate, bond_refunds
from eth_account import Account
from mocks.escrow_hook_token import EscrowHookToken
from mocks.escrow_test_actor import EscrowTestActor, EscrowTestActorRefused

from coopetition._abi import selector
from coopetition.bindings.consortium import Consortium
from coopetition.bindings.joint_venture_escrow import (
    JointVentureEscrow,
    JointVentureEscrowNoSurplus,
    JointVentureEscrowNotMember,
    JointVentureEscrowRoundAlreadyCommitted,
    JointVentureEscrowRoundAlreadyRevealed,
    JointVentureEscrowRoundBondAlreadyWithdrawn,
    JointVentureEscrowRoundCommitmentMismatch,
    JointVentureEscrowRoundListsMismatch,
    JointVentureEscrowRoundNotCommitted,
    JointVentureEscrowRoundNotInvited,
    RoundState,
    VentureTerms,
)

ACCEPT, REVERT, REENTER = 0, 1, 2
REENTRANT_CALL = selector("ReentrancyGuardReentrantCall()")
OUTSIDER = 9


@pytest.fixture(scope="module")
def world() -> Iterator[EscrowWorld]:
    yield EscrowWorld.start(5, n_actors=2)  # members 0..4 and two actor contracts; account 9 is an outsider


def actor(world: EscrowWorld, i: int) -> EscrowTestActor:
    return EscrowTestActor(world.w3, world.actors[i], world.pipeline(0))


def fresh() -> str:
    return str(Account.create().address)


def sweep(world: EscrowWorld, asset: str, to: str) -> None:
    govern(world.env, world.consortium_address, JointVentureEscrow.encode_sweep_surplus(asset, to),
           target=world.escrow_address, description="sweep")


# --------------------------------------------------------------- an expelled partner cannot block


def test_an_expelled_revealer_is_left_out_instead_of_blocking_the_settlement() -> None:
    world = EscrowWorld.start(5)  # its own consortium: a member is removed
    pledges = {0: ETHER, 1: 2 * ETHER, 2: 4 * ETHER}
    play = RoundPlay.open(world, list(pledges), budget=3 * ETHER)
    for who, pledge in pledges.items():
        play.commit(who, pledge)
    play.after_commit()
    for who in pledges:
        play.reveal(who)
    expelled = world.address(2)
    govern(world.env, world.consortium_address, removal(Consortium(world.w3, world.consortium_address), expelled))
    assert not Consortium(world.w3, world.consortium_address).is_member(expelled)
    play.after_reveal()
    # the attack: had the round kept it, the venture could never be created (createVenture refuses it)
    esc = world.escrow(None)
    with pytest.raises(JointVentureEscrowNotMember):
        world.escrow(0).create_venture(VentureTerms(
            name="x", asset=ETH, beneficiary=world.address(4), partners=(world.address(0), expelled),
            contributions=(1, 1), milestones=(1,), funding_deadline=play.terms.funding_deadline,
            long_stop=play.terms.long_stop, quorum=1, dissolution_quorum=1))
    vid = play.settle(by=3)
    members = {world.address(i) for i in range(5)} - {expelled}
    expected = allocate([world.address(i) for i in pledges], {world.address(i): p for i, p in pledges.items()},
                        members, 3 * ETHER)
    assert [(a, esc.partner(vid, a).owed) for a in esc.partners(vid)] == expected
    assert expelled not in esc.partners(vid)
    # the expelled partner revealed: it keeps its bond
    world.escrow(2).withdraw_bond(play.round_id, expelled)
    assert esc.round_partner(play.round_id, expelled).bond_withdrawn


def test_an_expelled_revealer_whose_departure_leaves_too_little_fails_the_round() -> None:
    world = EscrowWorld.start(4)
    play = RoundPlay.open(world, [0, 1], budget=3 * ETHER)
    play.commit(0, ETHER)
    play.commit(1, 5 * ETHER)
    play.after_commit()
    play.reveal(0)
    play.reveal(1)
    govern(world.env, world.consortium_address, removal(Consortium(world.w3, world.consortium_address), world.address(1)))
    play.after_reveal()
    assert world.escrow(None).round(play.round_id).state == RoundState.FAILED
    assert play.settle() == 0
    for who in (0, 1):  # both revealed: both bonds come back
        assert world.escrow(None).bond_refundable(play.round_id, world.address(who)) == BOND


# -------------------------------------------------------------- a silent partner cannot block


def test_a_partner_that_commits_and_never_reveals_cannot_block_and_pays_for_it(world: EscrowWorld) -> None:
    play = RoundPlay.open(world, [0, 1, 2, 3], budget=2 * ETHER)
    for who in (0, 1, 2):
        play.commit(who, ETHER)  # partner 3 never even commits
    play.after_commit()
    play.reveal(0)
    play.reveal(1)  # partner 2 stays silent
    play.after_reveal()
    vid = play.settle(by=4)
    esc = world.escrow(None)
    assert [esc.partner(vid, world.address(i)).owed for i in (0, 1)] == [ETHER, ETHER]
    expected = bond_refunds(BOND, [world.address(i) for i in (0, 1, 2)], [world.address(0), world.address(1)])
    assert [esc.bond_refundable(play.round_id, world.address(i)) for i in (0, 1, 2)] == [
        expected[world.address(i)] for i in (0, 1, 2)]
    assert esc.bond_refundable(play.round_id, world.address(3)) == 0
    with pytest.raises(JointVentureEscrowRoundNotCommitted):
        world.escrow(3).withdraw_bond(play.round_id, world.address(3))


# ------------------------------------------------------------------- the sweep and the bonds


def test_a_settler_cannot_change_the_venture_through_the_lists_it_passes_back(world: EscrowWorld) -> None:
    """settleRound takes the round's name, partners and milestones back as calldata (checked against the
    hash recorded at open): every other list is refused, whoever sends it, and the round's own lists
    then settle into exactly the venture its opening terms say."""
    pledges = {0: ETHER, 1: 2 * ETHER, 2: 3 * ETHER}
    play = RoundPlay.open(world, list(pledges), budget=3 * ETHER, milestones=[ETHER, 2 * ETHER])
    for who, pledge in pledges.items():
        play.commit(who, pledge)
    play.after_commit()
    for who in pledges:
        play.reveal(who)
    play.after_reveal()
    name, partners, milestones = play.lists()
    hostile = [
        (name, partners[::-1], milestones),                     # another split order
        (name, partners[:2], milestones),                       # a partner dropped (its share to the others)
        (name, (*partners, world.address(3)), milestones),      # an uninvited member added
        (name, partners, (3 * ETHER,)),                         # the whole budget in the first milestone
        (name, partners, milestones[::-1]),                     # the milestones reordered
        ("sealed!", partners, milestones),                      # another name
    ]
    for who in (2, OUTSIDER):
        for lists in hostile:
            with pytest.raises(JointVentureEscrowRoundListsMismatch) as refused:
                play.simulate(who).settle_round(play.round_id, *lists)
            assert refused.value.round_id == play.round_id
    vid = play.settle(by=OUTSIDER)
    esc = world.escrow(None)
    expected = allocate(list(partners), {world.address(i): p for i, p in pledges.items()},
                        {m.address for m in world.members}, 3 * ETHER)
    assert [(a, esc.partner(vid, a).owed) for a in esc.partners(vid)] == expected
    assert [esc.milestone(vid, k).amount for k in range(2)] == [ETHER, 2 * ETHER]
    assert esc.venture_name(vid) == name


def test_the_consortium_sweep_cannot_take_the_bonds() -> None:
    world = EscrowWorld.start(4)  # its own books
    token = world.deploy_test("MockERC20", ["Bond", "BND", 18])
    for i in (0, 1):
        world.token(token, 0).mint(world.address(i), ETHER)
        world.token(token, i).approve(world.escrow_address, ETHER)
    eth_round = RoundPlay.open(world, [0, 1, 2], bond=BOND)
    tok_round = RoundPlay.open(world, [0, 1], asset=token, bond=ETHER // 2)
    for who in (0, 1):
        eth_round.commit(who, ETHER)
        tok_round.commit(who, ETHER)
    esc = world.escrow(None)
    assert esc.reserved(ETH) == 3 * BOND and esc.reserved(token) == ETHER  # the whole exposure
    # nothing beyond the bonds: no sweep
    with pytest.raises(JointVentureEscrowNoSurplus) as err:
        sweep(world, ETH, fresh())
    assert (err.value.asset, err.value.balance, err.value.reserved) == (ETH, 2 * BOND, 3 * BOND)
    # forced ether and tokens sent directly are surplus, and only they are swept (the exposure of
    # partner 2, which has not committed yet, stays reserved)
    world.deploy_test("ForceSend", [world.escrow_address], value=ETHER + 3)
    world.token(token, 0).mint(world.escrow_address, 11)
    dest = fresh()
    sweep(world, ETH, dest)
    sweep(world, token, dest)
    assert world.env.balance(dest) == ETHER + 3 - BOND
    assert world.token(token).balance_of(dest) == 11
    # every bond is still paid in full afterwards
    eth_round.after_reveal()
    for who in (0, 1):
        to = fresh()
        world.escrow(who).withdraw_bond(eth_round.round_id, to)
        world.escrow(who).withdraw_bond(tok_round.round_id, to)
        assert world.env.balance(to) == BOND and world.token(token).balance_of(to) == ETHER // 2
    eth_round.settle()
    tok_round.settle()
    # the books never fell short: what stays is the exposure released at settle, now surplus
    assert esc.reserved(ETH) == 0 and world.env.balance(world.escrow_address) == BOND
    assert esc.reserved(token) == 0 == world.token(token).balance_of(world.escrow_address)


# ---------------------------------------------------------------------------- re-entrancy


def test_a_hook_token_cannot_reenter_a_commit(world: EscrowWorld) -> None:
    token = world.deploy_test("EscrowHookToken", [])
    hook = EscrowHookToken(world.w3, token, world.pipeline(0))
    a = world.actors[0]
    hook.mint(a, 10 * BOND)
    mock = actor(world, 0)
    mock.act(token, EscrowHookToken.encode_register_hook(True), 0)
    mock.act(token, EscrowHookToken.encode_approve(world.escrow_address, 10 * BOND), 0)
    play = RoundPlay.open(world, [0, a], asset=token, bond=BOND, budget=2 * ETHER)
    c = play.hash_for(a, ETHER, b"\x01" * 32)
    # the hook (run while the bond is pulled) tries to commit a second time
    mock.configure(REENTER, world.escrow_address, JointVentureEscrow.encode_commit_pledge(play.round_id, c))
    mock.act(world.escrow_address, JointVentureEscrow.encode_commit_pledge(play.round_id, c), 0)
    assert mock.reentry_attempted() and not mock.reentry_succeeded()
    assert mock.reentry_return_data() == REENTRANT_CALL
    assert hook.balance_of(world.escrow_address) == BOND and hook.balance_of(a) == 9 * BOND
    assert world.escrow(None).round(play.round_id).committed_count == 1
    mock.configure(ACCEPT, ETH, b"")


def test_a_reentrant_receiver_gets_its_bond_once(world: EscrowWorld) -> None:
    a = world.actors[1]
    play = RoundPlay.open(world, [0, a], budget=2 * ETHER)
    play.commit(0, ETHER)
    mock = actor(world, 1)
    salt = os.urandom(32)
    mock.act(world.escrow_address, JointVentureEscrow.encode_commit_pledge(
        play.round_id, play.hash_for(a, ETHER, salt)), BOND, value=BOND)
    play.after_commit()
    play.reveal(0)
    mock.act(world.escrow_address, JointVentureEscrow.encode_reveal_pledge(play.round_id, ETHER, salt), 0)
    play.after_reveal()
    # its receive() tries to take the bond a second time while it is being paid
    again = JointVentureEscrow.encode_withdraw_bond(play.round_id, a)
    mock.configure(REENTER, world.escrow_address, again)
    before = world.env.balance(a)
    mock.act(world.escrow_address, again, 0)
    assert mock.reentry_attempted() and not mock.reentry_succeeded()
    assert mock.reentry_return_data() == REENTRANT_CALL
    assert world.env.balance(a) == before + BOND
    mock.configure(ACCEPT, ETH, b"")
    with pytest.raises(JointVentureEscrowRoundBondAlreadyWithdrawn):
        world.escrow(0).push_bond(play.round_id, a)


def test_a_partner_that_refuses_ether_strands_only_its_own_bond_and_can_pull_it_elsewhere(world: EscrowWorld) -> None:
    a = world.actors[0]
    play = RoundPlay.open(world, [0, a], budget=2 * ETHER)
    play.commit(0, ETHER)
    mock = actor(world, 0)
    mock.act(world.escrow_address, JointVentureEscrow.encode_commit_pledge(
        play.round_id, play.hash_for(a, ETHER, b"\x02" * 32)), BOND, value=BOND)
    play.after_reveal()  # nobody revealed: both bonds come back
    mock.configure(REVERT, ETH, b"")
    with pytest.raises(EscrowTestActorRefused):
        world.escrow(4).push_bond(play.round_id, a)
    world.escrow(1).push_bond(play.round_id, world.address(0))  # the other partner is not affected
    dest = fresh()
    mock.act(world.escrow_address, JointVentureEscrow.encode_withdraw_bond(play.round_id, dest), 0)
    assert world.env.balance(dest) == BOND
    mock.configure(ACCEPT, ETH, b"")


# ----------------------------------------------------------------- outsiders, doubles, copies


def test_outsiders_and_uninvited_members_can_do_nothing_for_or_against_a_partner(world: EscrowWorld) -> None:
    play = RoundPlay.open(world, [0, 1])
    c = play.hash_for(0, ETHER, b"\x03" * 32)
    for who in (OUTSIDER, 2):  # an outsider, and a member not invited
        esc = JointVentureEscrow(world.w3, world.escrow_address, world.env.pipeline(who))
        with pytest.raises(JointVentureEscrowRoundNotInvited):
            esc.commit_pledge(play.round_id, c, value=BOND)
    play.commit(0, ETHER)
    play.commit(1, 2 * ETHER)
    play.after_commit()
    outsider = JointVentureEscrow(world.w3, world.escrow_address, world.env.pipeline(OUTSIDER))
    with pytest.raises(JointVentureEscrowRoundNotInvited):
        outsider.reveal_pledge(play.round_id, ETHER, b"\x03" * 32)
    play.reveal(0)
    # partner 1 copies partner 0's revealed (pledge, salt): its own address is in the hash
    with pytest.raises(JointVentureEscrowRoundCommitmentMismatch):
        world.escrow(1).reveal_pledge(play.round_id, ETHER, play.salts[world.address(0)])
    play.reveal(1)
    play.after_reveal()
    # an outsider cannot pull a partner's bond to itself, nor push it anywhere but to the partner
    with pytest.raises(JointVentureEscrowRoundNotInvited):
        outsider.withdraw_bond(play.round_id, world.env.address(OUTSIDER))
    with pytest.raises(JointVentureEscrowRoundNotInvited):
        outsider.push_bond(play.round_id, world.env.address(OUTSIDER))
    before = world.balance(0)
    outsider.push_bond(play.round_id, world.address(0))
    assert world.balance(0) == before + BOND
    # an outsider may settle: the venture is exactly the rule's
    vid = RoundPlay(world, play.round_id, play.terms).settle(by=1)
    esc = world.escrow(None)
    assert [esc.partner(vid, world.address(i)).owed for i in (0, 1)] == [ETHER, 2 * ETHER]


def test_nothing_is_done_twice(world: EscrowWorld) -> None:
    play = RoundPlay.open(world, [0, 1])
    play.commit(0, 2 * ETHER)
    with pytest.raises(JointVentureEscrowRoundAlreadyCommitted):
        world.escrow(0).commit_pledge(play.round_id, play.hash_for(0, 3 * ETHER, os.urandom(32)), value=BOND)
    play.after_commit()
    with pytest.raises(JointVentureEscrowRoundNotCommitted):
        world.escrow(1).reveal_pledge(play.round_id, 0, b"\0" * 32)
    play.reveal(0)
    with pytest.raises(JointVentureEscrowRoundAlreadyRevealed):
        play.reveal(0)
    play.after_reveal()
    play.settle()
    world.escrow(0).withdraw_bond(play.round_id, world.address(0))
    with pytest.raises(JointVentureEscrowRoundBondAlreadyWithdrawn):
        world.escrow(0).withdraw_bond(play.round_id, world.address(0))
    with pytest.raises(JointVentureEscrowRoundBondAlreadyWithdrawn):
        world.escrow(1).push_bond(play.round_id, world.address(0))
    assert world.escrow(None).round_partner(play.round_id, world.address(0)).bond_withdrawn
