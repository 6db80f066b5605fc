"""The CLI's tables: :func:`plain_table` builds exactly the text rich prints for a plain table (many
random tables compared character for character), leaves anything else to rich, and takes milliseconds
where rich takes seconds for a list of a thousand rows."""

from __future__ import annotations

import io
import random
import time

import pytest
from rich.console import Console
from rich.table import Table

from coopetition.cli.output import plain_table, print_table

WORDS = ["1", "open", "Acme", "0x" + "ab" * 20, "1.5 ETH", "2026-12-31 16:09 UTC", "héllo", "日本", "…", "",
         "0/2 released", "+50%/-0%"]


def _rich(table: Table, width: int = 160) -> str:
    buffer = io.StringIO()
    Console(highlight=False, width=width, file=buffer).print(table)
    return buffer.getvalue()


def _random_table(rng: random.Random) -> Table:
    table = Table(title=rng.choice([None, "Open offers", "Pool #1 'Lab'", "x"]))
    width = rng.randint(1, 8)
    for _ in range(width):
        table.add_column(rng.choice(["id", "state", "a much longer header", "x", ""]),
                         justify=rng.choice(["left", "right"]))
    for _ in range(rng.randint(0, 6)):
        table.add_row(*[rng.choice(WORDS) for _ in range(width)])
    return table


def test_plain_tables_are_exactly_what_rich_prints() -> None:
    rng = random.Random(16)
    built = 0
    for _ in range(300):
        table = _random_table(rng)
        text = plain_table(table, 160)
        if text is not None:
            built += 1
            assert text + "\n" == _rich(table)
        else:  # left to rich here: tables too wide for 160 columns, titles wider than their table
            border = next(line for line in _rich(table, 10_000).splitlines() if line.startswith("┏"))
            assert len(border) > 160 or len(table.title or "") > len(border)
    assert built > 200


@pytest.mark.parametrize("cell", ["[bold]x[/bold]", ":smile:", "two\nlines"])
def test_markup_emoji_and_newlines_are_left_to_rich(cell: str) -> None:
    table = Table()
    table.add_column("a")
    table.add_row(cell)
    assert plain_table(table, 160) is None


def test_styled_or_wide_tables_are_left_to_rich(capsys: pytest.CaptureFixture[str]) -> None:
    styled = Table(show_lines=True)
    styled.add_column("a")
    styled.add_row("x")
    assert plain_table(styled, 160) is None
    wide = Table()
    wide.add_column("a")
    wide.add_row("y" * 200)
    assert plain_table(wide, 160) is None
    print_table(wide)  # rich wraps it to the width of a pipe
    assert max(len(line) for line in capsys.readouterr().out.splitlines()) <= 160


def test_a_thousand_rows_take_milliseconds() -> None:
    table = Table(title="Ventures")
    for name in ("id", "name", "state", "asset", "deposited / total", "released", "partners", "milestones"):
        table.add_column(name)
    for k in range(1000):
        table.add_row(str(k), "JV", "funding", "ETH", "0 ETH / 4 ETH", "0 ETH", "3", "0/2 released")
    started = time.perf_counter()
    text = plain_table(table, 160)
    took = time.perf_counter() - started
    assert text is not None and text.count("\n") == 1000 + 4 and took < 0.5
