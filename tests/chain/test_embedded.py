"""The embedded chain's two speed-ups (coopetition/_chain/embedded.py) give what eth-tester gave.

- The quick gas estimate: two executions instead of py-evm's binary search; the limit it gives always
  lets the transaction succeed, never below the exact minimum, and a plain transfer gets 21,000. When
  its own check fails it falls back to the binary search (forced here with a negative margin).
- Transaction look-ups by py-evm's index: receipts and transactions are the ones eth-tester's scan
  finds, also after a revert to a snapshot (a transaction reverted away is not found any more).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth.estimators.gas import binary_gas_search_exact, binary_gas_search_intrinsic_tolerance
from eth_tester.backends.pyevm.main import _get_transaction_by_hash

from coopetition._chain import embedded
from coopetition._chain.embedded import embedded_web3

ARTIFACT = json.loads((Path(__file__).resolve().parents[1] / "artifacts" / "MockERC20.json").read_text())


def token(w3: Any) -> tuple[Any, str, str]:
    me, other = w3.eth.accounts[0], w3.eth.accounts[1]
    factory = w3.eth.contract(abi=ARTIFACT["abi"], bytecode=ARTIFACT["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor("T", "T", 18).transact({"from": me}))
    return w3.eth.contract(address=receipt["contractAddress"], abi=ARTIFACT["abi"]), me, other


def exact_minimum(w3: Any, tx: dict[str, Any]) -> int:
    """py-evm's exact binary search (tolerance 1) on the same transaction and state."""
    chain = w3.provider.ethereum_tester.backend.chain
    chain.gas_estimator = binary_gas_search_exact
    try:
        return int(w3.eth.estimate_gas(tx))
    finally:
        chain.gas_estimator = embedded.quick_gas_estimate


@pytest.mark.parametrize("margin", [None, -10**6])
def test_the_quick_estimate_always_lets_the_transaction_succeed(margin: int | None,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    if margin is not None:  # the check fails: the binary search decides
        monkeypatch.setattr(embedded, "_MARGIN", margin)
    w3 = embedded_web3()
    t, me, other = token(w3)
    assert w3.eth.estimate_gas({"from": me, "to": other, "value": 1}) == 21_000
    for call in (t.functions.mint(me, 10**18), t.functions.transfer(other, 5), t.functions.approve(other, 7),
                 t.functions.transfer(other, 0)):
        tx = call.build_transaction({"from": me, "gas": 10**6})
        tx.pop("gas")
        estimate = w3.eth.estimate_gas(tx)
        minimum = exact_minimum(w3, tx)
        assert minimum <= estimate <= minimum * 64 // 63 + 5_000 + 21_000
        receipt = w3.eth.wait_for_transaction_receipt(call.transact({"from": me, "gas": estimate}))
        assert receipt["status"] == 1 and receipt["gasUsed"] <= estimate


def test_a_reverting_transaction_is_refused_by_the_estimate_as_before() -> None:
    w3 = embedded_web3()
    t, me, other = token(w3)
    tx = t.functions.transfer(me, 1).build_transaction({"from": other, "gas": 10**6})  # no balance
    tx.pop("gas")
    refusals = []
    for estimator in (embedded.quick_gas_estimate, binary_gas_search_intrinsic_tolerance):
        w3.provider.ethereum_tester.backend.chain.gas_estimator = estimator
        with pytest.raises(Exception) as refused:  # the same exception either way
            w3.eth.estimate_gas(tx)
        refusals.append((type(refused.value), refused.value.args))
    assert refusals[0] == refusals[1] and "execution reverted" in str(refusals[0][1])


def test_look_ups_by_index_find_what_the_scan_finds_also_after_a_revert() -> None:
    w3 = embedded_web3()
    t, me, other = token(w3)
    tester = w3.provider.ethereum_tester
    hashes = [t.functions.mint(me, k + 1).transact({"from": me}) for k in range(12)]
    snapshot = tester.take_snapshot()
    later = [t.functions.mint(other, k + 1).transact({"from": me}) for k in range(3)]
    chain = tester.backend.chain
    for h in (*hashes, *later):
        block, tx, index = _get_transaction_by_hash(chain, bytes(h))
        receipt = w3.eth.get_transaction_receipt(h)
        assert (receipt["blockNumber"], receipt["transactionIndex"]) == (block.number, index)
        assert w3.eth.get_transaction(h)["hash"] == tx.hash
    logs = t.events.Transfer().get_logs(from_block=0)
    assert len(logs) == 15
    tester.revert_to_snapshot(snapshot)
    assert len(t.events.Transfer().get_logs(from_block=0)) == 12
    with pytest.raises(Exception, match=r"not found|No transaction"):
        w3.eth.get_transaction_receipt(later[0])
    again = t.functions.mint(other, 99).transact({"from": me})
    assert w3.eth.get_transaction_receipt(again)["status"] == 1
