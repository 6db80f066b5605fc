"""``coopetition.connect_web3``: an existing ``Web3`` (as brownie builds one) wrapped into a Connection,
signing with whatever signer object the caller has, against an anvil the test starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import AnvilNode
from eth_account import Account
from web3 import Web3

from coopetition import AccountError, SuiteMember, connect_web3, deploy_suite
from coopetition._chain.devnet import anvil_dev_accounts

pytestmark = pytest.mark.anvil

DEV = anvil_dev_accounts()


class BrownieLikeAccount:
    """What brownie's ``accounts.add(key)`` gives: an address and the key as a hex string."""

    def __init__(self, key: bytes) -> None:
        self.address = Account.from_key(key).address
        self.private_key = "0x" + key.hex()


class ExternalSigner:
    """A signer without a key to hand out (a hardware wallet, a KMS): it signs, old eth-account style."""

    def __init__(self, key: bytes) -> None:
        self._account = Account.from_key(key)
        self.address = self._account.address
        self.signed = 0

    def sign_transaction(self, tx: dict[str, Any]) -> Any:
        self.signed += 1
        raw = self._account.sign_transaction(tx).raw_transaction

        class Old:  # eth-account < 0.13 spells it rawTransaction
            rawTransaction = raw

        return Old()


def test_an_existing_web3_gets_the_suite_with_any_signer(anvil: AnvilNode, tmp_path: Path) -> None:
    w3 = Web3(Web3.HTTPProvider(anvil.url))
    admin = connect_web3(w3, BrownieLikeAccount(bytes(DEV[0].key)), project=tmp_path, is_dev=True)
    assert admin.address == DEV[0].address and admin.w3 is w3
    deploy_suite(admin, [SuiteMember("Acme", DEV[1].address), SuiteMember("Globex", DEV[2].address)], 2)

    signer = ExternalSigner(bytes(DEV[1].key))
    acme = connect_web3(w3, signer, project=tmp_path, is_dev=True)
    ref = acme.suite().consortium.propose_add_member(DEV[4].address, "Umbrella")
    assert signer.signed == 1 and ref.tx.sender == DEV[1].address and ref.tx.status == 1
    assert w3.eth.get_transaction(ref.tx.transaction_hash)["from"] == DEV[1].address

    viewer = connect_web3(w3, project=tmp_path)  # read-only: the records are found by chain, no key needed
    assert viewer.sender is None
    assert [m.label for m in viewer.suite().consortium.members()] == ["Acme", "Globex"]
    assert viewer.suite().consortium.proposal_count() == 1

    plain = connect_web3(w3, Account.from_key(DEV[2].key), project=tmp_path, is_dev=True)
    assert plain.suite().consortium.approve(ref.id).status == 1


class Locked:
    address = DEV[3].address

    @property
    def private_key(self) -> str:
        raise RuntimeError("account is locked")


@pytest.mark.parametrize("bad", [object(), "0x" + "11" * 20, Locked(), type("NoAddress", (), {"sign_transaction": print})()])
def test_anything_else_is_one_account_error_line(anvil: AnvilNode, tmp_path: Path, bad: object) -> None:
    w3 = Web3(Web3.HTTPProvider(anvil.url))
    with pytest.raises(AccountError) as caught:
        connect_web3(w3, bad, project=tmp_path)
    message = str(caught.value)
    assert "\n" not in message and f"cannot sign with a {type(bad).__name__}" in message
    assert ".key or .private_key" in message and ".sign_transaction(tx)" in message
