"""The escrow's domain API as a back-office script uses it: ``connect("embedded").suite().escrow``,
human amounts and deadlines, typed snapshots and history, one-line InputErrors sent before anything."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from _escrow_support import TEST_ARTIFACTS

from coopetition import connect
from coopetition._session import Connection, SuiteMember, deploy_suite
from coopetition.bindings.joint_venture_escrow import (
    CancelReason,
    DepositedEvent,
    DissolutionVoteWithdrawnEvent,
    JointVentureEscrowAlreadyRefunded,
    JointVentureEscrowDuplicatePartner,
    JointVentureEscrowInvalidDissolutionQuorum,
    JointVentureEscrowInvalidFundingDeadline,
    JointVentureEscrowInvalidLongStop,
    JointVentureEscrowInvalidMilestoneCount,
    JointVentureEscrowInvalidPartnerCount,
    JointVentureEscrowInvalidQuorum,
    JointVentureEscrowInvalidState,
    JointVentureEscrowLongStopNotPassed,
    JointVentureEscrowMilestonesExceedTotal,
    JointVentureEscrowNotMember,
    JointVentureEscrowNotPartner,
    JointVentureEscrowNotVoted,
    JointVentureEscrowUnknownVenture,
    JointVentureEscrowZeroContribution,
    JointVentureEscrowZeroMilestone,
    MilestoneReleasableEvent,
    MilestoneReleasedEvent,
    RefundedEvent,
    VentureCancelledEvent,
    VentureCreatedEvent,
    WithdrawnEvent,
)
from coopetition.escrow import (
    ETH,
    EscrowService,
    MilestoneState,
    State,
    describe_event,
    refund_shares,
)
from coopetition.exceptions import InputError

ETHER = 10**18


@dataclass
class Suite:
    conn: Connection
    members: list[str]

    def escrow(self, index: int) -> EscrowService:
        account = self.conn.chain.dev_accounts()[index]
        return self.conn.as_account(account).suite().escrow


@pytest.fixture(scope="module")
def suite() -> Iterator[Suite]:
    conn = connect("embedded", 0)
    accounts = conn.chain.dev_accounts()
    labels = ["Acme", "Globex", "Initech"]
    deploy_suite(conn, [SuiteMember(label, accounts[i + 1].address) for i, label in enumerate(labels)], 2)
    yield Suite(conn, [str(accounts[i + 1].address) for i in range(3)])


def usdc(suite: Suite) -> str:
    """A 6-decimals test token, minted to the three members."""
    from mocks.mock_erc20 import MockERC20

    from coopetition._artifacts import load_artifact
    from coopetition._chain.deployments import deploy_contract

    artifact = load_artifact("MockERC20", search=[TEST_ARTIFACTS])
    assert suite.conn.sender is not None
    address = deploy_contract(suite.conn.sender, suite.conn.store, name="MockERC20", abi=artifact.abi,
                              bytecode=artifact.bytecode, args=["USD Coin", "USDC", 6], reset=True).address
    token = MockERC20(suite.conn.w3, address, suite.conn.sender)
    for m in suite.members:
        token.mint(m, 100_000 * 10**6)
    return address


def test_create_venture_by_label_in_human_units_returns_the_typed_snapshot(suite: Suite) -> None:
    acme = suite.escrow(1)
    v = acme.create_venture(
        "Battery JV", partners={"Acme": "2.5 ether", "Globex": "1 ether", suite.members[2]: 500},
        milestones=["1 ether", "0.5 ether"], beneficiary=suite.members[2], deadline="30d", quorum=2,
    )
    assert v.name == "Battery JV" and v.state == State.FUNDING and v.asset.is_native
    assert [p.address for p in v.partners] == suite.members
    assert [p.owed for p in v.partners] == [25 * ETHER // 10, ETHER, 500]
    assert [p.owed_before for p in v.partners] == [0, 25 * ETHER // 10, 35 * ETHER // 10]
    assert [m.amount for m in v.milestones] == [ETHER, ETHER // 2]
    assert v.total == 35 * ETHER // 10 + 500 and v.quorum == 2
    now = int(suite.conn.w3.eth.get_block("latest")["timestamp"])
    assert 30 * 86400 - 60 <= v.funding_deadline - now <= 30 * 86400
    assert v.partner(suite.members[1]).remaining == ETHER
    with pytest.raises(InputError):
        v.partner("0x" + "11" * 20)


def test_full_life_cycle_in_a_token_with_history(suite: Suite) -> None:
    token = usdc(suite)
    acme, globex, initech = suite.escrow(1), suite.escrow(2), suite.escrow(3)
    v = acme.create_venture("Chip fab", partners=[("Acme", "12000 USDC"), ("Globex", "8000 USDC")],
                            milestones=["5000 USDC", "5000 USDC"], beneficiary=suite.members[2], asset=token,
                            quorum=1)
    assert (v.asset.symbol, v.asset.decimals, v.total) == ("USDC", 6, 20_000 * 10**6)
    tx = acme.deposit(v.id, "12000 USDC")  # approves the escrow first, then deposits
    assert DepositedEvent.from_result(tx)[0].amount == 12_000 * 10**6
    globex.deposit(v.id, "8000 USDC")
    assert acme.venture(v.id).state == State.ACTIVE
    tx = globex.approve_milestone(v.id, 0, release=True)  # quorum 1: approved and released at once
    assert MilestoneReleasedEvent.from_result(tx)[0].amount == 5000 * 10**6
    assert acme.venture(v.id).milestones[0].state == MilestoneState.RELEASED
    initech.withdraw(v.id)
    acme.vote_dissolution(v.id)  # quorum 1 of 2: dissolution needs 2 - 1 + 1 = 2 votes
    assert acme.dissolution_votes(v.id) == (2, 1) and acme.venture(v.id).state == State.ACTIVE
    globex.dissolve(v.id)
    snap = acme.venture(v.id)
    assert snap.state == State.CANCELLED
    assert [p.refundable for p in snap.partners] == [12_000 * 10**6 - 3000 * 10**6, 8000 * 10**6 - 2000 * 10**6]
    assert refund_shares([p.owed for p in snap.partners], snap.released) == (3000 * 10**6, 2000 * 10**6)
    tx = acme.refund(v.id)
    assert RefundedEvent.from_result(tx)[0].amount == 9000 * 10**6
    globex.refund(v.id)
    assert acme.venture(v.id).held == 0
    history = acme.history(v.id)
    kinds = [type(e).__name__ for e in history]
    assert kinds[0] in ("ContributionSetEvent", "MilestoneSetEvent", "VentureCreatedEvent")
    assert "VentureCreatedEvent" in kinds and kinds[-1] == "RefundedEvent"
    assert [type(e) for e in history if isinstance(e, VentureCancelledEvent)]
    lines = [describe_event(e, snap.asset) for e in history]
    assert any("deposited 12000 USDC" in line for line in lines)
    assert any("cancelled: dissolved by vote" in line for line in lines)
    assert acme.total_held(token) == 0


def test_approve_without_release_leaves_the_milestone_releasable(suite: Suite) -> None:
    acme, globex = suite.escrow(1), suite.escrow(2)
    v = acme.create_venture("JV", partners={"Acme": 10, "Globex": 10}, milestones=[5], beneficiary=suite.members[2],
                            quorum=1)
    acme.deposit(v.id, 10)
    globex.deposit(v.id, 10)
    tx = acme.approve_milestone(v.id, 0)
    assert MilestoneReleasableEvent.from_result(tx)
    assert acme.venture(v.id).milestones[0].state == MilestoneState.RELEASABLE
    assert acme.venture(v.id).milestones[0].approvers == (suite.members[0],)
    acme.release_milestone(v.id, 0)
    assert acme.venture(v.id).state == State.COMPLETED
    assert acme.venture(v.id).withdrawable == 5


def test_expired_venture_is_cancelled_and_refunds(suite: Suite) -> None:
    acme = suite.escrow(1)
    v = acme.create_venture("late", partners={"Acme": 10, "Globex": 10}, milestones=[5],
                            beneficiary=suite.members[2], deadline="1h")
    acme.deposit(v.id, 4)
    tester = suite.conn.w3.provider.ethereum_tester  # type: ignore[attr-defined]
    tester.time_travel(v.funding_deadline + 1)
    tester.mine_blocks(1)
    assert acme.venture(v.id).state == State.CANCELLED
    assert acme.venture(v.id).stored_state == State.FUNDING
    with pytest.raises(JointVentureEscrowInvalidState):  # the contract's own refusal, typed
        acme.deposit(v.id, 1)
    acme.refund(v.id)
    assert acme.venture(v.id).stored_state == State.CANCELLED
    with pytest.raises(JointVentureEscrowInvalidState):
        suite.escrow(2).cancel_expired(v.id)


def test_ventures_lists_everything(suite: Suite) -> None:
    acme = suite.escrow(1)
    all_ventures = acme.ventures()
    assert [v.id for v in all_ventures] == list(range(1, acme.venture_count() + 1))


BASE_ARGS: dict[str, object] = {"name": "x", "partners": {"Acme": "1 ether", "Globex": "1 ether"},
                                "milestones": ["1 ether"]}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"partners": {"Nobody": "1 ether"}}, "no member is labelled 'Nobody'"),
        ({"partners": {"Acme": "1.5"}}, "has decimals but no unit"),
        ({"partners": {"Acme": "1 USDC"}}, "does not match the asset"),
        ({"partners": {"Acme": "-1 ether"}}, "cannot read amount"),
        ({"beneficiary": "0xnope"}, "is not an address"),
        ({"beneficiary": ETH}, "must not be the zero address"),
        ({"beneficiary": "0x" + "aB" * 20}, "wrong EIP-55 checksum"),
        ({"quorum": 0}, "quorum must be at least 1"),
        ({"dissolution_quorum": 0}, "dissolution quorum must be at least 1"),
        ({"long_stop": "whenever"}, "cannot read duration"),
        ({"deadline": "yesterday"}, "cannot read duration"),
        ({"deadline": "2001-01-01"}, "is in the past"),
        ({"asset": "0x" + "34" * 20}, "has no code"),
        ({"name": "x" * 65}, "65 bytes long in UTF-8: at most 64"),
    ],
)
def test_create_refuses_malformed_input_with_one_line_before_sending(suite: Suite, kwargs: dict[str, object],
                                                                     message: str) -> None:
    acme = suite.escrow(1)
    block = suite.conn.w3.eth.block_number
    args = {**BASE_ARGS, "beneficiary": suite.members[2], **kwargs}
    with pytest.raises(InputError) as err:
        acme.create_venture(**args)  # type: ignore[arg-type]
    assert message in str(err.value) and "\n" not in str(err.value)
    assert suite.conn.w3.eth.block_number == block  # nothing sent


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"partners": {}}, JointVentureEscrowInvalidPartnerCount),
        ({"partners": {"0x" + "12" * 20: "1 ether"}}, JointVentureEscrowNotMember),
        ({"partners": [("Acme", "1 ether"), ("Acme", "1 ether")]}, JointVentureEscrowDuplicatePartner),
        ({"partners": {"Acme": "0 ether"}}, JointVentureEscrowZeroContribution),
        ({"milestones": []}, JointVentureEscrowInvalidMilestoneCount),
        ({"milestones": ["2 ether", "1 wei"]}, JointVentureEscrowMilestonesExceedTotal),
        ({"milestones": ["0 ether"]}, JointVentureEscrowZeroMilestone),
        ({"quorum": 3}, JointVentureEscrowInvalidQuorum),
        ({"quorum": 1, "dissolution_quorum": 3}, JointVentureEscrowInvalidDissolutionQuorum),
        ({"deadline": "400d"}, JointVentureEscrowInvalidFundingDeadline),
        ({"deadline": "60d", "long_stop": "30d"}, JointVentureEscrowInvalidLongStop),
        ({"long_stop": "1830d"}, JointVentureEscrowInvalidLongStop),
    ],
)
def test_create_leaves_the_contracts_rules_to_the_contract(suite: Suite, kwargs: dict[str, object],
                                                           error: type[Exception]) -> None:
    """Rules of the contract are not repeated in Python: its simulation refuses them, typed, with the
    values that explain it, before anything is signed."""
    acme = suite.escrow(1)
    block, count = suite.conn.w3.eth.block_number, acme.venture_count()
    args = {**BASE_ARGS, "beneficiary": suite.members[2], **kwargs}
    with pytest.raises(error) as err:
        acme.create_venture(**args)  # type: ignore[arg-type]
    assert "\n" not in str(err.value)
    assert suite.conn.w3.eth.block_number == block and acme.venture_count() == count


def test_create_resolves_member_labels_for_the_beneficiary(suite: Suite) -> None:
    acme = suite.escrow(1)
    terms = acme.terms("labels", partners={"Acme": 1}, milestones=[1], beneficiary="Initech")
    assert terms.beneficiary == suite.members[2] and terms.partners == (suite.members[0],)


def test_actions_refuse_bad_input_before_sending(suite: Suite) -> None:
    acme, outsider = suite.escrow(1), suite.escrow(5)
    v = acme.create_venture("JV", partners={"Acme": 10, "Globex": 10}, milestones=[5], beneficiary=suite.members[2])
    block = suite.conn.w3.eth.block_number
    cases = [
        (lambda: acme.venture(0), "venture id must be at least 1"),
        (lambda: acme.deposit(v.id, 11), "more than"),
        (lambda: acme.deposit(v.id, 0), "more than zero"),
        (lambda: acme.deposit(v.id, "11 wei"), "more than"),
        (lambda: acme.deposit(v.id, "1 USDC"), "does not match the asset"),
        (lambda: outsider.deposit(v.id, 1), "is not a partner"),
        (lambda: acme.release_milestone(v.id, -1), "milestone index must be at least 0"),
        (lambda: acme.withdraw(v.id, to="0xnope"), "is not an address"),
        (lambda: acme.withdraw(v.id, to="Nobody"), "no member is labelled 'Nobody'"),
        (lambda: acme.refund(v.id, to=ETH), "must not be the zero address"),
        (lambda: acme.asset("not-a-token"), "is not an address"),
    ]
    for action, message in cases:
        with pytest.raises(InputError) as err:
            action()
        assert message in str(err.value), (message, str(err.value))
    with pytest.raises(JointVentureEscrowUnknownVenture):
        acme.venture(10_000)
    with pytest.raises(JointVentureEscrowUnknownVenture):  # not an empty history
        acme.history(10_000)
    with pytest.raises(JointVentureEscrowInvalidState):  # still Funding: the contract's rule, typed
        acme.approve_milestone(v.id, 0)
    read_only = EscrowService.at(suite.conn.w3, acme.address)
    with pytest.raises(InputError, match="needs an account"):
        read_only.withdraw(v.id)
    assert suite.conn.w3.eth.block_number == block


def test_deposit_refuses_a_short_token_balance(suite: Suite) -> None:
    token = usdc(suite)
    acme = suite.escrow(1)
    v = acme.create_venture("big", partners={"Acme": "200000 USDC"}, milestones=["1 USDC"],
                            beneficiary=suite.members[2], asset=token, quorum=1)
    with pytest.raises(InputError, match="holds 100000 USDC, less than"):
        acme.deposit(v.id, "200000 USDC")


def test_dry_run_create_sends_nothing(suite: Suite) -> None:
    acme = suite.escrow(1)
    pipeline = suite.conn.as_account(suite.conn.chain.dev_accounts()[1]).sender
    assert pipeline is not None
    pipeline.dry_run = True
    dry = EscrowService.at(suite.conn.w3, acme.address, pipeline)
    assert dry.sender_address == suite.members[0]
    count, block = acme.venture_count(), suite.conn.w3.eth.block_number
    ref = dry.create(acme.terms("dry", partners={"Acme": 1}, milestones=[1], beneficiary=suite.members[2]))
    assert ref.id == 0 and ref.tx.dry_run and ref.tx.gas_used > 0
    with pytest.raises(InputError, match="dry run"):
        dry.create_venture("dry", partners={"Acme": 1}, milestones=[1], beneficiary=suite.members[2])
    assert acme.venture_count() == count and suite.conn.w3.eth.block_number == block


def test_created_event_matches_the_snapshot(suite: Suite) -> None:
    acme = suite.escrow(1)
    ref = acme.create(acme.terms("evt", partners={"Globex": 3, "Initech": 4}, milestones=[7],
                                 beneficiary=suite.members[0]))
    created = VentureCreatedEvent.from_result(ref.tx)[0]
    v = acme.venture(ref.id)
    assert (created.venture_id, created.total, created.name, created.creator) == (v.id, v.total, v.name, v.creator)


def test_deposit_resets_a_short_allowance_before_approving(suite: Suite) -> None:
    from mocks.mock_erc20 import MockERC20

    token = usdc(suite)
    acme = suite.escrow(1)
    v = acme.create_venture("allowance", partners={"Acme": "100 USDC"}, milestones=["1 USDC"],
                            beneficiary=suite.members[2], asset=token, quorum=1)
    as_acme = MockERC20(suite.conn.w3, token, suite.conn.as_account(suite.conn.chain.dev_accounts()[1]).sender)
    as_acme.approve(acme.address, 5)
    start = suite.conn.w3.eth.block_number
    acme.deposit(v.id, "100 USDC")
    approvals = as_acme.events.approval(from_block=start + 1, owner=suite.members[0])
    assert [a.value for a in approvals] == [0, 100 * 10**6]
    assert acme.venture(v.id).state == State.ACTIVE


# ------------------------------------------------------------------------------ the ways out


def fund_readme_venture(suite: Suite, **extra: object) -> int:
    """The README's two-partner venture (Acme 2 ether, Globex 1 ether, the library's defaults), funded."""
    acme, globex = suite.escrow(1), suite.escrow(2)
    v = acme.create_venture("Battery JV", partners={"Acme": "2 ether", "Globex": "1 ether"},
                            milestones=["1 ether", "1.5 ether"], beneficiary=suite.members[2], **extra)  # type: ignore[arg-type]
    acme.deposit(v.id, "2 ether")
    globex.deposit(v.id, "1 ether")
    return v.id


@pytest.mark.parametrize("dissolver", [1, 2], ids=["Acme", "Globex"])
def test_the_readme_two_partner_venture_is_dissolved_by_either_partner_alone(suite: Suite, dissolver: int) -> None:
    acme, globex = suite.escrow(1), suite.escrow(2)
    vid = fund_readme_venture(suite)
    v = acme.venture(vid)
    assert (v.quorum, v.dissolution_quorum, v.state) == (2, 1, State.ACTIVE)  # 2-of-2 releases, 1 dissolves
    now = int(suite.conn.w3.eth.get_block("latest")["timestamp"])
    assert 730 * 86400 - 60 <= v.long_stop - now <= 730 * 86400
    assert v.partners[0].exits[0] == "vote to dissolve: 1 of 2 partners needed, 0 voted"
    assert v.partners[1].exits[1].startswith("after 20") and v.partners[1].exits[1].endswith("any partner may cancel")
    acme.approve_milestone(vid, 0)
    globex.approve_milestone(vid, 0, release=True)  # 1 ether of 3 released
    suite.escrow(dissolver).dissolve(vid)
    v = acme.venture(vid)
    assert v.state == State.CANCELLED
    assert [p.refundable for p in v.partners] == [2 * ETHER - 2 * ETHER // 3, ETHER - (ETHER - 2 * ETHER // 3)]
    assert v.partners[0].exits == (f"refund {v.asset.format(v.partners[0].refundable)}",)
    acme.refund(vid)
    globex.refund(vid)
    v = acme.venture(vid)
    assert v.held == v.withdrawable == ETHER and v.refunded == 2 * ETHER
    assert [p.exits for p in v.partners] == [("refunded",), ("refunded",)]


def test_defaults_never_deadlock_whatever_the_number_of_partners() -> None:
    from coopetition.escrow import default_dissolution_quorum, default_quorum

    for n in range(1, 101):
        q = default_quorum(n)
        d = default_dissolution_quorum(n, q)
        assert 1 <= q <= n and 1 <= d <= n - q + 1  # the contract's bounds
        assert d + q > n  # whoever withholds enough approvals to block a release can dissolve
        for quorum in range(1, n + 1):  # an explicit quorum: the default dissolution is still the bound
            assert default_dissolution_quorum(n, quorum) == n - quorum + 1


def test_after_the_long_stop_any_partner_cancels_and_everyone_refunds(suite: Suite) -> None:
    acme, globex, outsider = suite.escrow(1), suite.escrow(2), suite.escrow(5)
    start = suite.conn.w3.eth.block_number
    vid = fund_readme_venture(suite, deadline="10d", long_stop="40d")
    v = acme.venture(vid)
    with pytest.raises(JointVentureEscrowLongStopNotPassed):
        globex.cancel_after_long_stop(vid)
    tester = suite.conn.w3.provider.ethereum_tester  # type: ignore[attr-defined]
    tester.time_travel(v.long_stop + 1)
    tester.mine_blocks(1)
    assert acme.venture(vid).partners[1].exits[1].startswith("long-stop passed (")
    with pytest.raises(JointVentureEscrowNotPartner):  # only a partner may cancel
        outsider.cancel_after_long_stop(vid)
    tx = globex.cancel_after_long_stop(vid)
    assert VentureCancelledEvent.from_result(tx)[0].reason == CancelReason.LONG_STOP_PASSED
    v = acme.venture(vid)
    assert v.state == State.CANCELLED and [p.refundable for p in v.partners] == [2 * ETHER, ETHER]
    assert describe_event(acme.history(vid, from_block=start)[-1], v.asset) == "cancelled: long-stop passed"


def test_a_partner_withdraws_its_vote_and_votes_reset_at_activation(suite: Suite) -> None:
    acme, globex, initech = suite.escrow(1), suite.escrow(2), suite.escrow(3)
    start = suite.conn.w3.eth.block_number
    v = acme.create_venture("three", partners={"Acme": 10, "Globex": 10, "Initech": 10}, milestones=[5],
                            beneficiary=suite.members[2])
    assert (v.quorum, v.dissolution_quorum) == (2, 2)
    acme.dissolve(v.id)  # cast while funding...
    assert acme.venture(v.id).partners[0].voted_dissolution
    assert acme.venture(v.id).partners[0].exits[0].startswith("voted to dissolve: 1 of 2 needed")
    for who in (acme, globex, initech):
        who.deposit(v.id, 10)
    assert acme.dissolution_votes(v.id) == (2, 0)  # ...cleared at activation
    acme.dissolve(v.id)
    tx = acme.withdraw_vote(v.id)
    assert DissolutionVoteWithdrawnEvent.from_result(tx)[0].votes == 0
    with pytest.raises(JointVentureEscrowNotVoted):
        acme.withdraw_vote(v.id)
    acme.dissolve(v.id)
    with pytest.raises(JointVentureEscrowNotVoted):
        globex.withdraw_vote(v.id)
    initech.dissolve(v.id)
    assert acme.venture(v.id).state == State.CANCELLED
    lines = [describe_event(e, v.asset) for e in acme.history(v.id, from_block=start)]
    assert any("withdrew its dissolution vote (0 vote(s))" in line for line in lines)


def test_anyone_pushes_the_beneficiarys_money_and_a_partners_refund(suite: Suite) -> None:
    acme, globex, outsider = suite.escrow(1), suite.escrow(2), suite.escrow(5)
    vid = fund_readme_venture(suite)
    acme.approve_milestone(vid, 0)
    globex.approve_milestone(vid, 0, release=True)
    w3 = suite.conn.w3
    beneficiary = suite.members[2]
    before = w3.eth.get_balance(beneficiary)  # type: ignore[arg-type]
    tx = outsider.push_withdrawal(vid)  # a dev account that is no member at all
    assert WithdrawnEvent.from_result(tx)[0].to == beneficiary
    assert w3.eth.get_balance(beneficiary) - before == ETHER  # type: ignore[arg-type]
    assert acme.venture(vid).withdrawable == 0
    globex.dissolve(vid)
    refund = acme.venture(vid).partner(suite.members[1]).refundable
    before = w3.eth.get_balance(suite.members[1])  # type: ignore[arg-type]
    tx = outsider.push_refund(vid, "Globex")
    assert (RefundedEvent.from_result(tx)[0].to, RefundedEvent.from_result(tx)[0].amount) == (suite.members[1], refund)
    assert w3.eth.get_balance(suite.members[1]) - before == refund  # type: ignore[arg-type]
    with pytest.raises(JointVentureEscrowAlreadyRefunded):
        globex.refund(vid)
