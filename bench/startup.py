"""``bench/run.py --only startup``: how long the CLI takes to start, beside ``python -c "import web3"``
measured in the same run: ``coopetition --version``, ``coopetition --help`` (neither imports web3) and
one read command, ``coopetition escrow list``, against a fresh anvil with the suite deployed and 10
ventures (3 partners, 2 milestones each). The issue's target: the read command ≤ 1.2x the bare import.

The runs of each command are interleaved (one of each in turn, ``runs`` rounds) so that a change in the
machine's load during the measurement falls on every command alike; each figure is the median. The
commands run as an installed package does, with byte-code caching on (``PYTHONDONTWRITEBYTECODE``
removed from their environment: site-packages, web3 included, ship compiled, and an untimed first run
of each command compiles this tree's modules once).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
VENTURES = 10


def _seconds(cmd: list[str]) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    took = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr or proc.stdout}")
    return took


def measure(runs: int, coopetition: Path, row: Callable[..., Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    sys.path.insert(0, str(REPO))
    from node import rpc
    from reads import _anvil

    from coopetition._chain.devnet import anvil_dev_accounts
    from coopetition._chain.multicall import MULTICALL3_ADDRESS, multicall3_code
    from coopetition._session import SuiteMember, connect, deploy_suite
    from coopetition.bindings.joint_venture_escrow import JointVentureEscrow
    from tests._rpc_count import send_many

    addr = [a.address for a in anvil_dev_accounts()]
    proc, url = _anvil()
    try:
        rpc(url, "anvil_setCode", [MULTICALL3_ADDRESS, "0x" + multicall3_code().hex()])
        with tempfile.TemporaryDirectory(prefix="coopetition-startup-") as tmp:
            root = Path(tmp)
            (root / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{url}"\n')
            conn = connect("dev", account=1, project=root)
            deploy_suite(conn, [SuiteMember("Acme", addr[1]), SuiteMember("Globex", addr[2]),
                                SuiteMember("Initech", addr[3])], quorum=2)
            escrow = conn.suite().escrow
            terms = escrow.terms("JV", partners=[("Acme", "2 ether"), ("Globex", "1 ether"), ("Initech", "1 ether")],
                                 milestones=["1 ether", "2 ether"], beneficiary=addr[4], quorum=2)
            send_many(conn.w3, addr[1], escrow.address, [JointVentureEscrow.encode_create_venture(terms)] * VENTURES)
            commands = {
                "web3": [sys.executable, "-c", "import web3"],
                "version": [str(coopetition), "--version"],
                "help": [str(coopetition), "--help"],
                "read": [str(coopetition), "--project", str(root), "--network", "dev", "escrow", "list"],
            }
            for cmd in commands.values():  # warm the file cache and the byte-code once
                _seconds(cmd)
            times: dict[str, list[float]] = {k: [] for k in commands}
            for _ in range(runs):
                for key, cmd in commands.items():
                    times[key].append(_seconds(cmd))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    med = {k: statistics.median(v) for k, v in times.items()}
    load = os.getloadavg()
    ratio = med["read"] / med["web3"]
    rows = (
        row('`python -c "import web3"` (reference)', med["web3"], "s"),
        row("`coopetition --version`", med["version"], "s", "does not import web3"),
        row("`coopetition --help`", med["help"], "s", "does not import web3"),
        row(f"`coopetition escrow list` ({VENTURES} ventures, anvil)", med["read"], "s",
            f"{ratio:.2f}x the bare import of web3; goal ≤ 1.2x"),
    )
    return rows, {"runs": {k: [round(t, 3) for t in v] for k, v in times.items()}, "read_over_import_web3": round(ratio, 3),
                  "load_average_after": [round(x, 2) for x in load]}
