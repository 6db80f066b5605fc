"""The cost pools' lists (pools, a pool's expenses, its balances) read in a number of round trips
that does not grow with the pools or expenses (anvil, counted): the same for 10 and for 1,000."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from _rpc_count import RpcCounter, send_many
from conftest import start_anvil

from coopetition._chain.devnet import anvil_dev_accounts
from coopetition._session import SuiteMember, connect, deploy_suite
from coopetition.bindings.cost_sharing import CostSharing, ExpenseStatus
from coopetition.costs import CostSharingService

pytestmark = pytest.mark.anvil

ADDR = [a.address for a in anvil_dev_accounts()]
SUPPLIER = ADDR[5]
SHARES = [("Acme", "50%"), ("Globex", "30%"), ("Initech", "20%")]


@dataclass
class Setup:
    acme: CostSharingService
    globex: CostSharingService
    initech: CostSharingService
    pool: int

    def submit(self, total: int) -> None:
        """Expenses of the live pool until there are ``total`` (distinct evidence each)."""
        have = len(self.acme.contract.events.expense_submitted(pool_id=self.pool))
        calls = [CostSharing.encode_submit_expense(self.pool, 10**15 + n, SUPPLIER, (n + 1).to_bytes(32, "big"), f"inv {n}")
                 for n in range(have, total)]
        send_many(self.acme.w3, ADDR[1], self.acme.address, calls)

    def propose_pools(self, total: int) -> None:
        have = self.acme.pool_count()
        ref = self.acme.create_pool("Proposed", SHARES, quorum=2)  # one through the service ...
        data = CostSharing.encode_create_pool(_terms_of(self.acme, ref.id))
        send_many(self.acme.w3, ADDR[1], self.acme.address, [data] * (total - have - 1))  # ... the rest fast
        assert self.acme.pool_count() == max(total, have + 1)


def _terms_of(service: CostSharingService, pool_id: int) -> object:
    from coopetition.bindings.cost_sharing import Terms

    raw, pool = service.contract.pool_info(pool_id), service.pool(pool_id)
    return Terms(name="Proposed", asset=raw.asset, participants=tuple(p.address for p in pool.participants),
                 shares_bps=tuple(p.share_bps for p in pool.participants), approval_bps=raw.approval_bps,
                 quorum=raw.quorum, dispute_window=raw.dispute_window, settlement_period=raw.settlement_period,
                 duration=raw.duration)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    node = start_anvil()
    root: Path = tmp_path_factory.mktemp("costs-reads")
    (root / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{node.url}"\n')
    try:
        conn = connect("dev", account=1, project=root)
        deploy_suite(conn, [SuiteMember("Acme", ADDR[1]), SuiteMember("Globex", ADDR[2]),
                            SuiteMember("Initech", ADDR[3])], quorum=2)
        acme, globex, initech = (connect("dev", account=i, project=root).suite().costs for i in (1, 2, 3))
        ref = acme.create_pool("Lab", SHARES, quorum=2)
        globex.join(ref.id)
        initech.join(ref.id)
        yield Setup(acme, globex, initech, ref.id)
    finally:
        node.stop()


def test_expenses_and_balances_do_not_grow_with_the_expenses(setup: Setup) -> None:
    setup.submit(10)
    setup.acme.approve(1)
    setup.globex.approve(1)  # 80% of the shares: booked, the supplier is owed, the participants owe
    service = setup.acme
    counter = RpcCounter.install(service.w3)
    service.expenses(setup.pool)
    counter.reset()
    small = service.expenses(setup.pool)
    at_10 = counter.total
    counter.reset()
    balances = service.balances(setup.pool)
    balance_trips = counter.total
    pages = {"expenses": lambda: service.expenses(setup.pool, after=3, limit=5),
             "pending": lambda: service.expenses(setup.pool, status=ExpenseStatus.PENDING, limit=4),
             "balances": lambda: service.balances(setup.pool, after=1, limit=2)}
    page_trips = {}
    for name, read in pages.items():
        counter.reset()
        read()
        page_trips[name] = counter.total

    setup.submit(1000)
    counter.reset()
    big = service.expenses(setup.pool)
    assert len(small) == 10 and len(big) == 1000
    assert counter.total == at_10 <= 2, counter.trips  # the logs, one batch
    counter.reset()
    assert service.balances(setup.pool) == balances
    assert counter.total == balance_trips <= 6, counter.trips  # seats, logs, pool, block, periods, positions

    for name, read in pages.items():
        counter.reset()
        page = read()
        assert counter.total == page_trips[name], (name, counter.trips)
        if name == "expenses":
            assert page == big[3:8]
        elif name == "pending":
            assert [e.id for e in page] == [2, 3, 4, 5] and page == tuple(big[1:5])
        else:
            assert page == balances[1:3] and [p.account for p in page] == ADDR[2:4]
    counter.reset()
    tail = service.expenses(setup.pool, after=990)
    assert [e.id for e in tail] == list(range(991, 1001)) and counter.total == page_trips["expenses"]
    assert service.balances(setup.pool, after=4) == () and service.expenses(setup.pool, after=1000) == ()

    first = big[0]
    assert first.status is ExpenseStatus.BOOKED and set(first.approvals) == {ADDR[1], ADDR[2]}
    assert first == service.expense(1) and big[999].reference == "inv 999" and big[999].status is ExpenseStatus.PENDING
    assert [p.account for p in balances] == [*ADDR[1:4], SUPPLIER]
    c = service.contract
    assert balances[3].credit == c.position(setup.pool, 0, SUPPLIER).credit == 10**15
    assert balances[0].owed == c.position(setup.pool, 0, ADDR[1]).owed > 0


def test_pools_do_not_grow_with_the_pools(setup: Setup) -> None:
    service = setup.acme
    setup.propose_pools(10)
    counter = RpcCounter.install(service.w3)
    service.pools()
    counter.reset()
    small = service.pools()
    at_10 = counter.total
    counter.reset()
    history_small = service.activity()
    history_trips = counter.total
    setup.propose_pools(1000)
    counter.reset()
    history_big = service.activity()
    # the count, the head, one eth_getLogs per event kind (17), the pools' assets in one batch; the
    # block times come with anvil's logs: the same for 10 and 1,000 pools
    assert counter.total == history_trips == 20, counter.trips
    assert len({r.what.split(":")[0] for r in history_big}) == 1000 > len({r.what.split(":")[0] for r in history_small})
    assert [r for r in history_big if r.what.startswith(f"pool #{setup.pool}:")] == list(service.activity(setup.pool))
    counter.reset()
    page = service.pools(after=900, limit=10)
    assert counter.total == at_10 <= 5, counter.trips  # count, logs, block, two batches
    counter.reset()
    big = service.pools()
    assert len(small) == 10 and len(big) == 1000 and big[900:910] == page
    # all 1,000 at once: the same batches, the second in two HTTP requests (anvil's 2 MiB body cap)
    assert counter.by_method["batch"] <= 4 and counter.total <= at_10 + 2, counter.trips
    assert big[0] == service.pool(setup.pool) and big[0].name == "Lab" and big[0].live_at > 0
    assert big[999].name == "Proposed" and len(big[999].pending) == 2
