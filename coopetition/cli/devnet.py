"""``coopetition devnet``: the project's local anvil (start, stop, status, reset)."""

from __future__ import annotations

import click

from ._context import CliContext, pass_cli
from .output import Money, to_json
from .params import WholeType

__all__ = ["devnet"]

PORT = WholeType("port", minimum=1, maximum=65535)
CHAIN_ID = WholeType("id", minimum=1)


@click.group()
def devnet() -> None:
    """Start, stop, inspect or reset the local anvil devnet.

    anvil comes from the project's pinned npm toolchain (node_modules/.bin/anvil) and listens on
    127.0.0.1. Its state, log and pid live in .coopetition/devnet/; the state is dumped every two
    seconds and on stop, so a restart keeps deployments.
    """


@devnet.command("start")
@click.option("--port", type=PORT, default=8545, show_default=True)
@click.option("--chain-id", type=CHAIN_ID, default=31337, show_default=True)
@click.option("--block-time", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Mine a block every S seconds (default: one block per transaction).")
@pass_cli
def start_cmd(cli: CliContext, port: int, chain_id: int, block_time: float | None) -> None:
    """Start anvil in the background."""
    from .._chain.devnet import Devnet

    record, started = Devnet(cli.project).start(port=port, chain_id=chain_id, block_time=block_time)
    data = {"running": True, "started": started, "pid": record.pid, "url": record.url,
            "chainId": record.chain_id, "stateFile": record.state_file, "logFile": record.log_file}
    if started:
        cli.emit(f"devnet started at {record.url} (chain id {record.chain_id}, pid {record.pid}); "
                 f"log: {record.log_file}", data)
    else:
        cli.emit(f"devnet already running at {record.url} (chain id {record.chain_id}, pid {record.pid})",
                 data)


@devnet.command("stop")
@pass_cli
def stop_cmd(cli: CliContext) -> None:
    """Stop the anvil this project started (its state is dumped first)."""
    from .._chain.devnet import Devnet

    record = Devnet(cli.project).stop()
    if record is None:
        cli.emit("devnet is not running", {"running": False, "stopped": False})
    else:
        cli.emit(f"devnet stopped (pid {record.pid}); state kept in {record.state_file}",
                 {"running": False, "stopped": True, "pid": record.pid, "stateFile": record.state_file})


@devnet.command("status")
@click.option("--json", "json_", is_flag=True, help="Machine-readable JSON on stdout.")
@pass_cli
def status_cmd(cli: CliContext, json_: bool) -> None:
    """Show URL, chain id, block number and the funded dev accounts."""
    from .._chain.devnet import Devnet
    from .._units import format_amount

    cli.json = cli.json or json_
    status = Devnet(cli.project).status()
    data = {**to_json(status), "accounts": [
        {"index": a.index, "address": a.address, "balance": Money(a.balance_wei)} for a in status.accounts]}
    if not status.running:
        cli.emit(f"devnet is not running (would be {status.url}): start it with `coopetition devnet start`", data)
        return
    lines = [
        f"devnet running at {status.url}",
        f"  chain id      {status.chain_id}",
        f"  block number  {status.block_number}",
        f"  pid           {status.pid} (since {status.started_at})",
        f"  state         {status.state_file}",
        f"  log           {status.log_file}",
        "  dev accounts (well-known keys, never use them on a real network):",
        *(f"    {a.index}  {a.address}  {format_amount(a.balance_wei)}" for a in status.accounts),
    ]
    cli.emit("\n".join(lines), data)


@devnet.command("reset")
@click.option("--yes", "-y", "yes", is_flag=True, help="Do not ask for confirmation.")
@pass_cli
def reset_cmd(cli: CliContext, yes: bool) -> None:
    """Stop the devnet, delete its state (every deployment on it), and restart it if it was running."""
    from .._chain.devnet import Devnet

    net = Devnet(cli.project)
    if not (yes or cli.yes) and cli.interactive:
        click.confirm(f"Delete the devnet state in {net.dir} (all its deployments)?", abort=True, err=True)
    stopped, started = net.reset()
    if started is not None:
        cli.emit(f"devnet reset: state deleted, restarted at {started.url} (pid {started.pid})",
                 {"reset": True, "running": True, "pid": started.pid, "url": started.url})
    else:
        cli.emit("devnet reset: state deleted (it was not running)",
                 {"reset": True, "running": False})
    del stopped
