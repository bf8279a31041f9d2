"""The deploy YAML (``config/tickers.yaml``): parsed and validated before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stocksuite.config.deploy import GOVERNANCE_NAMES, DeployFile, RolesSpec, TickerSpec
from stocksuite.config.loading import ConfigError, load_yaml
from stocksuite.deploy.suite import TickerConfig

__all__ = [
    "GOVERNANCE_NAMES",
    "ROLE_KEYS",
    "TOKEN_ROLE_KEYS",
    "ConfigError",
    "GovernancePlan",
    "SafePlan",
    "SuiteConfig",
    "TickerPlan",
    "VaultPlan",
    "load_config",
]

TOKEN_ROLE_KEYS = {
    "minter": "MINTER_ROLE",
    "burner": "BURNER_ROLE",
    "agent": "AGENT_ROLE",
    "pauser": "PAUSER_ROLE",
    "token_compliance": "COMPLIANCE_ROLE",
}
ROLE_KEYS = tuple(RolesSpec.model_fields)

# The plans below are what the deployer works from; their values (and defaults) come from the
# models in stocksuite.config.deploy.


@dataclass(frozen=True)
class VaultPlan:
    price_feed: str  # "local" or an address
    initial_price_usd: int  # local price feed's first answer, dollars per share
    price_max_age: int
    band_bps: int
    fee_bps: int


@dataclass(frozen=True)
class TickerPlan:
    ticker: TickerConfig
    reserve_feed: str  # "local" or an address
    initial_reserve_shares: int
    vault: VaultPlan | None


@dataclass(frozen=True)
class SafePlan:
    """The issuer's Safe: an existing one (``address``) or one to deploy (owners, threshold)."""

    address: str | None
    owners: tuple[str, ...]
    threshold: int


@dataclass(frozen=True)
class GovernancePlan:
    safe: SafePlan | None
    timelock_min_delay: int | None  # seconds; None: no timelock


@dataclass(frozen=True)
class SuiteConfig:
    roles: dict[str, str]
    tickers: list[TickerPlan]
    governance: GovernancePlan
    stablecoin: str  # "local" (MockUSD on the local L2) or an address
    sequencer_feed: str  # Chainlink L2 sequencer uptime feed, or "local"
    sequencer_grace_period: int


def _ticker_plan(spec: TickerSpec) -> TickerPlan:
    policy = spec.policy
    ticker = TickerConfig(name=spec.name, symbol=spec.symbol, underlying_ticker=spec.underlying_ticker, isin=spec.isin,
                          cusip=spec.cusip, decimals=spec.decimals, issuer_name=spec.issuer_name,
                          terms_uri=spec.terms_uri, min_investor_class=policy.min_investor_class,
                          block_us_persons=policy.block_us_persons, holding_cap=policy.holding_cap,
                          blocked_jurisdictions=tuple(policy.blocked_jurisdictions),
                          reserve_max_age=spec.reserve_max_age)  # fmt: skip
    vault = None if spec.vault is None else VaultPlan(**spec.vault.model_dump())
    return TickerPlan(ticker, spec.reserve_feed, spec.initial_reserve_shares, vault)


def load_config(path: Path) -> SuiteConfig:
    """Parse and validate the deploy YAML (see ``config/tickers.yaml``); a bad key or value is one
    :class:`ConfigError` line naming the file, the key path and what is allowed."""
    spec = load_yaml(path, DeployFile, ConfigError)
    safe = spec.governance.safe
    timelock = spec.governance.timelock
    governance = GovernancePlan(
        safe=None if safe is None else SafePlan(safe.address, tuple(safe.owners), safe.threshold),
        timelock_min_delay=None if timelock is None else timelock.min_delay,
    )
    return SuiteConfig(roles=spec.roles.model_dump(), tickers=[_ticker_plan(t) for t in spec.tickers],
                       governance=governance, stablecoin=spec.stablecoin, sequencer_feed=spec.sequencer_feed,
                       sequencer_grace_period=spec.sequencer_grace_period)  # fmt: skip
