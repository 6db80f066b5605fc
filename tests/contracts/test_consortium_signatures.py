"""EIP-712 signed approvals and objections of the Consortium contract, through the typed binding.

Signatures are made with eth-account's ``encode_typed_data`` (tests/_consortium.py), as the Python side
will make them: the digests must agree with the contract's, and every replay must fail — on another chain
id, on another consortium, after execution, by a removed member, with a malleable (high-s) signature,
after a configuration change — while an EIP-1271 contract member signs like anyone else."""

from __future__ import annotations

from dataclasses import replace

import pytest
from _consortium import DAY, Gov, deploy_test, high_s, sign_decision, typed_data
from _embedded import EmbeddedEnv
from eth_account.messages import _hash_eip191_message, encode_typed_data
from eth_utils.crypto import keccak
from mocks.consortium_smart_account import ConsortiumSmartAccount

from coopetition.bindings.consortium import (
    Consortium,
    ConsortiumDelayRequired,
    ConsortiumDuplicateSigner,
    ConsortiumInvalidExpiry,
    ConsortiumInvalidNonce,
    ConsortiumInvalidSignature,
    ConsortiumNoSignatures,
    ConsortiumNotMember,
    ConsortiumProposalExists,
    ConsortiumProposalNotLive,
    ConsortiumThresholdNotReached,
    ConsortiumZeroAddress,
    ProposalApprovedEvent,
    ProposalCreatedEvent,
    ProposalExecutedEvent,
    ProposalObjectedEvent,
    ProposalQueuedEvent,
    ProposalState,
    ProposalVetoedEvent,
    Signature,
)

DEPLOYER, ACME, GLOBEX, INITECH, UMBRELLA, OUTSIDER = 0, 1, 2, 3, 4, 5
ETHER = 10**18
ZERO = "0x" + "00" * 20


@pytest.fixture
def env() -> EmbeddedEnv:
    return EmbeddedEnv.start()


@pytest.fixture
def gov(env: EmbeddedEnv) -> Gov:
    """Acme, Globex and Initech, quorum 2, holding 10 ether."""
    gov = Gov.deploy(env, [ACME, GLOBEX, INITECH], ["Acme", "Globex", "Initech"], 2)
    env.send_ether(DEPLOYER, gov.address, 10 * ETHER)
    return gov


def pay(gov: Gov, to: int = UMBRELLA, value: int = ETHER, **kwargs: object):  # type: ignore[no-untyped-def]
    """A one-shot decision paying ``value`` to account ``to``."""
    return gov.one_shot(b"", target=gov.addr(to), value=value, **kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ typed data


def test_ids_and_digests_agree_with_eth_account(gov: Gov) -> None:
    from eth_account._utils.encode_typed_data.encoding_and_hashing import hash_domain, hash_struct

    d = gov.decision(Consortium.encode_set_quorum(3), description="raise")
    typed = typed_data("Approval", gov.chain_id, gov.address, d)
    assert d.id(gov.view) == hash_struct("Proposal", typed["types"], d.message())
    assert gov.view.domain_separator() == hash_domain(typed["domain"])
    assert gov.view.approval_digest(d.id(gov.view)) == _hash_eip191_message(encode_typed_data(full_message=typed))
    objection = encode_typed_data(full_message=typed_data("Objection", gov.chain_id, gov.address, d))
    assert gov.view.objection_digest(d.id(gov.view)) == _hash_eip191_message(objection)
    assert gov.view.proposal_typehash() == keccak(
        text="Proposal(address target,uint256 value,bytes data,bytes32 descriptionHash,uint64 expiry,uint64 epoch,uint64 nonce)"
    )
    domain = gov.view.eip712_domain()
    assert (domain.name, domain.version, domain.chain_id, domain.verifying_contract) == (
        "Consortium", "2", gov.chain_id, gov.address)


# ------------------------------------------------------------------------ one-shot decisions


def test_two_signatures_execute_a_payment_in_one_transaction_submitted_by_anyone(gov: Gov) -> None:
    d = pay(gov, description="invoice 17")
    before = gov.env.balance(gov.addr(UMBRELLA))
    result = gov.execute_signed(d, [GLOBEX, ACME], by=OUTSIDER)
    assert gov.env.balance(gov.addr(UMBRELLA)) - before == ETHER
    (created,) = ProposalCreatedEvent.from_result(result)
    (executed,) = ProposalExecutedEvent.from_result(result)
    assert created.proposal_id == executed.proposal_id == d.id(gov.view)
    assert (created.proposer, created.description, created.description_hash) == (ZERO, "", keccak(text="invoice 17"))
    assert (created.target, created.value, created.data, created.epoch, created.nonce) == (
        gov.addr(UMBRELLA), ETHER, b"", 1, 1)
    assert (executed.executor, executed.signers) == (gov.addr(OUTSIDER), (gov.addr(GLOBEX), gov.addr(ACME)))
    assert gov.view.decision_nonce() == 2


def test_a_signed_admission_in_one_transaction(gov: Gov) -> None:
    d = gov.one_shot(Consortium.encode_add_member(gov.addr(UMBRELLA), "Umbrella"))
    gov.execute_signed(d, [ACME, INITECH])
    assert gov.view.member_by_label("Umbrella") == gov.addr(UMBRELLA)
    assert gov.view.epoch() == 2


def test_signatures_cannot_be_reused_after_execution(gov: Gov) -> None:
    d = pay(gov)
    gov.execute_signed(d, [ACME, GLOBEX])
    with pytest.raises(ConsortiumInvalidNonce) as err:
        gov.execute_signed(d, [ACME, GLOBEX])
    assert (err.value.nonce, err.value.expected) == (1, 2)
    replayed = replace(d, nonce=2)  # the same signatures presented for the next nonce
    sigs = gov.signatures([ACME, GLOBEX], d)
    with pytest.raises(ConsortiumInvalidSignature):
        gov.as_(OUTSIDER).execute_with_signatures(replayed.target, replayed.value, replayed.data,
                                                  replayed.description_hash, replayed.expiry, 2, sigs)


def test_one_shot_decisions_execute_in_nonce_order(gov: Gov) -> None:
    first, second = pay(gov, description="a"), pay(gov, description="b")
    assert first.nonce == second.nonce == 1
    gov.execute_signed(second, [ACME, GLOBEX])
    with pytest.raises(ConsortiumInvalidNonce):  # signed for nonce 1 too: sign again
        gov.execute_signed(first, [ACME, GLOBEX])
    gov.execute_signed(replace(first, nonce=2), [ACME, GLOBEX])


def test_a_signature_for_another_chain_id_is_invalid(gov: Gov) -> None:
    d = pay(gov)
    foreign = Signature(gov.addr(GLOBEX), sign_decision(gov.env.accounts[GLOBEX], 1, gov.address, d))
    with pytest.raises(ConsortiumInvalidSignature) as err:
        gov.as_(OUTSIDER).execute_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry, d.nonce,
                                                  [gov.signature(ACME, d), foreign])
    assert err.value.signer == gov.addr(GLOBEX)


def test_a_signature_for_another_consortium_is_invalid(env: EmbeddedEnv, gov: Gov) -> None:
    twin = Gov.deploy(env, [ACME, GLOBEX, INITECH], ["Acme", "Globex", "Initech"], 2)
    env.send_ether(DEPLOYER, twin.address, 10 * ETHER)
    d = pay(gov)
    sigs = gov.signatures([ACME, GLOBEX], d)  # signed for `gov`, same members, same nonce and epoch
    with pytest.raises(ConsortiumInvalidSignature):
        twin.as_(OUTSIDER).execute_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry, d.nonce, sigs)
    gov.as_(OUTSIDER).execute_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry, d.nonce, sigs)


def test_a_signature_for_another_call_is_invalid(gov: Gov) -> None:
    d = pay(gov)
    sigs = gov.signatures([ACME, GLOBEX], d)
    for other in (replace(d, value=2 * ETHER), replace(d, target=gov.addr(OUTSIDER)),
                  replace(d, description_hash=keccak(text="other")), replace(d, expiry=d.expiry + 1)):
        with pytest.raises(ConsortiumInvalidSignature):
            gov.as_(OUTSIDER).execute_with_signatures(other.target, other.value, other.data, other.description_hash,
                                                      other.expiry, other.nonce, sigs)


def test_an_objection_is_not_an_approval(gov: Gov) -> None:
    d = pay(gov)
    sigs = [gov.signature(ACME, d), gov.signature(GLOBEX, d, "Objection")]
    with pytest.raises(ConsortiumInvalidSignature) as err:
        gov.as_(OUTSIDER).execute_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry, d.nonce, sigs)
    assert err.value.signer == gov.addr(GLOBEX)


def test_a_malleable_high_s_signature_is_refused(gov: Gov) -> None:
    d = pay(gov)
    good = gov.signature(GLOBEX, d)
    twin = Signature(good.signer, high_s(good.signature))
    with pytest.raises(ConsortiumInvalidSignature) as err:
        gov.as_(OUTSIDER).execute_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry, d.nonce,
                                                  [gov.signature(ACME, d), twin])
    assert err.value.signer == gov.addr(GLOBEX)
    gov.as_(OUTSIDER).execute_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry, d.nonce,
                                              [gov.signature(ACME, d), good])


@pytest.mark.parametrize("mangle", [lambda s: s[:64], lambda s: s + b"\x00", lambda s: s[:64] + b"\x05"],
                         ids=["64-bytes", "66-bytes", "bad-v"])
def test_a_malformed_signature_is_invalid(gov: Gov, mangle) -> None:  # type: ignore[no-untyped-def]
    d = pay(gov)
    bad = Signature(gov.addr(GLOBEX), mangle(gov.signature(GLOBEX, d).signature))
    with pytest.raises(ConsortiumInvalidSignature):
        gov.as_(OUTSIDER).execute_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry, d.nonce,
                                                  [gov.signature(ACME, d), bad])


def test_a_signature_claimed_for_another_member_is_invalid(gov: Gov) -> None:
    d = pay(gov)
    stolen = Signature(gov.addr(GLOBEX), gov.signature(INITECH, d).signature)
    with pytest.raises(ConsortiumInvalidSignature) as err:
        gov.as_(OUTSIDER).execute_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry, d.nonce,
                                                  [gov.signature(ACME, d), stolen])
    assert err.value.signer == gov.addr(GLOBEX)


def test_duplicate_signers_are_refused(gov: Gov) -> None:
    d = pay(gov)
    sig = gov.signature(ACME, d)
    with pytest.raises(ConsortiumDuplicateSigner) as err:
        gov.as_(OUTSIDER).execute_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry, d.nonce,
                                                  [sig, sig])
    assert err.value.signer == gov.addr(ACME)


def test_a_non_members_signature_is_refused(gov: Gov) -> None:
    d = pay(gov)
    with pytest.raises(ConsortiumNotMember) as err:
        gov.execute_signed(d, [ACME, OUTSIDER])
    assert err.value.account == gov.addr(OUTSIDER)


def test_one_signature_is_below_the_quorum(gov: Gov) -> None:
    d = pay(gov)
    with pytest.raises(ConsortiumThresholdNotReached) as err:
        gov.execute_signed(d, [ACME])
    assert (err.value.proposal_id, err.value.approvals, err.value.threshold) == (d.id(gov.view), 1, 2)
    with pytest.raises(ConsortiumThresholdNotReached):
        gov.execute_signed(d, [])


def test_one_shot_input_checks(gov: Gov) -> None:
    d = pay(gov)
    sigs = gov.signatures([ACME, GLOBEX], d)
    with pytest.raises(ConsortiumZeroAddress):
        gov.as_(OUTSIDER).execute_with_signatures(ZERO, 1, b"", d.description_hash, d.expiry, 1, sigs)
    for expiry in (gov.env.now(), gov.env.now() + 90 * DAY + 10):
        with pytest.raises(ConsortiumInvalidExpiry):
            gov.as_(OUTSIDER).execute_with_signatures(d.target, d.value, d.data, d.description_hash, expiry, 1, sigs)


def test_a_removed_members_signature_no_longer_counts(gov: Gov) -> None:
    d = pay(gov)
    old = gov.signature(GLOBEX, d)  # signed before its removal
    gov.govern(gov.removal(gov.addr(GLOBEX)))
    d2 = replace(d, epoch=gov.view.epoch())
    with pytest.raises(ConsortiumNotMember) as err:  # its own fresh signature: not a member
        gov.execute_signed(d2, [ACME, GLOBEX])
    assert err.value.account == gov.addr(GLOBEX)
    with pytest.raises(ConsortiumNotMember):  # its old signature: not a member either (and another epoch)
        gov.as_(OUTSIDER).execute_with_signatures(d2.target, d2.value, d2.data, d2.description_hash, d2.expiry,
                                                  d2.nonce, [gov.signature(ACME, d2), old])


def test_signatures_die_with_a_configuration_change(gov: Gov) -> None:
    d = pay(gov)
    sigs = gov.signatures([ACME, GLOBEX], d)
    gov.govern(Consortium.encode_set_quorum(2))  # same quorum, new epoch
    with pytest.raises(ConsortiumInvalidSignature):
        gov.as_(OUTSIDER).execute_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry, d.nonce, sigs)
    gov.execute_signed(replace(d, epoch=2), [ACME, GLOBEX])  # signed again in the new epoch


def test_with_a_delay_a_decision_cannot_be_executed_at_once(env: EmbeddedEnv) -> None:
    gov = Gov.deploy(env, [ACME, GLOBEX, INITECH], ["Acme", "Globex", "Initech"], 2, delay=DAY)
    d = gov.one_shot(Consortium.encode_set_quorum(3))
    with pytest.raises(ConsortiumDelayRequired) as err:
        gov.execute_signed(d, [ACME, GLOBEX])
    assert err.value.delay == DAY


# ------------------------------------------------------------------- recorded proposals, signed


def test_propose_with_signatures_records_a_private_proposal(gov: Gov) -> None:
    d = gov.decision(b"", target=gov.addr(UMBRELLA), value=ETHER, description="confidential deal 9")
    result = gov.as_(OUTSIDER).propose_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry,
                                                       gov.signatures([ACME, GLOBEX], d))
    (created,) = ProposalCreatedEvent.from_result(result)
    pid = created.proposal_id
    assert pid == d.id(gov.view)
    assert (created.proposer, created.description, created.nonce) == (ZERO, "", 0)
    assert [(e.member, e.approvals) for e in ProposalApprovedEvent.from_result(result)] == [
        (gov.addr(ACME), 1), (gov.addr(GLOBEX), 2)]
    assert gov.view.proposal_state(pid) is ProposalState.APPROVED
    assert gov.view.proposal(pid).proposer == ZERO
    gov.execute(pid, by=OUTSIDER)
    assert gov.view.proposal_state(pid) is ProposalState.EXECUTED
    with pytest.raises(ConsortiumProposalNotLive):  # its signatures are spent with it
        gov.as_(OUTSIDER).approve_with_signatures(pid, gov.signatures([INITECH], d))


def test_propose_with_signatures_needs_a_signature_and_a_new_id(gov: Gov) -> None:
    d = gov.decision(Consortium.encode_set_quorum(3))
    with pytest.raises(ConsortiumNoSignatures):
        gov.as_(OUTSIDER).propose_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry, [])
    gov.as_(OUTSIDER).propose_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry,
                                              gov.signatures([ACME], d))
    with pytest.raises(ConsortiumProposalExists):
        gov.as_(OUTSIDER).propose_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry,
                                                  gov.signatures([GLOBEX], d))


def test_recorded_and_signed_approvals_count_together_each_member_once(gov: Gov) -> None:
    pid = gov.propose(ACME, Consortium.encode_set_quorum(3))
    d = gov.decision_of(pid)
    e = gov.created(pid)
    with pytest.raises(ConsortiumThresholdNotReached) as err:  # Acme on chain and signed: one approval
        gov.as_(OUTSIDER).execute(pid, e.target, e.value, e.data, e.description_hash, gov.signatures([ACME], d))
    assert err.value.approvals == 1
    result = gov.as_(OUTSIDER).execute(pid, e.target, e.value, e.data, e.description_hash, gov.signatures([INITECH], d))
    assert ProposalExecutedEvent.from_result(result)[0].signers == (gov.addr(INITECH),)
    assert gov.view.quorum() == 3


def test_approve_with_signatures_records_new_signers_once(gov: Gov) -> None:
    pid = gov.propose(ACME, Consortium.encode_set_quorum(3))
    d = gov.decision_of(pid)
    result = gov.as_(OUTSIDER).approve_with_signatures(pid, gov.signatures([ACME, INITECH], d))
    assert [(e.member, e.approvals) for e in ProposalApprovedEvent.from_result(result)] == [(gov.addr(INITECH), 2)]
    assert set(gov.view.approvers(pid)) == {gov.addr(ACME), gov.addr(INITECH)}
    with pytest.raises(ConsortiumNoSignatures):
        gov.as_(OUTSIDER).approve_with_signatures(pid, [])
    gov.execute(pid)


def test_signed_approvals_queue_a_proposal_with_a_delay(env: EmbeddedEnv) -> None:
    gov = Gov.deploy(env, [ACME, GLOBEX, INITECH], ["Acme", "Globex", "Initech"], 2, delay=DAY)
    d = gov.decision(Consortium.encode_set_quorum(3), ttl=2 * DAY)
    result = gov.as_(OUTSIDER).propose_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry,
                                                       gov.signatures([ACME, GLOBEX], d))
    (queued,) = ProposalQueuedEvent.from_result(result)
    assert gov.view.proposal_state(queued.proposal_id) is ProposalState.QUEUED
    env.time_travel(DAY)
    gov.execute(queued.proposal_id)


def test_signed_objections_veto(env: EmbeddedEnv) -> None:
    gov = Gov.deploy(env, [ACME, GLOBEX, INITECH], ["Acme", "Globex", "Initech"], 2, delay=DAY)
    pid = gov.propose(ACME, Consortium.encode_set_quorum(3), ttl=2 * DAY)
    gov.as_(GLOBEX).approve(pid)
    d = gov.decision_of(pid)
    with pytest.raises(ConsortiumInvalidSignature):  # an approval is not an objection
        gov.as_(OUTSIDER).object_with_signatures(pid, gov.signatures([INITECH], d))
    gov.as_(INITECH).object(pid)
    result = gov.as_(OUTSIDER).object_with_signatures(pid, gov.signatures([INITECH, GLOBEX], d, "Objection"))
    assert [(e.member, e.objections) for e in ProposalObjectedEvent.from_result(result)] == [(gov.addr(GLOBEX), 2)]
    assert ProposalVetoedEvent.from_result(result)[0].objections == 2
    assert gov.view.proposal_state(pid) is ProposalState.VETOED
    with pytest.raises(ConsortiumNoSignatures):
        gov.as_(OUTSIDER).object_with_signatures(pid, [])


# ---------------------------------------------------------------------------- EIP-1271 members


@pytest.fixture
def with_account(env: EmbeddedEnv) -> tuple[Gov, ConsortiumSmartAccount]:
    """Acme, Globex and a smart account owned by Initech's key, quorum 2."""
    account = deploy_test(env, "ConsortiumSmartAccount", [env.address(INITECH)])
    gov = Gov.deploy(env, [ACME, GLOBEX, account], ["Acme", "Globex", "Initech Wallet"], 2)
    env.send_ether(DEPLOYER, gov.address, 10 * ETHER)
    return gov, ConsortiumSmartAccount(env.w3, account, env.pipeline(INITECH))


def wallet_signature(gov: Gov, wallet: ConsortiumSmartAccount, d, kind: str = "Approval") -> Signature:  # type: ignore[no-untyped-def]
    """The wallet's EIP-1271 signature: its owner's ECDSA signature of the digest."""
    return Signature(wallet.address, sign_decision(gov.env.accounts[INITECH], gov.chain_id, gov.address, d, kind))


def test_an_eip1271_member_signs_a_one_shot_decision(with_account: tuple[Gov, ConsortiumSmartAccount]) -> None:
    gov, wallet = with_account
    d = pay(gov)
    result = gov.as_(OUTSIDER).execute_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry, d.nonce,
                                                       [gov.signature(ACME, d), wallet_signature(gov, wallet, d)])
    assert ProposalExecutedEvent.from_result(result)[0].signers == (gov.addr(ACME), wallet.address)


def test_an_eip1271_member_that_refuses_is_invalid(with_account: tuple[Gov, ConsortiumSmartAccount]) -> None:
    gov, wallet = with_account
    d = pay(gov)
    wallet.set_accepting(False)
    with pytest.raises(ConsortiumInvalidSignature) as err:
        gov.as_(OUTSIDER).execute_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry, d.nonce,
                                                  [gov.signature(ACME, d), wallet_signature(gov, wallet, d)])
    assert err.value.signer == wallet.address


def test_an_eip1271_member_approves_on_chain_and_by_signature(with_account: tuple[Gov, ConsortiumSmartAccount]) -> None:
    gov, wallet = with_account
    pid = gov.propose(ACME, b"", target=gov.addr(UMBRELLA), value=ETHER)
    wallet.execute(gov.address, 0, Consortium.encode_approve(pid))
    assert gov.view.has_approved(pid, wallet.address)
    other = gov.propose(GLOBEX, b"", target=gov.addr(UMBRELLA), value=ETHER, description="second")
    gov.as_(OUTSIDER).approve_with_signatures(other, [wallet_signature(gov, wallet, gov.decision_of(other))])
    gov.execute(pid)
    gov.execute(other)


def test_an_eoa_signature_cannot_stand_for_a_contract_member(with_account: tuple[Gov, ConsortiumSmartAccount]) -> None:
    gov, wallet = with_account
    d = pay(gov)
    forged = Signature(wallet.address, gov.signature(ACME, d).signature)  # Acme's key is not the wallet's owner
    with pytest.raises(ConsortiumInvalidSignature):
        gov.as_(OUTSIDER).execute_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry, d.nonce,
                                                  [gov.signature(GLOBEX, d), forged])

