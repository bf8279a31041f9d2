"""ape run deploy CONFIG --network NETWORK [--account ALIAS] [--dry-run] [--accept-upgrades]"""

from stocksuite.cli.deploy import cli  # noqa: F401 - ape run finds the command here
