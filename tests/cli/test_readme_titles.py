"""The README's titles walkthrough, run literally: every ``coopetition`` line of its ``sh`` block, word
for word, against an anvil the test starts, after the README's own deployment line and one proposal
(the README's proposal #1, admitting Umbrella)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import AnvilNode

from coopetition.cli import cli

pytestmark = pytest.mark.anvil

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands(after: str) -> list[list[str]]:
    """The ``coopetition`` commands of the first ``sh`` block after the paragraph starting ``after``
    (continuation lines joined, ``&&`` splitting a line into two commands, comments dropped)."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text[text.index(after):], re.S)
    assert block is not None
    joined = block.group(1).replace("\\\n", " ")
    found: list[list[str]] = []
    for line in joined.splitlines():
        for part in line.split("&&"):
            words = shlex.split(part, comments=True)
            if words and words[0] == "coopetition":
                found.append(words[1:])
    return found


def test_the_titles_walkthrough_runs_word_for_word(anvil: AnvilNode, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{anvil.url}"\n')
    (tmp_path / "terms.pdf").write_bytes(b"JV shareholders' agreement")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(words: list[str]) -> str:
        result = runner.invoke(cli, ["--yes", *words])
        assert result.exit_code == 0, (words, result.output)
        return result.output

    deploy = next(c for c in _commands("`coopetition.toml`, or an RPC URL)") if "deploy" in c)
    run(deploy)
    run(["-a", "1", "consortium", "propose", "add-member", "Umbrella", "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"])
    titles = _commands("Titles, issued through governance")
    assert any(c[2:4] == ["titles", "quote"] for c in titles) and any(c[2:4] == ["titles", "take"] for c in titles)
    outputs = [run(words) for words in titles]
    assert "NO CAP" not in "".join(outputs)
    assert (tmp_path / "order.json").is_file()
    holdings = run(["--json", "titles", "balance", "Globex"])
    assert '"amount": 900' in holdings  # 500 issued + 300 by the quote + 100 from the book
