"""The transaction pipeline on a real EVM: embedded (eth-tester) and anvil."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fixtures.pipeline.support import (
    PROBE,
    anvil_w3,
    deploy_call,
    deploy_probe,
    embedded_w3,
    new_account,
    pipeline,
    probe_call,
    probe_value,
)
from web3 import Web3

from coopetition._chain.nonce import NonceManager
from coopetition._chain.receipts import TxProgress
from coopetition._chain.tx import TransactionPipeline
from coopetition._chain.txdata import TxPreview
from coopetition._seam import Sender
from coopetition.exceptions import (
    ContractCustomError,
    InsufficientFundsError,
    NodeUnreachableError,
    PanicError,
    RevertReasonError,
    TransactionError,
)


@pytest.fixture(params=["embedded", "anvil"])
def w3(request: pytest.FixtureRequest) -> Web3:
    if request.param == "embedded":
        return embedded_w3()
    return anvil_w3(request.getfixturevalue("anvil").url)


def _snapshot(w3: Web3, address: str) -> tuple[int, int, int]:
    return (
        w3.eth.get_transaction_count(address, "pending"),  # type: ignore[arg-type]
        w3.eth.get_balance(address),  # type: ignore[arg-type]
        w3.eth.block_number,
    )


def test_pipeline_is_a_sender(w3: Web3) -> None:
    assert isinstance(pipeline(w3, new_account()), Sender)


def test_send_returns_typed_result_with_decoded_events(w3: Web3) -> None:
    acct = new_account(w3)
    p = pipeline(w3, acct)
    deployed = p.send(deploy_call(w3, 5, "hello"))
    assert deployed.status == 1 and deployed.to is None and deployed.contract_address
    address = deployed.contract_address
    assert w3.eth.get_code(address)  # type: ignore[arg-type]

    result = p.send(probe_call(w3, address, "store", 42))

    assert result.status == 1 and not result.dry_run
    assert result.sender == acct.address and result.to == address
    assert result.gas_used > 21_000 and result.block_number == w3.eth.block_number
    (event,) = result.events
    assert event.name == "Stored" and event.address == address
    assert dict(event.args) == {"by": acct.address, "value": 42}
    assert event.transaction_hash == result.transaction_hash
    assert probe_value(w3, address) == 42


def test_custom_error_is_raised_typed_before_anything_is_sent(w3: Web3) -> None:
    acct = new_account(w3)
    p = pipeline(w3, acct)
    address = deploy_probe(p)
    before = _snapshot(w3, acct.address)

    with pytest.raises(ContractCustomError) as info:
        p.send(probe_call(w3, address, "store", 3))

    err = info.value
    assert type(err).__name__ == "ProbeTooSmall"
    assert err.given == 3 and err.minimum == 10  # type: ignore[attr-defined]
    assert "\n" not in str(err) and "0x" not in str(err)
    assert _snapshot(w3, acct.address) == before  # no nonce used, no gas paid, no block


def test_error_string_is_decoded_and_nothing_sent(w3: Web3) -> None:
    acct = new_account(w3)
    p = pipeline(w3, acct)
    address = deploy_probe(p)
    before = _snapshot(w3, acct.address)

    with pytest.raises(RevertReasonError) as info:
        p.send(probe_call(w3, address, "requireNonZero", 0))

    assert info.value.reason == "Probe: zero"
    assert _snapshot(w3, acct.address) == before


def test_panic_is_decoded_with_its_explanation(w3: Web3) -> None:
    acct = new_account(w3)
    p = pipeline(w3, acct)
    address = deploy_probe(p)
    before = _snapshot(w3, acct.address)

    with pytest.raises(PanicError) as info:
        p.send(probe_call(w3, address, "divide", 1, 0))

    assert info.value.code == 0x12 and "division" in str(info.value)
    assert _snapshot(w3, acct.address) == before


def test_reverting_constructor_stops_the_deployment_before_sending(w3: Web3) -> None:
    acct = new_account(w3)
    p = pipeline(w3, acct)
    before = _snapshot(w3, acct.address)

    with pytest.raises(RevertReasonError, match="Probe: unlucky"):
        p.send(deploy_call(w3, 13))

    assert _snapshot(w3, acct.address) == before


def test_dry_run_estimates_and_sends_nothing(w3: Web3) -> None:
    acct = new_account(w3)
    address = deploy_probe(pipeline(w3, acct))
    dry = pipeline(w3, acct, dry_run=True)
    before = _snapshot(w3, acct.address)

    result = dry.send(probe_call(w3, address, "store", 99))
    deploy = dry.send(deploy_call(w3))

    assert result.dry_run and result.transaction_hash == "" and result.gas_used > 21_000
    assert deploy.dry_run and deploy.contract_address  # where it would land
    assert not w3.eth.get_code(deploy.contract_address)  # type: ignore[arg-type]
    assert _snapshot(w3, acct.address) == before
    assert probe_value(w3, address) == 1


def test_dry_run_still_raises_the_decoded_revert(w3: Web3) -> None:
    acct = new_account(w3)
    address = deploy_probe(pipeline(w3, acct))
    with pytest.raises(ContractCustomError):
        pipeline(w3, acct, dry_run=True).send(probe_call(w3, address, "store", 1))


def test_confirm_sees_a_preview_and_a_refusal_sends_nothing(w3: Web3) -> None:
    acct = new_account(w3)
    address = deploy_probe(pipeline(w3, acct))
    seen: list[TxPreview] = []

    def refuse(preview: TxPreview) -> bool:
        seen.append(preview)
        return False

    before = _snapshot(w3, acct.address)
    with pytest.raises(TransactionError, match="cancelled"):
        pipeline(w3, acct, confirm=refuse).send(probe_call(w3, address, "deposit", value=10**15))

    (preview,) = seen
    assert preview.to == address and preview.function == "deposit" and preview.value == 10**15
    assert preview.gas > 21_000 and preview.max_fee_per_gas > 0
    assert preview.max_cost == preview.value + preview.gas * preview.max_fee_per_gas
    assert "deposit" in preview.describe() and "\n" not in preview.describe()
    assert _snapshot(w3, acct.address) == before

    accepted = pipeline(w3, acct, confirm=lambda _p: True).send(
        probe_call(w3, address, "deposit", value=10**15)
    )
    assert accepted.events_named("Received")[0].args["amount"] == 10**15


def test_insufficient_funds_is_one_line_with_figures_and_nothing_sent(w3: Web3) -> None:
    funded = new_account(w3)
    address = deploy_probe(pipeline(w3, funded))
    broke = new_account()  # no ETH at all
    before = _snapshot(w3, broke.address)

    with pytest.raises(InsufficientFundsError) as info:
        pipeline(w3, broke).send(probe_call(w3, address, "store", 11))

    message = str(info.value)
    assert "\n" not in message
    assert broke.address in message and "has 0 ETH but needs" in message and "gas" in message
    assert _snapshot(w3, broke.address) == before


def test_value_above_balance_is_insufficient_funds_before_simulating(w3: Web3) -> None:
    funded = new_account(w3)
    address = deploy_probe(pipeline(w3, funded))
    poor = new_account(w3, ether=1)
    with pytest.raises(InsufficientFundsError, match="needs 5 ETH"):
        pipeline(w3, poor).send(probe_call(w3, address, "deposit", value=5 * 10**18))


def test_logs_of_other_contracts_are_unknown_unless_their_abi_is_registered(w3: Web3) -> None:
    acct = new_account(w3)
    p = pipeline(w3, acct)
    outer, inner = deploy_probe(p), deploy_probe(p)

    plain = p.send(probe_call(w3, outer, "storeThrough", inner, 20))
    assert [(e.name, e.address) for e in plain.events] == [("unknown", inner), ("Stored", outer)]
    assert plain.events[0].args["topics"][0].startswith("0x")

    p.register_abi(inner, "Probe", PROBE["abi"])
    known = p.send(probe_call(w3, outer, "storeThrough", inner, 21))
    assert [(e.name, e.address) for e in known.events] == [("Stored", inner), ("Stored", outer)]
    assert known.events[0].args == {"by": outer, "value": 21}


# ---------------------------------------------------------------------------- fee paths (anvil)


def test_default_anvil_uses_eip1559_fees(anvil: Any) -> None:
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    p = pipeline(w3, acct)
    address = deploy_probe(p)
    base = w3.eth.get_block("latest")["baseFeePerGas"]

    result = p.send(probe_call(w3, address, "store", 11))

    tx = w3.eth.get_transaction(result.transaction_hash)  # type: ignore[arg-type]
    assert tx["type"] == 2
    assert tx["maxFeePerGas"] >= 2 * base and tx["maxPriorityFeePerGas"] == w3.eth.max_priority_fee
    assert tx["gas"] > result.gas_used  # the margin


def test_free_gas_chain_sends_with_zero_fees_from_an_unfunded_account(anvil_factory: Any) -> None:
    node = anvil_factory("--base-fee", "0", "--gas-price", "0", "--disable-min-priority-fee")
    w3 = anvil_w3(node.url)
    broke = new_account()  # 0 ETH: on a free-gas chain it can still transact
    p = pipeline(w3, broke)

    address = deploy_probe(p)
    result = p.send(probe_call(w3, address, "store", 12))

    tx = w3.eth.get_transaction(result.transaction_hash)  # type: ignore[arg-type]
    assert tx["maxFeePerGas"] == 0 and tx["maxPriorityFeePerGas"] == 0
    assert result.status == 1 and probe_value(w3, address) == 12
    assert w3.eth.get_balance(broke.address) == 0


def test_legacy_chain_without_base_fee_uses_gas_price(anvil_factory: Any) -> None:
    node = anvil_factory("--hardfork", "berlin")
    w3 = anvil_w3(node.url)
    assert "baseFeePerGas" not in w3.eth.get_block("latest")
    acct = new_account(w3)
    p = pipeline(w3, acct)

    address = deploy_probe(p)
    result = p.send(probe_call(w3, address, "store", 13))

    tx = w3.eth.get_transaction(result.transaction_hash)  # type: ignore[arg-type]
    assert tx["type"] == 0 and "maxFeePerGas" not in tx and tx["gasPrice"] > 0
    assert probe_value(w3, address) == 13


# ---------------------------------------------------------------------------- waiting (anvil)


def test_confirmations_wait_for_blocks_on_top(anvil_factory: Any) -> None:
    node = anvil_factory("--block-time", "1")
    w3 = anvil_w3(node.url)
    acct = new_account(w3)
    address = deploy_probe(pipeline(w3, acct))

    result = pipeline(w3, acct, confirmations=2).send(probe_call(w3, address, "store", 14))

    assert w3.eth.block_number >= result.block_number + 2


def test_wait_timeout_names_the_transaction_hash(anvil: Any) -> None:
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    address = deploy_probe(pipeline(w3, acct))
    w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]

    heard: list[TxProgress] = []
    with pytest.raises(TransactionError) as info:
        pipeline(w3, acct, timeout=0.5, progress=heard.append).send(probe_call(w3, address, "store", 15))

    (pending,) = w3.eth.get_block("pending")["transactions"]
    tx_hash = Web3.to_hex(pending)  # type: ignore[arg-type]
    assert tx_hash in str(info.value) and "not mined" in str(info.value)
    assert "\n" not in str(info.value)
    # a spinner is stopped when waiting fails too: "done" is the last thing the callback hears
    assert [(e.stage, e.transaction_hash) for e in heard] == [("sent", tx_hash), ("done", tx_hash)]


def test_transaction_reverting_once_mined_raises_the_decoded_error(anvil: Any) -> None:
    """Simulation passes (not armed yet at 'latest'), but an arm() mined first in the same block
    makes it revert on chain: the pipeline replays it at that block and decodes ProbeArmed(7)."""
    w3 = anvil_w3(anvil.url)
    acct, other = new_account(w3), new_account(w3)
    address = deploy_probe(pipeline(w3, acct))
    w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    arm = pipeline(w3, other)
    prepared = arm.prepare(probe_call(w3, address, "arm"))
    # a higher tip puts arm() first in the block (anvil orders by fees)
    boosted = type(prepared.fees)(
        eip1559=True,
        max_fee_per_gas=prepared.fees.max_fee_per_gas * 10,
        max_priority_fee_per_gas=prepared.fees.max_fee_per_gas * 5,
        base_fee_per_gas=prepared.fees.base_fee_per_gas,
    )
    arm.submit(type(prepared)(prepared.call, prepared.gas_estimate, prepared.gas, boosted, prepared.preview))

    def mine_soon() -> None:
        deadline = time.monotonic() + 10
        while w3.eth.get_block("pending")["transactions"].__len__() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    miner = threading.Thread(target=mine_soon)
    miner.start()
    try:
        with pytest.raises(ContractCustomError) as info:
            pipeline(w3, acct).send(probe_call(w3, address, "guarded"))
    finally:
        miner.join()
    assert type(info.value).__name__ == "ProbeArmed" and info.value.code == 7  # type: ignore[attr-defined]
    # it was mined (and paid for): the nonce moved
    assert w3.eth.get_transaction_count(acct.address) == 2


# ---------------------------------------------------------------------------- node problems


def test_unreachable_node_is_one_line_naming_the_url() -> None:
    from conftest import free_port

    url = f"http://127.0.0.1:{free_port()}"
    p = pipeline(anvil_w3(url), new_account(), network="dev")
    with pytest.raises(NodeUnreachableError) as info:
        p.send(probe_call(anvil_w3(url), "0x" + "11" * 20, "store", 11))
    assert url in str(info.value) and "coopetition devnet start" in str(info.value)
    assert "\n" not in str(info.value)


class _StaleOnce(NonceManager):
    """Hands out an already used nonce once, as a second process racing us would cause."""

    def __init__(self) -> None:
        super().__init__()
        self.stale_given = False

    def reserve(self, w3: Web3, address: str, *, chain_id: int | None = None, pending: int | None = None) -> int:
        nonce = super().reserve(w3, address, chain_id=chain_id, pending=pending)
        if not self.stale_given and nonce > 0:
            self.stale_given = True
            self.release(address, nonce, chain_id=chain_id if chain_id is not None else w3.eth.chain_id)
            return nonce - 1
        return nonce


def test_nonce_too_low_is_recovered_by_resyncing_from_the_node(w3: Web3) -> None:
    acct = new_account(w3)
    manager = _StaleOnce()
    p = pipeline(w3, acct, nonce_manager=manager, timeout=10)
    address = deploy_probe(p)  # nonce 0

    result = p.send(probe_call(w3, address, "store", 16))  # offered nonce 0 first, refused

    assert manager.stale_given
    assert w3.eth.get_transaction(result.transaction_hash)["nonce"] == 1  # type: ignore[arg-type]
    assert probe_value(w3, address) == 16


def test_progress_callback_hears_each_state_change_and_the_library_prints_nothing(
    w3: Web3, capsys: pytest.CaptureFixture[str]
) -> None:
    acct = new_account(w3)
    heard: list[TxProgress] = []
    address = deploy_probe(pipeline(w3, acct, progress=heard.append))
    assert [e.stage for e in heard] == ["sent", "mined", "done"]
    assert heard[0].label == "deploy Probe" and heard[0].transaction_hash.startswith("0x")
    assert heard[1].block_number == w3.eth.get_transaction_receipt(heard[0].transaction_hash)["blockNumber"]  # type: ignore[arg-type]
    assert address
    deploy_probe(pipeline(w3, acct))  # no callback: silent
    assert capsys.readouterr() == ("", "")


def test_gas_margin_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        TransactionPipeline(embedded_w3(), new_account(), network="embedded", is_dev=True, gas_margin=0.9)


def test_nonce_taken_by_a_pending_transaction_of_another_process_is_recovered(anvil: Any) -> None:
    """Another process's transaction holds nonce 1 in the pool; ours is offered nonce 1 too and the
    node answers "replacement transaction underpriced": the pipeline resyncs and signs with 2."""
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    address = deploy_probe(pipeline(w3, acct))  # nonce 0
    w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    other_process = pipeline(w3, acct, nonce_manager=NonceManager())
    theirs = other_process.submit(other_process.prepare(probe_call(w3, address, "store", 30)))
    manager = _StaleOnce()
    ours_pipeline = pipeline(w3, acct, nonce_manager=manager, timeout=10)

    ours = ours_pipeline.submit(ours_pipeline.prepare(probe_call(w3, address, "store", 31)))

    assert manager.stale_given and (theirs.nonce, ours.nonce) == (1, 2)
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    assert ours_pipeline.wait(ours.transaction_hash).status == 1
    assert other_process.wait(theirs.transaction_hash).status == 1
    assert probe_value(w3, address) == 31


def test_identical_transaction_signed_by_another_process_is_not_merged_into_one(anvil: Any) -> None:
    """Two scripts deposit 1 wei each from the same key at the same moment and both pick nonce 1:
    the signed bytes are identical and the node says "already known". Treating that as success
    would lose one deposit; the pipeline signs it again with the next nonce instead."""
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    address = deploy_probe(pipeline(w3, acct))  # nonce 0
    w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    first_script = pipeline(w3, acct, nonce_manager=NonceManager())
    first = first_script.submit(first_script.prepare(probe_call(w3, address, "deposit", value=1)))
    manager = _StaleOnce()
    second_script = pipeline(w3, acct, nonce_manager=manager, timeout=10)

    second = second_script.submit(second_script.prepare(probe_call(w3, address, "deposit", value=1)))

    assert manager.stale_given and (first.nonce, second.nonce) == (1, 2)
    assert first.transaction_hash != second.transaction_hash
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    assert first_script.wait(first.transaction_hash).status == 1
    assert second_script.wait(second.transaction_hash).status == 1
    assert w3.eth.get_balance(address) == 2  # type: ignore[arg-type]
