"""ape run demo --network arbitrum:devnet : the issuance lifecycle on the local L2."""

import click
from ape.cli import ConnectedProviderCommand


@click.command(cls=ConnectedProviderCommand)
def cli(network):
    """Run the demo against the connected network (the local L2 by default)."""
    from ape import accounts
    from rich.console import Console
    from rich.table import Table

    from stocksuite.demo import deploy_smoke

    console = Console()
    console.print(f"Network: [bold]{network.choice}[/bold]")
    result = deploy_smoke(accounts.test_accounts[0])
    table = Table(title="Local Arbitrum-style L2")
    table.add_column("what")
    table.add_column("value")
    table.add_row("chain id (eth_chainId)", str(result.chain_id))
    table.add_row("L2Probe address", result.probe)
    table.add_row("ArbSys(0x64).arbChainID()", str(result.arb_chain_id))
    table.add_row("ArbSys(0x64).arbBlockNumber()", str(result.arb_block_number))
    table.add_row("ping transaction", result.transaction_hash)
    console.print(table)
