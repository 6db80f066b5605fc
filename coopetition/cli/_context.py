"""Global CLI state shared by every command group (kept free of web3 imports so --help stays fast)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import click

from .._project import Project, find_project


@dataclass
class CliContext:
    network: str | None
    account: str | None
    json: bool
    yes: bool
    project_path: str | None
    senders: list[Any] = field(default_factory=list)
    """The transaction pipelines this command opened: every transaction they sent is reported."""

    @property
    def project(self) -> Project:
        return find_project(self.project_path)

    def emit(self, human: str | None, data: Any) -> None:
        """Print ``data`` as JSON in ``--json`` mode (through the one mapper,
        :func:`coopetition.cli.output.to_json`), else the human text."""
        if self.json:
            from .output import render

            click.echo(render(data))
        elif human is not None:
            click.echo(human)

    def info(self, message: str) -> None:
        """Progress text: to stderr, so ``--json`` stdout stays parseable."""
        click.echo(message, err=True)

    @property
    def interactive(self) -> bool:
        return sys.stdin.isatty() and not self.yes


pass_cli = click.make_pass_decorator(CliContext)
