"""Ctrl-C while a command waits for a receipt: one line saying what was sent (hash, nonce), that it
may still be mined and what a rerun does; nothing recorded as done that was not; exit code 130.

The CLI runs in its own process (``python -m coopetition``) against an anvil that does not mine,
so the transaction sits in the pool; the test sends SIGINT once the node has it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _cli_env import ADDR, deployed_project, ok, run
from conftest import REPO, AnvilNode, rpc
from eth_utils.address import to_checksum_address

FOUNDERS = ["--member", f"Acme={ADDR[1]}", "--member", f"Globex={ADDR[2]}", "--member", f"Initech={ADDR[3]}",
            "--quorum", "2"]


def _as_from_a_terminal() -> None:
    """Ctrl-C as a terminal delivers it: a test run started in the background of a non-interactive
    shell (``cmd &``) ignores SIGINT, and an ignored signal stays ignored across exec."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(project: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "coopetition", "--project", str(project), "--network", "dev", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_as_from_a_terminal,
    )


def _wait_for(predicate: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _pool(url: str) -> list[dict[str, Any]]:
    block: Any = rpc(url, "eth_getBlockByNumber", ["pending", True])
    return list(block["transactions"]) if block else []


def _interrupt(proc: subprocess.Popen[str], url: str) -> tuple[int, str, str, dict[str, Any]]:
    tx = _wait_for(lambda: (_pool(url) or [None])[0], "the transaction in the pool")
    time.sleep(0.3)  # the client is now polling for the receipt
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    return proc.returncode, out, err, tx


def test_ctrl_c_while_a_deploy_waits_says_what_was_sent_and_the_rerun_resumes_it(
    anvil_factory: Callable[..., AnvilNode], tmp_path: Path
) -> None:
    node = anvil_factory("--no-mining")
    (tmp_path / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{node.url}"\n')
    code, _out, err, tx = _interrupt(_start(tmp_path, "--account", "0", "deploy", *FOUNDERS), node.url)

    assert code == 130
    assert err.strip().splitlines() == [
        f"deploy Consortium: sent {tx['hash']}, waiting to be mined",  # the plain progress line
        f"Error: interrupted while waiting for transaction {tx['hash']} (nonce 0 from "
        f"{to_checksum_address(tx['from'])}): it was sent and may still be mined; rerun the same command "
        "to resume it (its pending record is kept)"
    ]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    folder = tmp_path / "deployments" / "dev"
    assert not (folder / "Consortium.json").exists()  # nothing recorded as done
    pending = json.loads((folder / "Consortium.pending.json").read_text())
    assert pending["transactionHash"] == tx["hash"]

    rpc(node.url, "evm_setAutomine", [True])
    rpc(node.url, "evm_mine")
    result = ok(run(tmp_path, "--json", "deploy", *FOUNDERS, account="0"))
    contracts = json.loads(result.stdout)["contracts"]
    assert contracts[0]["name"] == "Consortium" and contracts[0]["transactionHash"] == tx["hash"]
    assert int(str(rpc(node.url, "eth_getTransactionCount", [tx["from"], "latest"])), 16) == 4


def test_ctrl_c_while_a_send_waits_says_what_was_sent_and_that_a_rerun_sends_anew(
    anvil_factory: Callable[..., AnvilNode], tmp_path: Path
) -> None:
    node = anvil_factory()
    project = deployed_project(tmp_path, node)
    rpc(node.url, "evm_setAutomine", [False])
    proc = _start(project, "--account", "1", "consortium", "propose", "add-member", "Umbrella", ADDR[4])
    code, out, err, tx = _interrupt(proc, node.url)

    assert code == 130 and out == ""
    assert err.strip().splitlines() == [
        f"Consortium.propose: sent {tx['hash']}, waiting to be mined",  # the plain progress line
        f"Error: interrupted while waiting for transaction {tx['hash']} (nonce {int(tx['nonce'], 16)} from "
        f"{to_checksum_address(tx['from'])}): it was sent and may still be mined; a rerun checks the chain first but sends a new "
        "transaction if this one is not mined yet, so look the hash up before sending again"
    ]
    rpc(node.url, "evm_mine")
    assert rpc(node.url, "eth_getTransactionReceipt", [tx["hash"]]) is not None  # it was really sent


def test_ctrl_c_with_json_is_one_error_object(anvil_factory: Callable[..., AnvilNode], tmp_path: Path) -> None:
    node = anvil_factory()
    project = deployed_project(tmp_path, node)
    rpc(node.url, "evm_setAutomine", [False])
    proc = _start(project, "--json", "--account", "1", "consortium", "propose", "add-member", "Umbrella", ADDR[4])
    code, out, _err, tx = _interrupt(proc, node.url)

    assert code == 130
    error = json.loads(out)["error"]
    assert error["type"] == "Interrupted" and tx["hash"] in error["message"]
