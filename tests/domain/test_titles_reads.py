"""The title book reads in a number of round trips that does not grow with the offers (anvil, counted
by the counting provider): the same count for 10 and for 1,000 offers, with and without filters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from _rpc_count import RpcCounter
from conftest import AnvilNode, start_anvil

from coopetition._chain.devnet import anvil_dev_accounts
from coopetition._session import SuiteMember, connect, deploy_suite
from coopetition.bindings.title_exchange import OfferTerms, PaymentKind, TitleExchange
from coopetition.titles import OfferStatus, TitlesService

pytestmark = pytest.mark.anvil

ADDR = [a.address for a in anvil_dev_accounts()]
ZERO = "0x" + "00" * 20


@dataclass
class Setup:
    node: AnvilNode
    acme: TitlesService
    globex: TitlesService
    classes: tuple[int, int]

    def populate(self, total: int) -> None:
        """Offers until there are ``total``: offer k is Globex's when k % 3 == 0, else Acme's, of the
        second class when k is even, else of the first; 1 title each for k wei. Sent without waiting
        (anvil mines each on arrival, so ids follow the order sent), then the last receipt awaited."""
        w3, have = self.acme.w3, self.acme.offer_count()
        expiry = int(w3.eth.get_block("latest")["timestamp"]) + 30 * 86400
        nonces = {a: w3.eth.get_transaction_count(a) for a in ADDR[1:3]}
        last = None
        for k in range(have + 1, total + 1):
            maker = ADDR[2] if k % 3 == 0 else ADDR[1]
            terms = OfferTerms(self.classes[k % 2 == 0], 1, PaymentKind.ETHER, ZERO, 0, k, ZERO, expiry, False)
            last = w3.provider.make_request("eth_sendTransaction", [{  # type: ignore[arg-type]
                "from": maker, "to": self.acme.exchange.address, "gas": hex(500_000), "gasPrice": hex(10**10),
                "nonce": hex(nonces[maker]), "data": "0x" + TitleExchange.encode_make_offer(terms).hex()}])["result"]
            nonces[maker] += 1
        if last is not None:
            assert w3.eth.wait_for_transaction_receipt(last, timeout=120, poll_latency=0.01)["status"] == 1
        assert self.acme.offer_count() == max(total, have)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    node = start_anvil()
    root: Path = tmp_path_factory.mktemp("titles-reads")
    (root / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{node.url}"\n')
    try:
        conn = connect("dev", account=1, project=root)
        deploy_suite(conn, [SuiteMember("Acme", ADDR[1]), SuiteMember("Globex", ADDR[2]),
                            SuiteMember("Initech", ADDR[3])], quorum=2)
        acme = conn.suite().titles
        globex = connect("dev", account=2, project=root).suite().titles
        made = []
        for name in ("Licence A", "Licence B"):
            ref = acme.propose_create_class(name, name, max_supply=0, issue={"Acme": 10_000, "Globex": 10_000})
            assert globex.consortium is not None and acme.consortium is not None
            globex.consortium.approve(ref.id)
            acme.consortium.execute(ref.id)
            made.append(acme.class_count())
        yield Setup(node, acme, globex, (made[0], made[1]))
    finally:
        node.stop()


def test_book_round_trips_do_not_grow_with_the_offers(setup: Setup) -> None:
    setup.populate(10)
    setup.globex.fill(1)  # offer 1 (Acme's) filled, offer 2 cancelled: not in the book
    setup.acme.cancel(2)
    counter = RpcCounter.install(setup.acme.w3)
    setup.acme.book()  # the first read on a connection also asks whether Multicall3 is there
    trips = {}
    calls = {"book": lambda: setup.acme.book(limit=100),
             "all": lambda: setup.acme.offers(limit=100),
             "filtered": lambda: setup.acme.book(limit=100, title_id=setup.classes[1], maker="Globex"),
             "classes": setup.acme.classes,
             "history": setup.acme.history}
    small = {}
    for name, read in calls.items():
        counter.reset()
        small[name] = read()
        trips[name] = counter.total
    assert [o.id for o in small["book"]] == list(range(3, 11))
    assert [o.id for o in small["all"]] == list(range(1, 11))
    assert small["all"][0].state is OfferStatus.FILLED and small["all"][1].state is OfferStatus.CANCELLED
    assert [o.id for o in small["filtered"]] == [6]
    assert trips["book"] == trips["all"] == 2, counter.trips  # the count, one batch
    assert trips["filtered"] == 3  # the maker's label too
    assert trips["classes"] == 2  # the count, one batch
    assert len(small["history"]) == 10 + 2 and trips["history"] == 7, counter.trips  # the count, one batch, 5 logs

    setup.populate(1000)
    big = {}
    for name, read in calls.items():
        counter.reset()
        big[name] = read()
        assert counter.total == trips[name], (name, counter.trips)
    assert [o.id for o in big["book"]] == list(range(3, 103))
    assert len(big["history"]) == 1000 + 2 and big["history"][-1].offer_id == 1000
    assert [o.id for o in big["filtered"]] == list(range(6, 601, 6))  # Globex's (k % 3 == 0), second class
    assert big["filtered"][-1].price.amount == 600 and big["filtered"][0].maker == ADDR[2]
    # the rest of the filtered book is the next page, and it reads the same way
    counter.reset()
    rest = setup.acme.book(after=600, title_id=setup.classes[1], maker=ADDR[2])
    assert [o.id for o in rest] == list(range(606, 1001, 6))
    assert counter.total == trips["filtered"] - 1  # an address needs no label looked up

    # what the batch read is what the contract says, read call by call
    ex = setup.acme.exchange
    for o in (big["all"][0], big["book"][50], big["filtered"][10]):
        raw = ex.offer(o.id)
        assert (o.maker, o.title_id, o.filled, o.price.amount, o.state) == (
            raw.maker, raw.title_id, raw.filled, raw.price, ex.offer_state(o.id))


def test_book_pages_and_filters_check_their_input(setup: Setup) -> None:
    setup.populate(10)
    assert [o.id for o in setup.acme.offers(after=3, limit=4)] == [4, 5, 6, 7]
    assert setup.acme.book(after=setup.acme.offer_count()) == ()
    assert all(o.maker == ADDR[1] for o in setup.acme.book(maker="Acme", limit=20))
    with pytest.raises(Exception, match="limit"):
        setup.acme.book(limit=0)
    with pytest.raises(Exception, match="no member is labelled"):
        setup.acme.book(maker="Nobody")
