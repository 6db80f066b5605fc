"""A local anvil for the benchmarks and plain JSON-RPC to it, without web3: what every bench script
that needs a node shares (reads, start-up, writes, the consortium year, the titles gas trace)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ANVIL = REPO / "node_modules" / ".bin" / "anvil"


def rpc(url: str, method: str, params: list[Any]) -> Any:
    """The result of one JSON-RPC call; a node error raises RuntimeError."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        answer = json.loads(response.read())
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


def rpc_batch(url: str, calls: list[tuple[str, list[Any]]]) -> list[Any]:
    """The results of ``calls`` sent as one JSON-RPC batch, in order; any error raises RuntimeError."""
    body = json.dumps([{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)])
    request = urllib.request.Request(url, body.encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        answers = sorted(json.loads(response.read()), key=lambda a: a["id"])
    errors = [a["error"] for a in answers if "error" in a]
    if errors:
        raise RuntimeError(f"{len(errors)} of {len(calls)} requests failed, first: {errors[0]}")
    return [a["result"] for a in answers]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_anvil(cache: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    """An anvil on a free port with ``options``, once it answers; the states it spills go to ``cache``
    (not ~/.foundry/anvil/tmp, where anvil would leave them). The caller stops it."""
    port = free_port()
    proc = subprocess.Popen([str(ANVIL), "--host", "127.0.0.1", "--port", str(port), "--silent",
                             "--cache-path", str(cache), *options],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            rpc(url, "eth_chainId", [])
            return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("anvil did not start")
