"""ape run local_feeds reserve|price TICKER AMOUNT --network arbitrum:devnet : the local feeds.

Only for the local L2's stand-ins of the custodian's proof-of-reserve feed and the price feeds;
on a real network their owners post answers. See docs/deployer.md.
"""

import click

from stocksuite.cli.common import ConnectedCommand


@click.group()
def cli():
    """Post answers on the local L2's reserve and price feeds."""


def _feed_command(name: str, poster: str, what: str, unit: str, help_text: str):
    @cli.command(name=name, cls=ConnectedCommand, help=help_text)
    @click.argument("ticker")
    @click.argument("amount")
    def command(ecosystem, network, ticker, amount):
        from ape import chain

        from stocksuite.dev import local_feeds
        from stocksuite.chain.accounts import resolve_account
        from stocksuite.cli.common import connected_context, fail_cleanly

        with fail_cleanly():
            units = local_feeds.parse_feed_amount(amount, what)
            ctx = connected_context(ecosystem, network)
            feed = getattr(local_feeds, poster)(ctx, ticker, units, resolve_account(None, chain.chain_id))
        click.echo(f"{ticker}: {what} {amount} {unit} posted on feed {feed}")

    return command


reserve = _feed_command(
    "reserve",
    "post_reserve",
    "shares in custody",
    "shares",
    "Attest TICKER's shares in custody on its proof-of-reserve feed (local L2 only).",
)
price = _feed_command(
    "price",
    "post_price",
    "price",
    "USD per share",
    "Post TICKER's price per share on its vault's price feed (local L2 only).",
)
