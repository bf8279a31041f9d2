"""ape run corporate <command> --network NETWORK : the corporate-actions officer's tool.

split/reverse-split/stock-dividend, reinvest, rename, cancel, entitlements, declare, status,
verify, claim, pay, remit, reclaim. See docs/corporate-actions.md.
"""

from pathlib import Path

import click

from stocksuite.cli.common import ConnectedCommand

_account = click.option("--account", "alias", default=None, help="ape account alias, or test:N on the local L2.")
_time_help = "now, +N[smhd], unix seconds or ISO 8601"
_include_contract = click.option(
    "--include-contract", "include_contracts", multiple=True,
    help="a registry contract account entitled itself (an omnibus custodian that passes dividends on); "
         "other contract accounts (AMM pairs) are excluded by default; repeatable")  # fmt: skip


def _ctx(ecosystem, network):
    from stocksuite.cli.common import connected_context

    return connected_context(ecosystem, network)


def _signer(alias, default_index):
    from ape import chain

    from stocksuite.chain.accounts import resolve_account

    return resolve_account(alias, chain.chain_id, default_test_index=default_index)


@click.group()
def cli():
    """Corporate actions: splits, stock dividends, cash dividends."""


def _ratio_command(name: str, kind: str, help_text: str):
    @cli.command(name=name, cls=ConnectedCommand, help=help_text)
    @click.argument("ticker")
    @click.option("--ratio", required=True, help="NEW:OLD, e.g. 3:1, 1:10, 105:100")
    @click.option("--effective-at", default="+1h", show_default=True, help=_time_help)
    @_account
    def command(ecosystem, network, ticker, ratio, effective_at, alias):
        from ape import chain

        from stocksuite.cli.common import fail_cleanly
        from stocksuite.corporate.operations import announce_ratio, chain_now, parse_time

        with fail_cleanly():
            ctx = _ctx(ecosystem, network)
            at = parse_time(effective_at, chain_now(chain), now_margin=5)
            action_id = announce_ratio(ctx, ticker, kind, ratio, at, _signer(alias, 7))
        click.echo(f"{kind} {ratio} on {ticker} announced as action {action_id}, effective at {at}")

    return command


split = _ratio_command("split", "SPLF", "Announce a forward split (SPLF).")
reverse_split = _ratio_command("reverse-split", "SPLR", "Announce a reverse split (SPLR).")
stock_dividend = _ratio_command("stock-dividend", "DVSE", "Announce a stock dividend (DVSE), e.g. 105:100.")


@cli.command(cls=ConnectedCommand)
@click.argument("ticker")
@click.option("--name", "new_name", required=True, help="the token's new ERC-20 name")
@click.option("--symbol", "new_symbol", required=True, help="the token's new ERC-20 symbol")
@click.option("--underlying", required=True, help="the underlying stock's new ticker")
@click.option("--effective-at", default="+1h", show_default=True, help=_time_help)
@_account
def rename(ecosystem, network, ticker, new_name, new_symbol, underlying, effective_at, alias):
    """Announce a name change (CHAN). TICKER stays the ticker's key in the records and these tools."""
    from ape import chain

    from stocksuite.cli.common import fail_cleanly
    from stocksuite.corporate.operations import announce_name_change, chain_now, parse_time

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        at = parse_time(effective_at, chain_now(chain), now_margin=5)
        action_id = announce_name_change(ctx, ticker, new_name, new_symbol, underlying, at, _signer(alias, 7))
    click.echo(
        f"CHAN on {ticker} announced as action {action_id}: {new_name!r} ({new_symbol}, underlying "
        f"{underlying}) from {at}"
    )


@cli.command(cls=ConnectedCommand)
@click.argument("ticker")
def names(ecosystem, network, ticker):
    """The name, symbol and underlying ticker a token shows now (after any name change)."""
    from stocksuite.cli.common import fail_cleanly

    with fail_cleanly():
        token = _ctx(ecosystem, network).token(ticker)
        shown = (token.name(), token.symbol(), token.securityInfo().underlyingTicker)
    click.echo(f"{ticker}: name {shown[0]!r}, symbol {shown[1]}, underlying {shown[2]}")


@cli.command(cls=ConnectedCommand)
@click.argument("ticker")
@click.option("--amount-per-share", required=True, help="gross dividend per share, in dollars (e.g. 0.24)")
@click.option("--record-time", required=True, help=_time_help)
@click.option(
    "--withholding",
    "withholding_file",
    type=click.Path(exists=True, dir_okay=False),
    default="config/withholding.yaml",
    show_default=True,
)
@click.option("--exclude", multiple=True, help="holder with no entitlement (e.g. the treasury); repeatable")
@_include_contract
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False), required=True)
def entitlements(
    ecosystem, network, ticker, amount_per_share, record_time, withholding_file, exclude, include_contracts, csv_out
):
    """Compute a dividend's entitlements from chain data into a CSV (sends nothing)."""
    from ape import chain

    from stocksuite.cli.common import fail_cleanly
    from stocksuite.corporate.operations import load_withholding, parse_time, parse_usd, prepare_dividend

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        distribution = prepare_dividend(
            ctx,
            ticker,
            parse_usd(amount_per_share),
            parse_time(record_time, chain.blocks.head.timestamp),
            load_withholding(Path(withholding_file)),
            frozenset(exclude),
            frozenset(include_contracts),
        )
        distribution.write_csv(Path(csv_out))
        decimals = int(ctx.token(ticker).decimals())
    click.echo(
        f"{len(distribution.entitlements)} holders, net {distribution.total_net / 1e6:,.2f}, withheld "
        f"{distribution.total_withholding / 1e6:,.2f} -> {csv_out}"
    )
    _echo_exclusions(distribution, decimals)


def _echo_exclusions(distribution, decimals):
    from stocksuite.config.units import exact_decimal

    for x in distribution.exclusions:
        click.echo(
            f"  excluded {x.account}: {x.raw_balance} raw, {exact_decimal(x.shares, decimals):f} shares: {x.reason}"
        )


@cli.command(cls=ConnectedCommand)
@click.argument("ticker")
@click.option("--amount-per-share", required=True, help="gross dividend per share, in dollars (e.g. 0.24)")
@click.option("--record-time", required=True, help=_time_help + " (must have passed)")
@click.option("--payment-time", default="+1d", show_default=True, help=_time_help)
@click.option("--claim-expiry", default="+365d", show_default=True, help=_time_help)
@click.option(
    "--withholding",
    "withholding_file",
    type=click.Path(exists=True, dir_okay=False),
    default="config/withholding.yaml",
    show_default=True,
)
@click.option("--tax-account", required=True, help="receives the withheld tax")
@click.option("--exclude", multiple=True, help="holder with no entitlement (e.g. the treasury); repeatable")
@_include_contract
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="entitlements JSON with proofs")
@click.option("--approve", is_flag=True, help="approve the stablecoin amount first if needed")
@_account
def declare(
    ecosystem,
    network,
    ticker,
    amount_per_share,
    record_time,
    payment_time,
    claim_expiry,
    withholding_file,
    tax_account,
    exclude,
    include_contracts,
    out,
    approve,
    alias,
):
    """Snapshot at the record time, compute entitlements and withholding, fund and publish."""
    from ape import chain

    from stocksuite.chain.accounts import resolve_address
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.corporate.operations import chain_now, declare_dividend, load_withholding, parse_time, parse_usd

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        head, now = chain.blocks.head.timestamp, chain_now(chain)
        dividend_id, distribution = declare_dividend(
            ctx,
            ticker,
            parse_usd(amount_per_share),
            parse_time(record_time, head),
            parse_time(payment_time, now, now_margin=5),
            parse_time(claim_expiry, now, now_margin=5),
            load_withholding(Path(withholding_file)),
            resolve_address(tax_account, chain.chain_id),
            frozenset(exclude),
            Path(out),
            _signer(alias, 7),
            approve,
            include_contracts=frozenset(include_contracts),
        )
        decimals = int(ctx.token(ticker).decimals())
    click.echo(
        f"dividend {dividend_id} declared: {len(distribution.entitlements)} holders, net "
        f"{distribution.total_net / 1e6:,.2f}, withheld {distribution.total_withholding / 1e6:,.2f}; "
        f"entitlements in {out}"
    )
    _echo_exclusions(distribution, decimals)


@cli.command(cls=ConnectedCommand)
@click.argument("dividend_id", type=int)
def status(ecosystem, network, dividend_id):
    """A dividend's funded, paid, withheld, remitted and outstanding amounts."""
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.corporate.operations import status as dividend_status

    with fail_cleanly():
        state = dividend_status(_ctx(ecosystem, network), dividend_id)
    for key, value in state.items():
        shown = f"{value / 1e6:,.2f}" if key in ("funded", "paid", "withheld", "remitted", "outstanding") else value
        click.echo(f"{key:>13}: {shown}")


@cli.command(cls=ConnectedCommand)
@click.argument("dividend_id", type=int)
def verify(ecosystem, network, dividend_id):
    """Recompute a declared dividend from chain data; compare its root, leaf count and totals."""
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.corporate.operations import verify as verify_dividend

    with fail_cleanly():
        ok, distribution, differences = verify_dividend(_ctx(ecosystem, network), dividend_id)
    click.echo(
        f"dividend {dividend_id}: {'VERIFIED' if ok else 'MISMATCH'} "
        f"(recomputed root 0x{distribution.root.hex()}, {len(distribution.entitlements)} holders)"
    )
    for difference in differences:
        click.echo(f"  {difference}")
    if not ok:
        raise SystemExit(1)


@cli.command(cls=ConnectedCommand)
@click.argument("dividend_id", type=int)
@click.option("--entitlements", "entitlements_file", type=click.Path(exists=True, dir_okay=False), required=True)
@_account
def claim(ecosystem, network, dividend_id, entitlements_file, alias):
    """Claim the signer's own entitlement."""
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.corporate.operations import claim as claim_dividend

    with fail_cleanly():
        signer = _signer(alias, 10)
        entry = claim_dividend(_ctx(ecosystem, network), dividend_id, Path(entitlements_file), signer.address, signer)
    click.echo(f"paid {entry['net'] / 1e6:,.2f} to {entry['account']} ({entry['withholding'] / 1e6:,.2f} withheld)")


@cli.command(cls=ConnectedCommand)
@click.argument("dividend_id", type=int)
@click.option("--entitlements", "entitlements_file", type=click.Path(exists=True, dir_okay=False), required=True)
@click.option("--batch-size", type=click.IntRange(1, 500), default=50, show_default=True)
@_account
def pay(ecosystem, network, dividend_id, entitlements_file, batch_size, alias):
    """Paying agent: pay every unpaid entitlement, in batches. Already paid and frozen holders are
    left out (re-read before each batch); what the contract skips is listed; it always finishes."""
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.corporate.operations import pay_unclaimed

    def progress(payout):
        click.echo(f"batch {payout.batches}: {len(payout.paid)} paid so far")

    with fail_cleanly():
        signer = _signer(alias, 9)
        click.echo(
            f"paying dividend {dividend_id}'s unpaid entitlements from {entitlements_file} as "
            f"{signer.address}, {batch_size} per payBatch transaction"
        )
        payout = pay_unclaimed(_ctx(ecosystem, network), dividend_id, Path(entitlements_file), signer, batch_size,
                               progress)  # fmt: skip
    click.echo(f"paid {len(payout.paid)} holder(s) in {payout.batches} batch(es)")
    for what, leaves in (("left out", payout.left_out), ("skipped by the contract", payout.skipped)):
        for leaf in leaves:
            click.echo(f"  {what}: leaf {leaf.index} {leaf.account}: {leaf.outcome}")


def _action_command(name: str, method: str, done: str, help_text: str):
    """`ape run corporate NAME ID`: one officer call on the CorporateActions contract."""

    @cli.command(name=name, cls=ConnectedCommand, help=help_text)
    @click.argument("action_id", type=int)
    @_account
    def command(ecosystem, network, action_id, alias):
        from stocksuite.cli.common import fail_cleanly

        with fail_cleanly():
            getattr(_ctx(ecosystem, network).actions, method)(action_id, sender=_signer(alias, 7))
        click.echo(f"action {action_id} {done}")

    return command


cancel = _action_command(
    "cancel",
    "cancel",
    "cancelled",
    "Cancel an action before it takes effect (refunds a dividend before its payment time).",
)
remit = _action_command(
    "remit", "remitWithholding", "withholding remitted", "Send the tax withheld so far to the dividend's tax account."
)
reclaim = _action_command(
    "reclaim",
    "reclaim",
    "reclaimed: unclaimed funds returned to the issuer",
    "After the claim expiry, return unclaimed funds to the issuer.",
)
