"""The README's sealed-round example, run literally: every ``coopetition`` line of its ``sh`` block, word
for word and in order, against an anvil the test starts, after the README's own deployment line; a
comment naming ``evm_increaseTime N`` moves the node's clock as the reader would with ``cast``."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import AnvilNode, rpc

from coopetition.cli import cli

pytestmark = pytest.mark.anvil

README = Path(__file__).resolve().parents[2] / "README.md"


def _steps(after: str) -> list[list[str] | int]:
    """The first ``sh`` block after ``after``: each ``coopetition`` command's words, or the seconds a
    comment line moves the clock by."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text[text.index(after):], re.S)
    assert block is not None
    found: list[list[str] | int] = []
    for line in block.group(1).replace("\\\n", " ").splitlines():
        code, _, comment = line.partition("#")
        seconds = re.search(r"evm_increaseTime (\d+)", comment)
        if not code.strip() and seconds:
            found.append(int(seconds.group(1)))
        words = shlex.split(code)
        if words and words[0] == "coopetition":
            found.append(words[1:])
    return found


def _deploy_line() -> list[str]:
    """The walkthrough's ``deploy`` command, as the README writes it."""
    return next(s for s in _steps("## CLI walkthrough") if isinstance(s, list) and "deploy" in s)


def test_the_sealed_round_example_runs_word_for_word(anvil: AnvilNode, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{anvil.url}"\n')
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(words: list[str]) -> str:
        result = runner.invoke(cli, ["--yes", *words])
        assert result.exit_code == 0, (words, result.output)
        return result.output

    run(_deploy_line())
    steps = _steps("## Sealed rounds")
    assert sum(isinstance(s, int) for s in steps) == 2 and len(steps) >= 12
    outputs = []
    for step in steps:
        if isinstance(step, int):
            rpc(anvil.url, "evm_increaseTime", [step])
            rpc(anvil.url, "evm_mine")
        else:
            outputs.append(run(step))
    assert "round #1 'Sodium-ion line' opened" in outputs[0]
    assert "commit phase until" in outputs[4] and "ETH" not in outputs[4].split("Partners")[1]
    shown = json.loads(run(["--json", "escrow", "round", "show", "1"]))
    assert shown["phase"] == "settled" and shown["ventureId"] == 1
    assert [p["allocationFormatted"] for p in shown["partners"]] == [
        "2 ETH", "2.666666666666666666 ETH", "1.333333333333333334 ETH"]
