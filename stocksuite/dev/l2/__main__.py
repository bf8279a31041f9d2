"""``python -m stocksuite.dev.l2``: run the local Arbitrum-style L2 or a fork of it.

serve   foreground L2 (``make l2``)
fork    foreground fork of a running L2 (``make fork``)
up      start the L2 in the background unless one already answers
down    stop an L2 that ``up`` started
run     run a command against the L2, starting it for the command unless one answers (``make demo``)
advance move the L2's clock ahead and mine a block (local L2 only: waits out a timelock delay)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import click

from stocksuite.config.environment import environment
from stocksuite.config.errors import StockSuiteError
from stocksuite.dev.l2.node import (
    ARBITRUM_LOCAL_CHAIN_ID,
    LOG_DIR,
    LocalL2,
    advance_time,
    chain_id_at,
    die_with_parent,
)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_port_option = click.option("--port", type=click.IntRange(1, 65535), envvar="L2_PORT", default=8545, show_default=True)
_state_option = click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="L2_STATE",
    default=None,
    help="Load the chain from this file and save it there on exit (anvil --state).",
)


def _pid_file(port: int) -> Path:
    return LOG_DIR / f"anvil-{port}.pid"


def _on_stop_signals(handler: Callable[[int], None]) -> None:
    """Call ``handler(signum)`` on SIGINT, SIGTERM or SIGHUP, and SIGTERM ourselves if our parent
    dies.

    Installed explicitly, because a job started with ``&`` from a script inherits SIGINT as
    *ignored* (so Python raises no KeyboardInterrupt), and Python's default SIGTERM ends the
    process without running any cleanup: both used to leave anvil running. GNU make forwards
    SIGTERM to its recipe, and a Ctrl-C reaches the whole foreground process group.
    """
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda received, _frame: handler(received))
    die_with_parent()


def _exit_now(code: int) -> None:
    """Exit from a signal handler, after the node is stopped, without unwinding the interrupted
    code: a SystemExit raised there can be caught or replaced by whatever was running (an import,
    a compile, an RPC call) and end the process with another code."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _serve(node: LocalL2, ready: Callable[[], str]) -> None:
    """Start the node in the foreground and block until it exits or a stop signal arrives (also
    one during the start); then stop it and exit."""

    def stop(signum: int) -> None:
        node.stop()
        _exit_now(128 + signum)

    _on_stop_signals(stop)
    node.start(foreground=True)
    click.echo(ready())
    sys.exit(node.wait())


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
    _serve(node, lambda: f"Ready: {node.url}, chain id {node.chain_id}, ArbSys mock at 0x64. Ctrl-C stops.")


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), envvar="FORK_PORT", default=8546, show_default=True)
@click.option(
    "--fork-url",
    envvar="FORK_URL",
    default=None,
    help="RPC to fork [default: the local L2 at http://127.0.0.1:$L2_PORT].",
)
def fork(port: int, fork_url: str | None) -> None:
    """Run a fork of the L2 (or of FORK_URL) in the foreground until Ctrl-C."""
    upstream = fork_url or f"http://127.0.0.1:{environment().l2_port}"
    node = LocalL2(port=port, fork_url=upstream)
    click.echo(f"Forking {upstream} on {node.url}")
    _serve(node, lambda: f"Ready: {node.url}, chain id {chain_id_at(node.url)}. Ctrl-C stops.")


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
    node = LocalL2(port=port, state_file=state, detached=True).start()
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


@cli.command(context_settings={"ignore_unknown_options": True})
@_port_option
@_state_option
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def run(port: int, state: Path | None, command: tuple[str, ...]) -> None:
    """Run COMMAND against the L2 on the port, starting the L2 for it unless one answers there.

    The L2 it started is stopped (saving --state) when COMMAND ends or when this wrapper gets
    SIGINT, SIGTERM or SIGHUP, which it passes on to COMMAND first; it exits with COMMAND's code.
    """
    url = f"http://127.0.0.1:{port}"
    node: LocalL2 | None = None
    child: subprocess.Popen[bytes] | None = None

    def on_signal(signum: int) -> None:
        if child is not None and child.poll() is None:
            child.send_signal(signum)  # the command stops; the node is stopped below
        elif child is None:  # still starting the node
            if node is not None:
                node.stop()
            _exit_now(128 + signum)

    _on_stop_signals(on_signal)
    if chain_id_at(url) == ARBITRUM_LOCAL_CHAIN_ID:
        click.echo(f"Using the local L2 already running at {url}")
    else:
        node = LocalL2(port=port, state_file=state)
        node.start()
        click.echo(f"Started the local L2 at {url} (chain id {node.chain_id}) for this command; log in .l2/")
    try:
        try:
            child = subprocess.Popen(list(command))
        except OSError as err:
            raise StockSuiteError(f"cannot run {command[0]}: {err.strerror}") from None
        code = child.wait()
    finally:
        if node is not None:
            node.stop()
            click.echo(f"Stopped the local L2 on port {port}.")
    sys.exit(code if code >= 0 else 128 - code)


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
