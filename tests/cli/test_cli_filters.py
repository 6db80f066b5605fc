"""The list commands filter on the node side and keep paging with their filters: ``escrow list
--state/--partner``, ``consortium proposals --state``, ``costs show --participant``, ``titles book
--class/--maker``, ``costs expenses``/``costs balances`` pages; the next-page hint names the filters and
running it gives the next page; bad filter values are one Error line with nothing sent."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli_env import ADDR, chain_state, data, deployed_project, module_node, ok, run
from conftest import AnvilNode

from coopetition._session import connect

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def node() -> Iterator[AnvilNode]:
    yield from module_node()


@pytest.fixture(scope="module")
def project(node: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ventures 1 (Acme+Globex, funded: active), 2 (Acme+Initech), 3 (Globex+Initech), 4 (Acme+Globex);
    pools 1 (Acme+Globex, live, 3 expenses, the first booked to an outside supplier) and 2
    (Acme+Initech); title classes 1 and 2 (their two proposals executed, one more open); offers 1..6,
    offer k Globex's when k is even, of class 2 when k > 3."""
    root = deployed_project(tmp_path_factory.mktemp("filters"), node)
    suite = {i: connect("dev", account=i, project=root).suite() for i in (1, 2, 3)}
    acme, globex = suite[1], suite[2]
    pairs = [("Acme", "Globex"), ("Acme", "Initech"), ("Globex", "Initech"), ("Acme", "Globex")]
    for k, (a, b) in enumerate(pairs, start=1):
        acme.escrow.create_venture(f"JV{k}", partners=[(a, "1 ether"), (b, "1 ether")], milestones=["2 ether"],
                                   beneficiary=ADDR[4])
    acme.escrow.deposit(1, "1 ether")
    globex.escrow.deposit(1, "1 ether")
    lab = acme.costs.create_pool("Lab", [("Acme", "50%"), ("Globex", "50%")], quorum=2).id
    globex.costs.join(lab)
    acme.costs.create_pool("Other", [("Acme", "50%"), ("Initech", "50%")], quorum=2)
    for n in range(3):
        acme.costs.submit(lab, f"0.00{n + 1} ether", ADDR[5] if n == 0 else "Globex",
                          evidence_hash="0x" + (n + 1).to_bytes(32, "big").hex(), reference=f"inv {n}")
    acme.costs.approve(1)
    globex.costs.approve(1)
    for name in ("Licence A", "Licence B"):
        ref = acme.titles.propose_create_class(name, name, max_supply=0, issue={"Acme": 100, "Globex": 100})
        globex.consortium.approve(ref.id)
        acme.consortium.execute(ref.id)
    acme.consortium.propose_set_quorum(3)
    for k in range(1, 7):
        maker = globex if k % 2 == 0 else acme
        maker.titles.offer(2 if k > 3 else 1, 1, maker.titles.price(f"{k} ether"))
    return root


def _ids(rows: object, key: str = "id") -> list[int]:
    assert isinstance(rows, list)
    return [int(r[key]) for r in rows]


def _follow(project: Path, *args: str) -> list[list[str]]:
    """The rows (first column) of every page, following the printed next-page hints."""
    pages, command = [], list(args)
    while True:
        out = ok(run(project, *command)).output
        pages.append(re.findall(r"^│\s*(\S+)\s*│", out, flags=re.M))
        hint = re.search(r"More \w+: `coopetition (.+?)`", out)
        if hint is None:
            return pages
        command = shlex.split(hint.group(1))


def test_escrow_list_filters(project: Path) -> None:
    assert _ids(data(project, "escrow", "list", "--partner", "Globex")) == [1, 3, 4]
    assert _ids(data(project, "escrow", "list", "--state", "active")) == [1]
    assert _ids(data(project, "escrow", "list", "--state", "funding", "--partner", "Initech")) == [2, 3]
    assert _ids(data(project, "escrow", "list", "--partner", ADDR[3], "--after", "2")) == [3]
    assert _follow(project, "escrow", "list", "--partner", "Globex", "--limit", "1") == [["1"], ["3"], ["4"]]
    out = ok(run(project, "escrow", "list", "--partner", "Globex", "--state", "funding", "--limit", "1")).output
    assert "`coopetition escrow list --after 3 --limit 1 --state funding --partner Globex`" in out
    assert "No venture that matches" in ok(run(project, "escrow", "list", "--state", "completed")).output


def test_titles_book_filters(project: Path) -> None:
    assert _ids(data(project, "titles", "book")) == [1, 2, 3, 4, 5, 6]
    assert _ids(data(project, "titles", "book", "--class", "2")) == [4, 5, 6]
    assert _ids(data(project, "titles", "book", "--maker", "Globex")) == [2, 4, 6]
    assert _ids(data(project, "titles", "book", "--maker", "Globex", "--class", "2")) == [4, 6]
    assert _follow(project, "titles", "book", "--maker", "Acme", "--limit", "2") == [["1", "3"], ["5"]]
    out = ok(run(project, "titles", "book", "--class", "2", "--limit", "1")).output
    assert "`coopetition titles book --after 4 --limit 1 --class 2`" in out


def test_proposals_state_filter(project: Path) -> None:
    assert _ids(data(project, "consortium", "proposals", "--state", "executed")) == [1, 2]
    assert _ids(data(project, "consortium", "proposals", "--state", "open")) == [3]
    assert _ids(data(project, "consortium", "proposals", "--all", "--after", "1")) == [2, 3]
    out = ok(run(project, "consortium", "proposals", "--state", "executed", "--limit", "1")).output
    assert "`coopetition consortium proposals --after 1 --limit 1 --state executed`" in out


def test_costs_filters_and_pages(project: Path) -> None:
    assert _ids(data(project, "costs", "show", "--participant", "Initech")) == [2]
    assert _ids(data(project, "costs", "show", "--member", "Globex")) == [1]
    assert _ids(data(project, "costs", "expenses", "1", "--status", "pending")) == [2, 3]
    assert _ids(data(project, "costs", "expenses", "1", "--after", "1", "--limit", "1")) == [2]
    assert _follow(project, "costs", "expenses", "1", "--limit", "2") == [["1", "2"], ["3"]]
    out = ok(run(project, "costs", "expenses", "1", "--status", "pending", "--limit", "1")).output
    assert "`coopetition costs expenses 1 --after 2 --limit 1 --status pending`" in out
    positions = data(project, "costs", "balances", "1")
    assert isinstance(positions, dict)
    assert [p["account"] for p in positions["positions"]] == [ADDR[1], ADDR[2], ADDR[5]]
    page = data(project, "costs", "balances", "1", "--after", "1", "--limit", "1")
    assert isinstance(page, dict) and page["positions"] == positions["positions"][1:2]
    out = ok(run(project, "costs", "balances", "1", "--limit", "2")).output
    assert "`coopetition costs balances 1 --after 2 --limit 2`" in out
    assert "More" not in ok(run(project, "costs", "balances", "1", "--after", "2")).output


def test_bad_filters_are_one_error_line_and_send_nothing(project: Path, node: AnvilNode) -> None:
    before = chain_state(node)
    for args in (("escrow", "list", "--state", "sleeping"), ("escrow", "list", "--partner", "Nobody"),
                 ("titles", "book", "--maker", "Nobody"), ("titles", "book", "--class", "0"),
                 ("consortium", "proposals", "--state", "dozing"), ("costs", "show", "--participant", "Nobody"),
                 ("costs", "show", "1", "--participant", "Acme"), ("costs", "balances", "1", "--limit", "0")):
        bad = run(project, *args)
        lines = [line for line in bad.output.splitlines() if line.strip()]
        assert bad.exit_code != 0 and "Traceback" not in bad.output, (args, bad.output)
        assert sum(line.startswith("Error:") for line in lines) == 1, (args, bad.output)
    assert chain_state(node) == before
    error = json.loads(run(project, "--json", "escrow", "list", "--partner", "Nobody").stdout)
    assert error["error"]["type"] == "InputError" and "Nobody" in error["error"]["message"]
