"""ape run demo --network arbitrum:devnet : the issuance lifecycle on the local L2."""

import click

from stocksuite.cli.common import ConnectedCommand


@click.command(cls=ConnectedCommand)
def cli(ecosystem, network):
    """Show the chain, then run the whole issuance lifecycle against it."""
    from ape import accounts, chain, project
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table

    from stocksuite.chain.accounts import is_local_chain
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.dev.demo import deploy_smoke
    from stocksuite.config.errors import StockSuiteError
    from stocksuite.dev.lifecycle import run_lifecycle

    console = Console()
    console.print(f"Network: [bold]{network.choice}[/bold]")
    with fail_cleanly():
        if not is_local_chain(chain.chain_id):
            raise StockSuiteError("the demo uses local test accounts: run it on the local L2 (make demo).")
        result = deploy_smoke(accounts.test_accounts[0])
        table = Table(title="Local Arbitrum-style L2")
        table.add_column("what")
        table.add_column("value")
        table.add_row("chain id (eth_chainId)", str(result.chain_id))
        table.add_row("L2Probe address", result.probe)
        table.add_row("ArbSys(0x64).arbChainID()", str(result.arb_chain_id))
        table.add_row("ArbSys(0x64).arbBlockNumber()", str(result.arb_block_number))
        console.print(table)

        def report(step):
            console.print(Panel("\n".join(step.lines), title=step.title, title_align="left"))

        with console.status("running the issuance lifecycle..."):
            run_lifecycle(project, chain, f"{ecosystem.name}:{network.name}", list(accounts.test_accounts), report)
    console.print("[bold green]Lifecycle complete.[/bold green] Records are in deployments/.")
