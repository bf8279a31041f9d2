"""StockTokenFactory: one transaction per ticker, one beacon upgrade for the whole family."""

from __future__ import annotations

import ape
import pytest
from ape.exceptions import ContractLogicError

from stocksuite.suite import TickerConfig, create_token

TSLA = TickerConfig(name="Tesla, Inc. tokenized stock", symbol="TSLAx", underlying_ticker="TSLA",
                    isin="US88160R1014", decimals=18)  # fmt: skip


def test_create_token_in_one_transaction(project, factory, token, reserve_feed, roles, deployer):
    receipt = factory.createToken(TSLA.as_struct(reserve_feed.address), deployer, sender=roles["token_deployer"])
    event = receipt.events.filter(factory.TokenCreated)[0]
    assert (event.symbol, event.underlyingTicker, event.isin) == ("TSLAx", "TSLA", "US88160R1014")
    assert factory.tokenOf("TSLAx") == event.token
    assert factory.tokenCount() == 2 and factory.tokenAt(1) == event.token
    tsla = project.StockToken.at(event.token)
    assert tsla.symbol() == "TSLAx" and tsla.hasRole(tsla.DEFAULT_ADMIN_ROLE(), deployer)


def test_symbols_are_unique(factory, token, reserve_feed, roles, deployer):
    duplicate = TickerConfig(name="Another", symbol="AAPLx", underlying_ticker="AAPL")
    with ape.reverts(factory.SymbolTaken):
        factory.createToken(duplicate.as_struct(reserve_feed.address), deployer, sender=roles["token_deployer"])


def test_invalid_configs_are_refused(factory, reserve_feed, roles, deployer):
    bad_class = TickerConfig(name="X", symbol="X1", underlying_ticker="X", min_investor_class=9)
    with pytest.raises(ContractLogicError):  # StockToken.InvalidPolicy(1), raised inside the proxy's init
        factory.createToken(bad_class.as_struct(reserve_feed.address), deployer, sender=roles["token_deployer"])
    assert factory.tokenOf("X1") == "0x" + "00" * 20


def test_beacon_upgrade_moves_every_ticker_and_keeps_state(project, factory, funded, registry, reserve_feed,
                                                           roles, deployer, investors):  # fmt: skip
    tsla = create_token(project, factory, TSLA, reserve_feed.address, deployer.address, roles["token_deployer"])
    alice = investors["alice"]
    v2 = deployer.deploy(project.StockTokenV2Mock, registry.address)
    factory.upgradeTokens(v2, sender=roles["upgrader"])
    assert factory.implementation() == v2.address
    for address in (funded.address, tsla.address):
        upgraded = project.StockTokenV2Mock.at(address)
        assert upgraded.version() == "2"
    assert funded.balanceOf(alice) == 1_000 and funded.symbol() == "AAPLx"
    assert funded.hasRole(funded.MINTER_ROLE(), roles["minter"])
    funded.transfer(investors["bob"], 1, sender=alice)  # the hook still works


def test_upgrade_to_another_registry_is_refused(project, factory, roles, deployer):
    other_registry = deployer.deploy(project.ComplianceRegistry)
    wrong = deployer.deploy(project.StockToken, other_registry.address)
    with ape.reverts(factory.RegistryMismatch):
        factory.upgradeTokens(wrong, sender=roles["upgrader"])
