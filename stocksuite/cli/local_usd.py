"""ape run local_usd mint WALLET DOLLARS --network arbitrum:devnet : the local stablecoin's faucet.

Only for the local L2's MockUSD stand-in; real networks settle in a real stablecoin.
"""

import click

from stocksuite.cli.common import ConnectedCommand


@click.group()
def cli():
    """The local L2's 6-decimal USD stand-in."""


@cli.command(cls=ConnectedCommand)
@click.argument("wallet")
@click.argument("dollars")
def mint(ecosystem, network, wallet, dollars):
    """Mint DOLLARS of MockUSD to WALLET (local L2 only)."""
    from ape import chain

    from stocksuite.chain.accounts import is_local_chain, resolve_account, resolve_address
    from stocksuite.cli.common import connected_context, fail_cleanly
    from stocksuite.corporate.operations import parse_usd
    from stocksuite.config.errors import StockSuiteError

    with fail_cleanly():
        if not is_local_chain(chain.chain_id):
            raise StockSuiteError("local_usd only works on the local L2")
        usd = connected_context(ecosystem, network).stablecoin()
        to = resolve_address(wallet, chain.chain_id)
        usd.mint(to, parse_usd(dollars), sender=resolve_account(None, chain.chain_id))
        click.echo(f"{to} now holds {usd.balanceOf(to) / 1e6:,.2f} mUSD")
