"""StockTokenFactory: one transaction per ticker, one beacon upgrade for the whole family."""

from __future__ import annotations

import ape
import pytest
from ape.exceptions import ContractLogicError

from stocksuite.deploy.suite import TickerConfig, create_token

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


ZERO = "0x" + "00" * 20


def _rename(token, symbol: str, effective_at: int, corporate):
    return token.scheduleNameChange((f"{symbol} tokenized stock", symbol, symbol.removesuffix("x")), effective_at,
                                    sender=corporate)  # fmt: skip


def test_the_symbol_register_follows_renames(project, factory, token, reserve_feed, roles, deployer, chain):
    tsla = create_token(project, factory, TSLA, reserve_feed.address, deployer.address, roles["token_deployer"])
    tsla.grantRole(tsla.CORPORATE_ACTIONS_ROLE(), roles["corporate"], sender=deployer)
    at = chain.pending_timestamp + 10
    receipt = _rename(token, "APLx", at, roles["corporate"])
    event = receipt.events.filter(factory.SymbolReserved)[0]
    assert (event.token, event.symbol) == (token.address, "APLx")
    chain.pending_timestamp = at
    chain.mine()
    assert token.symbol() == "APLx"
    assert factory.tokenOf("APLx") == token.address and factory.tokenOf("AAPLx") == token.address  # old one kept
    for taken in ("APLx", "AAPLx"):  # neither the new symbol nor the old one can go to another ticker
        with ape.reverts(factory.SymbolTaken, symbol=taken, token=token.address):
            _rename(tsla, taken, chain.pending_timestamp + 60, roles["corporate"])
        with ape.reverts(factory.SymbolTaken):
            other = TickerConfig(name="Other", symbol=taken, underlying_ticker="OTHR")
            factory.createToken(other.as_struct(reserve_feed.address), deployer, sender=roles["token_deployer"])
    _rename(token, "AAPLx", chain.pending_timestamp + 10, roles["corporate"])  # back to a symbol it holds
    assert factory.tokenOf("AAPLx") == token.address


def test_a_cancelled_rename_frees_only_the_symbol_it_reserved(factory, token, roles, chain):
    corporate, later = roles["corporate"], chain.pending_timestamp + 3_600
    _rename(token, "NEWx", later, corporate)
    assert factory.tokenOf("NEWx") == token.address
    receipt = token.cancelNameChange(later, sender=corporate)
    event = receipt.events.filter(factory.SymbolReleased)[0]
    assert (event.token, event.symbol) == (token.address, "NEWx")
    assert factory.tokenOf("NEWx") == ZERO and factory.tokenOf("AAPLx") == token.address
    # A new name under the same symbol reserves nothing, so its cancel frees nothing.
    _rename(token, "AAPLx", later, corporate)
    receipt = token.cancelNameChange(later, sender=corporate)
    assert not receipt.events.filter(factory.SymbolReleased)
    assert factory.tokenOf("AAPLx") == token.address


def test_only_the_factorys_tokens_reserve_symbols(factory, token, outsider, roles):
    for caller in (outsider, roles["token_deployer"], roles["corporate"]):
        with ape.reverts(factory.NotFactoryToken, caller=caller.address):
            factory.reserveSymbol("FREEx", sender=caller)
    receipt = factory.releaseSymbol(sender=outsider)  # frees nothing: it reserved nothing
    assert not receipt.events.filter(factory.SymbolReleased)
    assert factory.tokenOf("AAPLx") == token.address
