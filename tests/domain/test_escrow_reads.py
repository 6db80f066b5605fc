"""The escrow's list and show read in a number of round trips that does not grow with the ventures
(anvil, counted by the counting provider): the same count for 10 and for 1,000 ventures."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _embedded import DirectSender
from _rpc_count import RpcCounter, send_many
from conftest import AnvilNode, start_anvil

from coopetition._chain.devnet import anvil_dev_accounts
from coopetition._session import SuiteMember, connect, deploy_suite
from coopetition.bindings.joint_venture_escrow import JointVentureEscrow, VentureTerms
from coopetition.escrow import EscrowService

pytestmark = pytest.mark.anvil

ADDR = [a.address for a in anvil_dev_accounts()]
ETHER = 10**18


@dataclass
class Setup:
    node: AnvilNode
    service: EscrowService
    fast: EscrowService
    terms: VentureTerms

    def populate(self, total: int) -> None:
        """Create ventures until there are ``total`` (sent without waiting for each receipt)."""
        have = self.service.venture_count()
        data = JointVentureEscrow.encode_create_venture(self.terms)
        send_many(self.service.w3, ADDR[1], self.service.address, [data] * (total - have))
        assert self.service.venture_count() == max(total, have)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    node = start_anvil()
    root: Path = tmp_path_factory.mktemp("escrow-reads")
    (root / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{node.url}"\n')
    try:
        conn = connect("dev", account=0, project=root)
        deploy_suite(conn, [SuiteMember("Acme", ADDR[1]), SuiteMember("Globex", ADDR[2]),
                            SuiteMember("Initech", ADDR[3])], quorum=2)
        service = conn.suite().escrow
        fast = service.with_sender(DirectSender(conn.w3, ADDR[1], gas=2_000_000, gas_price=10**10))
        terms = fast.terms("JV", partners=[("Acme", "2 ether"), ("Globex", "1 ether"), ("Initech", "1 ether")],
                           milestones=["1 ether", "2 ether"], beneficiary=ADDR[4], quorum=2)
        yield Setup(node, service, fast, terms)
    finally:
        node.stop()


def _activity(s: Setup) -> None:
    """Venture 1 funded, its first milestone approved by two partners and released; 2 half paid."""
    for who, amount in ((1, 2), (2, 1), (3, 1)):
        s.fast.with_sender(DirectSender(s.service.w3, ADDR[who], gas=2_000_000, gas_price=10**10)).deposit(1, f"{amount} ether")
    for who in (1, 2):
        s.fast.with_sender(DirectSender(s.service.w3, ADDR[who], gas=2_000_000, gas_price=10**10)).approve_milestone(1, 0)
    s.fast.release_milestone(1, 0)
    s.fast.deposit(2, "1 ether")


def test_list_and_show_round_trips_do_not_grow_with_the_ventures(setup: Setup) -> None:
    setup.populate(10)
    _activity(setup)
    counter = RpcCounter.install(setup.service.w3)
    setup.service.ventures()  # the first read on a connection also asks whether Multicall3 is there
    counter.reset()
    small = setup.service.ventures()
    at_10 = counter.total
    counter.reset()
    shown = setup.service.venture(1)
    show_trips = counter.total
    counter.reset()
    history_small = setup.service.activity()
    history_trips = counter.total

    setup.populate(1000)
    counter.reset()
    page = setup.service.ventures(limit=100)
    assert counter.total == at_10 == 4, counter.trips  # the count, two batches, the latest block
    counter.reset()
    assert [v.id for v in setup.service.ventures(after=900)] == list(range(901, 1001))
    assert counter.total == at_10
    counter.reset()
    assert setup.service.venture(1000).id == 1000
    assert counter.total == show_trips == 3  # a batch each, the latest block
    counter.reset()
    history_big = setup.service.activity()
    # the head, one eth_getLogs per event kind, the ventures' assets in one batch; block times come
    # with anvil's logs (blockTimestamp), so no block is read
    assert counter.total == history_trips == 17, counter.trips
    assert len(history_big) > len(history_small) + 5 * 990
    assert "eth_getBlockByNumber" not in counter.by_method, counter.trips
    stamp = setup.service.w3.eth.get_block(history_big[-1].block_number)["timestamp"]
    assert history_big[-1].timestamp == stamp
    counter.reset()
    big = setup.service.ventures()
    # all 1,000 at once: the same two batches, sent as several HTTP requests of at most 1.5 MB
    # of calldata (anvil refuses a body over 2 MiB)
    assert len(small) == 10 and len(big) == 1000 and big[:100] == page
    assert counter.by_method["batch"] <= 8 and counter.total <= 10, counter.trips

    # what the batches read is what the contract says, read call by call
    c = setup.service.contract
    assert big[0] == shown
    first = big[0]
    assert first.state.name == "ACTIVE" and first.deposited == 4 * ETHER and first.released == ETHER
    assert [p.paid for p in first.partners] == [c.partner(1, a).paid for a in ADDR[1:4]] == [2 * ETHER, ETHER, ETHER]
    assert first.milestones[0].approvers == (ADDR[1], ADDR[2]) and first.milestones[1].approvers == ()
    assert big[1].deposited == ETHER and big[1].state.name == "FUNDING"
    assert [v.id for v in big] == list(range(1, 1001))
    assert setup.service.total_held() == c.held_for(1) + c.held_for(2)


def test_pages_and_unknown_ids(setup: Setup) -> None:
    setup.populate(10)
    page = setup.service.ventures(after=3, limit=4)
    assert [v.id for v in page] == [4, 5, 6, 7]
    count = setup.service.venture_count()
    assert setup.service.ventures(after=count) == ()
    with pytest.raises(Exception, match="UnknownVenture"):
        setup.service.venture(count + 1)


def test_history_on_a_node_without_block_times_in_its_logs_reads_the_blocks_in_batches(setup: Setup) -> None:
    """Older nodes give no ``blockTimestamp`` in eth_getLogs: the block times are then read in
    JSON-RPC batches of 500 blocks, one round trip each, with the same result."""
    from web3 import HTTPProvider, Web3

    setup.populate(10)
    w3 = Web3(HTTPProvider(setup.node.url))
    provider: Any = w3.provider
    plain = provider.make_request

    def without_block_times(method: Any, params: Any) -> Any:
        answer = plain(method, params)
        if method == "eth_getLogs":
            for log in answer.get("result") or ():
                log.pop("blockTimestamp", None)
        return answer

    provider.make_request = without_block_times
    counter = RpcCounter.install(w3)
    rows = EscrowService.at(w3, setup.service.address).activity()
    blocks = {r.block_number for r in rows}
    reads = [trip for trip in counter.trips if "eth_getBlockByNumber" in trip]
    assert len(reads) == -(-len(blocks) // 500) and sum(len(t) for t in reads) == len(blocks), counter.trips
    some = sorted(blocks)[:: max(1, len(blocks) // 40)]
    real = {n: int(w3.eth.get_block(n)["timestamp"]) for n in some}
    assert {r.block_number: r.timestamp for r in rows if r.block_number in real} == real
    assert rows == setup.service.activity()
