"""ape run demo --network arbitrum:devnet : the issuance lifecycle on the local L2."""

from stocksuite.cli.demo import cli  # noqa: F401 - ape run finds the command here
