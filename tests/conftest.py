"""Test session: a private local Arbitrum-style L2 on a free port, started and stopped here.

ape's pytest plugin connects to ``--network arbitrum:devnet:foundry`` (pyproject addopts)
after collection; ``APE_FOUNDRY_HOST`` points that provider at the chain started below, so
the suite never touches a developer's ``make l2`` on 8545. Set ``APE_FOUNDRY_HOST`` yourself
to run the suite against another Arbitrum-style node.
"""

from __future__ import annotations

import os

import pytest

from stocksuite.env import apply_defaults

apply_defaults()

_SESSION_L2 = None


def pytest_configure(config: pytest.Config) -> None:
    global _SESSION_L2
    if os.environ.get("APE_FOUNDRY_HOST"):
        return
    from stocksuite.l2 import LocalL2, free_port
    from stocksuite.toolchain import provision_solc

    provision_solc()
    _SESSION_L2 = LocalL2(port=free_port()).start()
    os.environ["APE_FOUNDRY_HOST"] = _SESSION_L2.url
    # `ape run ... --network arbitrum:devnet` in subprocesses reaches the same chain.
    os.environ["L2_PORT"] = str(_SESSION_L2.port)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SESSION_L2 is not None:
        _SESSION_L2.stop()


@pytest.fixture(scope="session")
def l2_url() -> str:
    return os.environ["APE_FOUNDRY_HOST"]


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]
