"""``round show`` reads a round in a number of round trips that does not grow with its partners (anvil,
counted by the counting provider): the same count for 2 and for 20 (the cap) committed partners."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _embedded import DirectSender
from _rpc_count import RpcCounter
from conftest import AnvilNode, rpc, start_anvil

from coopetition._session import SuiteMember, connect, deploy_suite
from coopetition.rounds import RoundPhase, RoundsService

pytestmark = pytest.mark.anvil

ETHER = 10**18


@dataclass
class Setup:
    node: AnvilNode
    service: RoundsService
    accounts: list[str]
    root: Path

    def as_(self, address: str) -> RoundsService:
        return self.service.with_sender(DirectSender(self.service.w3, address, gas=3_000_000, gas_price=10**10))

    def round_with(self, partners: list[str]) -> int:
        opener = self.as_(partners[0])
        ref = opener.open(opener.terms(f"JV of {len(partners)}", budget="1 ether", bond="0.01 ether",
                                       partners=partners, beneficiary=self.accounts[21], commit_by="1h",
                                       reveal_by="2h"))
        for k, who in enumerate(partners):
            self.as_(who).commit_pledge(ref.id, ETHER + k)
        return ref.id


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    node = start_anvil("--accounts", "22")
    root = tmp_path_factory.mktemp("rounds-reads")
    (root / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{node.url}"\n')
    try:
        accounts = [str(a) for a in rpc(node.url, "eth_accounts")]  # type: ignore[union-attr]
        conn = connect("dev", account=0, project=root)
        deploy_suite(conn, [SuiteMember(f"M{i}", accounts[i]) for i in range(1, 21)], quorum=2)
        yield Setup(node, conn.suite().rounds, [conn.w3.to_checksum_address(a) for a in accounts], root)
    finally:
        node.stop()


def test_show_round_trips_do_not_grow_with_the_partners(setup: Setup) -> None:
    small = setup.round_with(setup.accounts[1:3])
    big = setup.round_with(setup.accounts[1:21])
    counter = RpcCounter.install(setup.service.w3)
    setup.service.round(small)  # the first read on a connection also asks whether Multicall3 is there
    counter.reset()
    two = setup.service.round(small)
    at_2 = counter.total
    counter.reset()
    twenty = setup.service.round(big)
    assert counter.total == at_2 == 3, counter.trips  # a batch each (round, then its partners), the latest block
    assert len(two.partners) == 2 and len(twenty.partners) == 20
    assert twenty.committed == 20 and all(p.committed and p.commitment for p in twenty.partners)
    assert twenty.phase == RoundPhase.COMMIT and all(p.pledge is None for p in twenty.partners)

    # what the batches read is what the contract says, read call by call
    c = setup.service.contract
    assert [p.commitment for p in twenty.partners] == [
        "0x" + c.round_partner(big, who).commitment.hex() for who in setup.accounts[1:21]]
    assert twenty.bond == c.round(big).bond == ETHER // 100
    counter.reset()
    listed = setup.service.rounds()
    assert [r.id for r in listed] == [small, big] and listed[1] == twenty
    assert counter.total == 4, counter.trips  # the count, two batches, the latest block


def _record_requests(w3: object) -> list[str]:
    """Every JSON-RPC request that reaches the node from now on, as text (method and params)."""
    seen: list[str] = []
    provider: Any = w3.provider  # type: ignore[attr-defined]
    single, batch = provider.make_request, getattr(provider, "make_batch_request", None)

    def make_request(method: Any, params: Any) -> Any:
        seen.append(f"{method} {json.dumps(params, default=str)}")
        return single(method, params)

    provider.make_request = make_request
    if batch is not None:
        def make_batch_request(requests: Any) -> Any:
            seen.extend(f"{m} {json.dumps(p, default=str)}" for m, p in requests)
            return batch(requests)

        provider.make_batch_request = make_batch_request
    provider._request_func_cache = (None, None)
    if hasattr(provider, "_batch_request_func_cache"):
        provider._batch_request_func_cache = (None, None)
    return seen


def test_a_commit_never_shows_the_pledge_to_the_node(setup: Setup) -> None:
    """The commitment is computed locally: nothing the node receives while a partner commits (reads,
    simulation, gas estimate, the signed transaction) holds the pledge, in any encoding."""
    partners = setup.accounts[1:3]
    rid = setup.as_(partners[0]).open(setup.as_(partners[0]).terms(
        "Secret", budget="1 ether", bond="0.01 ether", partners=partners, beneficiary=setup.accounts[21],
        commit_by="1h", reveal_by="2h")).id
    conn = connect("dev", account=1, project=setup.root)  # the real pipeline: simulate, estimate, sign, send
    service = conn.suite().rounds
    assert service.sender_address == partners[0]
    pledge = 1_234_567_890_123_456_789_012
    seen = _record_requests(conn.w3)
    done = service.commit_pledge(rid, pledge)
    text = "\n".join(seen).lower()
    assert "eth_sendrawtransaction" in text and "eth_estimategas" in text  # it did talk to the node
    for form in (str(pledge), f"{pledge:x}", f"{pledge:064x}", "1234567.890123456789012"):
        assert form not in text, form
    assert done.commitment[2:] in text  # what the node did get: the hash


def test_the_show_command_makes_as_many_round_trips_at_20_partners_as_at_2(
        setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    """``coopetition --json escrow round show`` from the moment it is connected: the same count for a
    round of 2 and one of 20."""
    from click.testing import CliRunner

    import coopetition.cli.rounds as command
    from coopetition.cli import cli

    small = setup.round_with(setup.accounts[1:3])
    big = setup.round_with(setup.accounts[1:21])
    counters: list[RpcCounter] = []
    real = command.open_suite

    def counted(*args: Any, **kwargs: Any) -> Any:
        suite = real(*args, **kwargs)
        counters.append(RpcCounter.install(suite.connection.w3))
        return suite

    monkeypatch.setattr(command, "open_suite", counted)

    def show(rid: int) -> tuple[int, dict[str, Any]]:
        result = CliRunner().invoke(cli, ["--project", str(setup.root), "--network", "dev", "--json",
                                          "escrow", "round", "show", str(rid)])
        assert result.exit_code == 0, result.output
        return counters[-1].total, json.loads(result.stdout)

    show(small)  # a first connection may ask once more whether Multicall3 is there
    at_2, two = show(small)
    at_20, twenty = show(big)
    assert at_2 == at_20 and len(two["partners"]) == 2 and len(twenty["partners"]) == 20, counters[-1].trips
    # after connecting: whether Multicall3 is there (once per connection), the round's two batches, the latest block
    assert at_20 == 4, counters[-1].trips
