"""ape run issuance <command> --network NETWORK : issuer operations on a ticker.

mint TICKER WALLET SHARES (against the attested reserve); pause TICKER / unpause TICKER (the
token, or with --vault its vault's requests and/or fills): sent by the pauser, or written as a
governance proposal when the Safe or the timelock holds PAUSER_ROLE.
"""

from pathlib import Path

import click

from stocksuite.cli.common import ConnectedCommand


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
    from ape import chain

    from stocksuite.chain.accounts import resolve_account, resolve_address
    from stocksuite.cli.common import connected_context, fail_cleanly
    from stocksuite.issuance.mint import mint as send_mint
    from stocksuite.issuance.mint import plan_mint

    with fail_cleanly():
        token = connected_context(ecosystem, network).token(ticker)
        plan = plan_mint(token, resolve_address(wallet, chain.chain_id), shares)
        balance = send_mint(token, plan, sender=resolve_account(alias, chain.chain_id, default_test_index=2))
        click.echo(
            f"minted {plan.shares:f} shares ({plan.raw} raw) of {ticker} to {plan.to}; "
            f"balance {balance:f} shares ({token.balanceOf(plan.to)} raw)"
        )


def _pause_command(paused):
    verb = "pause" if paused else "unpause"

    @cli.command(name=verb, cls=ConnectedCommand)
    @click.argument("ticker")
    @click.option(
        "--vault",
        "vault",
        type=click.Choice(["all", "requests", "fills"]),
        default=None,
        help="The ticker's redemption vault instead of the token: its requests, fills, or all.",
    )
    @click.option("--account", "alias", default=None, help="ape account alias, or test:N on the local L2.")
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Where the governance proposal goes when governance holds PAUSER_ROLE "
                       "(default: <command>-<TICKER>.json).")  # fmt: skip
    def command(ecosystem, network, ticker, vault, alias, out):
        from ape import chain

        from stocksuite.chain.accounts import account_address, resolve_account
        from stocksuite.cli.common import connected_context, fail_cleanly
        from stocksuite.governance.pausing import describe, plan_pause, propose_pause

        with fail_cleanly():
            ctx = connected_context(ecosystem, network)
            sender = account_address(alias, chain.chain_id)
            plan = plan_pause(ctx, ticker, paused, vault, sender)
            if plan.holder == "sender":
                click.echo(f"{sender} holds PAUSER_ROLE; sending: {describe(ctx, plan).lines()[0]}")
                getattr(plan.contract, plan.function)(*plan.args, sender=resolve_account(alias, chain.chain_id))
                click.echo(f"{plan.record}: {verb}d ({plan.function} sent by {sender}).")
                return
            tx, reviewed = propose_pause(ctx, plan)
            path = out or Path(f"{verb}-{ticker}.json")
            tx.save(path)
        for line in reviewed.lines():
            click.echo(line)
        via = " --timelock" if plan.holder == "timelock" else ""
        click.echo(f"PAUSER_ROLE on {plan.record} sits with the {plan.holder}: nothing sent; wrote the governance "
                   f"proposal {path} (as `ape run governance propose {plan.record} {plan.function}"
                   f"{''.join(' ' + str(a).lower() for a in plan.args)}{via} --out {path}` would).")  # fmt: skip
        click.echo(f"Next: owners run `ape run governance sign {path} --account <owner>`, then "
                   f"`ape run governance execute {path}`.")  # fmt: skip

    return command


pause = _pause_command(True)
unpause = _pause_command(False)
