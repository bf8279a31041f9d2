"""ape run whitelist sync FILE | freeze WALLET... | unfreeze WALLET...  --network NETWORK"""

from stocksuite.cli.whitelist import cli  # noqa: F401 - ape run finds the command here
