"""``coopetition demo``: the whole story on the embedded chain, in one process."""

from __future__ import annotations

import click

from ._context import CliContext, pass_cli


@click.command("demo")
@click.option("--no-compile", is_flag=True,
              help="Use the shipped artifacts without compiling first (the default too when there is no "
                   "contracts/ folder, or the artifacts match the sources).")
@pass_cli
def demo_cmd(cli: CliContext, no_compile: bool) -> None:
    """Compile (only when the sources changed), deploy the suite on the in-process embedded chain and
    play every act.

    Nothing is written to deployments/ and no node is needed."""
    from .._demo import run_demo

    out = cli.info if cli.json else click.echo
    summary = run_demo(out, compile_first=not no_compile, project=cli.project)
    if cli.json:
        cli.emit(None, summary)
