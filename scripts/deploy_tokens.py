"""ape run deploy_tokens CONFIG --network NETWORK [--account ALIAS]

Deploys (or finds) the compliance registry, the token family and every ticker in CONFIG,
writes deployments/<network>/ records and grants the configured roles. Safe to re-run.
"""

import click
from ape.cli import ConnectedProviderCommand


@click.command(cls=ConnectedProviderCommand)
@click.argument("config_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--account", "alias", default=None, help="ape account alias, or test:N on the local L2.")
def cli(ecosystem, network, config_file, alias):
    """Deploy the registry, the token family and the tickers of CONFIG_FILE."""
    from pathlib import Path

    from ape import chain, project

    from stocksuite.accounts import resolve_account
    from stocksuite.cli import fail_cleanly
    from stocksuite.deploy import SuiteDeployer, load_config
    from stocksuite.deployments import Deployments

    with fail_cleanly():
        config = load_config(Path(config_file))
        sender = resolve_account(alias, chain.chain_id)
        records = Deployments.open(f"{ecosystem.name}:{network.name}", chain.chain_id)
        report = SuiteDeployer(project, chain, records, sender, log=click.echo).deploy(config)
    click.echo(f"deployed: {len(report.deployed)}, reused: {len(report.reused)}, "
               f"roles granted: {len(report.granted)}, transactions: {report.transactions}")
    click.echo(f"records: {records.folder}")
