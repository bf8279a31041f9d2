from __future__ import annotations

import pytest

from stocksuite.deploy.suite import deploy_corporate_actions


@pytest.fixture(scope="module")
def actions(project, deployer, registry, token, roles):
    actions = deploy_corporate_actions(project, deployer, registry.address, deployer.address)
    actions.grantRole(actions.ACTIONS_OFFICER_ROLE(), roles["corporate"], sender=deployer)
    actions.grantRole(actions.PAYING_AGENT_ROLE(), roles["agent"], sender=deployer)
    # The contract drives the multiplier; the corporate-actions officer no longer does it directly.
    token.grantRole(token.CORPORATE_ACTIONS_ROLE(), actions, sender=deployer)
    return actions


@pytest.fixture(scope="module")
def tax_account(accounts):
    return accounts[16]


@pytest.fixture(scope="module")
def blacklist_usd(project, deployer):
    """A stablecoin that refuses transfers to and from the accounts it blacklists (as USDC does)."""
    return deployer.deploy(project.BlacklistUSD, deployer)
