"""Signed orders: the signature forms the exchange accepts (65-byte ECDSA, 64-byte ERC-2098 compact,
ERC-1271 for a contract maker), the raw-calldata struct hash (dirty bits are refused, not hashed), and
the exact-amount ERC-20 leg of a signed fill (fee-on-transfer and non-contract tokens refused)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from _titles_env import ACME, ETHER, GLOBEX, INITECH, SHARES, TitlesWorld, restore, snapshot
from eth_account.messages import encode_typed_data
from mocks.fee_on_transfer_token import FeeOnTransferToken
from mocks.mock_erc20 import MockERC20
from mocks.titles_wallet_maker import TitlesWalletMaker

from coopetition._domain.titles_orders import SignedOrder, order_typed_data
from coopetition.bindings.title_exchange import (
    TitleExchange,
    TitleExchangeInvalidSignature,
    TitleExchangePaymentShort,
    TitleExchangeTokenNotContract,
)
from coopetition.bindings.title_registry import TitleRegistry


@pytest.fixture(scope="module")
def base() -> TitlesWorld:
    return TitlesWorld.start()


@pytest.fixture
def world(base: TitlesWorld) -> Iterator[TitlesWorld]:
    snap = snapshot(base)
    yield base
    restore(base, snap)


def _compact(signature: bytes) -> bytes:
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    return r + (s | ((v - 27) << 255)).to_bytes(32, "big")


def _fill(world: TitlesWorld, by: int, order: SignedOrder, signature: bytes, value: int = 0) -> None:
    world.exchange(by).fill_order(order.order(), signature, order.amount, 2**256 - 1, value=value)


def test_the_compact_erc2098_form_of_the_makers_signature_settles(world: TitlesWorld) -> None:
    order = world.sign(ACME, amount=10, price=ETHER)
    compact = order.submitted_signature()
    assert len(compact) == 64 and compact == _compact(order.signature_bytes)
    _fill(world, GLOBEX, order, compact, value=ETHER)
    assert world.balance(GLOBEX, SHARES) == 510
    assert world.exchange().nonce_used(world.addr(ACME), 0)


def test_a_compact_signature_of_other_terms_or_a_flipped_parity_is_refused(world: TitlesWorld) -> None:
    order = world.sign(ACME, amount=10, price=ETHER)
    compact = bytearray(order.submitted_signature())
    compact[32] ^= 0x80  # the other parity: another point, another signer
    with pytest.raises(TitleExchangeInvalidSignature):
        _fill(world, GLOBEX, order, bytes(compact), value=ETHER)
    cheaper = dataclasses.replace(order, price=ETHER - 1)
    with pytest.raises(TitleExchangeInvalidSignature):
        _fill(world, GLOBEX, cheaper, order.submitted_signature(), value=ETHER)
    for length in (63, 66):  # neither form: no ECDSA check, and Acme is no ERC-1271 contract
        with pytest.raises(TitleExchangeInvalidSignature):
            _fill(world, GLOBEX, order, (order.signature_bytes + b"\x00")[:length], value=ETHER)
    _fill(world, GLOBEX, order, order.signature_bytes, value=ETHER)  # the 65-byte form still works


def _wallet_order(world: TitlesWorld, wallet: str, owner: int, *, nonce: int = 0) -> SignedOrder:
    """An order whose maker is the contract ``wallet``, signed by its owner's key (checked by ERC-1271)."""
    unsigned = SignedOrder(wallet, SHARES, 10, None, ETHER, None, world.env.now() + 3600, nonce, False, "0x00",
                           world.env.w3.eth.chain_id, world.exchange_address)
    message = encode_typed_data(full_message=order_typed_data(unsigned.chain_id, unsigned.exchange, unsigned.order()))
    signed = world.env.accounts[owner].sign_message(message)
    return dataclasses.replace(unsigned, signature="0x" + bytes(signed.signature).hex())


def test_a_contract_maker_signs_by_erc1271_and_the_library_submits_its_signature_unchanged(
        world: TitlesWorld) -> None:
    wallet = world.deploy_mock("TitlesWalletMaker", [world.addr(INITECH)])
    world.add_member(wallet, "Wallet")
    world.govern(TitleRegistry.encode_issue(SHARES, wallet, 100))
    order = _wallet_order(world, wallet, INITECH)
    assert order.submitted_signature() == order.signature_bytes  # recovers to the owner, not the maker
    account = TitlesWalletMaker(world.env.w3, wallet, world.env.pipeline(INITECH))
    account.set_accepting(False)
    with pytest.raises(TitleExchangeInvalidSignature):
        _fill(world, GLOBEX, order, order.submitted_signature(), value=ETHER)
    account.set_accepting(True)
    _fill(world, GLOBEX, order, order.submitted_signature(), value=ETHER)
    assert world.balance(wallet, SHARES) == 90 and world.exchange().proceeds(wallet) == ETHER
    # a 64-byte signature that is no ECDSA signature of the maker goes to ERC-1271 as well
    second = _wallet_order(world, wallet, INITECH, nonce=1)
    _fill(world, GLOBEX, second, _compact(second.signature_bytes), value=ETHER)
    assert world.balance(wallet, SHARES) == 80


def test_dirty_bits_in_the_orders_calldata_are_refused_not_hashed(world: TitlesWorld) -> None:
    """The exchange hashes the order's raw calldata words; a word whose decoded value differs (an address
    or uint64 with high bits set, a bool other than 0/1) must revert, not settle under another hash."""
    order = world.sign(ACME, amount=10, price=ETHER, taker=world.addr(GLOBEX))
    data = bytearray(TitleExchange.encode_fill_order(order.order(), order.signature_bytes, 10, ETHER))
    call = {"from": world.addr(GLOBEX), "to": world.exchange_address, "value": ETHER}
    world.env.w3.eth.call({**call, "data": bytes(data)})  # the clean call settles
    for word, byte in ((0, 0), (3, 5), (5, 0), (6, 0), (8, 0)):  # maker, asset, taker, expiry, partialFills
        dirty = bytearray(data)
        dirty[4 + 32 * word + byte] |= 0x01
        with pytest.raises(Exception) as err:  # the ABI decoder's validation revert (no data)
            world.env.w3.eth.call({**call, "data": bytes(dirty)})
        assert "revert" in str(err.value).lower(), (word, err.value)


def test_a_fee_on_transfer_token_is_refused_in_a_signed_fill_and_nothing_moves(world: TitlesWorld) -> None:
    fot = world.deploy_mock("FeeOnTransferToken", ["Fee", "FEE", 18, 100])
    token = FeeOnTransferToken(world.env.w3, fot, world.env.pipeline(GLOBEX))
    token.mint(world.addr(GLOBEX), 1000 * ETHER)
    token.approve(world.exchange_address, 1000 * ETHER)
    order = world.sign(ACME, amount=10, price=100 * ETHER, asset=fot)
    with pytest.raises(TitleExchangePaymentShort) as err:
        world.take(GLOBEX, order)
    assert (err.value.token, err.value.expected, err.value.received) == (fot, 100 * ETHER, 99 * ETHER)
    assert token.balance_of(world.addr(ACME)) == 0 and world.balance(GLOBEX, SHARES) == 500
    assert not world.exchange().nonce_used(world.addr(ACME), 0)
    token.set_fee_bps(0)
    world.take(GLOBEX, order)
    assert token.balance_of(world.addr(ACME)) == 100 * ETHER and world.balance(GLOBEX, SHARES) == 510


def test_an_order_paid_in_a_token_without_code_is_refused(world: TitlesWorld) -> None:
    nobody = world.addr(INITECH)
    order = world.sign(ACME, amount=10, price=5, asset=nobody)
    with pytest.raises(TitleExchangeTokenNotContract) as err:
        world.take(GLOBEX, order)
    assert err.value.token == nobody
    usdc = world.usdc()
    world.take(GLOBEX, world.sign(ACME, amount=10, price=5, asset=usdc, nonce=1))
    assert MockERC20(world.env.w3, usdc).balance_of(world.addr(ACME)) == 10**12 + 5


def test_the_library_takes_with_the_compact_signature(world: TitlesWorld) -> None:
    usdc = world.usdc()
    order = world.sign(ACME, amount=10, price=5, asset=usdc, taker=world.addr(GLOBEX))
    result = world.service(GLOBEX).take(order)
    raw = bytes(world.env.w3.eth.get_transaction(result.transaction_hash)["input"])
    assert len(raw) == 4 + 32 * 9 + 32 * 3 + 32 + 64  # order, offset, amount, maxPayment, length, 64 bytes
    assert raw.endswith(order.submitted_signature())
    assert world.balance(GLOBEX, SHARES) == 510


def test_are_members_answers_for_both_accounts_in_their_order(world: TitlesWorld) -> None:
    """The one consortium call a signed fill makes for its taker and maker."""
    from _titles_env import OUTSIDER

    c = world.consortium()
    acme, initech, outsider = world.addr(ACME), world.addr(INITECH), world.addr(OUTSIDER)

    def both(a: str, b: str) -> tuple[bool, bool]:
        answer = c.are_members(a, b)
        return answer.a_is_member, answer.b_is_member

    assert both(acme, outsider) == (True, False)
    assert both(outsider, acme) == (False, True)
    assert both(acme, acme) == (True, True)
    world.remove_member(initech)
    assert both(initech, acme) == (False, True)
    assert both(outsider, initech) == (False, False)
