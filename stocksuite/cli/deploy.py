"""ape run deploy CONFIG --network NETWORK [--account ALIAS] [--dry-run] [--accept-upgrades]

Deploys (or finds) the whole suite of CONFIG: governance (Safe + timelock), the compliance
registry, the token family, corporate actions, every ticker with its feeds and redemption vault;
grants the configured roles and hands administration to governance. Safe to re-run: a second
run sends nothing. `--dry-run` rehearses the same deploy on a throwaway fork and prints the plan.
`--accept-upgrades` first records proxies' new implementations after a governance upgrade, when
this build knows their code.
"""

import click

from stocksuite.cli.common import ConnectedCommand


@click.command(cls=ConnectedCommand)
@click.argument("config_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--account", "alias", default=None, help="ape account alias, or test:N on the local L2.")
@click.option("--dry-run", is_flag=True, help="Simulate on a throwaway fork; print every transaction; send nothing.")
@click.option("--accept-upgrades", is_flag=True,
              help="Record the new implementation of proxies upgraded by governance (its code must be a contract "
                   "of this build).")  # fmt: skip
def cli(ecosystem, network, config_file, alias, dry_run, accept_upgrades):
    """Deploy the suite of CONFIG_FILE and hand it to governance."""
    from pathlib import Path

    from ape import chain, project

    from stocksuite.chain.accounts import resolve_account
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.deploy.deployer import SuiteDeployer, load_config, write_export
    from stocksuite.deploy.plan import simulate_deploy
    from stocksuite.chain.deployments import Deployments

    choice = f"{ecosystem.name}:{network.name}"
    with fail_cleanly():
        config = load_config(Path(config_file))
        records = Deployments.open(choice, chain.chain_id)
        if dry_run:
            report = simulate_deploy(project, chain, records, config, alias, accept_upgrades)
            for line in report.accepted:
                click.echo(f"would have {line} (records untouched)")
            for warning in report.warnings:
                click.echo(f"warning: {warning}")
            click.echo(f"Plan for {choice} (simulated on a fork; nothing sent): {report.transactions} transaction(s)")
            for number, step in enumerate(report.steps, 1):
                click.echo(f"  {number:3}. {step}")
            return
        sender = resolve_account(alias, chain.chain_id)
        report = SuiteDeployer(project, chain, records, sender, log=click.echo).deploy(config, accept_upgrades)
        export = write_export(records, choice)
    click.echo(
        f"deployed: {len(report.deployed)}, reused: {len(report.reused)}, "
        f"roles granted: {len(report.granted)}, transactions: {report.transactions}"
    )
    click.echo(f"records: {records.folder}")
    click.echo(f"export for integrators: {export}")
