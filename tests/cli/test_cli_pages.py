"""``consortium proposals`` pages like ``escrow list`` and ``costs show``: --limit, --after, the next
page named, a bad limit refused in one Error line with nothing sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli_env import ADDR, chain_state, deployed_project, module_node, ok, run
from conftest import AnvilNode

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def node() -> Iterator[AnvilNode]:
    yield from module_node()


@pytest.fixture(scope="module")
def project(node: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = deployed_project(tmp_path_factory.mktemp("pages"), node)
    for k in range(3):
        ok(run(root, "consortium", "propose", "add-member", f"Newco{k}", ADDR[5 + k], account="1"))
    return root


def test_proposals_page(project: Path, node: AnvilNode) -> None:
    everything = json.loads(ok(run(project, "--json", "consortium", "proposals")).stdout)
    ids = [p["id"] for p in everything]
    assert len(ids) == 3
    page = json.loads(ok(run(project, "--json", "consortium", "proposals", "--after", str(ids[0]),
                             "--limit", "1")).stdout)
    assert [p["id"] for p in page] == [ids[1]]
    human = ok(run(project, "consortium", "proposals", "--limit", "2")).output
    assert f"--after {ids[1]}" in human and "Newco1" in human and "Newco2" not in human
    assert "More proposals" not in ok(run(project, "consortium", "proposals", "--after", str(ids[1]))).output
    before = chain_state(node)
    bad = run(project, "consortium", "proposals", "--limit", "0")
    assert bad.exit_code != 0 and "Error:" in bad.output and "Traceback" not in bad.output
    assert chain_state(node) == before
