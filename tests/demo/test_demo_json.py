"""`coopetition --json demo`: the summary follows the JSON amount rule like every other command."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from coopetition.cli import cli


def _walk(node: Any, path: str = "$") -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        return [item for key, value in node.items() for item in _walk(value, f"{path}.{key}")]
    if isinstance(node, list):
        return [item for i, value in enumerate(node) for item in _walk(value, f"{path}[{i}]")]
    return [(path, node)]


def test_demo_json_prints_every_amount_as_a_decimal_string_with_its_formatted_companion() -> None:
    result = CliRunner().invoke(cli, ["--json", "demo", "--no-compile"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    leaves = dict(_walk(summary))
    assert not [p for p, v in leaves.items() if isinstance(v, int) and not isinstance(v, bool) and v >= 2**53]
    formatted = [p for p in leaves if p.endswith("Formatted")]
    assert "$.escrow.releasedFormatted" in formatted and "$.costs.totalBookedFormatted" in formatted
    for path in formatted:
        amount = leaves[path.removesuffix("Formatted")]
        assert isinstance(amount, str) and amount.isdigit(), path
    assert summary["escrow"]["released"] == str(3 * 10**18)
    assert summary["escrow"]["refundsExact"] is True and summary["costs"]["exact"] is True
