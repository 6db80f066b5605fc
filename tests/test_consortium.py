"""The consortium domain API (coopetition.consortium) on the embedded chain, through the real
transaction pipeline: typed snapshots, proposal helpers, expiry parsing, input validation, and v2's
signed approvals (a proposal executed with two members' signatures submitted by a third, a one-shot
decision, on-chain and signed approvals mixed, pending signatures shown)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from _embedded import EmbeddedEnv

from coopetition import SignedApproval
from coopetition.bindings.consortium import (
    Consortium,
    ConsortiumAlreadyApproved,
    ConsortiumNotMember,
    ConsortiumThresholdNotReached,
)
from coopetition.consortium import (
    ConsortiumService,
    Member,
    Proposal,
    ProposalState,
    constructor_args,
    describe_call,
    validate_label,
)
from coopetition.exceptions import CoopetitionError, InputError

ACME, GLOBEX, INITECH, UMBRELLA, OUTSIDER = 1, 2, 3, 4, 5
DAY = 86_400


@pytest.fixture
def env() -> EmbeddedEnv:
    return EmbeddedEnv.start()


@pytest.fixture
def service(env: EmbeddedEnv) -> ConsortiumService:
    """Acme, Globex and Initech with quorum 2; the service sends as Acme."""
    args = constructor_args({"Acme": env.address(ACME), "Globex": env.address(GLOBEX),
                             "Initech": env.address(INITECH)}, 2)
    address = env.deploy("Consortium", args)
    return ConsortiumService.at(env.w3, address, env.pipeline(ACME))


def as_(env: EmbeddedEnv, service: ConsortiumService, account: int) -> ConsortiumService:
    return service.with_sender(env.pipeline(account))


# ------------------------------------------------------------------------ constructor_args


def test_constructor_args_accepts_mapping_and_pairs(env: EmbeddedEnv) -> None:
    expected = ([env.address(1), env.address(2)], ["Acme", "Globex"], 2, 0, False)
    assert constructor_args({"Acme": env.address(1), "Globex": env.address(2)}, 2) == expected
    lower = [("Acme", env.address(1).lower()), ("Globex", env.address(2).lower())]
    assert constructor_args(lower, 2) == expected  # addresses come back checksummed


@pytest.mark.parametrize(
    ("members", "quorum", "message"),
    [
        ({}, 1, "at least one member"),
        ({"Acme": "0x1234"}, 1, "is not an address"),
        ({"Acme": "0x" + "00" * 20}, 1, "zero address"),
        ({"A" * 33: "0x" + "11" * 20}, 1, "at most 32"),
        ({"": "0x" + "11" * 20}, 1, "must not be empty"),
        ({"Acme": "0x" + "11" * 20}, 0, "at least 1"),
        ({"Acme": "0x" + "11" * 20}, 2, "more than the 1 member"),
        ([("Acme", "0x" + "11" * 20), ("Acme", "0x" + "22" * 20)], 1, "given twice"),
        ([("Acme", "0x" + "11" * 20), ("Globex", "0x" + "11" * 20)], 1, "given twice"),
        ({"Acme": "0x" + "11" * 20, "Globex": "0x" + "22" * 20}, 1, "allow it explicitly"),
    ],
)
def test_constructor_args_refuses_bad_founding(members: object, quorum: int, message: str) -> None:
    with pytest.raises(InputError, match=message) as err:
        constructor_args(members, quorum)  # type: ignore[arg-type]
    assert "\n" not in str(err.value)


def test_validate_label_counts_bytes_not_characters() -> None:
    assert validate_label("é" * 16) == "é" * 16
    with pytest.raises(InputError, match="34 bytes"):
        validate_label("é" * 17)


# --------------------------------------------------------------------------------- reading


def test_members_and_quorum_are_typed(env: EmbeddedEnv, service: ConsortiumService) -> None:
    members = service.members()
    assert members == (Member(env.address(ACME), "Acme"), Member(env.address(GLOBEX), "Globex"),
                       Member(env.address(INITECH), "Initech"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        members[0].label = "Other"  # type: ignore[misc]
    assert service.quorum() == 2
    assert service.member_count() == 3
    assert service.is_member(env.address(GLOBEX))
    assert not service.is_member(env.address(OUTSIDER))


def test_member_resolves_address_or_label(env: EmbeddedEnv, service: ConsortiumService) -> None:
    assert service.member("Globex") == Member(env.address(GLOBEX), "Globex")
    assert service.member(env.address(GLOBEX).lower()) == Member(env.address(GLOBEX), "Globex")
    with pytest.raises(InputError, match=r"no member is labelled 'Nobody' \(members: Acme, Globex, Initech\)"):
        service.member("Nobody")
    with pytest.raises(InputError, match="is not a member"):
        service.member(env.address(OUTSIDER))


# ------------------------------------------------------------------------------- proposing


def test_propose_add_member_builds_the_calldata(env: EmbeddedEnv, service: ConsortiumService) -> None:
    ref = service.propose_add_member(env.address(UMBRELLA), "Umbrella")
    assert ref.id == 1
    proposal = service.proposal(1)
    assert isinstance(proposal, Proposal)
    assert proposal.data == Consortium.encode_add_member(env.address(UMBRELLA), "Umbrella")
    assert proposal.target == service.address
    assert proposal.proposer == env.address(ACME)
    assert proposal.description == f"Admit Umbrella ({env.address(UMBRELLA)})"
    assert proposal.action == f"addMember({env.address(UMBRELLA)}, 'Umbrella')"
    assert (proposal.state, proposal.approvals, proposal.quorum) == (ProposalState.OPEN, 1, 2)
    assert proposal.is_open and not proposal.executable
    assert proposal.expiry == ref.expiry
    assert proposal.proposal_id == ref.proposal_id and len(proposal.proposal_id) == 66
    assert service.proposal(ref.proposal_id) == proposal  # the contract's id names it too
    assert proposal.expiry - env.now() in range(7 * DAY - 5, 7 * DAY + 1)  # default "7d"


def test_full_flow_admits_a_member(env: EmbeddedEnv, service: ConsortiumService) -> None:
    ref = service.propose_add_member(env.address(UMBRELLA), "Umbrella", expiry="36h")
    as_(env, service, GLOBEX).approve(ref.id)
    assert service.proposal(ref.id).executable
    assert service.approvers(ref.id) == (Member(env.address(ACME), "Acme"), Member(env.address(GLOBEX), "Globex"))
    assert service.has_approved(ref.id, "Globex")
    as_(env, service, OUTSIDER).execute(ref.id)
    assert service.member("Umbrella").address == env.address(UMBRELLA)
    assert service.proposal(ref.id).state is ProposalState.EXECUTED
    assert service.proposals(open_only=True) == ()


@pytest.mark.parametrize(("expiry", "seconds"), [("36h", 36 * 3600), ("1d12h", 36 * 3600), (3600, 3600), ("90", 90)])
def test_expiry_durations_count_from_the_latest_block(
    service: ConsortiumService, expiry: str | int, seconds: int
) -> None:
    ref = service.propose_set_quorum(3, expiry=expiry)
    proposal = service.proposal(ref.id)
    assert proposal.expiry - int(service.w3.eth.get_block("latest")["timestamp"]) in range(seconds - 5, seconds + 1)


def test_expiry_as_an_iso_date(env: EmbeddedEnv, service: ConsortiumService) -> None:
    when = datetime.fromtimestamp(env.now() + 30 * DAY, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ref = service.propose_set_quorum(3, expiry=when)
    assert service.proposal(ref.id).expiry == int(datetime.fromisoformat(when.replace("Z", "+00:00")).timestamp())


@pytest.mark.parametrize("expiry", ["soon", "0", 0, -5, "2001-01-01", True])
def test_bad_expiry_is_refused_before_sending(env: EmbeddedEnv, service: ConsortiumService, expiry: object) -> None:
    block = env.w3.eth.block_number
    with pytest.raises(InputError):
        service.propose_set_quorum(3, expiry=expiry)  # type: ignore[arg-type]
    assert env.w3.eth.block_number == block


def test_propose_remove_member_needs_no_approval_of_the_removed(env: EmbeddedEnv, service: ConsortiumService) -> None:
    ref = service.propose_remove_member("Initech")
    # Initech holds the last position: no member comes before it in the contract's list
    assert service.proposal(ref.id).action == f"removeMember({'0x' + '00' * 20}, {env.address(INITECH)})"
    with pytest.raises(ConsortiumThresholdNotReached) as err:
        service.execute(ref.id)
    assert isinstance(err.value, CoopetitionError) and "\n" not in str(err.value)
    as_(env, service, GLOBEX).approve(ref.id)
    service.execute(ref.id)
    assert [m.label for m in service.members()] == ["Acme", "Globex"]


def test_propose_batch_admits_and_raises_the_quorum_atomically(env: EmbeddedEnv, service: ConsortiumService) -> None:
    ref = service.propose_batch(
        [service.add_member_call(env.address(UMBRELLA), "Umbrella"), Consortium.encode_set_quorum(3)],
        "grow to four",
    )
    assert service.proposal(ref.id).action == f"multicall[addMember({env.address(UMBRELLA)}, 'Umbrella'); setQuorum(3)]"
    as_(env, service, GLOBEX).approve(ref.id)
    epoch = service.epoch()
    service.execute(ref.id)
    assert (service.quorum(), service.member_count()) == (3, 4)
    assert service.epoch() > epoch


def test_proposals_open_only_leaves_out_executed_cancelled_and_expired(
    env: EmbeddedEnv, service: ConsortiumService
) -> None:
    executed = service.propose_set_quorum(3)
    as_(env, service, GLOBEX).approve(executed.id)
    service.execute(executed.id)
    cancelled = service.propose_set_quorum(1)
    service.cancel(cancelled.id)
    expiring = service.propose_set_quorum(2, expiry="1h")
    live = service.propose_set_quorum(2, expiry="2d")
    assert [p.id for p in service.proposals()] == [executed.id, cancelled.id, expiring.id, live.id]
    env.time_travel(2 * 3600)
    assert [p.state for p in service.proposals()] == [
        ProposalState.EXECUTED, ProposalState.CANCELLED, ProposalState.EXPIRED, ProposalState.OPEN
    ]
    assert [p.id for p in service.proposals(open_only=True)] == [live.id]


def test_revoke_through_the_service(env: EmbeddedEnv, service: ConsortiumService) -> None:
    ref = service.propose_set_quorum(3)
    service.revoke(ref.id)
    assert service.proposal(ref.id).approvals == 0
    assert service.approvers(ref.id) == ()


def test_contract_refusals_arrive_as_typed_errors(env: EmbeddedEnv, service: ConsortiumService) -> None:
    ref = service.propose_set_quorum(3)
    with pytest.raises(ConsortiumAlreadyApproved):
        service.approve(ref.id)
    with pytest.raises(ConsortiumNotMember):
        as_(env, service, OUTSIDER).propose_set_quorum(1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, e: s.propose("0x1234", b"\x01", "x"), "not an address"),
        (lambda s, e: s.propose(s.address, "0xzz", "x"), "not hex"),
        (lambda s, e: s.propose(s.address, b"", "x"), "would do nothing"),
        (lambda s, e: s.propose(e.address(OUTSIDER), b"", "x", value=-1), "at least 0"),
        (lambda s, e: s.propose_add_member(e.address(GLOBEX), "Other"), "already a member"),
        (lambda s, e: s.propose_add_member(e.address(UMBRELLA), "Globex"), "already used by"),
        (lambda s, e: s.propose_add_member(e.address(UMBRELLA), "U" * 40), "at most 32"),
        (lambda s, e: s.propose_remove_member("Nobody"), "no member is labelled"),
        (lambda s, e: s.propose_set_quorum(0), "at least 1"),
        (lambda s, e: s.propose_batch([], "nothing"), "at least one call"),
        (lambda s, e: s.approve(0), "proposal id must be at least 1"),
        (lambda s, e: s.approve(1), "no proposal #1"),
        (lambda s, e: s.approve("0x1234"), "32-byte id"),
        (lambda s, e: s.execute(), "needs a proposal or signatures"),
        (lambda s, e: s.sign_approval(), "needs a target"),
        (lambda s, e: s.approve("one"), "proposal id must be a whole number"),
        (lambda s, e: s.propose(e.address(OUTSIDER).lower()[:-1] + "G", b"\x01", "x"), "not an address"),
        (lambda s, e: s.propose(_miscased(e.address(OUTSIDER)), b"\x01", "x"), "wrong EIP-55 checksum"),
    ],
)
def test_bad_input_is_one_line_and_sends_nothing(
    env: EmbeddedEnv, service: ConsortiumService, call: object, message: str
) -> None:
    block = env.w3.eth.block_number
    with pytest.raises(InputError, match=message) as err:
        call(service, env)  # type: ignore[operator]
    assert "\n" not in str(err.value)
    assert env.w3.eth.block_number == block


def _miscased(address: str) -> str:
    """``address`` with the case of one letter flipped: a wrong EIP-55 checksum."""
    i = next(i for i, ch in enumerate(address) if i > 1 and ch.isalpha())
    return address[:i] + address[i].swapcase() + address[i + 1:]


def test_unknown_proposals_are_refused_before_sending(env: EmbeddedEnv, service: ConsortiumService) -> None:
    """Proposals are numbered from their creation events: an unknown number or id sends nothing."""
    service.propose_set_quorum(3)
    block = env.w3.eth.block_number
    with pytest.raises(InputError, match=r"no proposal #7: the consortium has 1 proposal\(s\)"):
        service.execute(7)
    with pytest.raises(InputError, match="no proposal has id 0x" + "ab" * 32):
        service.proposal("0x" + "ab" * 32)
    with pytest.raises(InputError, match="no proposal #3"):
        service.has_approved(3, "Acme")
    assert env.w3.eth.block_number == block


# ------------------------------------------------------------------------------ signatures


def test_two_members_sign_and_a_third_party_executes_in_one_transaction(
    env: EmbeddedEnv, service: ConsortiumService
) -> None:
    ref = as_(env, service, INITECH).propose_add_member(env.address(UMBRELLA), "Umbrella")
    as_(env, service, INITECH).revoke(ref.id)  # nobody has approved on chain now
    signed = [as_(env, service, i).sign_approval(ref.id) for i in (ACME, GLOBEX)]
    assert [s.signer for s in signed] == [env.address(ACME), env.address(GLOBEX)]
    block = env.w3.eth.block_number
    status = service.approval_status(ref.id, signed)
    assert env.w3.eth.block_number == block  # signing and showing send nothing
    assert (status.on_chain, status.signed, status.needed, status.enough) == (
        (), (Member(env.address(ACME), "Acme"), Member(env.address(GLOBEX), "Globex")), 2, True)
    # the signatures travel as JSON files
    files = [SignedApproval.from_json(s.to_json()) for s in signed]
    assert files == signed
    with pytest.raises(dataclasses.FrozenInstanceError):
        files[0].signer = env.address(OUTSIDER)  # type: ignore[misc]
    tx = as_(env, service, OUTSIDER).execute(ref.id, signatures=files)
    assert tx.gas_used > 0
    assert service.proposal(ref.id).state is ProposalState.EXECUTED
    assert service.member("Umbrella").address == env.address(UMBRELLA)


def test_on_chain_and_signed_approvals_count_together(env: EmbeddedEnv, service: ConsortiumService) -> None:
    ref = service.propose_set_quorum(3)  # Acme's approval is on chain
    globex = as_(env, service, GLOBEX).sign_approval(ref.id)
    acme_again = service.sign_approval(ref.id)  # already on chain: not pending
    status = service.approval_status(ref.id, [globex, acme_again])
    assert [m.label for m in status.on_chain] == ["Acme"] and [m.label for m in status.signed] == ["Globex"]
    with pytest.raises(ConsortiumThresholdNotReached):
        as_(env, service, OUTSIDER).execute(ref.id)
    as_(env, service, OUTSIDER).execute(ref.id, signatures=[globex])
    assert service.quorum() == 3


def test_a_one_shot_decision_is_signed_then_executed_without_a_proposal(
    env: EmbeddedEnv, service: ConsortiumService
) -> None:
    env.w3.eth.send_transaction({"from": env.address(0), "to": service.address, "value": 10**18})
    payee = env.address(OUTSIDER)
    before = env.w3.eth.get_balance(payee)
    first = service.sign_approval(target=payee, value=10**18, description="pay the auditor", expiry="1d")
    assert first.one_shot and first.decision.nonce == service.decision_nonce()
    second = as_(env, service, INITECH).sign_approval(first)  # co-signs the very same decision
    assert second.proposal_id == first.proposal_id
    as_(env, service, GLOBEX).execute(signatures=[first, second])
    assert env.w3.eth.get_balance(payee) == before + 10**18
    assert service.proposal_count() == 0  # nothing recorded but its events


def test_a_signature_of_another_proposal_is_refused_before_sending(
    env: EmbeddedEnv, service: ConsortiumService
) -> None:
    one = service.propose_set_quorum(3, description="one")
    two = service.propose_set_quorum(3, description="two")
    wrong = as_(env, service, GLOBEX).sign_approval(two.id)
    block = env.w3.eth.block_number
    with pytest.raises(InputError, match="not of an Approval of"):
        service.execute(one.id, signatures=[wrong])
    with pytest.raises(InputError, match="signature file"):
        SignedApproval.from_json('{"kind": "Approval"}')
    assert env.w3.eth.block_number == block


def test_describe_call_for_transfers_and_foreign_calls() -> None:
    me, other = "0x" + "11" * 20, "0x" + "22" * 20
    assert describe_call(me, other, 5, b"") == f"send 5 wei to {other}"
    assert describe_call(me, other, 0, bytes.fromhex("a9059cbb") + b"\x00" * 64) == (
        f"call 0xa9059cbb (68 bytes) on {other}"
    )
    assert describe_call(me, me, 0, Consortium.encode_set_quorum(2)) == "setQuorum(2)"
