"""ape run local_usd mint WALLET DOLLARS --network arbitrum:devnet : the local stablecoin's faucet."""

from stocksuite.cli.local_usd import cli  # noqa: F401 - ape run finds the command here
