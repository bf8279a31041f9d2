"""ape run corporate <command> --network NETWORK : the corporate-actions officer's tool."""

from stocksuite.cli.corporate import cli  # noqa: F401 - ape run finds the command here
