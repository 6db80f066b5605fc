"""coopetition.costs: the domain API back-office scripts import (validation before sending, human
units, token approvals, defaults, typed records, event history) on the embedded chain."""

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
    CostSharingAlreadyVoted,
    CostSharingAmountTooSmall,
    CostSharingClaimExceedsCredit,
    CostSharingDuplicateParticipant,
    CostSharingEvidenceAlreadyUsed,
    CostSharingExpenseNotPending,
    CostSharingInvalidParticipantCount,
    CostSharingInvalidQuorum,
    CostSharingNotMember,
    CostSharingNotParticipant,
    CostSharingNotSubmitter,
    CostSharingSharesNotTotal,
    CostSharingUnknownExpense,
    CostSharingUnknownPool,
)
from coopetition.costs import (
    ExpenseStatus,
    hash_evidence,
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


def test_create_pool_refuses_malformed_input_before_sending(c: Costs) -> None:
    svc = c.service(ACME)
    a = c.addr(ACME)
    block = c.env.w3.eth.block_number
    cases = [
        (lambda: svc.create_pool("", {a: "100%"}, quorum=1), "pool name must not be empty"),
        (lambda: svc.create_pool("x" * 65, {a: "100%"}, quorum=1), "at most 64"),
        (lambda: svc.create_pool("x", {a: "100%"}, quorum=0), "quorum must be at least 1"),
        (lambda: svc.create_pool("x", {"0x12": "100%"}, quorum=1), "not an address"),
        (lambda: svc.create_pool("x", {a.lower()[:-1] + "G": "100%"}, quorum=1), "not an address"),
        (lambda: svc.create_pool("x", {a.swapcase().replace("0X", "0x"): "100%"}, quorum=1), "wrong EIP-55 checksum"),
        (lambda: svc.create_pool("x", {"Nobody": "100%"}, quorum=1), "no member is labelled 'Nobody'"),
        (lambda: svc.create_pool("x", {a: "half"}, quorum=1), "cannot read share"),
        (lambda: svc.create_pool("x", {a: "100%"}, quorum=1, asset="0xnope"), "not an address"),
        (lambda: svc.create_pool("x", {a: "100%"}, quorum=1, asset=c.addr(OUTSIDER)), "has no code"),
    ]
    for call, message in cases:
        with pytest.raises(InputError, match=message):
            call()
    assert c.env.w3.eth.block_number == block


def test_create_pool_leaves_the_contracts_rules_to_the_contract(c: Costs) -> None:
    """Shares summing to 100%, duplicates, quorum above the participants and membership are the
    contract's rules: its simulation refuses them, typed, and nothing is sent."""
    svc = c.service(ACME)
    a, g = c.addr(ACME), c.addr(GLOBEX)
    block = c.env.w3.eth.block_number
    cases = [
        (lambda: svc.create_pool("x", {a: "50%", g: "40%"}, quorum=1), CostSharingSharesNotTotal),
        (lambda: svc.create_pool("x", {}, quorum=1), CostSharingInvalidParticipantCount),
        (lambda: svc.create_pool("x", [(a, "50%"), (a.lower(), "50%")], quorum=1), CostSharingDuplicateParticipant),
        (lambda: svc.create_pool("x", {a: "50%", g: "50%"}, quorum=3), CostSharingInvalidQuorum),
        (lambda: svc.create_pool("x", {a: "50%", c.addr(OUTSIDER): "50%"}, quorum=1), CostSharingNotMember),
        (lambda: c.service(DEPLOYER).create_pool("x", {a: "100%"}, quorum=1), CostSharingNotMember),
    ]
    for call, error in cases:
        with pytest.raises(error):
            call()
    with pytest.raises(CostSharingSharesNotTotal) as err:
        svc.create_pool("x", {a: "50%", g: "40%"}, quorum=1)
    assert err.value.total == 9000
    assert c.env.w3.eth.block_number == block


def test_participants_and_payees_may_be_member_labels(c: Costs) -> None:
    acme = c.service(ACME)
    ref = acme.create_pool("Labels", [("Acme", "60%"), ("Globex", "40%")], quorum=1)
    assert [p.address for p in acme.pool(ref.id).participants] == [c.addr(ACME), c.addr(GLOBEX)]
    exp = acme.submit(ref.id, 10, "Globex", evidence_hash=E)
    assert acme.expense(exp.id).payee == c.addr(GLOBEX)
    assert acme.position(ref.id, "Globex").account == c.addr(GLOBEX)


def test_expense_lifecycle_through_the_service(c: Costs, tmp_path: Path) -> None:
    acme, globex = c.service(ACME), c.service(GLOBEX)
    ref = acme.create_pool("Sensors", [(c.addr(ACME), "50%"), (c.addr(GLOBEX), "30%"), (c.addr(INITECH), "20%")],
                           quorum=2)
    pool = acme.pool(ref.id)
    assert (pool.name, pool.asset.symbol, pool.quorum, pool.held) == ("Sensors", "ETH", 2, 0)
    assert [p.share_bps for p in pool.participants] == [5000, 3000, 2000]
    doc = tmp_path / "inv.txt"
    doc.write_text("lab")
    first = acme.submit(ref.id, "0.5 ether", c.addr(SUPPLIER), evidence=doc, reference="INV-1")
    assert first.evidence_hash == hash_evidence(doc)
    with pytest.raises(CostSharingEvidenceAlreadyUsed):
        globex.submit(ref.id, 10, c.addr(SUPPLIER), evidence=doc)
    with pytest.raises(InputError, match="exactly one"):
        acme.submit(ref.id, 10, c.addr(SUPPLIER))
    with pytest.raises(CostSharingNotParticipant):
        c.service(UMBRELLA).submit(ref.id, 10, c.addr(SUPPLIER), evidence_hash=E)
    with pytest.raises(CostSharingAmountTooSmall) as small:
        acme.submit(ref.id, 4, c.addr(SUPPLIER), evidence_hash=E)
    assert (small.value.amount, small.value.minimum) == (4, 5)
    acme.approve(first.id)
    with pytest.raises(CostSharingAlreadyVoted):
        acme.approve(first.id)
    globex.approve(first.id)
    assert acme.expense(first.id).status is ExpenseStatus.BOOKED
    assert acme.split_of(first.id) == {c.addr(ACME): 25 * 10**16, c.addr(GLOBEX): 15 * 10**16,
                                       c.addr(INITECH): 10 * 10**16}
    with pytest.raises(CostSharingExpenseNotPending):
        acme.withdraw_expense(first.id)
    second = globex.submit(ref.id, 7, c.addr(GLOBEX), evidence_hash=E)
    with pytest.raises(CostSharingNotSubmitter):
        acme.withdraw_expense(second.id)
    with pytest.raises(InputError, match="not booked"):
        acme.split_of(second.id)
    globex.withdraw_expense(second.id)
    third = globex.submit(ref.id, 9, c.addr(GLOBEX), evidence_hash="0x" + "cd" * 32)
    acme.reject(third.id)
    c.service(INITECH).reject(third.id)
    assert [e.status for e in acme.expenses(ref.id)] == [ExpenseStatus.BOOKED, ExpenseStatus.WITHDRAWN,
                                                         ExpenseStatus.REJECTED]
    assert [e.id for e in acme.expenses(ref.id, status=ExpenseStatus.REJECTED)] == [third.id]
    with pytest.raises(CostSharingUnknownPool):
        acme.pool(9)
    with pytest.raises(CostSharingUnknownExpense):
        acme.expense(99)

    # settle: defaults pay the whole debt and claim everything claimable
    with pytest.raises(InputError, match="holds nothing yet"):
        c.service(SUPPLIER).claim(ref.id)
    with pytest.raises(InputError, match="would overpay"):
        acme.pay(ref.id, "0.3 ether")
    acme.pay(ref.id)
    globex.pay(ref.id, "0.1 ether")
    assert acme.claimable(ref.id, c.addr(SUPPLIER)) == 35 * 10**16
    with pytest.raises(CostSharingClaimExceedsCredit):
        c.service(SUPPLIER).claim(ref.id, "0.6 ether")
    c.service(SUPPLIER).claim(ref.id, to=c.addr(OUTSIDER))
    positions = {p.account: p for p in acme.balances(ref.id)}
    assert positions[c.addr(SUPPLIER)].credit == 15 * 10**16
    assert positions[c.addr(GLOBEX)].net == -5 * 10**16
    assert positions[c.addr(ACME)].net == 0
    kinds = [h.kind for h in acme.history(ref.id)]
    assert kinds[:3] == ["created", "submitted", "approved"]
    assert {"booked", "withdrawn", "rejection", "rejected", "paid", "claimed"} <= set(kinds)


def test_pay_in_a_token_pool_approves_the_token_first(c: Costs) -> None:
    token_address = c.deploy_test("MockERC20", ["Test USD", "TUSD", 6])
    token = MockERC20(c.env.w3, token_address, c.env.pipeline(DEPLOYER))
    acme = c.service(ACME)
    ref = acme.create_pool("Tokens", {c.addr(ACME): "60%", c.addr(GLOBEX): "40%"}, quorum=1,
                           asset=token_address)
    pool = acme.pool(ref.id)
    assert (pool.asset.symbol, pool.asset.decimals) == ("TUSD", 6)
    with pytest.raises(InputError, match="does not match the asset"):
        acme.submit(ref.id, "1 ether", c.addr(SUPPLIER), evidence_hash=E)
    exp = acme.submit(ref.id, "1000.5 TUSD", c.addr(SUPPLIER), evidence_hash=E)
    acme.approve(exp.id)
    token.mint(c.addr(GLOBEX), 10**12)
    globex = c.service(GLOBEX)
    tx = globex.pay(ref.id)
    assert tx.status == 1
    assert token.balance_of(c.address) == 400_200_000
    assert token.allowance(c.addr(GLOBEX), c.address) == 0
    assert pool.asset.format(globex.position(ref.id, c.addr(GLOBEX)).paid_in) == "400.2 TUSD"


def test_pay_resets_an_old_partial_allowance_to_zero_first(c: Costs) -> None:
    """USDT refuses to change a non-zero allowance into another: pay resets it to zero, then approves."""
    from _usdt import UsdtStyleSender

    from coopetition.bindings.cost_sharing import CostSharing
    from coopetition.costs import CostSharingService

    token_address = c.deploy_test("MockERC20", ["Tether USD", "USDT", 6])
    acme = c.service(ACME)
    ref = acme.create_pool("USDT", {c.addr(ACME): "60%", c.addr(GLOBEX): "40%"}, quorum=1, asset=token_address)
    exp = acme.submit(ref.id, "1000 USDT", c.addr(SUPPLIER), evidence_hash=E)
    acme.approve(exp.id)
    MockERC20(c.env.w3, token_address, c.env.pipeline(DEPLOYER)).mint(c.addr(GLOBEX), 10**12)
    as_globex = MockERC20(c.env.w3, token_address, c.env.pipeline(GLOBEX))
    as_globex.approve(c.address, 7)  # an old partial allowance
    guarded = UsdtStyleSender(c.env.pipeline(GLOBEX), c.env.w3)
    globex = CostSharingService(CostSharing(c.env.w3, c.address, guarded))
    globex.pay(ref.id)
    assert guarded.approvals == [(token_address, 7, 0), (token_address, 0, 400 * 10**6)]
    assert globex.position(ref.id, "Globex").debt == 0
    assert as_globex.allowance(c.addr(GLOBEX), c.address) == 0
    # enough allowance: no approval at all
    exp2 = acme.submit(ref.id, "10 USDT", c.addr(SUPPLIER), evidence_hash="0x" + "ee" * 32)
    acme.approve(exp2.id)
    as_globex.approve(c.address, 10**9)
    guarded.approvals.clear()
    globex.pay(ref.id)
    assert guarded.approvals == []
