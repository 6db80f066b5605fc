"""Multicall3 on embedded and dev chains, and batch_calls: any number of reads in one round trip."""

from __future__ import annotations

from typing import Any

import pytest
from _rpc_count import RpcCounter
from conftest import start_anvil
from eth_abi import abi as eth_abi

from coopetition._abi import selector
from coopetition._chain.multicall import MULTICALL3_ADDRESS, CallResult, batch_calls, has_multicall3
from coopetition._chain.network import connect_chain, resolve_network

BALANCE = selector("getEthBalance(address)")  # not in the subset: every such call fails
TIMESTAMP = selector("getCurrentBlockTimestamp()")
ACCOUNTS = ["0x" + f"{i:040x}" for i in range(1, 1001)]


def _reads() -> list[tuple[str, bytes]]:
    calls: list[tuple[str, bytes]] = []
    for _ in range(500):
        calls.append((MULTICALL3_ADDRESS, TIMESTAMP))
        calls.append((MULTICALL3_ADDRESS, BALANCE + eth_abi.encode(["address"], [ACCOUNTS[0]])))
    return calls


def test_the_embedded_chain_has_multicall3_and_batches_in_it() -> None:
    chain = connect_chain(resolve_network("embedded"))
    assert has_multicall3(chain.w3)
    assert len(chain.dev_accounts()) == 10
    stamp = int(chain.w3.eth.get_block("latest")["timestamp"])
    results = batch_calls(chain.w3, _reads())
    assert len(results) == 1000
    assert results[0] == CallResult(True, eth_abi.encode(["uint256"], [stamp]))
    assert not results[1].success


def test_a_thousand_reads_are_one_round_trip_with_and_without_multicall3() -> None:
    answers = []
    for multicall in (True, False):
        node = start_anvil(multicall=multicall)
        try:
            chain = connect_chain(resolve_network(node.url))
            assert has_multicall3(chain.w3) is multicall
            direct = bytes(chain.w3.eth.call({"to": MULTICALL3_ADDRESS, "data": "0x" + TIMESTAMP.hex()}))
            counter = RpcCounter.install(chain.w3)
            results = batch_calls(chain.w3, [(MULTICALL3_ADDRESS, TIMESTAMP)] * 1000)
            assert counter.total == 1
            answers.append(results)
            assert set(results) == {CallResult(True, direct)}
            assert (len(direct) == 32) is multicall  # no code there: every call returns nothing
        finally:
            node.stop()
    assert len(answers[0]) == len(answers[1]) == 1000


def test_a_failing_call_is_reported_in_place(anvil: Any) -> None:
    chain = connect_chain(resolve_network(anvil.url))
    results = batch_calls(chain.w3, _reads()[:4])
    assert [r.success for r in results] == [True, False, True, False]
    assert batch_calls(chain.w3, []) == ()


def test_the_direct_codec_matches_eth_abi() -> None:
    import random

    from coopetition._chain.multicall import _decode, _encode

    rng = random.Random(16)
    calls = [("0x" + rng.randbytes(20).hex(), rng.randbytes(rng.randrange(0, 100))) for _ in range(50)]
    calls.append((MULTICALL3_ADDRESS, b""))
    expected = selector("aggregate3((address,bool,bytes)[])") + eth_abi.encode(
        ["(address,bool,bytes)[]"], [[(to, True, data) for to, data in calls]])
    assert _encode(calls) == "0x" + expected.hex()
    items = [(rng.random() < 0.5, rng.randbytes(rng.randrange(0, 100))) for _ in range(50)] + [(True, b"")]
    assert [(r.success, r.data) for r in _decode(eth_abi.encode(["(bool,bytes)[]"], [items]))] == items
    assert _decode(eth_abi.encode(["(bool,bytes)[]"], [[]])) == []


def test_multicall3_takes_no_ether(anvil: Any) -> None:
    from coopetition._chain.multicall import _encode

    chain = connect_chain(resolve_network(anvil.url))
    w3 = chain.w3
    payer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    empty = _encode([])
    with pytest.raises(Exception, match="revert"):  # not payable: ether sent along is refused
        w3.eth.call({"from": payer, "to": MULTICALL3_ADDRESS, "data": empty, "value": 1})
    assert w3.eth.get_balance(MULTICALL3_ADDRESS) == 0
