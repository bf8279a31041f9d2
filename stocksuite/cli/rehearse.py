"""ape run rehearse [--network NETWORK] [--apply [--yes]] -- SCRIPT [ARGS...]

Runs `ape run SCRIPT ARGS` on a fresh fork of NETWORK first, shows what it changed there (events
per contract, balance changes, transactions, gas), and with --apply then runs it on NETWORK for
real after a confirmation. See docs/deployer.md.
"""

import click


@click.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option(
    "--network",
    "network_choice",
    default="arbitrum:devnet",
    show_default=True,
    help="the network to rehearse for (its RPC is forked), ECOSYSTEM:NETWORK[:PROVIDER]",
)
@click.option("--apply", is_flag=True, help="after a successful rehearsal, run the script on NETWORK for real")
@click.option("--yes", is_flag=True, help="with --apply: do not ask for confirmation")
@click.argument("command", nargs=-1, type=click.UNPROCESSED, metavar="-- SCRIPT [ARGS]...")
def cli(network_choice, apply, yes, command):
    """Rehearse SCRIPT [ARGS...] on a fork of NETWORK, show the diff, then (--apply) run it for real."""
    import sys

    from rich.console import Console

    from stocksuite.cli.common import fail_cleanly
    from stocksuite.dev.rehearsal import rehearse_then_apply

    with fail_cleanly():
        code = rehearse_then_apply(network_choice, command, apply, yes, Console(),
                                   confirm=lambda question: click.confirm(question, default=False),
                                   interactive=sys.stdin.isatty())  # fmt: skip
    sys.exit(code)
