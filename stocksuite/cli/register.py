"""ape run register export|reconcile|audit ... --network NETWORK : the transfer agent's tools.

export: the holder register of a ticker at a block or time, rebuilt from logs (CSV).
reconcile: token supply against the reserve feed and a custodian statement (exit 1 if not equal).
audit: every privileged action in a period across the recorded contracts.
These only read the chain. See docs/compliance-officer.md.
"""

from pathlib import Path

import click

from stocksuite.cli.common import ConnectedCommand

_time_help = "ISO 8601 (UTC if no zone) or unix seconds"
_out = click.option("--out", type=click.Path(dir_okay=False), default=None, help="also write a CSV here")


def _point_options(command):
    command = click.option("--at", "at_text", default=None,
                           help=f"a time, {_time_help}: the last block at or before it")(command)  # fmt: skip
    return click.option("--block", type=click.IntRange(min=0), default=None,
                        help="a block number (default: the chain head)")(command)  # fmt: skip


def _point(chain, block, at_text, start_block):
    from stocksuite.reports.cap_table import resolve_point
    from stocksuite.corporate.operations import parse_time

    at = parse_time(at_text, int(chain.blocks.head.timestamp)) if at_text else None
    return resolve_point(chain, block, at, start_block)


@click.group()
def cli():
    """Holder register, reconciliation with custody, audit of privileged actions."""


@cli.command(cls=ConnectedCommand)
@click.argument("symbol")
@_point_options
@_out
def export(ecosystem, network, symbol, block, at_text, out):
    """The holder register (cap table) of SYMBOL, rebuilt from logs."""
    from ape import chain

    from stocksuite.reports.cap_table import build_cap_table
    from stocksuite.cli.common import connected_context, fail_cleanly, print_table
    from stocksuite.chain.index.reader import IndexedEvents, caught_up_index

    with fail_cleanly():
        ctx = connected_context(ecosystem, network)
        registry, start = ctx.registry, ctx.start_block()
        token = ctx.token(symbol)
        point = _point(chain, block, at_text, start)
        with caught_up_index(chain, ctx.records) as index:
            table = build_cap_table(chain, ctx.project, token, registry, point, start, IndexedEvents(index))
        if out:
            table.write_csv(Path(out))
    if not out:
        shown = ("holder", "balance", "shares", "jurisdiction", "investor_class", "frozen", "kyc_expiry", "note")
        print_table(f"{table.symbol} holders", shown, ([h.row()[c] for c in shown] for h in table.holdings),
                    numeric=("balance", "shares"))  # fmt: skip
    click.echo(table.summary() + (f"; written to {out}" if out else ""))


@cli.command(cls=ConnectedCommand)
@click.argument("symbol")
@click.option(
    "--statement",
    type=click.Path(exists=True, dir_okay=False),
    required=True,
    help="custodian statement CSV: ticker,isin,shares,as_of",
)
@_point_options
@click.option(
    "--as-of-tolerance",
    default="1d",
    show_default=True,
    help="how far the statement's as_of may be from the reconciliation time (90, 15m, 12h, 2d)",
)
@click.option("--allow-surplus", is_flag=True, help="custody above the token supply is a note, not a difference")
def reconcile(ecosystem, network, symbol, statement, block, at_text, as_of_tolerance, allow_surplus):
    """Token supply of SYMBOL against its reserve feed and a custodian statement; exit 1 unless equal."""
    from ape import chain

    from stocksuite.cli.common import connected_context, fail_cleanly
    from stocksuite.corporate.operations import parse_duration
    from stocksuite.reports.reconcile import read_statement
    from stocksuite.reports.reconcile import reconcile as reconcile_supply

    with fail_cleanly():
        rows, tolerance = read_statement(Path(statement)), parse_duration(as_of_tolerance)  # bad input stops here
        ctx = connected_context(ecosystem, network)
        start = ctx.start_block()
        result = reconcile_supply(ctx.token(symbol), ctx.project, _point(chain, block, at_text, start), rows,
                                  Path(statement), start, tolerance, allow_surplus)  # fmt: skip
    click.echo("\n".join(result.report()))
    if not result.reconciled:
        raise SystemExit(1)


@cli.command(cls=ConnectedCommand)
@click.option("--from", "start", default=None,
              help="first block number, or a time (ISO 8601): the first block at or after it. "
                   "Default: the first recorded deployment")  # fmt: skip
@click.option(
    "--to",
    "stop",
    default=None,
    help="last block number, or a time: the last block at or before it. Default: the chain head",
)
@_out
@click.option(
    "--warn-days",
    type=click.IntRange(0, 3650),
    default=30,
    show_default=True,
    help="warn about contract accounts whose KYC expiry is this close to the chain head",
)
def audit(ecosystem, network, start, stop, out, warn_days):
    """Every privileged action in a period across the contracts in the network's records."""
    from ape import chain

    from stocksuite.reports.audit import audit_report, expiring_contract_accounts_now, recorded_contracts
    from stocksuite.cli.common import catch_up, connected_context, fail_cleanly, network_index, print_table

    with fail_cleanly():
        records = connected_context(ecosystem, network).records
        recorded_contracts(records)  # no records: say so before opening an index
        index = network_index(ecosystem, network)
        catch_up(index)
        report = audit_report(chain, records, start, stop, index)
        expiring = expiring_contract_accounts_now(chain, records, warn_days)
        if out:
            report.write_csv(Path(out))
    shown = ("timestamp", "block", "tx_hash", "contract", "event", "actor", "arguments")
    print_table("Privileged actions", shown, ([e.row()[c] for c in shown] for e in report.entries), numeric=("block",))
    click.echo(report.summary() + (f"; written to {out}" if out else ""))
    for warning in expiring:
        click.echo(f"warning: {warning.message()}", err=True)
    for entry in report.unclassified:
        click.echo(f"warning: unclassified event {entry.event} of {entry.contract} in block {entry.block} is listed "
                   "as privileged: classify it in stocksuite/reports/audit.py", err=True)  # fmt: skip
