"""ape run index status|sync|rebuild --network NETWORK : the network's event index."""

from stocksuite.cli.index import cli  # noqa: F401 - ape run finds the command here
