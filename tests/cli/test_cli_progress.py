"""Waiting feedback: without a terminal, one plain stderr line per state change of each transaction
(sent, mined in block B, k/n confirmations), and ``--json`` stdout stays one JSON document; on a
terminal, a spinner with the label, hash prefix and ``confirmations k/n``."""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli_env import ADDR, module_node, run
from conftest import AnvilNode, rpc

from coopetition._chain.receipts import TxProgress
from coopetition.cli.progress import describe, progress_for

node = pytest.fixture(scope="module")(module_node)


@pytest.fixture
def miner(node: AnvilNode) -> Iterator[None]:
    """Another block every 50 ms, as other users' traffic would give: confirmations arrive."""
    stop = threading.Event()

    def mine() -> None:
        while not stop.wait(0.05):
            rpc(node.url, "evm_mine")

    thread = threading.Thread(target=mine, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join()


LINE = re.compile(
    r"^(?P<label>deploy \w+|\w+\.\w+)(?::| (?P<short>0x[0-9a-f]{8})…:) "
    r"(?:sent (?P<hash>0x[0-9a-f]{64}), waiting to be mined|mined in block (?P<block>\d+)"
    r"|(?P<k>\d+)/(?P<n>\d+) confirmations)$"
)


def test_deploy_with_two_confirmations_prints_each_change_in_order_and_json_stays_pure(
    tmp_path: Path, node: AnvilNode, miner: None
) -> None:
    (tmp_path / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{node.url}"\nconfirmations = 2\n')
    result = run(tmp_path, "--json", "deploy", "--member", f"Acme={ADDR[1]}", "--member", f"Globex={ADDR[2]}",
                 "--quorum", "2", account="0")
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)  # stdout is one JSON document, no progress in it
    lines = result.stderr.splitlines()
    parsed = [LINE.match(line) for line in lines if not re.match(r"^\w+ +deployed ", line)]
    assert all(parsed), result.stderr  # besides deploy's own "<Contract> deployed <address>" lines
    transactions = 0
    i = 0
    while i < len(parsed):
        sent, mined = parsed[i:i + 2]
        assert sent and mined and sent["hash"] and mined["block"]
        i += 2
        counts = []  # a busy node can mine two blocks between polls: 1/2 may be skipped, never repeated
        while i < len(parsed) and parsed[i]["k"]:  # type: ignore[index]
            counts.append(parsed[i])
            i += 1
        group = [mined, *counts]
        assert {m["short"] for m in group} == {sent["hash"][:10]}
        assert len({m["label"] for m in (sent, *group)}) == 1
        ks = [int(m["k"]) for m in counts]
        assert ks and ks == sorted(set(ks)) and ks[-1] == 2 and {m["n"] for m in counts} == {"2"}
        receipt = rpc(node.url, "eth_getTransactionReceipt", [sent["hash"]])
        assert int(receipt["blockNumber"], 16) == int(mined["block"])
        transactions += 1
    assert transactions >= 3  # the suite is several contracts, each waited for on its own
    assert transactions == len(lines) - len(parsed)  # one transaction per contract deployed


def test_describe_has_no_line_for_done() -> None:
    assert describe(TxProgress("done", "Escrow.deposit", "0x" + "ab" * 32, required=2)) is None


def test_terminal_shows_a_spinner_with_label_hash_prefix_and_confirmations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rich import console as rich_console

    out = io.StringIO()
    real = rich_console.Console
    monkeypatch.setattr(rich_console, "Console", lambda **kw: real(file=out, force_terminal=True, width=120))
    show = progress_for(terminal=True)
    tx = "0x" + "ab" * 32
    show(TxProgress("sent", "Escrow.deposit", tx, required=2))
    show(TxProgress("confirmed", "Escrow.deposit", tx, block_number=7, confirmations=1, required=2))
    show(TxProgress("done", "Escrow.deposit", tx, required=2))
    text = out.getvalue()
    assert "Escrow.deposit 0xabababab…" in text
    assert "mined in block 7, confirmations 1/2" in text
