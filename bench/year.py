"""``make bench-year``: a consortium's year on anvil, then every list and history command timed.

Population (real transactions, every one checked for status 1): 20 members; a cost pool of all 20
(5% each, every seat accepted on chain); a title class issued by a governance decision and offers of
200 titles each on the public book (set up through the library, each receipt awaited); then, in bulk,
1,000 proposals, 1,000 ventures, 10,000 expenses and 10,000 fills of one title each. The bulk goes
the fastest honest way: calldata precomputed with the bindings' encoders, sent as JSON-RPC batches
of ``eth_sendTransaction`` from anvil's unlocked member accounts with consecutive nonces, auto-mining
off and ``evm_mine`` after each batch; then every receipt is read back (in batches) and must say
status 1.

Then each list and history command runs as a CLI subprocess against the anvil (median of
``--runs``, default 3), and once more through a counting HTTP proxy in front of the anvil, which
counts its JSON-RPC round trips (HTTP requests) and the requests inside them (a batch of n is n).

``--scale 0.1`` divides the bulk by ten (members stay 20). The table goes to bench/results.md and
bench/results.json as section ``year`` (the other sections keep their figures). Not in CI.
"""

from __future__ import annotations

import argparse
import http.server
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))  # node, and run for write_results
from node import free_port, rpc, rpc_batch, start_anvil  # noqa: E402

MEMBERS = 20
FULL = {"proposals": 1000, "ventures": 1000, "expenses": 10_000, "fills": 10_000}
BATCH = 250
FILLS_PER_OFFER = 100
GAS = 1_500_000
GAS_PRICE = 10**10


class CountingProxy:
    """Forwards every POST to the node and counts round trips and the JSON-RPC requests inside."""

    def __init__(self, upstream: str) -> None:
        self.trips = 0
        self.requests = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                parsed = json.loads(body)
                proxy.trips += 1
                proxy.requests += len(parsed) if isinstance(parsed, list) else 1
                request = urllib.request.Request(upstream, body, {"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=600) as response:
                    answer = response.read()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self) -> None:
        self.trips = self.requests = 0

    def close(self) -> None:
        self.server.shutdown()


def start_year_anvil(cache: Path) -> tuple[subprocess.Popen[bytes], str]:
    """An anvil with the year's members funded and room for its bulk blocks."""
    return start_anvil(cache, "--accounts", str(MEMBERS + 1), "--balance", "10000000", "--gas-limit", "1000000000")


def send_bulk(url: str, txs: list[dict[str, Any]], nonces: dict[str, int]) -> list[str]:
    """Send ``txs`` (from, to, data, value) in JSON-RPC batches with consecutive nonces per sender,
    mining after each batch; returns the hashes."""
    hashes: list[str] = []
    for start in range(0, len(txs), BATCH):
        calls = []
        for tx in txs[start:start + BATCH]:
            sender = tx["from"]
            calls.append(("eth_sendTransaction", [{**tx, "value": hex(tx.get("value", 0)), "gas": hex(GAS),
                                                   "gasPrice": hex(GAS_PRICE), "nonce": hex(nonces[sender])}]))
            nonces[sender] += 1
        hashes += rpc_batch(url, calls)
        while True:
            rpc(url, "evm_mine", [])
            if int(rpc(url, "txpool_status", [])["pending"], 16) == 0:
                break
    return hashes


def check_receipts(url: str, hashes: list[str]) -> int:
    failed = 0
    for start in range(0, len(hashes), 500):
        receipts = rpc_batch(url, [("eth_getTransactionReceipt", [h]) for h in hashes[start:start + 500]])
        failed += sum(1 for r in receipts if r is None or int(r["status"], 16) != 1)
    return failed


def populate(url: str, root: Path, scale: float) -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    from eth_account import Account
    from eth_utils.crypto import keccak

    from coopetition._chain.devnet import ANVIL_MNEMONIC
    from coopetition._chain.multicall import MULTICALL3_ADDRESS, multicall3_code
    from coopetition._session import SuiteMember, connect, deploy_suite
    from coopetition.bindings.consortium import Consortium
    from coopetition.bindings.cost_sharing import CostSharing
    from coopetition.bindings.joint_venture_escrow import JointVentureEscrow
    from coopetition.bindings.title_exchange import TitleExchange
    from coopetition.bindings.title_registry import TitleRegistry

    sizes = {k: max(1, round(v * scale)) for k, v in FULL.items()}
    Account.enable_unaudited_hdwallet_features()
    keys = [Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(MEMBERS + 1)]
    addr = [k.address for k in keys[1:]]
    rpc(url, "anvil_setCode", [MULTICALL3_ADDRESS, "0x" + multicall3_code().hex()])
    (root / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{url}"\n')

    started = time.perf_counter()
    conn = connect("dev", account=0, project=root)
    deploy_suite(conn, [SuiteMember(f"Member{i + 1:02d}", a) for i, a in enumerate(addr)], quorum=2)
    m = [conn.as_account(k) for k in keys[1:]]
    suite = [c.suite() for c in m]
    # a pool of all twenty, every seat accepted on chain
    pool = suite[0].costs.create_pool("Year pool", [(a, "5%") for a in addr], approval="50%", quorum=2)
    for s in suite[1:]:
        s.costs.join(pool.id)
    # a title class by a governance decision, then offers of 200 titles on the public book
    offers = max(1, -(-sizes["fills"] // FILLS_PER_OFFER))
    registry = suite[0].titles.registry.address
    create = TitleRegistry.encode_create_class_and_issue("Year shares", b"\x11" * 32, 200 * offers, [addr[0]],
                                                         [200 * offers])
    ref = suite[0].consortium.propose(registry, create, "Create the year's share class", "7d")
    suite[1].consortium.approve(ref.id)
    executed = suite[0].consortium.execute(ref.id)
    class_id = suite[0].titles.registry.events.class_created(from_block=executed.block_number,
                                                             to_block=executed.block_number)[0].class_id
    price = suite[0].titles.price("2 ether")  # for 200 titles: 0.01 ether each
    offer_ids = [suite[0].titles.offer(class_id, 200, price, expiry="30d", partial=True).id for _ in range(offers)]
    setup_seconds = time.perf_counter() - started

    consortium, escrow = suite[0].consortium.address, suite[0].escrow.address
    costs, exchange = suite[0].costs.address, suite[0].titles.exchange.address
    now = int(conn.w3.eth.get_block("latest")["timestamp"])
    terms = [suite[0].escrow.terms(f"JV {i}", partners=[(addr[i], "2 ether"), (addr[(i + 1) % MEMBERS], "1 ether"),
                                                        (addr[(i + 2) % MEMBERS], "1 ether")],
                                   milestones=["1 ether", "3 ether"], beneficiary=addr[(i + 3) % MEMBERS], quorum=2)
             for i in range(MEMBERS)]
    quorum_call = Consortium.encode_set_quorum(2)
    txs: dict[str, list[dict[str, Any]]] = {
        "proposals": [{"from": addr[k % MEMBERS], "to": consortium, "data": "0x" + Consortium.encode_propose(
            consortium, 0, quorum_call, f"Year proposal {k}", now + 60 * 86_400).hex()} for k in range(sizes["proposals"])],
        "ventures": [{"from": addr[k % MEMBERS], "to": escrow,
                      "data": "0x" + JointVentureEscrow.encode_create_venture(terms[k % MEMBERS]).hex()}
                     for k in range(sizes["ventures"])],
        "expenses": [{"from": addr[k % MEMBERS], "to": costs, "data": "0x" + CostSharing.encode_submit_expense(
            pool.id, 10**15 + k, addr[k % MEMBERS], keccak(text=f"invoice {k}"), f"INV-{k}").hex()}
                     for k in range(sizes["expenses"])],
        "fills": [{"from": addr[1 + k % (MEMBERS - 1)], "to": exchange, "value": 10**16,
                   "data": "0x" + TitleExchange.encode_fill(offer_ids[k // FILLS_PER_OFFER], 1, 10**16).hex()}
                  for k in range(sizes["fills"])],
    }
    rpc(url, "evm_setAutomine", [False])
    nonces = {a: int(rpc(url, "eth_getTransactionCount", [a, "latest"]), 16) for a in addr}
    bulk: dict[str, float] = {}
    hashes: list[str] = []
    for kind, batch in txs.items():
        t0 = time.perf_counter()
        hashes += send_bulk(url, batch, nonces)
        bulk[kind] = round(time.perf_counter() - t0, 2)
    rpc(url, "evm_setAutomine", [True])
    failed = check_receipts(url, hashes)
    if failed:
        raise SystemExit(f"{failed} of {len(hashes)} bulk transactions failed")
    total = time.perf_counter() - started
    return {"sizes": {"members": MEMBERS, **sizes, "offers": offers}, "pool": pool.id, "offer_ids": offer_ids,
            "setup_seconds": round(setup_seconds, 2), "bulk_seconds": bulk, "bulk_transactions": len(hashes),
            "population_seconds": round(total, 2), "blocks": int(conn.w3.eth.block_number)}


def commands(pool: int) -> list[list[str]]:
    return [
        ["escrow", "list"], ["escrow", "show", "1"], ["escrow", "history"],
        ["consortium", "members"], ["consortium", "proposals"], ["consortium", "history"],
        ["costs", "show"], ["costs", "expenses", str(pool)], ["costs", "balances", str(pool)], ["costs", "history"],
        ["titles", "book"], ["titles", "history"],
    ]


def time_commands(root: Path, url: str, pool: int, runs: int) -> list[dict[str, Any]]:
    cli = str(Path(sys.executable).parent / "coopetition")
    proxy = CountingProxy(url)
    rows = []
    try:
        for cmd in commands(pool):
            times, lines = [], 0
            for _ in range(runs):
                t0 = time.perf_counter()
                proc = subprocess.run([cli, "--project", str(root), "--network", "dev", *cmd],
                                      capture_output=True, text=True, check=False, timeout=1800)
                times.append(time.perf_counter() - t0)
                if proc.returncode != 0:
                    raise SystemExit(f"coopetition {' '.join(cmd)} failed: {proc.stderr or proc.stdout}")
                lines = len(proc.stdout.splitlines())
            proxy.reset()
            subprocess.run([cli, "--project", str(root), "--network", proxy.url, *cmd], capture_output=True,
                           check=True, timeout=1800)
            rows.append({"command": "coopetition " + " ".join(cmd), "median_s": round(statistics.median(times), 3),
                         "runs_s": [round(t, 3) for t in times], "round_trips": proxy.trips,
                         "requests": proxy.requests, "output_lines": lines})
            print(f"{rows[-1]['command']}: {rows[-1]['median_s']} s, {proxy.trips} round trips", flush=True)
    finally:
        proxy.close()
    return rows


def state_size(url: str, cache: Path) -> dict[str, Any]:
    dumped = rpc(url, "anvil_dumpState", [])
    on_disk = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file()) if cache.is_dir() else 0
    return {"dump_state_bytes": (len(dumped) - 2) // 2, "cache_dir_bytes": on_disk}


def write_results(pop: dict[str, Any], rows: list[dict[str, Any]], size: dict[str, Any], scale: float,
                  runs: int) -> None:
    import run

    s = pop["sizes"]
    title = "Consortium year (anvil)" + ("" if scale == 1 else f", scaled down x{scale:g}")
    intro = (f"{s['members']} members, {s['proposals']:,} proposals, {s['ventures']:,} ventures, "
             f"{s['expenses']:,} expenses, {s['fills']:,} fills ({s['offers']} offers); "
             f"population {pop['population_seconds']:.0f} s ({pop['bulk_transactions']:,} bulk transactions, "
             f"setup {pop['setup_seconds']:.0f} s, {pop['blocks']:,} blocks); anvil state "
             f"{size['dump_state_bytes'] / 1e6:.1f} MB (anvil_dumpState, gzip), states persisted "
             f"on disk {size['cache_dir_bytes'] / 1e6:.1f} MB. CLI medians of {runs}; round trips counted by a proxy.")
    table = tuple(run.Row(f"`{r['command']}`", r["median_s"], "s",
                          f"{r['round_trips']} round trips, {r['requests']} requests; {r['output_lines']} lines")
                  for r in rows)
    section = run.Section("year", title, table, {"intro": intro, "population": pop, "state": size, "commands": rows,
                                                 "scale": scale})
    previous = run._previous_sections()
    sections = [run._previous_section(k, v) for k, v in previous.items() if k != "year"] + [section]
    data = json.loads((BENCH / "results.json").read_text())
    data["sections"] = {x.key: {"title": x.title, "rows": [run.asdict(r) for r in x.rows], **x.details}
                        for x in sections}
    (BENCH / "results.json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    (BENCH / "results.md").write_text(run.render_markdown(sections, data["machine"], data["runs"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Simulate a consortium's year on anvil and time every list.")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the year's bulk (members stay 20)")
    parser.add_argument("--runs", type=int, default=3, help="runs per command (median taken)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coopetition-year-") as tmp:
        root, cache = Path(tmp) / "project", Path(tmp) / "anvil-cache"
        root.mkdir()
        proc, url = start_year_anvil(cache)
        try:
            pop = populate(url, root, args.scale)
            print(json.dumps(pop, indent=1), flush=True)
            size = state_size(url, cache)
            print(json.dumps(size), flush=True)
            rows = time_commands(root, url, pop["pool"], args.runs)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    write_results(pop, rows, size, args.scale, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
