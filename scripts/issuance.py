"""ape run issuance mint TICKER WALLET SHARES --network NETWORK : mint against the attested reserve."""

import click

from stocksuite.cli import ConnectedCommand


@click.group()
def cli():
    """Issuer operations on a ticker."""


@cli.command(cls=ConnectedCommand)
@click.argument("ticker")
@click.argument("wallet")
@click.argument("shares")
@click.option("--account", "alias", default=None, help="ape account alias, or test:N on the local L2.")
def mint(ecosystem, network, ticker, wallet, shares, alias):
    """Mint SHARES (UI units, e.g. 10.5) of TICKER to a verified WALLET."""
    from decimal import Decimal, InvalidOperation

    from ape import chain

    from stocksuite.accounts import resolve_account, resolve_address
    from stocksuite.cli import connected_context, fail_cleanly
    from stocksuite.errors import StockSuiteError

    with fail_cleanly():
        token = connected_context(ecosystem, network).token(ticker)
        try:
            ui_amount = int(Decimal(shares) * 10 ** token.decimals())
        except InvalidOperation:
            raise StockSuiteError(f"shares {shares!r} is not a number") from None
        if ui_amount <= 0:
            raise StockSuiteError("shares must be positive")
        raw = token.fromUIAmount(ui_amount)
        to = resolve_address(wallet, chain.chain_id)
        code = token.detectTransferRestriction("0x" + "00" * 20, to, raw)
        if code:
            raise StockSuiteError(f"{to} cannot receive {ticker}: {token.messageForTransferRestriction(code)}")
        token.mint(to, raw, sender=resolve_account(alias, chain.chain_id, default_test_index=2))
        click.echo(f"minted {shares} shares ({raw} raw) of {ticker} to {to}; "
                   f"balance {token.balanceOfUI(to) / 10 ** token.decimals()} shares ({token.balanceOf(to)} raw)")
