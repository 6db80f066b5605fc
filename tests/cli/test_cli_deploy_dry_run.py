"""`deploy --dry-run` on a network with nothing deployed estimates every contract of the suite: each
one is simulated with the code of those before it at their predicted addresses."""

from __future__ import annotations

import json
from pathlib import Path

from _cli_env import ADDR, chain_state, ok, run
from conftest import AnvilNode

from coopetition._chain.txdata import create_address

FOUNDERS = ["--member", f"Acme={ADDR[1]}", "--member", f"Globex={ADDR[2]}", "--member", f"Initech={ADDR[3]}",
            "--quorum", "2"]
ORDER = ["Consortium", "TitleRegistry", "CostSharing", "JointVentureEscrow"]


def test_dry_run_on_a_fresh_network_estimates_every_contract_at_its_predicted_address(
    anvil: AnvilNode, tmp_path: Path
) -> None:
    (tmp_path / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{anvil.url}"\n')
    before = chain_state(anvil)

    result = ok(run(tmp_path, "--json", "deploy", *FOUNDERS, "--dry-run", account="0"))

    assert chain_state(anvil) == before and not (tmp_path / "deployments").exists()  # nothing sent or written
    planned = json.loads(result.stdout)["contracts"]
    assert [c["name"] for c in planned] == ORDER
    assert [c["address"] for c in planned] == [create_address(ADDR[0], n) for n in range(4)]
    assert all(c["gasUsed"] > 100_000 and not c["newlyDeployed"] for c in planned)
    lines = result.stderr.strip().splitlines()
    assert [line.split()[:3] for line in lines] == [[n, "would", "deploy"] for n in ORDER]

    deployed = json.loads(ok(run(tmp_path, "--json", "deploy", *FOUNDERS, account="0")).stdout)["contracts"]
    assert [c["address"] for c in deployed] == [c["address"] for c in planned]
    for estimate, actual in zip(planned, deployed, strict=True):
        # the estimate covers what the deployment used, and is close to it
        assert actual["gasUsed"] <= estimate["gasUsed"] <= actual["gasUsed"] * 1.1, (estimate, actual)

    again = ok(run(tmp_path, "deploy", *FOUNDERS, "--dry-run", account="0"))
    assert [line.split()[:2] for line in again.stderr.strip().splitlines()] == [[n, "unchanged"] for n in ORDER]


def test_dry_run_on_the_embedded_chain_says_it_cannot_simulate_the_satellites(tmp_path: Path) -> None:
    result = run(tmp_path, "--network", "embedded", "deploy", *FOUNDERS, "--dry-run", account="0")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].split()[:3] == ["Consortium", "would", "deploy"]
    assert lines[1:] == [
        "Error: the embedded chain cannot simulate TitleRegistry against contracts not deployed yet (eth-tester "
        "has no state overrides): dry-run the suite on dev instead"
    ]
