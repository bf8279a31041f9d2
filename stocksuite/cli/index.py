"""ape run index status|sync|rebuild --network NETWORK : the network's event index.

status: where the index stands (store, cursor, safe head, lag, logs per contract); reads nothing new.
sync: catch up from the last indexed block to the safe head (a progress bar on a terminal).
rebuild: drop the index (also a corrupt or refused one, unread) and build it again.
Every reading command catches up the same way first. See docs/index.md.
"""

import click

from stocksuite.cli.common import ConnectedCommand


@click.group()
def cli():
    """The event index of the network's recorded contracts (SQLite, or STOCKSUITE_INDEX_URL)."""


@cli.command(cls=ConnectedCommand)
def status(ecosystem, network):
    """Store, cursor block, safe head, lag and logs per contract; syncs nothing."""
    from stocksuite.cli.common import fail_cleanly, index_status_lines, network_index

    with fail_cleanly():
        lines = index_status_lines(network_index(ecosystem, network).status())
    click.echo("\n".join(lines))


def _sync(ecosystem, network, rebuild):
    from stocksuite.cli.common import catch_up, fail_cleanly, network_index

    with fail_cleanly():
        index = network_index(ecosystem, network, rebuild=rebuild)
        report = catch_up(index)
    moved = (
        f"; a reorg rolled it back to block {report.rolled_back_to} first" if report.rolled_back_to is not None else ""
    )
    click.echo(f"indexed {report.logs} new log(s) in {report.chunks} chunk(s): up to block {index.cursor} "
               f"({index.finality}){moved}")  # fmt: skip


@cli.command(cls=ConnectedCommand)
def sync(ecosystem, network):
    """Catch up from the last indexed block to the safe head."""
    _sync(ecosystem, network, rebuild=False)


@cli.command(cls=ConnectedCommand)
def rebuild(ecosystem, network):
    """Drop the index (even a corrupt one, unread) and build it again from the deploy blocks."""
    _sync(ecosystem, network, rebuild=True)
