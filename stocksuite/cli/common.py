"""Pieces the ``scripts/`` share: their command class, clean failures, the officer's context, progress output."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click
from ape.cli import ConnectedProviderCommand

from stocksuite.chain.reverts import decode_revert, revert_hint
from stocksuite.config.errors import StockSuiteError
from stocksuite.chain.index.reader import NODE, EventSource


class ConnectedCommand(ConnectedProviderCommand):
    """ape's ``ConnectedProviderCommand`` (``--network``, connected for the command's run) that
    first refuses a network whose RPC is an unset environment variable, in one line: ape would
    connect, fail and print its own error. The check runs as ape parses ``--network`` (its
    ``network_callback``), before any connection or fork."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("network_callback", _require_rpc)
        super().__init__(*args, **kwargs)


def _require_rpc(ctx: Any, param: Any, value: Any) -> Any:
    from ape.api.providers import ProviderAPI

    from stocksuite.chain.networks import require_rpc

    if isinstance(value, ProviderAPI):
        with fail_cleanly():
            require_rpc(value)
    return value


@contextlib.contextmanager
def fail_cleanly() -> Iterator[None]:
    """Turn the package's errors, and on-chain reverts, into one readable line and exit code 1."""
    from ape.exceptions import ContractLogicError

    try:
        yield
    except StockSuiteError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    except ContractLogicError as err:
        inputs = getattr(err, "inputs", None)
        if inputs:
            detail = f"{type(err).__name__}({', '.join(f'{k}={v}' for k, v in inputs.items())})"
        else:
            detail = decode_revert(str(err)) or str(err)
        click.echo(f"error: the transaction would revert: {detail}{revert_hint(detail)}", err=True)
        sys.exit(1)


def connected_context(ecosystem: Any, network: Any) -> Any:
    """The connected network's deployment records and contracts (``corporate_ops.Context``).

    Refuses records of another chain id; on the local L2, catches the chain's clock up with the
    wall clock first (it mines only on transactions).
    """
    from ape import chain, project

    from stocksuite.corporate.operations import Context
    from stocksuite.chain.deployments import Deployments

    ctx = Context(project, chain, Deployments.open(f"{ecosystem.name}:{network.name}", chain.chain_id))
    ctx.catch_up_local_clock()
    return ctx


def print_table(title: str, columns: tuple[str, ...], rows: Iterable[Sequence[str]],
                numeric: tuple[str, ...] = ()) -> None:  # fmt: skip
    """A rich table on stdout; lines are not wrapped when the output is a file or a pipe."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=400)
    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="right" if column in numeric else "left")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def officer_context(ecosystem: Any, network: Any, alias: str | None, chain: Any) -> tuple[Any, Any, int, Any]:
    """The registry from the network's records, the officer's account, the deploy block, and the records."""
    from stocksuite.chain.accounts import resolve_account

    ctx = connected_context(ecosystem, network)
    record = ctx.records.load("ComplianceRegistry")
    registry = ctx.project.ComplianceRegistry.at(record["address"])
    officer = resolve_account(alias, chain.chain_id, default_test_index=1)
    return registry, officer, int(record["blockNumber"]), ctx.records


def run_sync(registry: Any, officer: Any, csv_path: Path, rows: list[Any], start_block: int, dry_run: bool,
             batch_size: int, now: int, warn_days: int, events: EventSource = NODE) -> None:  # fmt: skip
    """Plan from the registry's history (``events``: the network's event index; default the node),
    show it, then send it in batches unless a dry run."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from stocksuite.chain.register import rebuild_registry
    from stocksuite.compliance.whitelist import apply_plan, expiring_contract_accounts, plan_sync, records_after

    console = Console()
    current = rebuild_registry(registry, start_block=start_block, events=events)
    plan = plan_sync(rows, current)
    console.print(f"{csv_path}: {len(rows)} rows. Plan: {plan.summary()}.")
    for warning in expiring_contract_accounts(records_after(plan, current), now, warn_days):
        click.echo(f"warning: {warning.message()}", err=True)
    if dry_run or plan.empty:
        if dry_run:
            for wallet, _ in plan.to_set[:20]:
                console.print(f"  set    {wallet}")
            for wallet in plan.to_remove[:20]:
                console.print(f"  remove {wallet}")
            console.print("Dry run: nothing sent.")
        return
    started = time.monotonic()
    total = len(plan.to_set) + len(plan.to_remove)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("syncing", total=total)
        sent = apply_plan(registry, plan, officer, batch_size, progress=lambda n: progress.advance(task, n))
    console.print(f"Sent {sent} transaction(s) for {total} change(s) in {time.monotonic() - started:.1f}s.")


def set_frozen(registry: Any, officer: Any, wallets: tuple[str, ...], frozen: bool) -> None:
    from eth_utils import is_address, to_checksum_address

    bad = [w for w in wallets if not is_address(w)]
    if bad:
        raise StockSuiteError(f"not an address: {', '.join(bad)}")
    addresses = [to_checksum_address(w) for w in wallets]
    unknown = [w for w in addresses if registry.recordOf(w) == 0]
    if unknown:
        raise StockSuiteError(f"no registry record for: {', '.join(unknown)} (sync them first)")
    registry.setFrozen(addresses, frozen, sender=officer)
    click.echo(f"{'Froze' if frozen else 'Unfroze'} {len(addresses)} wallet(s) in every token.")


def network_index(ecosystem: Any, network: Any, rebuild: bool = False) -> Any:
    """The connected network's event index (:mod:`stocksuite.chain.index`): its records' contracts,
    read from the node ape is connected to; with ``rebuild``, dropped first (unread)."""
    from ape import chain

    from stocksuite.chain.deployments import Deployments
    from stocksuite.chain.index import node_for, open_index

    choice = f"{ecosystem.name}:{network.name}"
    return open_index(Deployments.open(choice, chain.chain_id), choice, node_for(chain.provider), rebuild=rebuild)


def catch_up(index: Any) -> Any:
    """Sync ``index`` to its finality target, with a progress bar (blocks per second, ETA) on
    stderr when that is a terminal; the :class:`stocksuite.chain.index.SyncReport`."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    console = Console(stderr=True)
    if not console.is_terminal:
        return index.sync()

    class Blocks(ProgressColumn):
        def render(self, task: Any) -> Text:
            done = f"{task.completed:,.0f}/{task.total:,.0f} blocks" if task.total else ""
            return Text(done + (f", {task.speed:,.0f} blocks/s" if task.speed else ""), style="progress.data.speed")

    columns = (TextColumn("indexing"), BarColumn(), Blocks(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("indexing", total=None)
        return index.sync(progress=lambda done, total: progress.update(task, completed=done, total=total))


def index_status_lines(status: Any) -> list[str]:
    """What ``ape run index status`` prints."""
    lines = [f"index: {status.url}",
             f"network {status.network}, chain id {status.chain_id}, finality {status.finality}",
             f"indexed up to block {status.cursor}; {status.finality} head {status.target} (chain head "
             f"{status.head}); lag {status.lag} block(s)"]  # fmt: skip
    lines += [f"  {name}: {count} log(s)" for name, count in sorted(status.logs_by_contract.items())]
    lines += [f"  {s.name}: a new record, indexed from its deploy block {s.from_block} to {s.indexed_to} so far"
              for s in status.backfilling]  # fmt: skip
    return lines
