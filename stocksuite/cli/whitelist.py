"""ape run whitelist sync FILE | freeze WALLET... | unfreeze WALLET...  --network NETWORK

The compliance officer's tool for the shared investor register.
"""

import click

from stocksuite.cli.common import ConnectedCommand

_account = click.option("--account", "alias", default=None, help="ape account alias, or test:N on the local L2.")


@click.group()
def cli():
    """Keep the compliance registry in line with the KYC system."""


@cli.command(cls=ConnectedCommand)
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@_account
@click.option("--dry-run", is_flag=True, help="Show the difference, send nothing.")
@click.option("--batch-size", type=click.IntRange(1, 500), default=100, show_default=True)
@click.option(
    "--warn-days",
    type=click.IntRange(0, 3650),
    default=30,
    show_default=True,
    help="Warn about contract accounts whose KYC expiry is this close, in the CSV or only on chain.",
)
def sync(ecosystem, network, csv_file, alias, dry_run, batch_size, warn_days):
    """Send what differs between CSV_FILE and the registry, in batches."""
    from pathlib import Path

    from ape import chain

    from stocksuite.cli.common import fail_cleanly, officer_context, run_sync
    from stocksuite.chain.index.reader import IndexedEvents, caught_up_index
    from stocksuite.compliance.whitelist import read_csv

    with fail_cleanly():
        now = chain.pending_timestamp
        rows = read_csv(Path(csv_file), now=now)  # bad rows stop everything first
        registry, officer, start_block, records = officer_context(ecosystem, network, alias, chain)
        with caught_up_index(chain, records) as index:
            run_sync(registry, officer, Path(csv_file), rows, start_block, dry_run=dry_run, batch_size=batch_size,
                     now=now, warn_days=warn_days, events=IndexedEvents(index))  # fmt: skip


def _freeze_command(frozen: bool):
    @cli.command(name="freeze" if frozen else "unfreeze", cls=ConnectedCommand)
    @click.argument("wallets", nargs=-1, required=True)
    @_account
    def command(ecosystem, network, wallets, alias):
        from ape import chain

        from stocksuite.cli.common import fail_cleanly, officer_context, set_frozen

        with fail_cleanly():
            registry, officer, _, _ = officer_context(ecosystem, network, alias, chain)
            set_frozen(registry, officer, wallets, frozen)

    command.__doc__ = f"{'Freeze' if frozen else 'Unfreeze'} WALLETS in every token at once."
    return command


freeze = _freeze_command(True)
unfreeze = _freeze_command(False)
