"""ape run issuance <command> --network NETWORK : issuer operations on a ticker."""

from stocksuite.cli.issuance import cli  # noqa: F401 - ape run finds the command here
