"""Where the gas of a signed ERC-20 fill with existing holders goes, opcode by opcode.

Runs bench/gas_titles.py's measured quote (Acme quotes 10 titles to Globex for 100 USDC, both already
hold both assets, the maker's nonce word is already non-zero) on an anvil started with
``--steps-tracing`` (cancun, as the compiler targets), takes ``debug_traceTransaction``'s struct logs
and prints, per contract: the account accesses of its calls, its storage reads and writes, its logs,
the precompile, and the gas of all its other opcodes. The total is the receipt's gas used.

Run: ``PYTHONPATH=. .venv/bin/python bench/trace_titles.py`` (needs ``npm ci`` for anvil).
"""

from __future__ import annotations

import collections
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from gas_common import deploy, raw_send  # noqa: E402
from node import rpc, start_anvil  # noqa: E402

EXPENSIVE = {"SLOAD", "SSTORE", "LOG0", "LOG1", "LOG2", "LOG3", "LOG4", "EXTCODESIZE", "KECCAK256",
             "TLOAD", "TSTORE"}
CALLS = {"CALL", "STATICCALL", "DELEGATECALL"}


def _scenario(url: str, root: Path) -> tuple[str, dict[str, str]]:
    """The measured signed fill on ``url``; its hash and the names of the contracts it touches."""
    from eth_abi import abi as eth_abi

    from coopetition import connect
    from coopetition._abi import selector
    from coopetition._session import SuiteMember, deploy_suite
    from coopetition.bindings.title_registry import TitleRegistry

    (root / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{url}"\n')
    conn = connect("dev", 0, project=root)
    accounts = conn.chain.dev_accounts()
    acme, globex, initech = (str(accounts[i].address) for i in (1, 2, 3))
    deploy_suite(conn, [SuiteMember("Acme", acme), SuiteMember("Globex", globex), SuiteMember("Initech", initech)], 2)
    gov = [conn.as_account(accounts[i]).suite().consortium for i in (1, 2, 3)]
    ta, tg = (conn.as_account(accounts[i]).suite().titles for i in (1, 2))
    ref = gov[0].propose(ta.registry.address, TitleRegistry.encode_create_class_and_issue(
        "JV Hydrogen shares", b"\x11" * 32, 0, [acme, globex], [10_000, 100]), "trace setup", "1d")
    gov[1].approve(ref.id)
    gov[2].execute(ref.id)
    usdc = deploy(conn, "MockERC20", ["USD Coin", "USDC", 6], test=True)
    for holder in (globex, acme):
        raw_send(conn, str(accounts[0].address), usdc,
                 selector("mint(address,uint256)") + eth_abi.encode(["address", "uint256"], [holder, 10**12]))
    raw_send(conn, globex, usdc, selector("approve(address,uint256)") + eth_abi.encode(
        ["address", "uint256"], [ta.exchange.address, 2**256 - 1]))
    for _ in range(2):  # the first quote writes Acme's nonce word from zero; the second is the measured one
        quote = ta.quote(1, 10, ta.price("100 USDC", token=usdc), to="Globex", expires="2090-01-01")
        taken = tg.take(quote)
    names = {ta.exchange.address.lower(): "exchange", ta.registry.address.lower(): "registry",
             usdc.lower(): "token (USDC)", gov[0].address.lower(): "consortium", "0x" + "00" * 19 + "01": "ecrecover"}
    return taken.transaction_hash, names


def breakdown(logs: list[dict[str, Any]], names: dict[str, str]) -> list[tuple[str, str, int]]:
    """(contract, item, gas) rows: calls' own cost (account access), expensive opcodes one by one, and the
    rest of each contract's opcodes summed."""
    rows: list[tuple[str, str, int]] = []
    frames = ["exchange"]
    plain: collections.Counter[str] = collections.Counter()
    for i, log in enumerate(logs):
        depth, op = log["depth"], log["op"]
        while len(frames) > depth:
            frames.pop()
        who = frames[depth - 1]
        if op in CALLS:
            j = i + 1
            while j < len(logs) and logs[j]["depth"] > depth:
                j += 1
            total = log["gas"] - logs[j]["gas"]
            child = 0
            if logs[i + 1]["depth"] > depth:
                child = logs[i + 1]["gas"] - logs[j - 1]["gas"] + logs[j - 1]["gasCost"]
            target = names.get("0x" + log["stack"][-2][2:].rjust(40, "0")[-40:].lower(), "?")
            rows.append((who, f"{op} {target} (access and call)", total - child))
            if logs[i + 1]["depth"] > depth:
                frames.append(target)
            continue
        if op in EXPENSIVE and log["gasCost"] >= 100:
            rows.append((who, op, log["gasCost"]))
        else:
            plain[who] += log["gasCost"]
    rows += [(who, "all other opcodes", gas) for who, gas in plain.items()]
    return rows


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="trace-titles-"))  # anvil's spilled states go there too
    proc, url = start_anvil(root / "anvil-states", "--hardfork", "cancun", "--steps-tracing")
    try:
        tx_hash, names = _scenario(url, root)
        receipt = rpc(url, "eth_getTransactionReceipt", [tx_hash])
        tx = rpc(url, "eth_getTransactionByHash", [tx_hash])
        trace = rpc(url, "debug_traceTransaction", [tx_hash, {"enableMemory": False, "disableStorage": True}])
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(root, ignore_errors=True)
    data = bytes.fromhex(tx["input"][2:])
    zeros = data.count(0)
    gas_used = int(receipt["gasUsed"], 16)
    rows = [("transaction", "intrinsic", 21_000),
            ("transaction", f"calldata: {len(data)} bytes, {zeros} zero (4 each), {len(data) - zeros} not (16)",
             4 * zeros + 16 * (len(data) - zeros)), *breakdown(trace["structLogs"], names)]
    print(f"signed ERC-20 fill, existing holders: {gas_used:,} gas (receipt)\n")
    print("| where | what | gas |\n| --- | --- | ---: |")
    for who, what, gas in rows:
        print(f"| {who} | {what} | {gas:,} |")
    print(f"| | **sum** | **{sum(g for _, _, g in rows):,}** |")


if __name__ == "__main__":
    main()
