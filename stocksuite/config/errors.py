"""One base exception for the package; every message says what to do next."""


class StockSuiteError(Exception):
    """Base class: the CLI prints these as one line, without a traceback."""


class ToolchainError(StockSuiteError):
    """The compiler, node or anvil is missing or broken."""


class L2Error(StockSuiteError):
    """The local Arbitrum-style chain could not be started or reached."""
