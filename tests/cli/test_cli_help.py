"""Help texts say what a command does, in the imperative ("Approve proposal ..."), not what it did
("Approved proposal ...") or what it shows as a noun phrase ("The current members")."""

from __future__ import annotations

import pytest
from _cli_env import Command, commands

VERBS = {
    "accept", "approve", "cancel", "change", "check", "collect", "compile", "create", "delete", "deploy",
    "dispute", "execute", "generate", "import", "leave", "list", "object", "pay", "propose", "record",
    "release", "remove", "revoke", "send", "show", "sign", "start", "stop", "submit", "take", "vote",
    "withdraw", "commit", "reveal", "open", "settle", "admit", "as",  # "As a partner, cancel ...": the role first, then the imperative
}
TITLES_AREA = ("titles",)
"""Another helper's family this session: its texts are checked once that work lands."""


@pytest.mark.parametrize("command", [c for c in commands() if c.path and c.path[0] not in TITLES_AREA
                                     and not hasattr(c.command, "commands")], ids=lambda c: c.name)
def test_help_is_imperative(command: Command) -> None:
    first = (command.command.help or "").split(maxsplit=1)[0].strip(",").lower()
    assert first in VERBS, f"`coopetition {command.name}`: help starts with {first!r}, not an imperative verb"
