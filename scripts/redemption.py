"""ape run redemption pending|fill|settle-cancels|totals|reconcile TICKER --network NETWORK : the redemption"""

from stocksuite.cli.redemption import cli  # noqa: F401 - ape run finds the command here
