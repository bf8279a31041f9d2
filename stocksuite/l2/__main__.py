"""``python -m stocksuite.l2``: run the local Arbitrum-style L2 or a fork of it.

    serve   foreground L2 (``make l2``)
    fork    foreground fork of a running L2 (``make fork``)
    up      start the L2 in the background unless one already answers (``make demo``)
    down    stop an L2 that ``up`` started
    advance move the L2's clock ahead and mine a block (local L2 only: waits out a timelock delay)
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from stocksuite.errors import StockSuiteError
from stocksuite.l2.node import ARBITRUM_LOCAL_CHAIN_ID, LOG_DIR, LocalL2, advance_time, chain_id_at

_port_option = click.option(
    "--port", type=click.IntRange(1, 65535), envvar="L2_PORT", default=8545, show_default=True
)
_state_option = click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="L2_STATE",
    default=None,
    help="Load the chain from this file and save it there on exit (anvil --state).",
)


def _pid_file(port: int) -> Path:
    return LOG_DIR / f"anvil-{port}.pid"


@click.group()
def cli() -> None:
    """The local Arbitrum-style L2 (anvil, chain id 412346, ArbSys at 0x64)."""


@cli.command()
@_port_option
@_state_option
def serve(port: int, state: Path | None) -> None:
    """Run the L2 in the foreground until Ctrl-C."""
    node = LocalL2(port=port, state_file=state)
    click.echo(f"Starting the local Arbitrum-style L2 on {node.url} (chain id {node.chain_id})")
    node.start(foreground=True)
    click.echo(f"Ready: {node.url}, chain id {node.chain_id}, ArbSys mock at 0x64. Ctrl-C stops.")
    sys.exit(node.wait())


@cli.command()
@click.option(
    "--port", type=click.IntRange(1, 65535), envvar="FORK_PORT", default=8546, show_default=True
)
@click.option(
    "--fork-url",
    envvar="FORK_URL",
    default=None,
    help="RPC to fork [default: the local L2 at http://127.0.0.1:$L2_PORT].",
)
def fork(port: int, fork_url: str | None) -> None:
    """Run a fork of the L2 (or of FORK_URL) in the foreground until Ctrl-C."""
    upstream = fork_url or f"http://127.0.0.1:{os.environ.get('L2_PORT', '8545')}"
    node = LocalL2(port=port, fork_url=upstream)
    click.echo(f"Forking {upstream} on {node.url}")
    node.start(foreground=True)
    click.echo(f"Ready: {node.url}, chain id {chain_id_at(node.url)}. Ctrl-C stops.")
    sys.exit(node.wait())


@cli.command()
@_port_option
@_state_option
def up(port: int, state: Path | None) -> None:
    """Start the L2 in the background unless one already answers on the port."""
    url = f"http://127.0.0.1:{port}"
    running = chain_id_at(url)
    if running == ARBITRUM_LOCAL_CHAIN_ID:
        click.echo(f"Local L2 already running at {url}")
        return
    node = LocalL2(port=port, state_file=state).start()
    assert node._process is not None
    _pid_file(port).write_text(str(node._process.pid))
    click.echo(f"Started the local L2 at {url} (chain id {node.chain_id}); log in .l2/")


@cli.command()
@_port_option
def down(port: int) -> None:
    """Stop an L2 started by ``up`` (it saves its state first when it has a state file)."""
    pid_file = _pid_file(port)
    if not pid_file.is_file():
        click.echo(f"No background L2 started by 'up' on port {port}.")
        return
    pid = int(pid_file.read_text())
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    pid_file.unlink()
    click.echo(f"Stopped the local L2 on port {port}.")


@cli.command()
@click.argument("seconds", type=int)
@_port_option
def advance(seconds: int, port: int) -> None:
    """Move the local L2's clock SECONDS ahead and mine a block (local L2 only).

    Refused, with nothing sent, unless the node on the port is anvil serving chain id 412346.
    """
    url = f"http://127.0.0.1:{port}"
    head = advance_time(url, seconds)
    moment = datetime.fromtimestamp(head["timestamp"], tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    click.echo(f"Local L2 at {url}: clock moved {seconds} s ahead; block {head['number']} at {moment} "
               f"(unix {head['timestamp']}).")  # fmt: skip


def main() -> None:
    try:
        cli(standalone_mode=True)
    except StockSuiteError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
