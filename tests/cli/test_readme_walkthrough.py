"""The README's whole CLI walkthrough, then its back-office example, run literally: every ``coopetition`` command of every ``sh`` block
between "## CLI walkthrough" and "## Back-office example", word for word and in order, against an anvil
the test starts (the project's ``dev`` network pointed at it in ``coopetition.toml``).

What the README's comments say is checked too: a command whose comment starts with ``Error:`` must fail
with one ``Error:`` line; a comment naming ``evm_increaseTime N`` moves the node's clock as the reader
would with ``cast``. ``devnet start/status`` are the only commands left out (they run anvil on the fixed
port 8545; the test runs its own node instead). "Another company joins" runs in a second, empty project
folder, as a company that did not deploy. Keystores go to a temporary ``COOPETITION_HOME``.

The back-office example (the README's ``python`` block) then runs as a script in a subprocess, in the
founder's folder, with keystores ``acme`` and ``globex`` holding those members' dev keys.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import AnvilNode, rpc

from coopetition.cli import cli

pytestmark = pytest.mark.anvil

README = Path(__file__).resolve().parents[2] / "README.md"
ACME_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"  # anvil's dev account 1
GLOBEX_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"  # dev account 2


@dataclass(frozen=True)
class Step:
    words: list[str]
    comment: str
    section: str


def walkthrough() -> list[Step]:
    """Every ``coopetition`` command of the walkthrough's ``sh`` blocks, with the comment on its line and
    the ``###`` section it is in (continuation lines joined, ``&&`` splitting a line into commands)."""
    text = README.read_text(encoding="utf-8")
    text = text[text.index("## CLI walkthrough"):text.index("## Back-office example")]
    steps: list[Step] = []
    for block in re.finditer(r"```sh\n(.*?)```", text, re.S):
        heading = re.findall(r"^### (.+)$", text[:block.start()], re.M)
        section = heading[-1] if heading else ""
        for line in block.group(1).replace("\\\n", " ").splitlines():
            code, _, comment = line.partition("#")
            if not code.strip() and "evm_increaseTime" in comment:  # a comment line that moves the clock
                steps.append(Step([], comment.strip(), section))
            for part in code.split("&&"):
                words = shlex.split(part)
                if words and words[0] == "coopetition":
                    steps.append(Step(words[1:], comment.strip(), section))
    return steps


def test_the_walkthrough_is_found_whole() -> None:
    steps = walkthrough()
    commands = {" ".join(w for w in s.words if not w.startswith("-") and not w.isdigit())[:20] for s in steps}
    assert any(not s.words for s in steps)  # the clock moves before the cost pool's settlement
    assert len(steps) >= 45, len(steps)
    for family in ("deploy", "consortium", "escrow", "costs", "titles", "accounts", "attach", "verify"):
        assert any(family in c for c in commands), family


def test_the_readme_walkthrough_runs_word_for_word(anvil: AnvilNode, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    founder, newcomer, home = tmp_path / "acme", tmp_path / "umbrella", tmp_path / "home"
    for folder in (founder, newcomer, home):
        folder.mkdir()
        (folder / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{anvil.url}"\n')
    (founder / "invoice.pdf").write_bytes(b"LAB-014: 12 ETH of cell testing")
    (founder / "terms.pdf").write_bytes(b"JV shareholders' agreement")
    (founder / "key.txt").write_text(GLOBEX_KEY + "\n")
    monkeypatch.setenv("COOPETITION_HOME", str(home))
    monkeypatch.setenv("COOPETITION_PASSWORD", "correct horse battery staple")
    runner = CliRunner()
    ran = 0
    for step in walkthrough():
        seconds = re.search(r"evm_increaseTime (\d+)", step.comment)
        if not step.words:
            assert seconds, step
            rpc(anvil.url, "evm_increaseTime", [int(seconds.group(1))])
            rpc(anvil.url, "evm_mine")
            continue
        if step.words[0] == "devnet":
            continue
        monkeypatch.chdir(newcomer if step.section == "Another company joins" else founder)
        result = runner.invoke(cli, ["--yes", *step.words])
        if step.comment.startswith("Error:"):
            assert result.exit_code == 1, (step.words, result.output)
            assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1, result.stderr
        else:
            assert result.exit_code == 0, (step.words, result.output)
        ran += 1
    assert ran >= 40
    monkeypatch.chdir(founder)
    pools = runner.invoke(cli, ["--json", "costs", "show", "1"])
    assert pools.exit_code == 0 and '"status": "live"' in pools.stdout, pools.output
    members = runner.invoke(cli, ["--json", "consortium", "members"])
    assert [m["label"] for m in json.loads(members.stdout)["members"]] == [
        "Acme", "Globex", "Initech", "Umbrella"]

    office = tmp_path / "office-home"
    office.mkdir()
    script = run_back_office(founder, office)
    assert script.returncode == 0, script.stderr
    lines = script.stdout.splitlines()
    assert lines[:4] == [f"{label} {address}" for label, address in (
        ("Acme", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"), ("Globex", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
        ("Initech", "0x90F79bf6EB2c4f870365E785982E1f101E93b906"), ("Umbrella", "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"))]
    assert "ConsortiumThresholdNotReached(" in lines[5] and "approvals=1, threshold=2" in lines[5]
    assert lines[6] == "True"
    quorum = runner.invoke(cli, ["--json", "consortium", "members"])
    assert json.loads(quorum.stdout)["quorum"] == 3  # the signed decision was executed
    assert (founder / "globex.json").is_file() and (founder / "initech.json").is_file()
    assert (newcomer / "deployments").is_dir()  # attach recorded the suite for the second company


def back_office_example() -> str:
    text = README.read_text(encoding="utf-8")
    text = text[text.index("## Back-office example"):]
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    return block.group(1)


def run_back_office(folder: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COOPETITION_HOME": str(home), "COOPETITION_PASSWORD": "pw"}
    for name, key in (("acme", ACME_KEY), ("globex", GLOBEX_KEY)):
        (home / f"{name}.txt").write_text(key + "\n")
        made = CliRunner().invoke(cli, ["accounts", "import", name, "--private-key-file", str(home / f"{name}.txt")],
                                  env={"COOPETITION_HOME": str(home), "COOPETITION_PASSWORD": "pw"})
        assert made.exit_code == 0, made.output
    return subprocess.run([sys.executable, "-c", back_office_example()], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
