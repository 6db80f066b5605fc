"""Deployment records: shape, guard, no-op reruns, atomic writes, and resuming after a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, AnvilNode, rpc
from eth_account import Account
from eth_account.signers.local import LocalAccount
from fixtures.pipeline.support import (
    PROBE,
    anvil_w3,
    deploy_call,
    embedded_w3,
    new_account,
    pipeline,
)
from web3 import Web3

from coopetition._chain.deployments import deploy_contract
from coopetition._chain.records import DeploymentStore
from coopetition._chain.tx import TransactionPipeline
from coopetition._chain.txdata import create_address
from coopetition.exceptions import (
    ChainIdMismatchError,
    DeploymentError,
    NodeUnreachableError,
    RevertReasonError,
    TransactionError,
)

Account.enable_unaudited_hdwallet_features()
DEV0: LocalAccount = Account.from_mnemonic(
    "test test test test test test test test test test test junk", account_path="m/44'/60'/0'/0/0"
)


def _deploy(p: TransactionPipeline, store: DeploymentStore, *args: Any, **kw: Any) -> Any:
    kw.setdefault("name", "Probe")
    return deploy_contract(
        p, store, abi=PROBE["abi"], bytecode=PROBE["bytecode"], args=args or (1, "one"),
        compiler_version=PROBE["compilerVersion"], solc_input_hash="0xfeed", **kw,
    )


def _nonce(w3: Web3, address: str) -> int:
    return int(w3.eth.get_transaction_count(address, "pending"))  # type: ignore[arg-type]


def _folder_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ---------------------------------------------------------------------------- shape and reruns


def test_record_has_the_hardhat_deploy_shape_and_chain_guard_files(anvil: Any, tmp_path: Path) -> None:
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    store = DeploymentStore(tmp_path / "deployments", "dev")

    dep = _deploy(pipeline(w3, acct), store, 5, "five")

    folder = tmp_path / "deployments" / "dev"
    assert _folder_files(folder) == [".chainId", ".genesis", "Probe.json"]  # no temp or pending file
    assert (folder / ".chainId").read_text().strip() == "31337"
    genesis = "0x" + bytes(w3.eth.get_block(0)["hash"]).hex()
    assert (folder / ".genesis").read_text().strip() == genesis
    record = json.loads((folder / "Probe.json").read_text())
    assert set(record) >= {
        "address", "abi", "transactionHash", "receipt", "args", "bytecode", "deployedBytecode",
        "solcInputHash", "compiler", "numDeployments",
    }
    assert record["address"] == dep.address and dep.newly_deployed
    assert record["args"] == [5, "five"] and record["numDeployments"] == 1
    assert record["abi"] == PROBE["abi"] and record["bytecode"] == PROBE["bytecode"]
    assert record["deployedBytecode"] == "0x" + bytes(w3.eth.get_code(dep.address)).hex()
    assert record["solcInputHash"] == "0xfeed" and record["compiler"] == {"version": PROBE["compilerVersion"]}
    receipt = record["receipt"]
    assert receipt["transactionHash"] == record["transactionHash"] == dep.transaction_hash
    assert receipt["contractAddress"] == dep.address and receipt["status"] == 1
    assert receipt["blockNumber"] == dep.block_number and isinstance(receipt["blockHash"], str)
    assert store.address("Probe") == dep.address and store.names() == ("Probe",)


def test_identical_rerun_is_a_no_op_and_sends_nothing(anvil: Any, tmp_path: Path) -> None:
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    store = DeploymentStore(tmp_path, "dev")
    first = _deploy(pipeline(w3, acct), store)
    nonce = _nonce(w3, acct.address)

    again = _deploy(pipeline(w3, acct), DeploymentStore(tmp_path, "dev"))

    assert not again.newly_deployed and again.address == first.address
    assert again.transaction_hash == first.transaction_hash
    assert _nonce(w3, acct.address) == nonce


def test_changed_arguments_redeploy_and_count_deployments(anvil: Any, tmp_path: Path) -> None:
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    store = DeploymentStore(tmp_path, "dev")
    first = _deploy(pipeline(w3, acct), store, 1, "one")

    second = _deploy(pipeline(w3, acct), store, 2, "two")

    assert second.newly_deployed and second.address != first.address
    record = store.record("Probe")
    assert record is not None and record["numDeployments"] == 2 and record["args"] == [2, "two"]


def test_reset_forces_a_new_deployment(anvil: Any, tmp_path: Path) -> None:
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    store = DeploymentStore(tmp_path, "dev")
    first = _deploy(pipeline(w3, acct), store)

    forced = _deploy(pipeline(w3, acct), store, reset=True)

    assert forced.newly_deployed and forced.address != first.address


def test_record_without_code_on_chain_is_redeployed(anvil: Any, tmp_path: Path) -> None:
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    store = DeploymentStore(tmp_path, "dev")
    first = _deploy(pipeline(w3, acct), store)
    rpc(anvil.url, "anvil_setCode", [first.address, "0x"])

    again = _deploy(pipeline(w3, acct), store)

    assert again.newly_deployed and again.address != first.address


def test_embedded_deployments_write_nothing_to_disk(tmp_path: Path) -> None:
    w3 = embedded_w3()
    acct = new_account(w3)
    store = DeploymentStore(tmp_path / "deployments", "embedded")
    dep = _deploy(pipeline(w3, acct), store)
    again = _deploy(pipeline(w3, acct), store)
    memory_only = DeploymentStore(None, "anything")
    _deploy(pipeline(w3, acct), memory_only, 3, "three")

    assert dep.newly_deployed and not again.newly_deployed and store.address("Probe") == dep.address
    assert memory_only.names() == ("Probe",)
    assert not (tmp_path / "deployments").exists()


def test_dry_run_deploy_sends_and_writes_nothing(anvil: Any, tmp_path: Path) -> None:
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    dep = _deploy(pipeline(w3, acct, dry_run=True), DeploymentStore(tmp_path, "dev"))
    assert dep.dry_run and dep.gas_used > 100_000
    assert dep.address == create_address(acct.address, 0)
    assert _nonce(w3, acct.address) == 0 and not tmp_path.joinpath("dev").exists()


def test_reverting_constructor_leaves_no_record_and_no_pending(anvil: Any, tmp_path: Path) -> None:
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    store = DeploymentStore(tmp_path, "dev")
    with pytest.raises(RevertReasonError, match="unlucky"):
        _deploy(pipeline(w3, acct), store, 13, "bad")
    assert store.record("Probe") is None and store.pending("Probe") is None
    assert _nonce(w3, acct.address) == 0


def test_bad_inputs_are_one_line_deployment_errors(tmp_path: Path) -> None:
    w3 = embedded_w3()
    p = pipeline(w3, new_account(w3))
    store = DeploymentStore(tmp_path, "embedded")
    with pytest.raises(DeploymentError, match="constructor arguments"):
        _deploy(p, store, "not a number", "x")
    with pytest.raises(DeploymentError, match="not a valid contract name"):
        _deploy(p, store, name="../evil")
    with pytest.raises(DeploymentError, match="no bytecode"):
        deploy_contract(p, store, name="Probe", abi=PROBE["abi"], bytecode="0x")
    with pytest.raises(DeploymentError, match="not deployed on embedded"):
        store.address("Probe")


# ---------------------------------------------------------------------------- chain guard


def test_devnet_restarted_without_state_is_detected_and_reset_deploys_afresh(
    anvil_factory: Callable[..., AnvilNode], tmp_path: Path
) -> None:
    node = anvil_factory()
    store = DeploymentStore(tmp_path / "deployments", "dev")
    _deploy(pipeline(anvil_w3(node.url), DEV0), store)
    node.stop()
    fresh = anvil_factory(port=node.port)  # same chain id 31337, new genesis, empty chain
    w3 = anvil_w3(fresh.url)

    with pytest.raises(ChainIdMismatchError) as info:
        _deploy(pipeline(w3, DEV0), store)

    message = str(info.value)
    assert "\n" not in message and "deployments/dev were made on chain 31337 (genesis" in message
    assert "the chain was reset (its contracts are gone); rerun with --reset" in message
    assert _nonce(w3, DEV0.address) == 0  # nothing sent

    dep = _deploy(pipeline(w3, DEV0), store, reset=True)
    assert dep.newly_deployed and w3.eth.get_code(dep.address)  # type: ignore[arg-type]
    genesis = "0x" + bytes(w3.eth.get_block(0)["hash"]).hex()
    assert (tmp_path / "deployments" / "dev" / ".genesis").read_text().strip() == genesis
    assert store.record("Probe")["numDeployments"] == 1  # type: ignore[index]


def test_other_chain_id_is_refused(anvil_factory: Callable[..., AnvilNode], tmp_path: Path) -> None:
    store = DeploymentStore(tmp_path, "dev")
    _deploy(pipeline(anvil_w3(anvil_factory().url), DEV0), store)
    other = anvil_w3(anvil_factory("--chain-id", "4242").url)
    with pytest.raises(ChainIdMismatchError, match=r"made on chain 31337 .* reports chain 4242"):
        _deploy(pipeline(other, DEV0), store)
    assert _nonce(other, DEV0.address) == 0


# ---------------------------------------------------------------------------- atomic writes


def test_writes_are_atomic_replacements_in_the_same_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DeploymentStore(tmp_path, "dev")
    store.save("Probe", {"address": "0x" + "11" * 20, "args": [1]})
    folder = tmp_path / "dev"
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: Any, dst: Any) -> None:
        replaced.append((str(src), str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    store.save("Probe", {"address": "0x" + "22" * 20, "args": [2]})
    ((src, dst),) = replaced
    assert Path(src).parent == folder and dst == str(folder / "Probe.json")

    def crash(src: Any, dst: Any) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(DeploymentError, match=r"^cannot write \S+/dev/Probe.json \(.*\): disk gone$"):
        store.save("Probe", {"address": "0x" + "33" * 20, "args": [3]})
    assert json.loads((folder / "Probe.json").read_text())["args"] == [2]  # old content intact
    assert _folder_files(folder) == ["Probe.json"]  # the temporary file was removed


def test_corrupt_record_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "Probe.json").write_text("{ not json")
    with pytest.raises(DeploymentError, match=r"dev/Probe.json is not valid JSON"):
        DeploymentStore(tmp_path, "dev").record("Probe")


# ---------------------------------------------------------------------------- crash in this process


class _CrashBeforeBroadcast(TransactionPipeline):
    """The process "dies" after the pending record is written, before the node sees anything."""

    def broadcast(self, signed: Any) -> str:
        raise KeyboardInterrupt


def test_crash_between_pending_record_and_broadcast_resends_the_same_transaction(
    anvil: Any, tmp_path: Path
) -> None:
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    store = DeploymentStore(tmp_path, "dev")
    crashing = _CrashBeforeBroadcast(w3, acct, network="dev", is_dev=True)
    with pytest.raises(KeyboardInterrupt):
        _deploy(crashing, store)
    pending = store.pending("Probe")
    assert pending is not None and _nonce(w3, acct.address) == 0

    # another gas margin: a transaction signed afresh could not have the pending one's hash
    dep = _deploy(pipeline(w3, acct, gas_margin=1.5), DeploymentStore(tmp_path, "dev"))

    assert dep.newly_deployed and dep.transaction_hash == pending["transactionHash"]
    assert dep.address == pending["contractAddress"] == create_address(acct.address, 0)
    assert _nonce(w3, acct.address) == 1 and store.pending("Probe") is None


def test_pending_whose_nonce_went_to_another_transaction_is_dropped_and_redeployed(
    anvil: Any, tmp_path: Path
) -> None:
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    store = DeploymentStore(tmp_path, "dev")
    with pytest.raises(KeyboardInterrupt):
        _deploy(_CrashBeforeBroadcast(w3, acct, network="dev", is_dev=True), store)
    pending = store.pending("Probe")
    assert pending is not None
    # meanwhile the same account sends something else with that nonce
    pipeline(w3, acct).send(deploy_call(w3, 99))

    dep = _deploy(pipeline(w3, acct), store)

    assert dep.newly_deployed and dep.address == create_address(acct.address, 1)
    assert dep.transaction_hash != pending["transactionHash"] and store.pending("Probe") is None


def test_node_down_during_deploy_is_one_line(tmp_path: Path) -> None:
    from conftest import free_port

    w3 = anvil_w3(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(NodeUnreachableError, match="coopetition devnet start"):
        _deploy(pipeline(w3, new_account(), network="dev"), DeploymentStore(tmp_path, "dev"))
    assert not tmp_path.joinpath("dev").exists()


# ---------------------------------------------------------------------------- THE FAULT TEST
#
# A deployment runs in its own process (tests/fixtures/pipeline/deploy_probe.py) against an anvil
# that keeps its state in a file (--state, dumped every second) and mines every 2 s (--block-time),
# so the transaction sits in the pool for a while. The deploying process asks for 50 confirmations,
# so it can never get as far as recording the receipt: it is SIGKILLed after its pending record is
# on disk, and anvil is SIGKILLed too (no dump on exit). anvil is restarted from its state file with
# the same arguments and the deploy is run again. Two crash points:
#
# * "lost": both die while the transaction is still in the pool. The pool is not part of anvil's
#   state, so the restarted node has never heard of it and the deployer's nonce is 0 again. The rerun
#   must broadcast the very same signed transaction (same hash) rather than sign a new one.
# * "mined": both die after the transaction was mined and that block was dumped. The rerun must find
#   the receipt and finalise the record without sending anything.
#
# Either way: exactly one transaction from the deployer on the whole chain, one contract, at the
# address of nonce 0, a final record pointing at it, no pending record; and a further rerun is a no-op.


def _wait_for(predicate: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _transactions_from(url: str, sender: str) -> list[dict[str, Any]]:
    head = int(str(rpc(url, "eth_blockNumber")), 16)
    found = []
    for number in range(head + 1):
        block: Any = rpc(url, "eth_getBlockByNumber", [hex(number), True])
        found += [tx for tx in block["transactions"] if tx["from"].lower() == sender.lower()]
    return found


@pytest.mark.anvil
@pytest.mark.parametrize("crash_point", ["lost", "mined"])
def test_fault_crash_mid_deploy_resumes_without_deploying_twice(
    crash_point: str, anvil_factory: Callable[..., AnvilNode], tmp_path: Path
) -> None:
    state = tmp_path / "anvil-state.json"
    # a 5 s block time leaves the "lost" case time to see the transaction still in the pool on a
    # loaded machine (with 2 s a busy CI box sometimes mined it first)
    extra = ("--state", str(state), "--state-interval", "1", "--block-time", "5")
    node = anvil_factory(*extra)
    root = tmp_path / "deployments"
    pending_file = root / "dev" / "Probe.pending.json"
    script = REPO / "tests" / "fixtures" / "pipeline" / "deploy_probe.py"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    deployer = subprocess.Popen(
        [sys.executable, str(script), node.url, str(root), DEV0.key.hex(), "50"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        pending = _wait_for(
            lambda: pending_file.exists() and json.loads(pending_file.read_text()), "the pending record"
        )
        tx_hash = pending["transactionHash"]
        _wait_for(lambda: rpc(node.url, "eth_getTransactionByHash", [tx_hash]), "the broadcast")
        if crash_point == "mined":
            receipt: Any = _wait_for(
                lambda: rpc(node.url, "eth_getTransactionReceipt", [tx_hash]), "the block"
            )
            mined_at = time.time()
            _wait_for(lambda: state.exists() and state.stat().st_mtime > mined_at + 0.2, "a dump")
            assert receipt["status"] == "0x1"
        else:
            tx: Any = rpc(node.url, "eth_getTransactionByHash", [tx_hash])
            assert tx["blockNumber"] is None  # still in the pool
    finally:
        deployer.kill()  # SIGKILL: the deploying process dies without recording the receipt
        deployer.wait()
        node.kill()  # SIGKILL: anvil dies without its exit dump
    assert deployer.returncode == -9
    assert pending_file.exists() and not (root / "dev" / "Probe.json").exists()

    restarted = anvil_factory(*extra, port=node.port)
    url = restarted.url
    survived = rpc(url, "eth_getTransactionReceipt", [tx_hash])
    assert (survived is not None) == (crash_point == "mined")  # the crash point really was hit
    nonce_before = int(str(rpc(url, "eth_getTransactionCount", [DEV0.address, "latest"])), 16)
    assert nonce_before == (1 if crash_point == "mined" else 0)

    w3 = anvil_w3(url)
    # another gas margin: a transaction signed afresh here could not have the crashed one's hash
    dep = _deploy(
        pipeline(w3, DEV0, timeout=30, gas_margin=1.5), DeploymentStore(root, "dev"), 7, "fault"
    )

    expected = create_address(DEV0.address, 0)
    assert dep.address == expected == pending["contractAddress"]
    assert dep.transaction_hash == tx_hash  # the same signed transaction, never a second one
    assert w3.eth.get_code(expected)  # type: ignore[arg-type]
    assert not w3.eth.get_code(create_address(DEV0.address, 1))  # type: ignore[arg-type]
    assert w3.eth.get_transaction_count(DEV0.address) == 1
    sent = _transactions_from(url, DEV0.address)
    assert [t["hash"] for t in sent] == [tx_hash] and sent[0]["to"] is None
    record = json.loads((root / "dev" / "Probe.json").read_text())
    assert record["address"] == expected and record["transactionHash"] == tx_hash
    assert record["receipt"]["status"] == 1 and record["args"] == [7, "fault"]
    assert record["numDeployments"] == 1
    assert not pending_file.exists()

    again = _deploy(pipeline(w3, DEV0), DeploymentStore(root, "dev"), 7, "fault")
    assert not again.newly_deployed and w3.eth.get_transaction_count(DEV0.address) == 1


def test_deploy_timing_out_keeps_its_pending_record_and_a_rerun_waits_for_the_same_tx(
    anvil: Any, tmp_path: Path
) -> None:
    w3 = anvil_w3(anvil.url)
    acct = new_account(w3)
    store = DeploymentStore(tmp_path, "dev")
    w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]

    with pytest.raises(TransactionError) as info:
        _deploy(pipeline(w3, acct, timeout=0.3), store)

    pending = store.pending("Probe")
    assert pending is not None and pending["transactionHash"] in str(info.value)
    assert store.record("Probe") is None
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    dep = _deploy(pipeline(w3, acct, gas_margin=1.5), store)

    assert dep.newly_deployed and dep.transaction_hash == pending["transactionHash"]
    assert _nonce(w3, acct.address) == 1 and store.pending("Probe") is None
