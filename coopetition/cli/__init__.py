"""The ``coopetition`` command line.

Subcommand modules are imported only when invoked, so ``coopetition --help`` never loads web3.
Every :class:`~coopetition.exceptions.CoopetitionError` is turned, here and only here, into one line on
stderr and exit code 1.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from ..exceptions import CoopetitionError
from ._context import CliContext

# command name -> (module under coopetition.cli, attribute, short help shown by --help)
_COMMANDS: dict[str, tuple[str, str, str]] = {
    "compile": ("compile", "compile_cmd", "Compile contracts/ into the artifacts the package ships."),
    "bindings": ("bindings", "bindings_cmd", "Generate typed Python bindings from contract artifacts."),
    "devnet": ("devnet", "devnet", "Start, stop, inspect or reset the local anvil devnet."),
    "accounts": ("accounts", "accounts", "Manage encrypted keystore accounts."),
    "deploy": ("deploy", "deploy_cmd", "Deploy the contract suite and record it."),
    "demo": ("demo", "demo_cmd", "Run the end-to-end demo on the embedded chain."),
    "consortium": ("consortium", "consortium", "Members, quorum and proposals of the consortium."),
    "costs": ("costs", "costs", "Shared R&D cost pools: expenses, approvals, settlement by netting."),
    "escrow": ("escrow", "escrow", "Joint ventures: fund, approve and release milestones, dissolve, refund."),
    "titles": ("titles", "titles", "Title classes, holdings, and the member-to-member title exchange."),
}


class LazyGroup(click.Group):
    """A group whose subcommands live in modules imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(_COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = _COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attr, _ = entry
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{module_name}":
                return None  # listed but not built yet
            raise
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoopetitionError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            raise click.exceptions.Exit(130) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _COMMANDS[name][2]) for name in sorted(_COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--network", "-n", envvar="COOPETITION_NETWORK", default=None,
    help="Network name (embedded, dev, or one from coopetition.toml) or an RPC URL. Default: dev.",
)
@click.option("--account", "-a", envvar="COOPETITION_ACCOUNT", default=None,
              help="Keystore name or address, or a dev account index on embedded/dev.")
@click.option("--json", "json_", is_flag=True, help="Machine-readable JSON on stdout.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation before sending.")
@click.option("--project", "project_path", envvar="COOPETITION_PROJECT", default=None,
              type=click.Path(file_okay=False), help="Project folder (default: found from the working directory).")
@click.version_option(package_name="coopetition")
@click.pass_context
def cli(ctx: click.Context, network: str | None, account: str | None, json_: bool, yes: bool,
        project_path: str | None) -> None:
    """Coopetition: governance, joint-venture escrow, shared R&D costs and title exchange for a
    consortium of competing companies on an Ethereum-compatible chain."""
    ctx.obj = CliContext(network=network, account=account, json=json_, yes=yes, project_path=project_path)


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    return cli.main(args=argv, prog_name="coopetition")
