"""coopetition.costs: the domain API back-office scripts import, driven as a user would on the embedded
chain: consent (join, signed acceptances submitted by the creator), leave, expenses and disputes,
pro-rata collection with a debtor who never pays, token approvals, typed records and history."""

from __future__ import annotations

import hashlib
import itertools
from fractions import Fraction
from pathlib import Path

import pytest
from _costs import ACME, DEPLOYER, GLOBEX, INITECH, OUTSIDER, SUPPLIER, UMBRELLA, Costs
from hypothesis import given
from hypothesis import strategies as st
from mocks.mock_erc20 import MockERC20

from coopetition.bindings.cost_sharing import (
    CostSharing,
    CostSharingAcceptanceExpired,
    CostSharingAlreadyVoted,
    CostSharingClaimExceedsCollectable,
    CostSharingDuplicateParticipant,
    CostSharingEvidenceAlreadyBooked,
    CostSharingInvalidParticipantCount,
    CostSharingInvalidQuorum,
    CostSharingNotMember,
    CostSharingNotParticipant,
    CostSharingNotSubmitter,
    CostSharingOwnClaim,
    CostSharingPoolHasBookings,
    CostSharingSharesNotTotal,
    CostSharingUnknownExpense,
    CostSharingUnknownPool,
    CostSharingWrongExpenseStatus,
    CostSharingWrongPoolStatus,
    PoolStatus,
)
from coopetition.costs import (
    CostSharingService,
    ExpenseStatus,
    SignedAcceptance,
    hash_evidence,
    hash_reason,
    owed_after,
    parse_evidence_hash,
    parse_share,
    split,
)
from coopetition.exceptions import InputError

E = "0x" + "ab" * 32


@pytest.fixture
def c() -> Costs:
    return Costs.start()


def service(c: Costs, who: int) -> CostSharingService:
    """The service as account ``who`` would use it (its own key, through public imports)."""
    return CostSharingService(CostSharing(c.env.w3, c.address, c.env.pipeline(who)))


def live_pool(c: Costs, shares: dict[str, str] | None = None, **terms: object) -> int:
    """A pool Acme proposes and every other participant joins on chain."""
    acme = service(c, ACME)
    wanted = shares or {"Acme": "50%", "Globex": "30%", "Initech": "20%"}
    ref = acme.create_pool("R&D", wanted, **terms)  # type: ignore[arg-type]
    for label in wanted:
        if label != "Acme":
            service(c, {"Globex": GLOBEX, "Initech": INITECH, "Umbrella": UMBRELLA}[label]).join(ref.id)
    assert acme.pool(ref.id).status is PoolStatus.LIVE
    return ref.id


def test_parse_share_reads_basis_points_and_percentages() -> None:
    assert [parse_share(x) for x in (5000, "5000", "5000bps", "50%", "33.34%", " 0.01% ")] == [
        5000, 5000, 5000, 5000, 3334, 1]
    for bad in ("0", "0%", "101%", "33.333%", "half", "", -5, 10_001, True):
        with pytest.raises(InputError):
            parse_share(bad)  # type: ignore[arg-type]


def test_hash_evidence_is_the_sha256_of_the_file(tmp_path: Path) -> None:
    doc = tmp_path / "invoice.pdf"
    doc.write_bytes(b"invoice 42")
    assert hash_evidence(doc) == "0x" + hashlib.sha256(b"invoice 42").hexdigest()
    with pytest.raises(InputError, match="does not exist"):
        hash_evidence(tmp_path / "missing.pdf")


def test_parse_evidence_hash_refuses_malformed_and_zero() -> None:
    assert parse_evidence_hash("AB" * 32) == E
    assert parse_evidence_hash(bytes.fromhex("ab" * 32)) == E
    for bad in ("0x1234", "zz" * 32, "0x" + "00" * 32, b"\x01" * 31):
        with pytest.raises(InputError):
            parse_evidence_hash(bad)


@given(amounts=st.lists(st.integers(1, 10**24), min_size=1, max_size=8),
       cuts=st.lists(st.integers(1, 9_999), min_size=0, max_size=5, unique=True))
def test_split_adds_up_exactly_and_stays_within_one_wei(amounts: list[int], cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), 10_000]
    shares = [b - a for a, b in itertools.pairwise(bounds)]
    total = 0
    for amount in amounts:
        parts = split(amount, shares, booked_before=total)
        assert sum(parts) == amount
        total += amount
    lower = 0
    for share in shares:
        assert abs(Fraction(owed_after(total, lower, share)) - Fraction(total * share, 10_000)) < 1
        lower += share


def test_hash_reason_hashes_text_and_keeps_a_given_hash() -> None:
    from eth_utils.crypto import keccak

    assert hash_reason("invoice is a duplicate") == "0x" + keccak(b"invoice is a duplicate").hex()
    assert hash_reason(E) == E
    with pytest.raises(InputError, match="needs a reason"):
        hash_reason("  ")


def test_create_pool_refuses_malformed_input_before_sending(c: Costs) -> None:
    svc = service(c, ACME)
    a, g = c.addr(ACME), c.addr(GLOBEX)
    two = {a: "50%", g: "50%"}
    block = c.env.w3.eth.block_number
    cases = [
        (lambda: svc.create_pool("", two), "pool name must not be empty"),
        (lambda: svc.create_pool("x" * 65, two), "at most 64"),
        (lambda: svc.create_pool("x", two, quorum=0), "quorum must be at least 1"),
        (lambda: svc.create_pool("x", {"0x12": "100%"}), "not an address"),
        (lambda: svc.create_pool("x", {a.swapcase().replace("0X", "0x"): "100%"}), "wrong EIP-55 checksum"),
        (lambda: svc.create_pool("x", {"Nobody": "100%"}), "no member is labelled 'Nobody'"),
        (lambda: svc.create_pool("x", {a: "half"}), "cannot read share"),
        (lambda: svc.create_pool("x", two, approval="most"), "cannot read share"),
        (lambda: svc.create_pool("x", two, dispute_window="soon"), "dispute window"),
        (lambda: svc.create_pool("x", two, asset=c.addr(OUTSIDER)), "has no code"),
    ]
    for call, message in cases:
        with pytest.raises(InputError, match=message):
            call()
    assert c.env.w3.eth.block_number == block


def test_create_pool_leaves_the_contracts_rules_to_the_contract(c: Costs) -> None:
    """Shares summing to 100%, duplicates, a quorum of one, membership are the contract's rules: its
    simulation refuses them, typed, and nothing is sent."""
    svc = service(c, ACME)
    a, g = c.addr(ACME), c.addr(GLOBEX)
    block = c.env.w3.eth.block_number
    cases = [
        (lambda: svc.create_pool("x", {a: "50%", g: "40%"}), CostSharingSharesNotTotal),
        (lambda: svc.create_pool("x", {a: "100%"}), CostSharingInvalidParticipantCount),
        (lambda: svc.create_pool("x", [(a, "50%"), (a.lower(), "50%")]), CostSharingDuplicateParticipant),
        (lambda: svc.create_pool("x", {a: "50%", g: "50%"}, quorum=1), CostSharingInvalidQuorum),
        (lambda: svc.create_pool("x", {a: "50%", c.addr(OUTSIDER): "50%"}), CostSharingNotMember),
        (lambda: service(c, DEPLOYER).create_pool("x", {a: "50%", g: "50%"}), CostSharingNotMember),
    ]
    for call, error in cases:
        with pytest.raises(error):
            call()
    assert c.env.w3.eth.block_number == block


def test_a_proposed_pool_binds_nobody_until_each_participant_accepted(c: Costs) -> None:
    acme, globex, initech = service(c, ACME), service(c, GLOBEX), service(c, INITECH)
    ref = acme.create_pool("Sensors", [("Acme", "50%"), ("Globex", "30%"), ("Initech", "20%")])
    assert ref.must_accept == (c.addr(GLOBEX), c.addr(INITECH))
    pool = acme.pool(ref.id)
    assert (pool.name, pool.status, pool.approval_bps, pool.quorum) == ("Sensors", PoolStatus.PROPOSED, 5000, 2)
    assert pool.pending == ref.must_accept and pool.terms_hash == ref.terms_hash
    with pytest.raises(CostSharingWrongPoolStatus):
        acme.submit(ref.id, "1 ether", "Acme", evidence_hash=E)
    globex.join(ref.id)
    with pytest.raises(CostSharingWrongPoolStatus):
        acme.submit(ref.id, "1 ether", "Acme", evidence_hash=E)
    assert acme.pool(ref.id).pending == (c.addr(INITECH),)
    initech.join(ref.id)
    assert acme.pool(ref.id).status is PoolStatus.LIVE and acme.pool(ref.id).pending == ()
    assert [h.kind for h in acme.history(ref.id)][:4] == ["proposed", "accepted", "accepted", "accepted"]


def test_signed_acceptances_travel_as_json_and_the_creator_submits_them_in_one_transaction(
    c: Costs, tmp_path: Path
) -> None:
    acme = service(c, ACME)
    ref = acme.create_pool("Signed", {"Acme": "50%", "Globex": "30%", "Initech": "20%"})
    files = []
    for who in (GLOBEX, INITECH):
        signed = service(c, who).sign_terms(ref.id, deadline="1d")
        assert signed.participant == c.addr(who) and signed.terms_hash == ref.terms_hash
        file = tmp_path / f"{who}.json"
        file.write_text(signed.to_json())
        files.append(file)
    block = c.env.w3.eth.block_number
    from coopetition.costs import read_acceptances

    acceptances = read_acceptances(files)
    assert acceptances[0] == SignedAcceptance.from_json(files[0].read_text())
    tx = acme.submit_acceptances(ref.id, acceptances)
    assert c.env.w3.eth.block_number == block + 1
    assert [(e.args["participant"], e.args["signed"]) for e in tx.events if e.name == "TermsAccepted"] == [
        (c.addr(GLOBEX), True), (c.addr(INITECH), True)]
    assert acme.pool(ref.id).status is PoolStatus.LIVE
    assert [h.detail for h in acme.history(ref.id) if h.kind == "accepted"] == ["on chain", "signed", "signed"]


def test_a_signature_for_another_pool_is_refused_and_an_expired_one_by_the_contract(c: Costs) -> None:
    acme = service(c, ACME)
    first = acme.create_pool("One", {"Acme": "50%", "Globex": "50%"})
    second = acme.create_pool("Two", {"Acme": "50%", "Globex": "50%"})
    signed = service(c, GLOBEX).sign_terms(first.id, deadline="1h")
    with pytest.raises(InputError, match=f"is for pool {first.id}"):
        acme.submit_acceptances(second.id, [signed])
    c.env.time_travel(2 * 3600)
    with pytest.raises(CostSharingAcceptanceExpired):
        acme.submit_acceptances(first.id, [signed])
    with pytest.raises(InputError, match="not a signed acceptance"):
        SignedAcceptance.from_json("{}")


def test_leave_voids_a_pool_with_nothing_booked_and_is_refused_once_something_is(c: Costs) -> None:
    acme, globex = service(c, ACME), service(c, GLOBEX)
    declined = acme.create_pool("Declined", {"Acme": "50%", "Globex": "50%"})
    globex.leave(declined.id)
    assert acme.pool(declined.id).status is PoolStatus.DISSOLVED
    with pytest.raises(CostSharingWrongPoolStatus):
        globex.join(declined.id)
    pid = live_pool(c)
    with pytest.raises(CostSharingNotParticipant):
        service(c, UMBRELLA).leave(pid)
    eid = acme.submit(pid, "1 ether", "Acme", evidence_hash=E).id
    globex.approve(eid)
    service(c, INITECH).approve(eid)
    with pytest.raises(CostSharingPoolHasBookings):
        globex.leave(pid)


def test_expenses_need_the_others_approval_and_a_booking_can_be_disputed(c: Costs, tmp_path: Path) -> None:
    acme, globex, initech = service(c, ACME), service(c, GLOBEX), service(c, INITECH)
    pid = live_pool(c)
    doc = tmp_path / "inv.txt"
    doc.write_text("lab")
    first = acme.submit(pid, "10 ether", "Acme", evidence=doc, reference="INV-1")
    assert first.evidence_hash == hash_evidence(doc)
    with pytest.raises(InputError, match="exactly one"):
        acme.submit(pid, 10, c.addr(SUPPLIER))
    with pytest.raises(CostSharingNotParticipant):
        service(c, UMBRELLA).submit(pid, 10, c.addr(SUPPLIER), evidence_hash=E)
    with pytest.raises(CostSharingOwnClaim):
        acme.approve(first.id)  # the payee never votes on its own claim
    globex.approve(first.id)
    with pytest.raises(CostSharingAlreadyVoted):
        globex.approve(first.id)
    assert acme.expense(first.id).status is ExpenseStatus.PENDING  # 30 of the other 50: not more than half
    initech.approve(first.id)
    booked = acme.expense(first.id)
    assert (booked.status, booked.reference, booked.approvals) == (
        ExpenseStatus.BOOKED, "INV-1", (c.addr(GLOBEX), c.addr(INITECH)))
    assert booked.dispute_until == booked.booked_at + 2 * 86_400
    other = live_pool(c)
    with pytest.raises(CostSharingEvidenceAlreadyBooked) as squat:
        acme.submit(other, "1 ether", "Acme", evidence=doc)
    assert (squat.value.pool_id, squat.value.expense_id) == (pid, first.id)
    # the two others dispute it within the window: reversed, its evidence free again
    globex.dispute(first.id, "the lab was never rented")
    initech.dispute(first.id, "duplicate of LAB-13")
    assert acme.expense(first.id).status is ExpenseStatus.REVERSED
    assert acme.position(pid, "Globex").owed == 0
    reasons = [h.detail for h in acme.history(pid) if h.kind == "disputed"]
    assert reasons == [hash_reason("the lab was never rented"), hash_reason("duplicate of LAB-13")]
    again = acme.submit(other, "1 ether", "Acme", evidence=doc)
    second = globex.submit(pid, 7, "Globex", evidence_hash=E)
    with pytest.raises(CostSharingNotSubmitter):
        acme.withdraw_expense(second.id)
    globex.withdraw_expense(second.id)
    with pytest.raises(CostSharingWrongExpenseStatus):
        globex.withdraw_expense(second.id)
    third = globex.submit(pid, 9, "Globex", evidence_hash="0x" + "cd" * 32)
    acme.reject(third.id)
    assert [e.status for e in acme.expenses(pid)] == [ExpenseStatus.REVERSED, ExpenseStatus.WITHDRAWN,
                                                      ExpenseStatus.REJECTED]
    assert [e.id for e in acme.expenses(other)] == [again.id]
    with pytest.raises(CostSharingUnknownPool):
        acme.pool(99)
    with pytest.raises(CostSharingUnknownExpense):
        acme.expense(99)


def test_creditors_collect_pro_rata_and_a_debtor_who_never_pays_keeps_its_debt(c: Costs) -> None:
    acme, globex, initech = service(c, ACME), service(c, GLOBEX), service(c, INITECH)
    ether = 10**18
    pid = live_pool(c)
    for n, (svc, payee) in enumerate(((acme, "Acme"), (globex, "Globex")), start=1):
        eid = svc.submit(pid, "10 ether", payee, evidence_hash=f"0x{n:064x}").id
        for voter in (acme, globex, initech):
            if voter is not svc and voter.expense(eid).status is ExpenseStatus.PENDING:
                voter.approve(eid)
    with pytest.raises(InputError, match="opens for payments and claims"):
        initech.pay(pid)  # the period and its dispute window are not over
    c.open_period(pid, 0)
    with pytest.raises(InputError, match="would overpay"):
        initech.pay(pid, "5 ether")
    acme.pay(pid)
    globex.pay(pid)  # Initech never pays its 4 ether
    paid = {p.account: p for p in acme.balances(pid)}
    assert paid[c.addr(INITECH)].debt == 4 * ether
    # each creditor's part is its credit's share of what was paid in, whoever claims first
    assert paid[c.addr(ACME)].collectable == paid[c.addr(GLOBEX)].collectable == 8 * ether
    with pytest.raises(CostSharingClaimExceedsCollectable):
        globex.claim(pid, "9 ether")
    globex.claim(pid, to="Umbrella")
    acme.claim(pid)
    with pytest.raises(InputError, match="has nothing to collect"):
        acme.claim(pid)
    # the rule closes the pool; the debt stays on record and the shortfall is shared pro rata
    acme.vote_close(pid)
    globex.vote_close(pid)
    assert acme.pool(pid).status is PoolStatus.CLOSED
    assert acme.pool(pid).outstanding == 4 * ether
    # a late payment raises every creditor's part alike
    initech.pay(pid)
    after = {p.account: p for p in acme.balances(pid)}
    assert after[c.addr(ACME)].collectable == after[c.addr(GLOBEX)].collectable == 2 * ether
    service(c, OUTSIDER).push(pid, "Globex", period=0)
    assert acme.position(pid, "Globex", period=0).withdrawn == 10 * ether
    kinds = {h.kind for h in acme.history(pid)}
    assert {"booked", "paid", "claimed", "close-vote", "closed"} <= kinds


def test_pay_in_a_token_pool_approves_the_token_first(c: Costs) -> None:
    token_address = c.deploy_test("MockERC20", ["Test USD", "TUSD", 6])
    token = MockERC20(c.env.w3, token_address, c.env.pipeline(DEPLOYER))
    pid = live_pool(c, {"Acme": "60%", "Globex": "40%"}, asset=token_address)
    acme = service(c, ACME)
    pool = acme.pool(pid)
    assert (pool.asset.symbol, pool.asset.decimals) == ("TUSD", 6)
    with pytest.raises(InputError, match="does not match the asset"):
        acme.submit(pid, "1 ether", c.addr(SUPPLIER), evidence_hash=E)
    exp = acme.submit(pid, "1000.5 TUSD", c.addr(SUPPLIER), evidence_hash=E)
    acme.approve(exp.id)  # an external payee: both participants vote
    service(c, GLOBEX).approve(exp.id)
    token.mint(c.addr(GLOBEX), 10**12)
    c.open_period(pid, 0)
    globex = service(c, GLOBEX)
    assert globex.pay(pid).status == 1
    assert token.balance_of(c.address) == 400_200_000
    assert token.allowance(c.addr(GLOBEX), c.address) == 0
    assert pool.asset.format(globex.position(pid, "Globex").paid) == "400.2 TUSD"


def test_pay_resets_an_old_partial_allowance_to_zero_first(c: Costs) -> None:
    """USDT refuses to change a non-zero allowance into another: pay resets it to zero, then approves."""
    from _usdt import UsdtStyleSender

    token_address = c.deploy_test("MockERC20", ["Tether USD", "USDT", 6])
    pid = live_pool(c, {"Acme": "60%", "Globex": "40%"}, asset=token_address)
    acme = service(c, ACME)
    exp = acme.submit(pid, "1000 USDT", c.addr(SUPPLIER), evidence_hash=E)
    acme.approve(exp.id)
    service(c, GLOBEX).approve(exp.id)
    MockERC20(c.env.w3, token_address, c.env.pipeline(DEPLOYER)).mint(c.addr(GLOBEX), 10**12)
    as_globex = MockERC20(c.env.w3, token_address, c.env.pipeline(GLOBEX))
    as_globex.approve(c.address, 7)  # an old partial allowance
    guarded = UsdtStyleSender(c.env.pipeline(GLOBEX), c.env.w3)
    globex = CostSharingService(CostSharing(c.env.w3, c.address, guarded))
    c.open_period(pid, 0)
    globex.pay(pid)
    assert guarded.approvals == [(token_address, 7, 0), (token_address, 0, 400 * 10**6)]
    assert globex.position(pid, "Globex").debt == 0
    assert as_globex.allowance(c.addr(GLOBEX), c.address) == 0
