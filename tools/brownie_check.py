"""The brownie recipe, end to end: run by ``make brownie-check`` inside ``.venv-brownie`` (eth-brownie
1.22.2 with its exact pins as constraints, plus this project).

A brownie-style script: brownie's own ``web3`` is connected to a fresh anvil, a brownie account signs,
and ``coopetition.connect_web3`` wraps both. The suite is deployed, one consortium decision (admit a
member) is proposed, approved and executed, and read back. One line per step; any mismatch exits 1.
Last, the packages brownie pins exactly must still have brownie's versions (nothing was upgraded).
"""

from __future__ import annotations

import importlib.metadata
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ANVIL_BIN = REPO / "node_modules" / ".bin" / "anvil"
CONSTRAINTS = REPO / "constraints-brownie.txt"
PINNED = ("eth-brownie", "web3", "eth-typing", "hexbytes", "rlp", "eth-abi", "eth-account", "eth-utils")


def step(name: str, ok: bool, detail: str = "") -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)
    if not ok:
        raise SystemExit(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_anvil(timeout: float = 20.0) -> tuple[subprocess.Popen[bytes], str]:
    """As tests/conftest.start_anvil does: a free port, --silent, polled until eth_chainId answers."""
    if not ANVIL_BIN.exists():
        step("anvil", False, f"{ANVIL_BIN} is missing: run `npm ci` in the project")
    port = free_port()
    proc = subprocess.Popen([str(ANVIL_BIN), "--host", "127.0.0.1", "--port", str(port), "--silent"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            step("anvil", False, f"exited early ({proc.returncode}): {err.strip()}")
        try:
            req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=0.5):
                return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    step("anvil", False, f"no answer on {url} after {timeout:.0f}s")
    raise AssertionError("unreachable")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()


def constraint_pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#", 1)[0].split(";", 1)[0].strip()  # markers are not part of the version
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def scenario(url: str, records: Path) -> None:
    from brownie import accounts, web3  # brownie's own objects, as a brownie script has them

    import coopetition
    from coopetition import SuiteMember, connect_web3, deploy_suite
    from coopetition._chain.devnet import anvil_dev_accounts

    dev = anvil_dev_accounts()
    web3.connect(url)
    step("brownie web3 connected", type(web3).__module__.startswith("brownie.")
         and web3.is_connected() and web3.eth.chain_id == 31337,
         f"{type(web3).__module__}.{type(web3).__name__} on {url}, chain id {web3.eth.chain_id}")

    acme_account = accounts.add("0x" + bytes(dev[1].key).hex())  # anvil dev key 1
    globex_account = accounts.add("0x" + bytes(dev[2].key).hex())
    step("brownie accounts added", acme_account.address == dev[1].address
         and globex_account.address == dev[2].address and type(acme_account).__module__.startswith("brownie."),
         f"{type(acme_account).__name__} {acme_account.address}, {globex_account.address}")

    acme = connect_web3(web3, acme_account, project=records, is_dev=True)
    step("connect_web3 wraps brownie's web3", acme.w3 is web3 and acme.address == acme_account.address,
         f"coopetition {coopetition.__version__}, sender {acme.address}")

    suite = deploy_suite(acme, [SuiteMember("Acme", dev[1].address), SuiteMember("Globex", dev[2].address)], 2)
    consortium = acme.suite().consortium
    step("suite deployed", [m.label for m in consortium.members()] == ["Acme", "Globex"]
         and consortium.quorum() == 2, f"{len(suite.contracts)} contracts, consortium {consortium.address}")

    ref = consortium.propose_add_member(dev[4].address, "Umbrella")
    step("proposed", ref.id == 1 and ref.tx.status == 1 and ref.tx.sender == dev[1].address,
         f"proposal #{ref.id} by Acme, tx {ref.tx.transaction_hash}")

    globex = connect_web3(web3, globex_account, project=records, is_dev=True).suite().consortium
    approved = globex.approve(ref.id)
    step("approved", approved.status == 1 and consortium.proposal(ref.id).approvals == 2,
         f"by Globex, {consortium.proposal(ref.id).approvals} of {consortium.quorum()} approvals")

    executed = consortium.execute(ref.id)
    step("executed", executed.status == 1, f"tx {executed.transaction_hash}")

    proposal = consortium.proposal(ref.id)
    labels = [m.label for m in consortium.members()]
    step("read back", proposal.state.name == "EXECUTED" and labels == ["Acme", "Globex", "Umbrella"]
         and consortium.is_member(dev[4].address), f"proposal #{ref.id} {proposal.state.name}, members {labels}")


def main() -> int:
    proc, url = start_anvil()
    print(f"ok   anvil started: {url}", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="brownie-check-") as records:
            scenario(url, Path(records))
    finally:
        stop(proc)
        print("ok   anvil stopped", flush=True)
    pins = constraint_pins()
    for name in PINNED:
        installed = importlib.metadata.version(name)
        step(f"{name} still pinned", installed == pins.get(name), f"installed {installed}, "
             f"constraints-brownie.txt {pins.get(name, 'has no pin')}")
    moved = []
    for name, version in sorted(pins.items()):
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:  # a pin behind a marker (win32, python < 3.11)
            continue
        if installed != version:
            moved.append(f"{name} {version} -> {installed}")
    step("every other pin of brownie holds", not moved, ", ".join(moved) or f"{len(pins)} pins checked")
    print("brownie-check passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
