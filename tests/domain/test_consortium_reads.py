"""The consortium's member and proposal lists read in a number of round trips that does not grow with
the proposals (anvil, counted): the same count for 10 and for 1,000 proposals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _rpc_count import RpcCounter, send_many
from conftest import start_anvil

from coopetition._chain.devnet import anvil_dev_accounts
from coopetition._session import SuiteMember, connect, deploy_suite
from coopetition.bindings.consortium import Consortium
from coopetition.consortium import ConsortiumService

pytestmark = pytest.mark.anvil

ADDR = [a.address for a in anvil_dev_accounts()]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsortiumService]:
    node = start_anvil()
    root: Path = tmp_path_factory.mktemp("consortium-reads")
    (root / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{node.url}"\n')
    try:
        conn = connect("dev", account=1, project=root)
        deploy_suite(conn, [SuiteMember("Acme", ADDR[1]), SuiteMember("Globex", ADDR[2]),
                            SuiteMember("Initech", ADDR[3])], quorum=2)
        service = conn.suite().consortium
        service.globex = connect("dev", account=2, project=root).suite().consortium  # type: ignore[attr-defined]
        yield service
    finally:
        node.stop()


def _populate(service: ConsortiumService, total: int) -> None:
    have = service.proposal_count()
    expiry = service.expiry_timestamp("7d")
    calls = [Consortium.encode_propose(service.address, 0, Consortium.encode_set_quorum(2), f"proposal {k}", expiry)
             for k in range(have, total)]
    send_many(service.w3, ADDR[1], service.address, calls)
    assert service.proposal_count() == max(total, have)


def test_proposal_and_member_lists_do_not_grow_with_the_proposals(service: ConsortiumService) -> None:
    _populate(service, 10)
    service.globex.approve(3)  # type: ignore[attr-defined]
    counter = RpcCounter.install(service.w3)
    service.proposals()
    counter.reset()
    small = service.proposals()
    at_10 = counter.total
    counter.reset()
    members = service.members()
    member_trips = counter.total

    _populate(service, 1000)
    counter.reset()
    big = service.proposals()
    assert len(small) == 10 and len(big) == 1000
    assert counter.total == at_10 <= 3, counter.trips  # the logs, one batch (+ its HTTP requests)
    counter.reset()
    assert service.members() == members and counter.total == member_trips == 1

    # the batch reads what the contract says, read call by call
    c = service.contract
    third = big[2]
    assert third.approvers == c.approvers(bytes.fromhex(third.proposal_id[2:]))
    assert set(third.approvers) == {ADDR[1], ADDR[2]} and third.approvals == 2
    assert big[3].approvers == (ADDR[1],) and big[999].description == "proposal 999"
