"""``bench/run.py --only writes``: 500 ether deposits into one escrow venture on anvil, through the
library and beside raw web3.py doing the same in the same run, and the JSON-RPC round trips each
send takes (counted under the provider, tests/_rpc_count.py).

The modes, each ``SENDS`` deposits of 1 wei from the same funded partner (account 1 of anvil):

* ``wrapper``: the typed binding, ``escrow.contract.deposit(id, 1, value=1)``, each receipt awaited;
* ``service``: ``EscrowService.deposit(id, 1)`` (it first reads the venture and the partner's
  position, to refuse a doomed deposit before sending), each receipt awaited;
* ``pipelined``: ``TransactionPipeline.send_all`` over the same calls (each estimated, signed with the
  next nonce and broadcast; then every receipt awaited);
* ``raw``: the idiomatic web3.py script: ``Web3(HTTPProvider(url))`` with its default middleware,
  ``contract.functions.deposit(id, 1).build_transaction({from, value, nonce, chainId})`` (web3
  estimates the gas and quotes the fees), signed locally, ``send_raw_transaction``,
  ``wait_for_transaction_receipt``; the nonce and chain id are kept locally (no query per send);
* ``raw pipelined``: the same without waiting, then every receipt awaited;
* ``lean raw`` (and pipelined): the same script with web3's validation middleware removed (it asks
  ``eth_chainId`` twice per send), as a second, harder reference.

Runs are interleaved (each round runs every mode once) so a load change hits every mode alike;
each figure is the median over the rounds. Anvil auto-mines each transaction when it arrives.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SENDS = 500
COUNTED = 20


def measure(runs: int, row: Callable[..., Any], sends: int = SENDS) -> tuple[tuple[Any, ...], dict[str, Any]]:
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "tests"))
    from _rpc_count import RpcCounter
    from node import rpc, start_anvil
    from web3 import HTTPProvider, Web3

    from coopetition import PendingCall
    from coopetition._chain.devnet import anvil_dev_accounts
    from coopetition._chain.multicall import MULTICALL3_ADDRESS, multicall3_code
    from coopetition._session import SuiteMember, connect, deploy_suite
    from coopetition.bindings.joint_venture_escrow import JointVentureEscrow

    accounts = anvil_dev_accounts()
    addr = [a.address for a in accounts]
    scratch = tempfile.TemporaryDirectory(prefix="coopetition-writes-")
    proc, url = start_anvil(Path(scratch.name) / "anvil-cache")  # its states stay in the scratch folder
    try:
        rpc(url, "anvil_setCode", [MULTICALL3_ADDRESS, "0x" + multicall3_code().hex()])
        with tempfile.TemporaryDirectory(prefix="coopetition-writes-") as tmp:
            root = Path(tmp)
            (root / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{url}"\n')
            conn = connect("dev", account=1, project=root)
            deploy_suite(conn, [SuiteMember("Acme", addr[1]), SuiteMember("Globex", addr[2]),
                                SuiteMember("Initech", addr[3])], quorum=2)
            escrow = conn.suite().escrow
            terms = escrow.terms("JV", partners=[("Acme", "9000 ether"), ("Globex", "1 ether")],
                                 milestones=["9001 ether"], beneficiary=addr[4], quorum=2)
            vid = escrow.create(terms).id
            contract = escrow.contract
            pipeline = conn.sender
            assert pipeline is not None
            contract.deposit(vid, 1, value=1)  # the first deposit writes a fresh slot: not timed

            def call() -> PendingCall:
                return PendingCall(contract="JointVentureEscrow", address=contract.address,
                                   function="deposit(uint256,uint256)", args=(vid, 1),
                                   data=JointVentureEscrow.encode_deposit(vid, 1), value=1, abi=contract.abi)

            me = accounts[1]

            def raw_script(lean: bool) -> tuple[Web3, Callable[[int], None], Callable[[int], None]]:
                raw_w3 = Web3(HTTPProvider(url))
                if lean:
                    raw_w3.middleware_onion.remove("validation")
                raw_contract = raw_w3.eth.contract(address=contract.address, abi=contract.abi)  # type: ignore[call-overload]
                chain_id = raw_w3.eth.chain_id

                def raw_tx(nonce: int) -> Any:
                    tx = raw_contract.functions.deposit(vid, 1).build_transaction(
                        {"from": me.address, "value": 1, "nonce": nonce, "chainId": chain_id})
                    return raw_w3.eth.send_raw_transaction(me.sign_transaction(tx).raw_transaction)

                def wait_each(n: int) -> None:
                    nonce = raw_w3.eth.get_transaction_count(me.address, "pending")
                    for k in range(n):
                        assert raw_w3.eth.wait_for_transaction_receipt(raw_tx(nonce + k))["status"] == 1

                def pipelined(n: int) -> None:
                    nonce = raw_w3.eth.get_transaction_count(me.address, "pending")
                    hashes = [raw_tx(nonce + k) for k in range(n)]
                    assert all(raw_w3.eth.wait_for_transaction_receipt(h)["status"] == 1 for h in hashes)

                return raw_w3, wait_each, pipelined

            raw_w3, raw_wait, raw_pipelined = raw_script(lean=False)
            lean_w3, lean_wait, lean_pipelined = raw_script(lean=True)

            def wrapper(n: int) -> None:
                for _ in range(n):
                    assert contract.deposit(vid, 1, value=1).status == 1

            def service(n: int) -> None:
                for _ in range(n):
                    assert escrow.deposit(vid, 1).status == 1

            def pipelined(n: int) -> None:
                assert all(r.status == 1 for r in pipeline.send_all([call() for _ in range(n)]))

            modes: dict[str, Callable[[int], None]] = {
                "wrapper": wrapper, "service": service, "pipelined": pipelined,
                "raw": raw_wait, "raw_pipelined": raw_pipelined,
                "lean_raw": lean_wait, "lean_raw_pipelined": lean_pipelined,
            }
            times: dict[str, list[float]] = {name: [] for name in modes}
            for _ in range(runs):
                for name, fn in modes.items():
                    started = time.perf_counter()
                    fn(sends)
                    times[name].append(time.perf_counter() - started)

            # round trips and requests per send, counted on a few more sends of each mode
            counters = {"lib": RpcCounter.install(conn.w3), "raw": RpcCounter.install(raw_w3),
                        "lean": RpcCounter.install(lean_w3)}
            counts: dict[str, dict[str, Any]] = {}
            for name, fn in modes.items():
                counter = counters[name.split("_")[0] if name.startswith(("raw", "lean")) else "lib"]
                counter.reset()
                fn(COUNTED)
                counts[name] = {"trips": counter.total / COUNTED, "requests": counter.requests / COUNTED,
                                "by_method": dict(counter.by_method)}

            # where a waiting send's time goes: the pipeline's split steps, timed apart
            phases = {"prepare": 0.0, "submit": 0.0, "wait": 0.0}
            for _ in range(sends):
                t0 = time.perf_counter()
                prepared = pipeline.prepare(call())
                t1 = time.perf_counter()
                signed = pipeline.submit(prepared)
                t2 = time.perf_counter()
                pipeline.wait(signed.transaction_hash, prepared.call)
                t3 = time.perf_counter()
                phases["prepare"] += t1 - t0
                phases["submit"] += t2 - t1
                phases["wait"] += t3 - t2
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        scratch.cleanup()

    per_send_ms = {k: round(v / sends * 1000, 3) for k, v in phases.items()}
    details = {"sends": sends, "seconds": {name: [round(t, 3) for t in ts] for name, ts in times.items()},
               "per_send": counts, "phase_ms_per_send": per_send_ms}
    return rows_of(details, row), details


def rows_of(details: dict[str, Any], row: Callable[..., Any]) -> tuple[Any, ...]:
    """The table of a measurement (also run on committed details when only the wording changes)."""
    sends, counts, per_send_ms = details["sends"], details["per_send"], details["phase_ms_per_send"]
    median = {name: statistics.median(ts) for name, ts in details["seconds"].items()}
    rate = {name: sends / t for name, t in median.items()}

    def ratio(name: str, ref: str) -> float:
        return median[name] / median[ref]

    def trips(name: str) -> str:
        polls = counts[name]["by_method"].get("eth_getTransactionReceipt", 0) / COUNTED
        return (f"{counts[name]['trips']:g} round trips per send, {polls:g} of them single receipt polls "
                "(repeated until anvil has mined it)")

    details["ratios"] = {f"{a}/{b}": round(ratio(a, b), 3) for a, b in (
        ("wrapper", "raw"), ("service", "raw"), ("pipelined", "raw_pipelined"), ("wrapper", "lean_raw"),
        ("pipelined", "lean_raw_pipelined"))}
    return (
        row(f"typed wrapper, each receipt awaited ({sends} deposits)", rate["wrapper"], "tx/s",
            f"{ratio('wrapper', 'raw'):.2f}x raw's time; goal ≤ 1.10x; {trips('wrapper')}"),
        row(f"service `deposit`, each receipt awaited ({sends})", rate["service"], "tx/s",
            f"{ratio('service', 'raw'):.2f}x raw's time; {trips('service')}"),
        row(f"raw web3.py, each receipt awaited ({sends})", rate["raw"], "tx/s",
            f"build_transaction, sign, send_raw_transaction, wait; {trips('raw')}"),
        row(f"library pipelined, `send_all` ({sends})", rate["pipelined"], "tx/s",
            f"{ratio('pipelined', 'raw_pipelined'):.2f}x raw pipelined's time; goal ≤ 1.10x; {trips('pipelined')}"),
        row(f"raw web3.py pipelined ({sends})", rate["raw_pipelined"], "tx/s", trips("raw_pipelined")),
        row(f"lean raw web3.py (no validation middleware), each receipt awaited ({sends})", rate["lean_raw"],
            "tx/s", f"wrapper at {ratio('wrapper', 'lean_raw'):.2f}x its time; {trips('lean_raw')}"),
        row(f"lean raw web3.py pipelined ({sends})", rate["lean_raw_pipelined"], "tx/s",
            f"library pipelined at {ratio('pipelined', 'lean_raw_pipelined'):.2f}x its time; "
            f"{trips('lean_raw_pipelined')}"),
        row("waiting send through the pipeline: prepare (one batch: estimate, block, tip, balance, nonce)",
            per_send_ms["prepare"], "ms", "per send, mean"),
        row("... submit (sign locally, eth_sendRawTransaction)", per_send_ms["submit"], "ms", "per send, mean"),
        row("... wait (receipt polls until anvil has mined it, decode events)", per_send_ms["wait"], "ms",
            "per send, mean"),
    )


if __name__ == "__main__":
    import json

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50

    def _row(*a: Any) -> tuple[Any, ...]:
        return a

    out_rows, out_details = measure(1, _row, sends=n)
    for r in out_rows:
        print(r)
    print(json.dumps(out_details, indent=1))
