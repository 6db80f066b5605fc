"""Issue 17's secrecy claim, read off the chain: during the commit phase no pledge amount is anywhere in
what a competitor can read. On anvil, every transaction of the commit phase (opening the round and the
three commits) is traced with the prestate tracer, which lists every storage slot each one touched; after
the commit deadline every one of those slots is read back with eth_getStorageAt, and every event of those
transactions (topics and data) is collected. No pledge appears, neither as a 32-byte word nor as its
bytes packed inside a word. The same scan after the reveals does find each pledge: the scan works."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from _embedded import DirectSender
from _rounds_support import commitment
from conftest import AnvilNode, rpc, start_anvil

from coopetition._chain.devnet import anvil_dev_accounts
from coopetition._session import SuiteMember, connect, deploy_suite
from coopetition.bindings.joint_venture_escrow import (
    JointVentureEscrow,
    RoundOpenedEvent,
    RoundTerms,
)

pytestmark = pytest.mark.anvil

ADDR = [a.address for a in anvil_dev_accounts()]
ETHER = 10**18
ZERO = "0x" + "00" * 20
# distinctive amounts, so that an accidental match elsewhere is impossible
PLEDGES = {1: 1_234_567_891_234_567_891, 2: 2_345_678_912_345_678_912, 3: 7_777_777_777_777_777_777}


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AnvilNode, object, str]]:
    node = start_anvil()
    root: Path = tmp_path_factory.mktemp("rounds-secrecy")
    (root / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{node.url}"\n')
    try:
        conn = connect("dev", account=0, project=root)
        deployment = deploy_suite(conn, [SuiteMember("Acme", ADDR[1]), SuiteMember("Globex", ADDR[2]),
                                         SuiteMember("Initech", ADDR[3])], quorum=2)
        escrow = deployment.address("JointVentureEscrow")
        yield node, conn.w3, escrow
    finally:
        node.stop()


def _escrow(w3: object, address: str, who: int) -> JointVentureEscrow:
    return JointVentureEscrow(w3, address, DirectSender(w3, ADDR[who], gas=3_000_000, gas_price=10**10))  # type: ignore[arg-type]


def _touched(url: str, tx_hash: str, escrow: str) -> set[str]:
    """The escrow's storage slots that transaction ``tx_hash`` read or wrote (prestate tracer)."""
    trace = rpc(url, "debug_traceTransaction", [tx_hash, {"tracer": "prestateTracer"}])
    assert isinstance(trace, dict)
    accounts = {k.lower(): v for k, v in trace.items()}
    return set(accounts.get(escrow.lower(), {}).get("storage", {}))


def _visible(url: str, w3: object, escrow: str, txs: list[str], slots: set[str]) -> list[bytes]:
    words = [bytes.fromhex(str(rpc(url, "eth_getStorageAt", [escrow, slot, "latest"]))[2:].rjust(64, "0"))
             for slot in sorted(slots)]
    for tx in txs:
        for log in w3.eth.get_transaction_receipt(tx)["logs"]:  # type: ignore[attr-defined]
            words += [bytes(t) for t in log["topics"]] + [bytes(log["data"])]
    return words


def _shows(words: list[bytes], pledge: int) -> bool:
    word = pledge.to_bytes(32, "big")
    packed = pledge.to_bytes((pledge.bit_length() + 7) // 8, "big")  # the amount's bytes at any offset
    return any(word in w or packed in w for w in words)


def test_no_pledge_is_visible_on_chain_during_the_commit_phase(chain: tuple[AnvilNode, object, str]) -> None:
    node, w3, escrow = chain
    now = int(w3.eth.get_block("latest")["timestamp"])  # type: ignore[attr-defined]
    terms = RoundTerms(name="sealed", asset=ZERO, budget=3 * ETHER, bond=10**16, beneficiary=ADDR[4],
                       partners=(ADDR[1], ADDR[2], ADDR[3]), milestones=(ETHER, 2 * ETHER),
                       commit_deadline=now + 100, reveal_deadline=now + 200, funding_deadline=now + 3600,
                       long_stop=now + 7200, quorum=2)
    opened = _escrow(w3, escrow, 1).open_round(terms)
    rid = RoundOpenedEvent.from_result(opened)[0].round_id
    chain_id = int(w3.eth.chain_id)  # type: ignore[attr-defined]
    salts = {who: os.urandom(32) for who in PLEDGES}
    txs = [opened.transaction_hash]
    for who, pledge in PLEDGES.items():
        c = commitment(chain_id, escrow, rid, ADDR[who], pledge, salts[who])
        txs.append(_escrow(w3, escrow, who).commit_pledge(rid, c, value=10**16).transaction_hash)
    slots: set[str] = set()
    for tx in txs:
        slots |= _touched(node.url, tx, escrow)
    assert len(slots) >= 3 * 3  # each partner's state and commitment word, the round's header...
    rpc(node.url, "evm_increaseTime", [101])
    rpc(node.url, "evm_mine", [])
    words = _visible(node.url, w3, escrow, txs, slots)
    for who, pledge in PLEDGES.items():
        assert not _shows(words, pledge), f"partner {who}'s pledge is visible during the commit phase"

    # control: once revealed, the same scan finds every pledge (in storage and in PledgeRevealed)
    reveals = [_escrow(w3, escrow, who).reveal_pledge(rid, pledge, salts[who]).transaction_hash
               for who, pledge in PLEDGES.items()]
    for tx in reveals:
        slots |= _touched(node.url, tx, escrow)
    stored = _visible(node.url, w3, escrow, [], slots)
    for pledge in PLEDGES.values():
        assert _shows(stored, pledge) and _shows(_visible(node.url, w3, escrow, reveals, set()), pledge)
