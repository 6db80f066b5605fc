"""The devnet: start/status/stop/reset of the project's anvil through the CLI, state kept across restarts."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO, free_port, rpc

from coopetition._chain.devnet import Devnet, anvil_dev_accounts
from coopetition._chain.network import open_chain
from coopetition._project import find_project
from coopetition.cli import cli

pytestmark = pytest.mark.anvil

RECIPIENT = "0x000000000000000000000000000000000000bEEF"


def _kill_recorded(root: Path) -> None:
    """Finaliser: kill the anvil recorded for this test project by its pid, whatever happened."""
    record = root / ".coopetition" / "devnet" / "devnet.json"
    if not record.exists():
        return
    data = json.loads(record.read_text())
    pid = int(data["pid"])
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return
    if cmdline and cmdline[0].decode(errors="replace") == data["anvil"]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


@pytest.fixture
def project_root(tmp_path: Path) -> Iterator[Path]:
    """A fresh project using the repository's pinned npm toolchain; its anvil is killed at teardown."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "coopetition.toml").write_text("")
    (root / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    if not (root / "node_modules" / ".bin" / "anvil").exists():
        pytest.skip("anvil is not installed: run `npm ci`")  # pragma: no cover
    yield root
    _kill_recorded(root)


def run(root: Path, *args: str, input: str | None = None) -> Any:
    result = CliRunner().invoke(cli, ["--project", str(root), *args], input=input)
    assert "Traceback" not in result.output
    return result


def start(root: Path, *extra: str) -> int:
    port = free_port()
    result = run(root, "devnet", "start", "--port", str(port), *extra)
    assert result.exit_code == 0, result.output
    return port


def send_eth(url: str, value: int) -> None:
    from web3 import Web3

    w3 = Web3(Web3.HTTPProvider(url))
    sender = anvil_dev_accounts()[0]
    tx = {"to": RECIPIENT, "value": value, "gas": 21_000, "gasPrice": w3.eth.gas_price * 2,
          "nonce": w3.eth.get_transaction_count(sender.address), "chainId": w3.eth.chain_id}
    tx_hash = w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction)
    assert w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)["status"] == 1


def balance(url: str, address: str = RECIPIENT) -> int:
    from web3 import Web3

    return int(Web3(Web3.HTTPProvider(url)).eth.get_balance(address))  # type: ignore[arg-type]


def test_start_status_stop(project_root: Path) -> None:
    port = start(project_root)
    url = f"http://127.0.0.1:{port}"
    state = project_root / ".coopetition" / "devnet"
    assert (state / "anvil.pid").exists() and (state / "anvil.log").exists()

    result = run(project_root, "devnet", "status")
    assert result.exit_code == 0
    assert f"devnet running at {url}" in result.output and "chain id      31337" in result.output
    assert "block number  0" in result.output
    assert "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266  10000 ETH" in result.output

    data = json.loads(run(project_root, "devnet", "status", "--json").output)
    assert data["running"] and data["chainId"] == 31337 and len(data["accounts"]) == 10
    assert data["accounts"][9]["balance"] == str(10_000 * 10**18)

    again = run(project_root, "devnet", "start", "--port", str(port))
    assert again.exit_code == 0 and again.output.startswith(f"devnet already running at {url}")
    assert again.output.count("\n") == 1

    stopped = run(project_root, "devnet", "stop")
    assert stopped.exit_code == 0 and stopped.output.startswith("devnet stopped")
    assert not (state / "anvil.pid").exists()
    assert (state / "state.json").exists()  # dumped on SIGTERM
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()

    status = run(project_root, "devnet", "status")
    assert status.exit_code == 0 and status.output.startswith("devnet is not running")
    assert run(project_root, "devnet", "stop").output == "devnet is not running\n"


def test_old_states_stay_in_the_project_and_go_when_the_devnet_stops(project_root: Path) -> None:
    """anvil spills old states to disk and leaves them on exit: they must not pile up anywhere."""
    port = start(project_root)
    url = f"http://127.0.0.1:{port}"
    states = project_root / ".coopetition" / "devnet" / "states"
    rpc(url, "anvil_mine", ["0x800"], timeout=60)  # more blocks than anvil keeps states for in memory
    for _ in range(20):
        rpc(url, "evm_mine")
    assert any(states.rglob("*")), "anvil did not spill its old states into the project's devnet folder"
    assert run(project_root, "devnet", "stop").exit_code == 0
    assert not states.exists()
    start(project_root, "--port", str(port))  # the state survives: the cache only held old blocks
    assert int(str(rpc(url, "eth_blockNumber")), 16) == 0x800 + 20
    assert run(project_root, "devnet", "stop").exit_code == 0


def test_start_with_another_chain_id_and_dev_network_follows_the_port(project_root: Path) -> None:
    port = start(project_root, "--chain-id", "4242", "--block-time", "1")
    chain = open_chain("dev", find_project(project_root))
    assert chain.spec.url == f"http://127.0.0.1:{port}" and chain.chain_id == 4242
    assert chain.dev_accounts()[0].address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    run(project_root, "devnet", "stop")


def test_state_survives_stop_and_start(project_root: Path) -> None:
    port = start(project_root)
    url = f"http://127.0.0.1:{port}"
    send_eth(url, 12345)
    assert balance(url) == 12345
    assert run(project_root, "devnet", "stop").exit_code == 0

    genesis = Devnet(find_project(project_root)).record().genesis_hash  # type: ignore[union-attr]

    port2 = start(project_root)
    assert balance(f"http://127.0.0.1:{port2}") == 12345
    chain = open_chain("dev", find_project(project_root))
    assert chain.genesis_hash == genesis and chain.w3.eth.block_number == 1
    run(project_root, "devnet", "stop")


def test_periodic_dump_keeps_state_after_a_crash(project_root: Path) -> None:
    port = start(project_root)
    url = f"http://127.0.0.1:{port}"
    send_eth(url, 777)
    time.sleep(2.6)  # one --state-interval 2 dump
    pid = int((project_root / ".coopetition" / "devnet" / "anvil.pid").read_text())
    os.kill(pid, signal.SIGKILL)  # no dump on exit
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    assert run(project_root, "devnet", "stop").output == "devnet is not running\n"  # stale pid cleared
    port2 = start(project_root)
    assert balance(f"http://127.0.0.1:{port2}") == 777
    run(project_root, "devnet", "stop")


def test_reset_deletes_state_and_restarts(project_root: Path) -> None:
    port = start(project_root)
    send_eth(f"http://127.0.0.1:{port}", 99)
    before = open_chain("dev", find_project(project_root)).genesis_hash
    result = run(project_root, "devnet", "reset")
    assert result.exit_code == 0 and "restarted" in result.output, result.output
    assert balance(f"http://127.0.0.1:{port}") == 0
    # a reset chain has another genesis hash even within the same second, so records can tell
    after = open_chain("dev", find_project(project_root))
    assert after.genesis_hash != before and after.w3.eth.block_number == 0
    run(project_root, "devnet", "stop")
    state = project_root / ".coopetition" / "devnet" / "state.json"
    assert state.exists()
    result = run(project_root, "devnet", "reset")
    assert result.output == "devnet reset: state deleted (it was not running)\n" and not state.exists()


def test_start_fails_when_anvil_missing(tmp_path: Path) -> None:
    (tmp_path / "coopetition.toml").write_text("")
    result = run(tmp_path, "devnet", "start", "--port", str(free_port()))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: anvil not found: run `npm ci` in {tmp_path.resolve()} "
        "(package @foundry-rs/anvil-linux-amd64 1.7.1)\n")


def test_start_fails_when_port_in_use(project_root: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(project_root, "devnet", "start", "--port", str(port))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: port {port} on 127.0.0.1 is already in use: stop what listens there or pass --port\n")
    assert not (project_root / ".coopetition" / "devnet" / "anvil.pid").exists()


def test_stop_refuses_to_signal_a_process_that_is_not_our_anvil(project_root: Path) -> None:
    port = start(project_root)
    devnet = Devnet(find_project(project_root))
    record = devnet.record()
    assert record is not None
    run(project_root, "devnet", "stop")
    # the pid file now names an unrelated process (as after a reboot and pid reuse)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        data = record.to_json()
        data["pid"] = other.pid
        devnet.record_file.write_text(json.dumps(data))
        devnet.pid_file.write_text(f"{other.pid}\n")
        result = run(project_root, "devnet", "stop")
        assert result.exit_code == 1
        assert result.output.startswith(f"Error: pid {other.pid} recorded in ")
        assert "is not the anvil this project started" in result.output and result.output.count("\n") == 1
        time.sleep(0.2)
        assert other.poll() is None  # still alive: never signalled
        status = run(project_root, "devnet", "status")
        assert status.output.startswith("devnet is not running")
        assert f":{port}" in status.output
    finally:
        other.kill()
        other.wait()


def test_stop_refuses_a_recycled_pid_of_an_identical_command_line(project_root: Path) -> None:
    start(project_root)
    devnet = Devnet(find_project(project_root))
    record = devnet.record()
    assert record is not None and record.proc_start is not None
    data = record.to_json()
    data["proc_start"] = record.proc_start - 1  # same pid and argv, but started at another time
    devnet.record_file.write_text(json.dumps(data))
    result = run(project_root, "devnet", "stop")
    assert result.exit_code == 1 and "is not the anvil this project started" in result.output
    assert Path(f"/proc/{record.pid}").exists()  # our real anvil, untouched; the fixture kills it


def test_dev_commands_after_stop_say_to_start_the_devnet(project_root: Path) -> None:
    port = start(project_root)
    run(project_root, "devnet", "stop")
    result = run(project_root, "accounts", "balance", "0")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: no node answers at http://127.0.0.1:{port} (network dev): run `coopetition devnet start`\n")
