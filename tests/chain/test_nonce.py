"""The nonce manager: distinct and contiguous under threads, aware of other senders."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from eth_account import Account
from fixtures.pipeline.support import (
    anvil_w3,
    deploy_probe,
    embedded_w3,
    new_account,
    pipeline,
    probe_call,
    probe_value,
)

from coopetition._chain.nonce import NonceManager, default_nonce_manager
from coopetition._seam import TxResult


def test_twenty_threads_sending_at_once_get_distinct_contiguous_nonces_all_mined(anvil: Any) -> None:
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    manager = NonceManager()
    address = deploy_probe(pipeline(w3, acct, nonce_manager=manager))  # nonce 0
    start = threading.Barrier(20)

    def send(i: int) -> TxResult:
        # one pipeline per thread, as independent back-office code would build them
        p = pipeline(anvil_w3(anvil.url), acct, nonce_manager=manager, timeout=60)
        start.wait()
        return p.send(probe_call(p.w3, address, "store", 100 + i))

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(send, range(20)))

    assert all(r.status == 1 for r in results)
    nonces = sorted(w3.eth.get_transaction(r.transaction_hash)["nonce"] for r in results)  # type: ignore[arg-type]
    assert nonces == list(range(1, 21))
    assert w3.eth.get_transaction_count(acct.address) == 21
    assert len({r.transaction_hash for r in results}) == 20


def test_reservations_under_threads_are_distinct_and_contiguous() -> None:
    w3 = embedded_w3()
    acct = new_account()
    manager = NonceManager()
    with ThreadPoolExecutor(max_workers=16) as pool:
        got = list(pool.map(lambda _i: manager.reserve(w3, acct.address), range(64)))
    assert sorted(got) == list(range(64))


def test_reserve_skips_past_nonces_another_process_used() -> None:
    """Another script signing with the same key moves the node's pending count past our cursor."""
    w3 = embedded_w3()
    acct = new_account(w3)
    manager = NonceManager()
    assert manager.reserve(w3, acct.address) == 0
    manager.release(acct.address, 0, chain_id=w3.eth.chain_id)
    for nonce in (0, 1, 2):  # the "other process"
        signed = Account.sign_transaction(
            {"chainId": w3.eth.chain_id, "nonce": nonce, "to": acct.address, "value": 1, "gas": 21000,
             "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9},
            acct.key,
        )
        w3.eth.send_raw_transaction(signed.raw_transaction)

    assert manager.reserve(w3, acct.address) == 3


def test_a_released_nonce_is_reused_so_no_gap_is_left() -> None:
    w3 = embedded_w3()
    acct = new_account()
    cid = w3.eth.chain_id
    manager = NonceManager()
    a, b, c = (manager.reserve(w3, acct.address) for _ in range(3))
    assert (a, b, c) == (0, 1, 2)
    manager.release(acct.address, b, chain_id=cid)  # the node refused the middle one
    assert manager.reserve(w3, acct.address) == 1
    manager.release(acct.address, c, chain_id=cid)  # the last one: the cursor simply moves back
    assert manager.reserve(w3, acct.address) == 2


def test_out_of_order_broadcasts_never_reuse_a_nonce_still_held() -> None:
    """Thread B broadcasts nonce 1 while thread A still holds 0: the node (gap) counts neither."""
    w3 = embedded_w3()
    acct = new_account()
    cid = w3.eth.chain_id
    manager = NonceManager()
    assert [manager.reserve(w3, acct.address) for _ in range(2)] == [0, 1]
    manager.sent(acct.address, 1, chain_id=cid)
    assert manager.reserve(w3, acct.address) == 2


def test_a_node_that_forgot_its_pool_is_followed_instead_of_leaving_a_gap() -> None:
    """Everything this process signed was accepted, then the node restarted without its pool."""
    w3 = embedded_w3()
    acct = new_account()
    cid = w3.eth.chain_id
    manager = NonceManager()
    for _ in range(3):
        manager.sent(acct.address, manager.reserve(w3, acct.address), chain_id=cid)
    # the embedded node never saw them, like an anvil restarted from an older state
    assert manager.reserve(w3, acct.address) == 0
    assert manager.resync(w3, acct.address) == 0


def test_nonces_are_kept_per_chain_and_per_address() -> None:
    w3 = embedded_w3()
    first, second = new_account(), new_account()
    manager = NonceManager()
    assert [manager.reserve(w3, first.address) for _ in range(3)] == [0, 1, 2]
    assert manager.reserve(w3, second.address) == 0
    assert manager.reserve(w3, first.address, chain_id=999) == 0


def test_pipelines_share_the_default_manager() -> None:
    w3 = embedded_w3()
    acct = new_account(w3)
    one, two = pipeline(w3, acct), pipeline(w3, acct)
    assert one.nonces is two.nonces is default_nonce_manager()
    address = deploy_probe(one)
    two.send(probe_call(w3, address, "store", 50))
    one.send(probe_call(w3, address, "store", 51))
    assert probe_value(w3, address) == 51
    assert w3.eth.get_transaction_count(acct.address) == 3


def test_two_processes_sharing_a_key_recover_from_colliding_nonces(anvil: Any) -> None:
    """Two back-office scripts (separate managers, no shared lock) send at once from one key."""
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    address = deploy_probe(pipeline(w3, acct))
    managers = (NonceManager(), NonceManager())
    start = threading.Barrier(8)

    def send(i: int) -> TxResult:
        p = pipeline(anvil_w3(anvil.url), acct, nonce_manager=managers[i % 2], timeout=60)
        start.wait()
        return p.send(probe_call(p.w3, address, "store", 200 + i))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, range(8)))

    nonces = sorted(w3.eth.get_transaction(r.transaction_hash)["nonce"] for r in results)  # type: ignore[arg-type]
    assert nonces == list(range(1, 9))
    assert all(r.status == 1 for r in results)
