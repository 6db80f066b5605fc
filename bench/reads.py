"""``bench/run.py --only reads``: ``coopetition escrow list`` over 1,000 ventures and ``coopetition titles
book`` over 1,000 offers on anvil, each beside its one-batch reference (bench/reads_reference.py: the
same reads with raw web3.py, one Multicall3 batch per stage) measured in the same run, and the JSON-RPC
round trips the library's reads take (counted under the provider).

The chain: a fresh anvil with Multicall3 at its canonical address, the suite deployed with the
library (members Acme, Globex, Initech; quorum 2), then 1,000 ETH ventures (3 partners, 2 milestones)
created by unlocked-account transactions sent without waiting for each receipt; then two title
classes (created through the consortium) and 1,000 offers of one title each for ether by Acme and
Globex in turn, sent the same way.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from node import rpc, start_anvil  # noqa: E402

VENTURES = 1000
OFFERS = 1000


def _anvil() -> tuple[subprocess.Popen[bytes], str]:
    """A fresh anvil whose spilled states go to a scratch folder deleted when this process exits."""
    cache = tempfile.mkdtemp(prefix="coopetition-bench-anvil-")
    atexit.register(shutil.rmtree, cache, True)
    return start_anvil(Path(cache))


def _timed(cmd: list[str], runs: int) -> tuple[float, list[float], str]:
    times, out = [], ""
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr or proc.stdout}")
        out = proc.stdout
    return sorted(times)[len(times) // 2], times, out


def _offers(root: Path, addr: list[str]) -> tuple[Any, float]:
    """Two title classes through the consortium, then :data:`OFFERS` offers; (titles service, seconds)."""
    from coopetition._session import connect
    from coopetition.bindings.title_exchange import OfferTerms, PaymentKind, TitleExchange

    acme, globex = (connect("dev", account=i, project=root).suite() for i in (1, 2))
    for name in ("Licence A", "Licence B"):
        ref = acme.titles.propose_create_class(name, name, max_supply=0, issue={"Acme": OFFERS, "Globex": OFFERS})
        globex.consortium.approve(ref.id)
        acme.consortium.execute(ref.id)
    w3, zero = acme.connection.w3, "0x" + "00" * 20
    expiry = int(w3.eth.get_block("latest")["timestamp"]) + 30 * 86400
    nonces = {a: w3.eth.get_transaction_count(a) for a in addr[1:3]}
    started, last = time.perf_counter(), None
    for k in range(1, OFFERS + 1):
        maker = addr[1 + k % 2]
        data = TitleExchange.encode_make_offer(OfferTerms(1 + k % 2, 1, PaymentKind.ETHER, zero, 0, k, zero, expiry, False))
        last = w3.provider.make_request("eth_sendTransaction", [{
            "from": maker, "to": acme.titles.exchange.address, "gas": hex(500_000), "gasPrice": hex(10**10),
            "nonce": hex(nonces[maker]), "data": "0x" + data.hex()}])["result"]
        nonces[maker] += 1
    assert w3.eth.wait_for_transaction_receipt(last, timeout=300, poll_latency=0.01)["status"] == 1
    assert acme.titles.offer_count() == OFFERS
    return acme, time.perf_counter() - started


def measure(runs: int, coopetition: Path, row: Callable[..., Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    sys.path.insert(0, str(REPO))
    from coopetition._chain.devnet import anvil_dev_accounts
    from coopetition._chain.multicall import MULTICALL3_ADDRESS, multicall3_code
    from coopetition._session import SuiteMember, connect, deploy_suite
    from coopetition.bindings.joint_venture_escrow import JointVentureEscrow
    from tests._rpc_count import RpcCounter, send_many

    addr = [a.address for a in anvil_dev_accounts()]
    proc, url = _anvil()
    try:
        rpc(url, "anvil_setCode", [MULTICALL3_ADDRESS, "0x" + multicall3_code().hex()])
        with tempfile.TemporaryDirectory(prefix="coopetition-reads-") as tmp:
            root = Path(tmp)
            (root / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{url}"\n')
            conn = connect("dev", account=1, project=root)
            deploy_suite(conn, [SuiteMember("Acme", addr[1]), SuiteMember("Globex", addr[2]),
                                SuiteMember("Initech", addr[3])], quorum=2)
            escrow = conn.suite().escrow
            terms = escrow.terms("JV", partners=[("Acme", "2 ether"), ("Globex", "1 ether"), ("Initech", "1 ether")],
                                 milestones=["1 ether", "2 ether"], beneficiary=addr[4], quorum=2)
            started = time.perf_counter()
            send_many(conn.w3, addr[1], escrow.address, [JointVentureEscrow.encode_create_venture(terms)] * VENTURES)
            populate = time.perf_counter() - started

            counter = RpcCounter.install(conn.w3)
            escrow.ventures(limit=1)
            counter.reset()
            started = time.perf_counter()
            everything = escrow.ventures()
            library = time.perf_counter() - started
            trips_all, requests_all = counter.total, counter.requests
            counter.reset()
            escrow.ventures(limit=100)
            trips_page = counter.total
            assert len(everything) == VENTURES

            base = [str(coopetition), "--project", str(root), "--network", "dev"]
            cli_all, all_runs, _ = _timed([*base, "escrow", "list", "--limit", str(VENTURES)], runs)
            cli_page, page_runs, _ = _timed([*base, "escrow", "list"], runs)
            reference, ref_runs, ref_out = _timed([sys.executable, str(REPO / "bench/reads_reference.py"), url,
                                                   escrow.address], runs)
            bare, bare_runs, _ = _timed([sys.executable, "-c", "import web3"], runs)

            suite, populate_offers = _offers(root, addr)
            titles = suite.titles
            counter = RpcCounter.install(suite.connection.w3)
            titles.book(limit=1)
            counter.reset()
            started = time.perf_counter()
            book = titles.book()
            library_book = time.perf_counter() - started
            trips_book, requests_book = counter.total, counter.requests
            assert len(book) == OFFERS
            cli_book, book_runs, _ = _timed([*base, "titles", "book", "--limit", str(OFFERS)], runs)
            book_ref, book_ref_runs, book_ref_out = _timed(
                [sys.executable, str(REPO / "bench/reads_reference.py"), "--titles", url, titles.exchange.address,
                 titles.registry.address, suite.consortium.address], runs)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    rows = (
        row(f"`escrow list --limit {VENTURES}` ({VENTURES} ventures)", cli_all, "s",
            f"{cli_all / reference:.2f}x the one-batch reference; goal ≤ 2 s and ≤ 1.3x"),
        row("one-batch reference (raw web3.py, same reads)", reference, "s", "bench/reads_reference.py"),
        row("`escrow list` (default page: 100 ventures)", cli_page, "s"),
        row("`python -c \"import web3\"` (reference)", bare, "s"),
        row(f"library `ventures()`, {VENTURES} ventures, in process", library, "s"),
        row(f"JSON-RPC round trips, {VENTURES} ventures at once", trips_all, "trips",
            f"{requests_all} requests inside; body cap 1.5 MB per request"),
        row("JSON-RPC round trips, one page of 100", trips_page, "trips", "same for 10 or 1,000 ventures"),
        row(f"`titles book --limit {OFFERS}` ({OFFERS} offers)", cli_book, "s",
            f"{cli_book / book_ref:.2f}x the one-batch reference; goal ≤ 2 s and ≤ 1.3x"),
        row("one-batch reference for the book (raw web3.py, same reads)", book_ref, "s",
            "bench/reads_reference.py --titles"),
        row(f"library `book()`, {OFFERS} offers, in process", library_book, "s"),
        row(f"JSON-RPC round trips, `book()` of {OFFERS} offers", trips_book, "trips",
            f"{requests_book} requests inside; the same for 10 offers (tests/domain/test_titles_reads.py)"),
    )
    return rows, {"populate_seconds": round(populate, 2), "populate_offers_seconds": round(populate_offers, 2),
                  "cli_book_runs": book_runs, "book_reference_runs": book_ref_runs,
                  "book_reference_output": book_ref_out.strip(), "load_average_after": [round(x, 2) for x in os.getloadavg()], "cli_all_runs": all_runs, "cli_page_runs": page_runs,
                  "reference_runs": ref_runs, "reference_output": ref_out.strip(), "import_web3_runs": bare_runs}
