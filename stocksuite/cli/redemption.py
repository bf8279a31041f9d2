"""ape run redemption pending|fill|settle-cancels|totals|reconcile TICKER --network NETWORK : the redemption
operator; request|subscribe|cancel|claim|claim-cancel : holders; transfer-position|seize : the vault's agent."""

from pathlib import Path

import click

from stocksuite.cli.common import ConnectedCommand


def _ctx(ecosystem, network):
    from stocksuite.cli.common import connected_context

    return connected_context(ecosystem, network)


def _vault(ctx, ticker):
    from stocksuite.config.errors import StockSuiteError

    name = f"RedemptionVault_{ticker}"
    if not ctx.records.has(name):
        ctx.token(ticker)  # names the known tickers if this one is unknown
        raise StockSuiteError(f"{ticker} has no redemption vault in {ctx.records.folder}")
    return ctx.project.RedemptionVault.at(ctx.records.address(name))


@click.group()
def cli():
    """Fill redemption and subscription requests, settle cancels; report and reconcile."""


@cli.command(cls=ConnectedCommand)
@click.argument("ticker")
def pending(ecosystem, network, ticker):
    """Requests waiting for a fill, and what is claimable, per controller."""
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.redemption.vault import pending as pending_rows

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        token, rows = ctx.token(ticker), pending_rows(_vault(ctx, ticker))
    if not rows:
        click.echo("no open requests")
    for r in rows:
        shares = lambda raw: token.toUIAmount(raw) / 10 ** token.decimals()  # noqa: E731
        cancels = [
            f"{side} cancel pending"
            for side, key in (("redeem", "cancel_redeem_pending"), ("subscribe", "cancel_subscribe_pending"))
            if r[key]
        ]
        if r["cancelled_redeem"] or r["cancelled_subscribe"]:
            cancels.append(f"cancelled, to claim: {shares(r['cancelled_redeem']):,.4f} shares and "
                           f"{r['cancelled_subscribe'] / 1e6:,.2f} USD")  # fmt: skip
        click.echo(f"{r['controller']}  redeem pending {shares(r['pending_redeem']):,.4f} shares, claimable "
                   f"{shares(r['claimable_redeem']):,.4f}; subscribe pending {r['pending_subscribe'] / 1e6:,.2f} USD"
                   + "".join(f"; {c}" for c in cancels))  # fmt: skip


@cli.command(cls=ConnectedCommand)
@click.argument("ticker")
@click.argument("executions", type=click.Path(exists=True, dir_okay=False))
@click.option("--account", "alias", default=None, help="ape account alias, or test:N on the local L2.")
def fill(ecosystem, network, ticker, executions, alias):
    """Fill requests from an executions CSV (side,controller,amount,price)."""
    from ape import chain

    from stocksuite.chain.accounts import resolve_account
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.redemption.vault import fill as send_fills
    from stocksuite.redemption.vault import read_executions, redeem_funds_needed

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        vault, token = _vault(ctx, ticker), ctx.token(ticker)
        rows = read_executions(Path(executions), vault, token, ctx.project)
        operator = resolve_account(alias, chain.chain_id, default_test_index=17)
        usd, needed = ctx.stablecoin(), redeem_funds_needed(rows, token)
        if needed and int(usd.allowance(operator, vault)) < needed:
            usd.approve(vault, needed, sender=operator)  # exactly what these redemptions pay
        sent, short = send_fills(vault, rows, operator)
    click.echo(f"filled {len(rows)} execution(s) in {sent} transaction(s)")
    for s in short:
        click.echo(f"SHORTFALL: {s.controller} asked {s.requested}, filled {s.filled} ({s.reason}); tx {s.tx_hash}")


@cli.command(name="settle-cancels", cls=ConnectedCommand)
@click.argument("ticker")
@click.option("--account", "alias", default=None, help="ape account alias, or test:N on the local L2.")
def settle_cancels(ecosystem, network, ticker, alias):
    """Settle every pending cancel (ERC-7887): what is still pending becomes claimable by its holder."""
    from ape import chain

    from stocksuite.chain.accounts import resolve_account
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.redemption.vault import pending_cancels
    from stocksuite.redemption.vault import settle_cancels as settle

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        vault = _vault(ctx, ticker)
        redeem, subscribe = pending_cancels(vault)
        if not (redeem or subscribe):
            click.echo("no pending cancels")
            return
        click.echo(f"settling {len(redeem)} redemption and {len(subscribe)} subscription cancel(s): "
                   f"{', '.join(redeem + subscribe)}")  # fmt: skip
        sent = settle(vault, redeem, subscribe, resolve_account(alias, chain.chain_id, default_test_index=17))
    click.echo(f"settled in {sent} transaction(s); holders claim with `ape run redemption claim-cancel`")


@cli.command(cls=ConnectedCommand)
@click.argument("ticker")
def totals(ecosystem, network, ticker):
    """Pending, claimable and settled totals."""
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.redemption.vault import totals as vault_totals

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        figures = vault_totals(_vault(ctx, ticker))
    for key, value in figures.items():
        click.echo(f"{key:>28}: {value}")


@cli.command(cls=ConnectedCommand)
@click.argument("ticker")
def reconcile(ecosystem, network, ticker):
    """Check the vault's balances against the sum of its requests; exit 1 on any difference."""
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.redemption.vault import reconcile as check

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

    from stocksuite.chain.accounts import resolve_account
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.redemption.vault import request_redeem

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

    from stocksuite.chain.accounts import resolve_account
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.corporate.operations import parse_usd
    from stocksuite.redemption.vault import request_subscription

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        request_subscription(
            _vault(ctx, ticker), ctx.stablecoin(), resolve_account(alias, chain.chain_id, 10), parse_usd(dollars)
        )
    click.echo(f"requested a subscription of {dollars} USD to {ticker}")


@_holder_command("claim", "Holder: claim everything claimable (redemption proceeds, subscribed shares).")
@click.argument("ticker")
def claim(ecosystem, network, ticker, alias):
    from ape import chain

    from stocksuite.chain.accounts import resolve_account
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.redemption.vault import claim_all

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        assets, shares = claim_all(_vault(ctx, ticker), resolve_account(alias, chain.chain_id, 10))
    click.echo(f"claimed {assets / 1e6:,.2f} USD and {shares} raw {ticker}")


@_holder_command("cancel", "Holder: ask to cancel the whole pending redemption (or --subscription) of TICKER.")
@click.argument("ticker")
@click.option("--subscription", is_flag=True, help="Cancel the pending subscription instead.")
def cancel(ecosystem, network, ticker, subscription, alias):
    from ape import chain

    from stocksuite.chain.accounts import resolve_account
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.redemption.vault import request_cancel

    side = "subscribe" if subscription else "redeem"
    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        request_cancel(_vault(ctx, ticker), ctx.token(ticker), resolve_account(alias, chain.chain_id, 10), side)
    click.echo(f"asked to cancel the pending {side} request on {ticker}: the operator settles it (a fill in between "
               "takes its part), then run claim-cancel")  # fmt: skip


@_holder_command("claim-cancel", "Holder: pull every settled cancel (shares and stablecoin) of TICKER.")
@click.argument("ticker")
def claim_cancel(ecosystem, network, ticker, alias):
    from ape import chain

    from stocksuite.chain.accounts import resolve_account
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.redemption.vault import claim_cancel as pull

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        token = ctx.token(ticker)
        shares, assets = pull(_vault(ctx, ticker), token, resolve_account(alias, chain.chain_id, 10))
    click.echo(f"returned {shares} raw {ticker} and {assets / 1e6:,.2f} USD")


def _move(ecosystem, network, ticker, source, target, reason, alias, seized):
    from ape import chain

    from stocksuite.chain.accounts import resolve_account, resolve_address
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.redemption.vault import move_position, plan_move

    with fail_cleanly():
        ctx = _ctx(ecosystem, network)
        token, vault = ctx.token(ticker), _vault(ctx, ticker)
        move = plan_move(vault, token, ctx.registry, resolve_address(source, chain.chain_id),
                         resolve_address(target, chain.chain_id), reason, seized)  # fmt: skip
        click.echo(f"will {move.summary()}")
        move_position(vault, move, resolve_account(alias, chain.chain_id, default_test_index=4))
    click.echo("done: totals unchanged, the new controller claims")


def _agent_command(name: str, seized: bool, help_text: str):
    @cli.command(name=name, cls=ConnectedCommand, help=help_text)
    @click.argument("ticker")
    @click.argument("source")
    @click.argument("target")
    @click.option("--reason", required=True, help="Why (recorded on chain).")
    @_account
    def command(ecosystem, network, ticker, source, target, reason, alias):
        _move(ecosystem, network, ticker, source, target, reason, alias, seized)

    return command


transfer_position = _agent_command("transfer-position", False, "Agent: move SOURCE's whole vault position to "
                                   "TARGET, another wallet of the same investor.")  # fmt: skip
seize = _agent_command("seize", True, "Agent: seize SOURCE's whole vault position to TARGET, an issuer wallet, "
                       "with a reason.")  # fmt: skip
