"""ape run governance <command> --network NETWORK : the issuer's Safe and timelock."""

from stocksuite.cli.governance import cli  # noqa: F401 - ape run finds the command here
