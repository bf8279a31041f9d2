"""ape run register export|reconcile|audit ... --network NETWORK : the transfer agent's tools."""

from stocksuite.cli.register import cli  # noqa: F401 - ape run finds the command here
