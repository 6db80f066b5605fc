"""A devnet restarted with its state keeps working for reads and sends; a really reset one is refused
with advice that fits the command (only ``deploy`` has ``--reset``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from _cli_env import ADDR, chain_state, deployed_project, ok, run
from conftest import AnvilNode, rpc


def _members(project: Path) -> list[str]:
    result = ok(run(project, "--json", "consortium", "members"))
    return [m["label"] for m in json.loads(result.stdout)["members"]]


def test_reads_and_sends_accept_a_restarted_devnet_whose_anchor_block_is_unchanged(
    anvil_factory: Callable[..., AnvilNode], tmp_path: Path
) -> None:
    state = tmp_path / "anvil-state.json"
    node = anvil_factory("--state", str(state))
    project = deployed_project(tmp_path, node)
    ok(run(project, "consortium", "propose", "add-member", "Umbrella", ADDR[4]))
    node.stop()  # SIGTERM: anvil dumps its state on exit
    restarted = anvil_factory("--state", str(state), port=node.port)
    # anvil 1.7.1 restarted from --state may report another block-0 hash although every later block
    # is kept; make sure the records disagree with the node about block 0, as they then do
    genesis_file = project / "deployments" / "dev" / ".genesis"
    node_genesis = str(rpc(restarted.url, "eth_getBlockByNumber", ["0x0", False])["hash"])  # type: ignore[index]
    if genesis_file.read_text().strip() == node_genesis:
        genesis_file.write_text("0x" + "11" * 32 + "\n")

    assert _members(project) == ["Acme", "Globex", "Initech"]
    proposals = json.loads(ok(run(project, "--json", "consortium", "proposals")).stdout)
    assert [p["id"] for p in proposals] == [1]
    ok(run(project, "consortium", "propose", "add-member", "Hooli", ADDR[5]))
    proposals = json.loads(ok(run(project, "--json", "consortium", "proposals")).stdout)
    assert [p["id"] for p in proposals] == [1, 2]


def test_a_really_reset_devnet_is_refused_with_advice_that_fits_the_command(
    anvil_factory: Callable[..., AnvilNode], tmp_path: Path
) -> None:
    node = anvil_factory()
    project = deployed_project(tmp_path, node)
    node.stop()
    fresh = anvil_factory(port=node.port)  # no state: an empty chain with the same chain id
    before = chain_state(fresh)

    for command in (["consortium", "members"], ["consortium", "propose", "add-member", "Hooli", ADDR[5]]):
        result = run(project, *command)
        assert result.exit_code == 1, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: deployments/dev were made on chain 31337"), lines
        assert "the chain was reset (its contracts are gone)" in lines[0]
        assert "`coopetition deploy --reset`" in lines[0] and "rerun with --reset" not in lines[0]

    result = run(project, "deploy", "--member", f"Acme={ADDR[1]}", "--member", f"Globex={ADDR[2]}",
                 "--member", f"Initech={ADDR[3]}", "--quorum", "2", account="0")
    assert result.exit_code == 1 and "rerun with --reset to deploy afresh" in result.stderr
    assert chain_state(fresh) == before  # nothing was sent
