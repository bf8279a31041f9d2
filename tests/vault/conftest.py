from __future__ import annotations

import pytest

from stocksuite.config.records import InvestorRecord
from tests.conftest import YEAR

SHARE = 10**18
USD = 10**6
PRICE = 200 * USD  # $200 per share
VAULT_AGENT_INDEX = 16  # holds the vault's AGENT_ROLE (not the token's agent: least privilege)


@pytest.fixture(scope="module")
def fulfiller(accounts):
    return accounts[17]


@pytest.fixture(scope="module")
def fee_recipient(accounts):
    return accounts[18]


@pytest.fixture(scope="module")
def feeds(project, deployer, chain):
    price = deployer.deploy(project.ManualFeed, 8, "AAPL / USD", deployer)
    price.postAnswer(200 * 10**8, sender=deployer)
    sequencer = deployer.deploy(project.ManualFeed, 0, "L2 sequencer uptime", deployer)
    up_since = chain.pending_timestamp - 7_200
    sequencer.postAnswerAt(0, up_since, up_since, sender=deployer)
    return price, sequencer


@pytest.fixture(scope="module")
def vault(project, deployer, token, usd, registry, roles, feeds, fulfiller, fee_recipient, chain, accounts):
    vault = deployer.deploy(project.RedemptionVault, token, usd, deployer)
    vault.setPriceGuard(feeds[0], 3_600, 200, feeds[1], 3_600, sender=deployer)  # 2% band, 1h grace
    vault.setFees(50, fee_recipient, deployer, sender=deployer)  # 0.5%; subscriptions go to the deployer
    vault.grantRole(vault.FULFILLER_ROLE(), fulfiller, sender=deployer)
    vault.grantRole(vault.PAUSER_ROLE(), roles["pauser"], sender=deployer)
    vault.grantRole(vault.AGENT_ROLE(), accounts[VAULT_AGENT_INDEX], sender=deployer)
    token.grantRole(token.MINTER_ROLE(), vault, sender=deployer)
    token.grantRole(token.BURNER_ROLE(), vault, sender=deployer)
    registry.setInvestors([vault.address],
                          [InvestorRecord(276, 0, chain.pending_timestamp + YEAR, contract_account=True).pack()],
                          sender=roles["officer"])  # fmt: skip
    return vault


@pytest.fixture
def holders(token, roles, investors, vault, usd, deployer, fulfiller):
    """alice holds 100 shares, bob 50; the fulfiller has $1m to pay redemptions."""
    alice, bob = investors["alice"], investors["bob"]
    token.mint(alice, 100 * SHARE, sender=roles["minter"])
    token.mint(bob, 50 * SHARE, sender=roles["minter"])
    usd.mint(fulfiller, 1_000_000 * USD, sender=deployer)
    usd.approve(vault, 2**256 - 1, sender=fulfiller)
    return alice, bob


@pytest.fixture
def vault_agent(accounts):
    """Holds the vault's AGENT_ROLE: moves or seizes positions."""
    return accounts[VAULT_AGENT_INDEX]
