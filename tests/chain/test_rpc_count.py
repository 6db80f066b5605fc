"""The counting provider counts what reaches the node: one per request, one per batch."""

from __future__ import annotations

from typing import Any

from _rpc_count import RpcCounter

from coopetition._chain.network import connect_chain, resolve_network


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


def test_a_read_is_one_round_trip_and_the_chain_id_is_asked_once(anvil: Any) -> None:
    from coopetition._chain.devnet import anvil_dev_accounts
    from coopetition._chain.nonce import NonceManager
    from coopetition._chain.tx import TransactionPipeline
    from coopetition._seam import PendingCall

    chain = connect_chain(resolve_network(anvil.url))
    counter = RpcCounter.install(chain.w3)
    assert "validation" not in chain.w3.middleware_onion
    assert chain.w3.eth.chain_id == 31337
    chain.w3.eth.call({"to": anvil_dev_accounts()[1].address, "data": "0x"})
    assert counter.trips == [("eth_call",)]
    counter.reset()
    account = anvil_dev_accounts()[0]
    pipeline = TransactionPipeline(chain.w3, account, network="dev", is_dev=True,
                                   nonce_manager=NonceManager())
    pay = PendingCall(contract="EOA", address=anvil_dev_accounts()[1].address, function="transfer",
                      args=(), data=b"", value=1)
    assert pipeline.send(pay).status == 1
    assert "eth_chainId" not in counter.by_method
    assert counter.total <= 9
