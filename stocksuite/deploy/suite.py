"""Deploying the contracts: one code path for scripts, tests and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SHARE_FEED_DECIMALS = 8  # Chainlink proof-of-reserve feeds report with 8 decimals
DEFAULT_RESERVE_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class TickerConfig:
    """One ticker, as the deploy YAML describes it (see ``deployments/tickers.example.yaml``)."""

    name: str
    symbol: str
    underlying_ticker: str
    isin: str = ""
    cusip: str = ""
    decimals: int = 18
    issuer_name: str = ""
    terms_uri: str = ""
    min_investor_class: int = 0
    block_us_persons: bool = True
    holding_cap: int = 0
    blocked_jurisdictions: tuple[int, ...] = field(default_factory=tuple)
    reserve_max_age: int = DEFAULT_RESERVE_MAX_AGE

    def as_struct(self, reserve_feed: str) -> tuple[Any, ...]:
        """The ``IStockToken.TokenConfig`` tuple, in field order."""
        return (
            self.name,
            self.symbol,
            self.decimals,
            self.underlying_ticker,
            self.isin,
            self.cusip,
            self.issuer_name,
            self.terms_uri,
            reserve_feed,
            self.reserve_max_age,
            self.min_investor_class,
            self.block_us_persons,
            self.holding_cap,
            list(self.blocked_jurisdictions),
        )


def deploy_registry(project: Any, sender: Any, admin: str) -> Any:
    """ComplianceRegistry implementation + ERC-1967 proxy; returns the registry at the proxy."""
    implementation = sender.deploy(project.ComplianceRegistry)
    proxy = sender.deploy(project.UUPSProxy, implementation.address, implementation.initialize.encode_input(admin))
    return project.ComplianceRegistry.at(proxy.address)


def deploy_corporate_actions(project: Any, sender: Any, registry: str, admin: str) -> Any:
    """CorporateActions implementation + ERC-1967 proxy; returns the contract at the proxy."""
    implementation = sender.deploy(project.CorporateActions, registry)
    proxy = sender.deploy(project.UUPSProxy, implementation.address, implementation.initialize.encode_input(admin))
    return project.CorporateActions.at(proxy.address)


def deploy_token_family(project: Any, sender: Any, registry: str, admin: str) -> tuple[Any, Any]:
    """StockToken implementation bound to ``registry`` and the factory owning its beacon."""
    implementation = sender.deploy(project.StockToken, registry)
    factory = sender.deploy(project.StockTokenFactory, implementation.address, admin)
    return implementation, factory


def create_token(project: Any, factory: Any, ticker: TickerConfig, reserve_feed: str, admin: str, sender: Any) -> Any:
    """Creates one ticker through the factory; returns the token at its proxy."""
    receipt = factory.createToken(ticker.as_struct(reserve_feed), admin, sender=sender)
    event = receipt.events.filter(factory.TokenCreated)[0]
    return project.StockToken.at(event.token)
