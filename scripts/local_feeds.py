"""ape run local_feeds reserve|price TICKER AMOUNT --network arbitrum:devnet : the local feeds."""

from stocksuite.cli.local_feeds import cli  # noqa: F401 - ape run finds the command here
