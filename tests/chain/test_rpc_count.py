"""The counting provider counts what reaches the node: one per request, one per batch."""

from __future__ import annotations

from typing import Any

from coopetition._chain.network import connect_chain, resolve_network
from tests._rpc_count import RpcCounter


def test_counts_requests_and_batches(anvil: Any) -> None:
    chain = connect_chain(resolve_network(anvil.url))
    counter = RpcCounter.install(chain.w3)
    chain.w3.eth.get_block("latest")
    chain.w3.eth.get_balance("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    with chain.w3.batch_requests() as batch:
        batch.add(chain.w3.eth.get_block("latest"))
        batch.add(chain.w3.eth.get_block(0))
        batch.execute()
    assert counter.by_method["eth_getBlockByNumber"] == 1
    assert counter.by_method["eth_getBalance"] == 1
    assert counter.by_method["batch"] == 1
    assert counter.requests == counter.total + 1
    counter.reset()
    assert counter.total == 0
