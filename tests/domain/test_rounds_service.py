"""Sealed rounds through the public library on the embedded chain: open, commit (salt returned, and
kept by a store only when asked), what is visible in each phase, reveal from the store, settle into
a venture whose contributions are the allocations, bonds; every refusal before anything is sent; a
failed send keeps the salt for a retry."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from _rounds_support import commitment

from coopetition import (
    Connection,
    InputError,
    RoundPhase,
    RoundsService,
    SaltStore,
    SuiteMember,
    TransactionError,
    TransactionPipeline,
    connect,
    deploy_suite,
    pledge_commitment,
)

ETHER = 10**18
LABELS = ("Acme", "Globex", "Initech")


@dataclass
class Env:
    base: Connection
    members: list[Connection]
    salts: SaltStore

    def rounds(self, k: int, *, store: bool = True) -> RoundsService:
        service = self.members[k].suite().rounds
        return service.with_salts(self.salts) if store else service

    def now(self) -> int:
        return int(self.base.w3.eth.get_block("latest")["timestamp"])

    def travel_to(self, timestamp: int) -> None:
        """Mine a block at ``timestamp``: the chain's clock (the latest block) reads it."""
        tester = self.base.w3.provider.ethereum_tester  # type: ignore[attr-defined]
        tester.time_travel(timestamp)
        tester.mine_blocks(1)

    def open(self, *, bond: str = "0.1 ether", budget: str = "6 ether", partners: tuple[str, ...] = LABELS,
             commit_by: int = 3600, reveal_by: int = 7200) -> int:
        acme = self.rounds(0)
        ref = acme.open(acme.terms("Sodium-ion line", budget=budget, bond=bond, partners=list(partners),
                                   beneficiary=self.beneficiary, milestones=["2 ether", "4 ether"],
                                   commit_by=commit_by, reveal_by=reveal_by, quorum=2))
        assert ref.id >= 1 and not ref.tx.dry_run
        return ref.id

    @property
    def beneficiary(self) -> str:
        return str(self.base.chain.dev_accounts()[5].address)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    base = connect("embedded", 0)
    accounts = base.chain.dev_accounts()
    members = [base.as_account(accounts[i + 1]) for i in range(3)]
    deploy_suite(base, [SuiteMember(label, str(accounts[i + 1].address)) for i, label in enumerate(LABELS)], 2)
    root = tmp_path_factory.mktemp("salts")
    yield Env(base, members, SaltStore(root, chain_id=base.chain.chain_id, genesis_hash=base.chain.genesis_hash))


def test_a_round_from_sealed_pledges_to_a_venture(env: Env) -> None:
    rid = env.open()
    pledges = {0: 3 * ETHER, 1: 4 * ETHER, 2: 2 * ETHER}  # Globex pledges above its share
    commits = {k: env.rounds(k).commit_pledge(rid, amount) for k, amount in pledges.items()}
    for k, done in commits.items():
        me = env.members[k].address
        assert done.salt_file == env.salts.path(env.rounds(k).address, rid, str(me)) and not done.reused
        assert done.salt_file is not None and stat.S_IMODE(done.salt_file.stat().st_mode) == 0o600
        assert len(done.salt) == 32 and done.salt.hex() not in repr(done)
        # the commitment computed locally is the contract's own rule
        # (tests/_rounds_support.commitment is written independently from the NatSpec; the reveals below
        # show that the escrow agrees)
        c = env.rounds(k).contract
        documented = commitment(env.base.chain.chain_id, c.address, rid, me, pledges[k], done.salt)
        assert done.commitment == "0x" + documented.hex()
        assert pledge_commitment(chain_id=env.base.chain.chain_id, escrow=c.address, round_id=rid, partner=me,
                                 pledge=pledges[k], salt=done.salt) == documented
    assert len({d.salt for d in commits.values()}) == 3

    seen = env.rounds(2).round(rid)
    assert seen.phase == RoundPhase.COMMIT and seen.committed == 3 and seen.revealed == 0
    assert seen.revealed_total is None and seen.venture_id is None
    assert [p.commitment for p in seen.partners] == [commits[k].commitment for k in range(3)]
    assert all(p.pledge is None and p.allocation is None for p in seen.partners)
    assert [m.amount for m in seen.milestones] == [2 * ETHER, 4 * ETHER] and seen.budget == 6 * ETHER

    env.travel_to(seen.commit_deadline + 1)
    for k in range(3):
        shown = env.rounds(k).reveal_pledge(rid)  # pledge and salt read back from the store
        assert shown.pledge == pledges[k]
    seen = env.rounds(0).round(rid)
    assert seen.phase == RoundPhase.REVEAL and seen.revealed == 3 and seen.revealed_total == 9 * ETHER
    assert [p.pledge for p in seen.partners] == [pledges[k] for k in range(3)]
    assert all(p.allocation is None for p in seen.partners)

    env.travel_to(seen.reveal_deadline + 1)
    env.rounds(2, store=False).settle_round(rid)
    seen = env.rounds(0).round(rid)
    assert seen.phase == RoundPhase.SETTLED and seen.venture_id
    budget = 6 * ETHER  # cumulative floor of the budget weighted by 3 : 4 : 2 over 9
    expected = [budget * 3 // 9, budget * 7 // 9 - budget * 3 // 9, budget - budget * 7 // 9]
    assert [p.allocation for p in seen.partners] == expected and sum(expected) == budget
    venture = env.members[0].suite().escrow.venture(seen.venture_id)
    assert [p.owed for p in venture.partners] == expected
    assert venture.creator == env.members[0].address and venture.beneficiary == env.beneficiary
    assert [m.amount for m in venture.milestones] == [2 * ETHER, 4 * ETHER]

    for k in range(3):
        assert seen.partners[k].bond_refundable == ETHER // 10
    before = env.base.w3.eth.get_balance(env.members[1].address)  # type: ignore[arg-type]
    env.rounds(0).push_bond(rid, "Globex")  # anyone pushes to the partner itself
    assert env.base.w3.eth.get_balance(env.members[1].address) - before == ETHER // 10  # type: ignore[arg-type]
    env.rounds(0).withdraw_bond(rid)
    with pytest.raises(InputError, match=r"no bond to pay .* it was paid already"):
        env.rounds(0).withdraw_bond(rid)
    with pytest.raises(InputError, match="already settled"):
        env.rounds(1).settle_round(rid)


def test_the_library_returns_the_salt_and_saves_nothing_without_a_store(env: Env) -> None:
    rid = env.open(bond="0")
    plain = env.rounds(0, store=False)
    done = plain.commit_pledge(rid, "1 ether")
    assert done.salt_file is None and len(done.salt) == 32
    assert env.salts.load(plain.address, rid, env.members[0].address) is None
    env.rounds(1, store=False).commit_pledge(rid, "5 ether", salt=b"\x07" * 32)
    seen = plain.round(rid)
    env.travel_to(seen.commit_deadline + 1)
    with pytest.raises(InputError, match="pass the pledge and the salt"):
        plain.reveal_pledge(rid)
    with pytest.raises(InputError, match=r"do not match .*another amount or another salt"):
        plain.reveal_pledge(rid, "2 ether", done.salt)
    with pytest.raises(InputError, match="do not match"):
        plain.reveal_pledge(rid, "1 ether", b"\x00" * 32)
    assert plain.reveal_pledge(rid, "1 ether", done.salt).pledge == ETHER
    env.rounds(1, store=False).reveal_pledge(rid, 5 * ETHER, b"\x07" * 32)
    env.travel_to(seen.reveal_deadline + 1)
    plain.settle_round(rid)
    seen = plain.round(rid)  # 1 + 5 of 6: shares 1 and 5 ether, Initech (no commit) left out
    assert seen.phase == RoundPhase.SETTLED
    assert [p.allocation for p in seen.partners] == [ETHER, 5 * ETHER, 0]


def test_refusals_before_anything_is_sent(env: Env) -> None:
    rid = env.open()
    acme, globex = env.rounds(0), env.rounds(1)
    outsider = env.base.as_account(env.base.chain.dev_accounts()[6]).suite().rounds.with_salts(env.salts)
    nonce = env.base.w3.eth.get_transaction_count(outsider.sender_address)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="is not invited to round"):
        outsider.commit_pledge(rid, "1 ether")
    with pytest.raises(InputError, match="at most 2\\*\\*112 - 1"):
        acme.commit_pledge(rid, 2**112)
    with pytest.raises(InputError, match="there is no round #99"):
        acme.commit_pledge(99, "1 ether")
    with pytest.raises(InputError, match="takes reveals after"):
        acme.reveal_pledge(rid)
    with pytest.raises(InputError, match="settles after its reveal deadline"):
        acme.settle_round(rid)
    with pytest.raises(InputError, match="bonds are paid after the reveal deadline"):
        acme.withdraw_bond(rid)
    assert env.base.w3.eth.get_transaction_count(outsider.sender_address) == nonce  # type: ignore[arg-type]
    acme.commit_pledge(rid, "3 ether")
    with pytest.raises(InputError, match="already committed"):
        acme.commit_pledge(rid, "3 ether")
    globex.commit_pledge(rid, "3 ether")
    seen = acme.round(rid)
    env.travel_to(seen.commit_deadline + 1)
    with pytest.raises(InputError, match="takes commitments until"):
        env.rounds(2).commit_pledge(rid, "1 ether")
    with pytest.raises(InputError, match="did not commit"):
        env.rounds(2).reveal_pledge(rid)
    with pytest.raises(InputError, match="is not the pledge committed"):
        acme.reveal_pledge(rid, "4 ether")
    acme.reveal_pledge(rid)
    with pytest.raises(InputError, match="already revealed"):
        acme.reveal_pledge(rid)
    # Globex never reveals: after the deadline its bond is forfeited to Acme
    env.travel_to(seen.reveal_deadline + 1)
    with pytest.raises(InputError, match="takes reveals after"):
        globex.reveal_pledge(rid)
    with pytest.raises(InputError, match="did not reveal: its bond went to the revealers"):
        globex.withdraw_bond(rid)
    assert acme.round(rid).partner(acme.sender_address).bond_refundable == 2 * ETHER // 10
    acme.settle_round(rid)
    assert acme.round(rid).phase == RoundPhase.FAILED  # 3 of 6 revealed


def test_terms_are_checked_before_sending(env: Env) -> None:
    acme = env.rounds(0)
    with pytest.raises(InputError, match="2 to 20 partners"):
        acme.terms("x", budget="1 ether", partners=["Acme"], beneficiary=env.beneficiary)
    with pytest.raises(InputError, match="invited twice"):
        acme.terms("x", budget="1 ether", partners=["Acme", "Acme"], beneficiary=env.beneficiary)
    with pytest.raises(InputError, match="more than the budget"):
        acme.terms("x", budget="1 ether", partners=["Acme", "Globex"], beneficiary=env.beneficiary,
                   milestones=["2 ether"])
    with pytest.raises(InputError, match=r"the reveal deadline .* must come after the commit deadline"):
        acme.terms("x", budget="1 ether", partners=["Acme", "Globex"], beneficiary=env.beneficiary,
                   commit_by="2d", reveal_by="1d")
    with pytest.raises(InputError, match="commit deadline: deadline 2020-01-01 is in the past"):
        acme.terms("x", budget="1 ether", partners=["Acme", "Globex"], beneficiary=env.beneficiary,
                   commit_by="2020-01-01")
    with pytest.raises(InputError, match="budget must be more than zero"):
        acme.terms("x", budget=0, partners=["Acme", "Globex"], beneficiary=env.beneficiary)
    terms = acme.terms("x", budget="1 ether", partners=["Acme", "Globex"], beneficiary=env.beneficiary)
    assert terms.milestones == (ETHER,) and terms.quorum == 2 and terms.bond == 0


def test_a_failed_send_keeps_the_salt_and_a_retry_reuses_it(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    rid = env.open()
    acme = env.rounds(0)
    me = acme.sender_address
    where = env.salts.path(acme.address, rid, me)

    def broken(*args: object, **kwargs: object) -> object:
        assert where.exists(), "the salt must be on disk before anything is sent"
        raise TransactionError("node went away")

    monkeypatch.setattr(RoundsService, "_send_commit", broken)
    with pytest.raises(TransactionError, match=f"not sent .*node went away.* salt is kept in {where}"):
        acme.commit_pledge(rid, "3 ether")
    saved = env.salts.load(acme.address, rid, me)
    assert saved is not None and saved.pledge == 3 * ETHER
    monkeypatch.undo()
    with pytest.raises(InputError, match=f"the salt file {where} holds a pledge of 3 ETH"):
        acme.commit_pledge(rid, "4 ether")
    done = acme.commit_pledge(rid, "3 ether")
    assert done.reused and done.salt == saved.salt and done.commitment == "0x" + saved.commitment.hex()
    assert acme.round(rid).partner(me).commitment == done.commitment


def test_a_dry_run_writes_no_salt(env: Env) -> None:
    rid = env.open()
    account = env.base.chain.dev_accounts()[2]
    live = env.members[1].sender
    assert live is not None
    dry = TransactionPipeline(env.base.w3, account, network="embedded", is_dev=True, dry_run=True,
                              nonce_manager=live.nonces)
    service = env.rounds(1).with_sender(dry)
    done = service.commit_pledge(rid, "1 ether")
    assert done.tx.dry_run and done.salt_file is None
    assert env.salts.load(service.address, rid, str(account.address)) is None
    assert not service.round(rid).partner(str(account.address)).committed


def test_salt_files_are_keyed_so_two_rounds_never_collide(env: Env) -> None:
    one = env.open(bond="0")
    two = env.rounds(0).open_round("Second line", budget="1 ether", partners=["Acme", "Globex"],
                                   beneficiary=env.beneficiary, commit_by="1h", reveal_by="2h").id
    assert env.rounds(1).round(two).name == "Second line" and two == one + 1
    a = env.rounds(0).commit_pledge(one, "1 ether")
    b = env.rounds(0).commit_pledge(two, "1 ether")
    assert a.salt_file != b.salt_file and a.salt != b.salt and a.commitment != b.commitment


def test_an_erc20_round_approves_the_bond_first_and_pays_it_back(env: Env) -> None:
    from mocks.mock_erc20 import MockERC20

    from coopetition._artifacts import load_artifact
    from coopetition._chain.deployments import deploy_contract

    artifact = load_artifact("MockERC20", search=[Path(__file__).resolve().parents[1] / "artifacts"])
    assert env.base.sender is not None
    token = deploy_contract(env.base.sender, env.base.store, name="MockERC20", abi=artifact.abi,
                            bytecode=artifact.bytecode, args=["USD Coin", "USDC", 6], reset=True).address
    minter = MockERC20(env.base.w3, token, env.base.sender)
    acme, globex = env.rounds(0), env.rounds(1)
    usdc = 10**6
    rid = acme.open(acme.terms("Token JV", asset=token, budget="3000 USDC", bond="50 USDC",
                               partners=["Acme", "Globex"], beneficiary=env.beneficiary, commit_by="1h",
                               reveal_by="2h")).id
    with pytest.raises(InputError, match="holds 0 USDC, less than the bond of 50 USDC"):
        globex.commit_pledge(rid, "1000 USDC")
    for who in (acme, globex):
        minter.mint(who.sender_address, 1_000 * usdc)
    done = acme.commit_pledge(rid, "3500 USDC")
    pipeline = env.members[0].sender
    assert pipeline is not None
    assert [t.label for t in list(pipeline.sent)[-2:]] == ["ERC20.approve", "JointVentureEscrow.commitPledge"]
    assert done.pledge == 3_500 * usdc and minter.balance_of(acme.sender_address) == 950 * usdc
    globex.commit_pledge(rid, "1000 USDC")
    seen = acme.round(rid)
    assert seen.asset.symbol == "USDC" and seen.bond == 50 * usdc
    env.travel_to(seen.commit_deadline + 1)
    acme.reveal_pledge(rid)
    globex.reveal_pledge(rid)
    env.travel_to(seen.reveal_deadline + 1)
    acme.settle_round(rid)
    seen = acme.round(rid)
    budget, pledges = 3_000 * usdc, [3_500 * usdc, 1_000 * usdc]
    assert [p.allocation for p in seen.partners] == [budget * pledges[0] // sum(pledges),
                                                     budget - budget * pledges[0] // sum(pledges)]
    for who in (acme, globex):
        who.withdraw_bond(rid)
        assert minter.balance_of(who.sender_address) == 1_000 * usdc
