"""The counting provider counts what reaches the node: one per request, one per batch."""

from __future__ import annotations

import threading
from typing import Any

import pytest
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
    assert_one_send(counter.trips)


PREPARE_BATCH = ("eth_estimateGas", "eth_getBlockByNumber", "eth_maxPriorityFeePerGas", "eth_getBalance",
                 "eth_getTransactionCount")


def assert_one_send(trips: list[tuple[str, ...]]) -> None:
    """A send is three round trips: one batch (estimate, which simulates; block; tip; balance; pending
    nonce), the raw transaction, the receipt (asked again only while the node has not mined it)."""
    assert trips[:2] == [PREPARE_BATCH, ("eth_sendRawTransaction",)], trips
    assert len(trips) >= 3 and set(trips[2:]) == {("eth_getTransactionReceipt",)}, trips


def test_a_contract_send_is_three_round_trips_and_a_revert_still_comes_decoded(anvil: Any) -> None:
    from fixtures.pipeline.support import deploy_probe, probe_call

    from coopetition._chain.devnet import anvil_dev_accounts
    from coopetition._chain.nonce import NonceManager
    from coopetition._chain.tx import TransactionPipeline
    from coopetition.exceptions import ContractCustomError

    chain = connect_chain(resolve_network(anvil.url))
    pipeline = TransactionPipeline(chain.w3, anvil_dev_accounts()[0], network="dev", is_dev=True,
                                   nonce_manager=NonceManager())
    probe = deploy_probe(pipeline)
    counter = RpcCounter.install(chain.w3)
    for value in (15, 16, 17):
        counter.reset()
        assert pipeline.send(probe_call(chain.w3, probe, "store", value)).status == 1
        assert_one_send(counter.trips)
    counter.reset()
    with pytest.raises(ContractCustomError, match="ProbeTooSmall"):  # store(v) reverts below 10
        pipeline.send(probe_call(chain.w3, probe, "store", 3))
    # the failed estimate is followed by the simulation that recovers the reason; nothing is sent
    assert counter.trips[0] == PREPARE_BATCH and ("eth_call",) in counter.trips
    assert ("eth_sendRawTransaction",) not in counter.trips


def test_send_all_pipelines_consecutive_nonces_and_reports_each(anvil: Any) -> None:
    from fixtures.pipeline.support import deploy_probe, probe_call, probe_value

    from coopetition._chain.devnet import anvil_dev_accounts
    from coopetition._chain.nonce import NonceManager
    from coopetition._chain.receipts import TxProgress
    from coopetition._chain.tx import TransactionPipeline

    chain = connect_chain(resolve_network(anvil.url))
    heard: list[TxProgress] = []
    pipeline = TransactionPipeline(chain.w3, anvil_dev_accounts()[0], network="dev", is_dev=True,
                                   nonce_manager=NonceManager(), progress=heard.append)
    probe = deploy_probe(pipeline)
    heard.clear()
    chain.w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    # nothing is mined until all are sent: each is sent without waiting for the one before
    miner = threading.Timer(1.0, lambda: chain.w3.provider.make_request("evm_mine", []))  # type: ignore[arg-type]
    miner.start()
    results = pipeline.send_all([probe_call(chain.w3, probe, "store", v) for v in (11, 12, 13)])
    miner.join()
    assert [r.nonce for r in results] == [1, 2, 3]
    assert len({r.block_number for r in results}) == 1  # all three in the one block mined
    assert [r.events_named("Stored")[0].args["value"] for r in results] == [11, 12, 13]
    assert probe_value(chain.w3, probe) == 13
    assert [e.stage for e in heard] == ["sent", "mined", "done"] * 3
    assert list(pipeline.sent)[-3:] == list(results)


def test_send_all_stops_at_a_call_that_would_revert_and_still_waits_for_the_ones_sent(anvil: Any) -> None:
    from fixtures.pipeline.support import deploy_probe, probe_call, probe_value

    from coopetition._chain.devnet import anvil_dev_accounts
    from coopetition._chain.nonce import NonceManager
    from coopetition._chain.tx import TransactionPipeline
    from coopetition.exceptions import ContractCustomError

    chain = connect_chain(resolve_network(anvil.url))
    pipeline = TransactionPipeline(chain.w3, anvil_dev_accounts()[0], network="dev", is_dev=True,
                                   nonce_manager=NonceManager())
    probe = deploy_probe(pipeline)
    with pytest.raises(ContractCustomError, match="ProbeTooSmall"):
        pipeline.send_all([probe_call(chain.w3, probe, "store", v) for v in (21, 2, 23)])
    assert probe_value(chain.w3, probe) == 21
    assert pipeline.sent[-1].status == 1 and pipeline.sent[-1].nonce == 1
    assert chain.w3.eth.get_transaction_count(anvil_dev_accounts()[0].address) == 2


def test_send_all_is_two_round_trips_a_send_and_one_batch_of_receipts(anvil: Any) -> None:
    from fixtures.pipeline.support import deploy_probe, probe_call

    from coopetition._chain.devnet import anvil_dev_accounts
    from coopetition._chain.nonce import NonceManager
    from coopetition._chain.tx import TransactionPipeline

    chain = connect_chain(resolve_network(anvil.url))
    pipeline = TransactionPipeline(chain.w3, anvil_dev_accounts()[0], network="dev", is_dev=True,
                                   nonce_manager=NonceManager())
    probe = deploy_probe(pipeline)
    counter = RpcCounter.install(chain.w3)
    results = pipeline.send_all([probe_call(chain.w3, probe, "store", v) for v in range(30, 40)])
    assert [r.events_named("Stored")[0].args["value"] for r in results] == list(range(30, 40))
    assert counter.trips[:20] == [PREPARE_BATCH, ("eth_sendRawTransaction",)] * 10
    receipts = ("eth_getTransactionReceipt",) * 10
    assert counter.trips[-1] == receipts
    # a batch is repeated only when the last transaction was not mined yet (asked alone meanwhile)
    assert set(counter.trips[20:-1]) <= {receipts, ("eth_getTransactionReceipt",)}


def test_connecting_is_one_round_trip_where_the_node_batches(anvil: Any) -> None:
    from web3 import HTTPProvider, Web3

    from coopetition._chain.network import chain_from_web3

    w3 = Web3(HTTPProvider(anvil.url))
    counter = RpcCounter.install(w3)
    chain = chain_from_web3(resolve_network(anvil.url), w3)
    assert counter.trips == [("eth_chainId", "eth_getBlockByNumber", "eth_getBlockByNumber")]
    assert chain.chain_id == 31337 and chain.genesis_hash == w3.eth.get_block(0)["hash"].to_0x_hex()


def test_a_node_that_refuses_batches_is_asked_one_by_one(anvil: Any) -> None:
    from web3 import HTTPProvider, Web3

    from coopetition._chain.network import chain_from_web3

    w3 = Web3(HTTPProvider(anvil.url))
    provider: Any = w3.provider

    def refuse(requests: Any) -> Any:
        return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "batch requests are disabled"}}

    provider.make_batch_request = refuse
    counter = RpcCounter.install(w3)
    chain = chain_from_web3(resolve_network(anvil.url), w3)
    assert [t for t in counter.trips if len(t) == 1] == [("eth_chainId",), ("eth_getBlockByNumber",),
                                                          ("eth_getBlockByNumber",)]
    assert chain.chain_id == 31337
