"""What the deploy's steps share: the proxy slots they read and the refusal they raise."""

from __future__ import annotations

from stocksuite.config.errors import StockSuiteError

# keccak256("eip1967.proxy.implementation") - 1 and keccak256("eip1967.proxy.beacon") - 1 (ERC-1967)
ERC1967_IMPLEMENTATION_SLOT = 0x360894A13BA1A3210667C828492DB98DCA3E2076CC3735A920A3CA505D382BBC
ERC1967_BEACON_SLOT = 0xA3F0AD74E5423AEBFD80D3EF4346578335A9A72AEAEE59FF6CB3582B35133D50


class DeployMismatch(StockSuiteError):
    """The records, the chain and the config disagree; nothing was sent."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} difference(s) between the config, the records and the chain; "
                         "nothing was sent:\n  - " + "\n  - ".join(problems))  # fmt: skip
