"""Shared fixtures. Tests needing anvil start it themselves on a free port and stop it afterwards."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from coopetition._chain.multicall import MULTICALL3_ADDRESS, multicall3_code

REPO = Path(__file__).resolve().parents[1]
ANVIL_BIN = REPO / "node_modules" / ".bin" / "anvil"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rpc(url: str, method: str, params: list[object] | None = None, timeout: float = 2.0) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())["result"]


@dataclass
class AnvilNode:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    args: tuple[str, ...]
    cache_dir: Path
    """anvil's own ``--cache-path``: where it spills old states to disk. Removed when the node ends,
    since anvil leaves them behind on exit (by default in ~/.foundry/anvil/tmp, where they pile up)."""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()
        shutil.rmtree(self.cache_dir, ignore_errors=True)

    def kill(self) -> None:
        """Simulate a crash: SIGKILL, no state dump on exit."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.cache_dir, ignore_errors=True)


def start_anvil(*extra: str, port: int | None = None, timeout: float = 20.0,
                multicall: bool = True) -> AnvilNode:
    if not ANVIL_BIN.exists():
        pytest.skip("anvil is not installed: run `npm ci` in the project")  # pragma: no cover
    port = port or free_port()
    cache_dir = Path(tempfile.mkdtemp(prefix="anvil-states-"))
    args = (str(ANVIL_BIN), "--host", "127.0.0.1", "--port", str(port), "--silent",
            "--cache-path", str(cache_dir), *extra)
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            shutil.rmtree(cache_dir, ignore_errors=True)
            raise RuntimeError(f"anvil exited early ({proc.returncode}): {err}")
        try:
            rpc(url, "eth_chainId", timeout=0.5)
            if multicall:  # as `coopetition devnet start` does: Multicall3 at its canonical address
                rpc(url, "anvil_setCode", [MULTICALL3_ADDRESS, "0x" + multicall3_code().hex()])
            return AnvilNode(url, port, proc, args, cache_dir)
        except OSError:
            time.sleep(0.05)
    proc.kill()
    shutil.rmtree(cache_dir, ignore_errors=True)
    raise RuntimeError("anvil did not answer in time")


@pytest.fixture
def anvil_factory() -> Iterator[Callable[..., AnvilNode]]:
    """Start any number of anvil nodes with extra arguments; all are stopped at teardown."""
    nodes: list[AnvilNode] = []

    def make(*extra: str, port: int | None = None) -> AnvilNode:
        node = start_anvil(*extra, port=port)
        nodes.append(node)
        return node

    yield make
    for node in nodes:
        node.stop()


@pytest.fixture
def anvil(anvil_factory: Callable[..., AnvilNode]) -> AnvilNode:
    """A default anvil (chain id 31337, EIP-1559) on a free port."""
    return anvil_factory()


@pytest.fixture
def node_available() -> bool:
    return shutil.which("node") is not None


@pytest.fixture(autouse=True)
def _isolated_keystores(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own COOPETITION_HOME (never the real ~/.coopetition) and fast scrypt.

    COOPETITION_INSECURE_SCRYPT_N lowers the work factor of keystores created by tests only; the
    library default stays 2**18 (tests/chain/test_accounts.py checks it)."""
    home = tmp_path_factory.mktemp("coopetition-home")
    monkeypatch.setenv("COOPETITION_HOME", str(home))
    monkeypatch.setenv("COOPETITION_INSECURE_SCRYPT_N", "1024")
    for name in ("COOPETITION_PASSWORD", "COOPETITION_PASSWORD_FILE", "COOPETITION_ACCOUNT",
                 "COOPETITION_NETWORK"):
        monkeypatch.delenv(name, raising=False)
    return home
