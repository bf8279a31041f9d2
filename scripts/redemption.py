"""ape run redemption pending|fill|totals|reconcile TICKER --network NETWORK : the redemption operator."""

from pathlib import Path

import click

from stocksuite.cli import ConnectedCommand


def _ctx(ecosystem, network):
    from stocksuite.cli import connected_context

    return connected_context(ecosystem, network)


def _vault(ctx, ticker):
    from stocksuite.errors import StockSuiteError

    name = f"RedemptionVault_{ticker}"
    if not ctx.records.has(name):
        ctx.token(ticker)  # names the known tickers if this one is unknown
        raise StockSuiteError(f"{ticker} has no redemption vault in {ctx.records.folder}")
    return ctx.project.RedemptionVault.at(ctx.records.address(name))


@click.group()
def cli():
    """Fill redemption and subscription requests; report and reconcile."""


@cli.command(cls=ConnectedCommand)
@click.argument("ticker")
def pending(ecosystem, network, ticker):
    """Requests waiting for a fill, and what is claimable, per controller."""
    from stocksuite.cli import fail_cleanly
    from stocksuite.redemption import pending as pending_rows

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        token, rows = ctx.token(ticker), pending_rows(_vault(ctx, ticker))
    if not rows:
        click.echo("no open requests")
    for r in rows:
        shares = lambda raw: token.toUIAmount(raw) / 10 ** token.decimals()  # noqa: E731
        click.echo(f"{r['controller']}  redeem pending {shares(r['pending_redeem']):,.4f} shares, claimable "
                   f"{shares(r['claimable_redeem']):,.4f}; subscribe pending {r['pending_subscribe'] / 1e6:,.2f} USD")


@cli.command(cls=ConnectedCommand)
@click.argument("ticker")
@click.argument("executions", type=click.Path(exists=True, dir_okay=False))
@click.option("--account", "alias", default=None, help="ape account alias, or test:N on the local L2.")
def fill(ecosystem, network, ticker, executions, alias):
    """Fill requests from an executions CSV (side,controller,amount,price)."""
    from ape import chain

    from stocksuite.accounts import resolve_account
    from stocksuite.cli import fail_cleanly
    from stocksuite.redemption import fill as send_fills
    from stocksuite.redemption import read_executions, redeem_funds_needed

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        vault, token = _vault(ctx, ticker), ctx.token(ticker)
        rows = read_executions(Path(executions), vault, token, ctx.project)
        operator = resolve_account(alias, chain.chain_id, default_test_index=17)
        usd, needed = ctx.stablecoin(), redeem_funds_needed(rows, token)
        if needed and int(usd.allowance(operator, vault)) < needed:
            usd.approve(vault, needed, sender=operator)  # exactly what these redemptions pay
        sent = send_fills(vault, rows, operator)
    click.echo(f"filled {len(rows)} execution(s) in {sent} transaction(s)")


@cli.command(cls=ConnectedCommand)
@click.argument("ticker")
def totals(ecosystem, network, ticker):
    """Pending, claimable and settled totals."""
    from stocksuite.cli import fail_cleanly
    from stocksuite.redemption import totals as vault_totals

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        figures = vault_totals(_vault(ctx, ticker))
    for key, value in figures.items():
        click.echo(f"{key:>28}: {value}")


@cli.command(cls=ConnectedCommand)
@click.argument("ticker")
def reconcile(ecosystem, network, ticker):
    """Check the vault's balances against the sum of its requests; exit 1 on any difference."""
    from stocksuite.cli import fail_cleanly
    from stocksuite.redemption import reconcile as check

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        problems = check(_vault(ctx, ticker), ctx.token(ticker), ctx.stablecoin())
    if problems:
        for p in problems:
            click.echo(f"DIFFERENCE: {p}")
        raise SystemExit(1)
    click.echo("reconciled: balances match the requests")


_account = click.option("--account", "alias", default=None, help="ape account alias, or test:N on the local L2.")


def _holder_command(name: str, help_text: str):
    def decorate(fn):
        return cli.command(name=name, cls=ConnectedCommand, help=help_text)(_account(fn))

    return decorate


@_holder_command("request", "Holder: lock SHARES (e.g. 10.5) of TICKER for redemption.")
@click.argument("ticker")
@click.argument("shares")
def request(ecosystem, network, ticker, shares, alias):
    from decimal import Decimal

    from ape import chain

    from stocksuite.accounts import resolve_account
    from stocksuite.cli import fail_cleanly
    from stocksuite.redemption import request_redeem

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        token = ctx.token(ticker)
        raw = int(token.fromUIAmount(int(Decimal(shares) * 10 ** token.decimals())))
        request_redeem(_vault(ctx, ticker), token, resolve_account(alias, chain.chain_id, 10), raw)
    click.echo(f"requested redemption of {shares} {ticker} shares")


@_holder_command("subscribe", "Holder: lock DOLLARS of the stablecoin to subscribe to TICKER.")
@click.argument("ticker")
@click.argument("dollars")
def subscribe(ecosystem, network, ticker, dollars, alias):
    from ape import chain

    from stocksuite.accounts import resolve_account
    from stocksuite.cli import fail_cleanly
    from stocksuite.corporate_ops import parse_usd
    from stocksuite.redemption import request_subscription

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        request_subscription(_vault(ctx, ticker), ctx.stablecoin(), resolve_account(alias, chain.chain_id, 10),
                             parse_usd(dollars))
    click.echo(f"requested a subscription of {dollars} USD to {ticker}")


@_holder_command("claim", "Holder: claim everything claimable (redemption proceeds, subscribed shares).")
@click.argument("ticker")
def claim(ecosystem, network, ticker, alias):
    from ape import chain

    from stocksuite.accounts import resolve_account
    from stocksuite.cli import fail_cleanly
    from stocksuite.redemption import claim_all

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        assets, shares = claim_all(_vault(ctx, ticker), resolve_account(alias, chain.chain_id, 10))
    click.echo(f"claimed {assets / 1e6:,.2f} USD and {shares} raw {ticker}")
