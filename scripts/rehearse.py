"""ape run rehearse [--network NETWORK] [--apply [--yes]] -- SCRIPT [ARGS...]"""

from stocksuite.cli.rehearse import cli  # noqa: F401 - ape run finds the command here
