"""The deploy YAML (``config/tickers.yaml``): parsed and validated before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stocksuite.errors import StockSuiteError
from stocksuite.records import InvestorClass, parse_jurisdiction
from stocksuite.suite import TickerConfig

TOKEN_ROLE_KEYS = {
    "minter": "MINTER_ROLE",
    "burner": "BURNER_ROLE",
    "agent": "AGENT_ROLE",
    "pauser": "PAUSER_ROLE",
    "token_compliance": "COMPLIANCE_ROLE",
}
ROLE_KEYS = ("admin", "compliance_officer", "upgrader", "corporate_actions", "paying_agent", "redemption_operator",
             "vault_agent", "fee_recipient", "treasury", *TOKEN_ROLE_KEYS)


class ConfigError(StockSuiteError):
    """The deploy YAML is missing a key or has a bad value."""


@dataclass(frozen=True)
class VaultPlan:
    price_feed: str  # "local" or an address
    initial_price_usd: int  # local price feed's first answer, dollars per share
    price_max_age: int = 3_600
    band_bps: int = 200
    fee_bps: int = 25


@dataclass(frozen=True)
class TickerPlan:
    ticker: TickerConfig
    reserve_feed: str  # "local" or an address
    initial_reserve_shares: int
    vault: VaultPlan | None = None


GOVERNANCE_NAMES = ("safe", "timelock")  # role values that name the governance contracts


@dataclass(frozen=True)
class SafePlan:
    """The issuer's Safe: an existing one (``address``) or one to deploy (owners, threshold)."""

    address: str | None = None
    owners: tuple[str, ...] = ()
    threshold: int = 0


@dataclass(frozen=True)
class GovernancePlan:
    safe: SafePlan | None = None
    timelock_min_delay: int | None = None  # seconds; None: no timelock


@dataclass(frozen=True)
class SuiteConfig:
    roles: dict[str, str]
    tickers: list[TickerPlan]
    governance: GovernancePlan = GovernancePlan()
    stablecoin: str = "local"  # "local" (MockUSD on the local L2) or an address
    sequencer_feed: str = "local"  # Chainlink L2 sequencer uptime feed, or "local"
    sequencer_grace_period: int = 3_600


def _require(mapping: dict[str, Any], key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping or mapping[key] in (None, ""):
        raise ConfigError(f"{where}: missing key '{key}'")
    return mapping[key]


TOP_LEVEL_KEYS = ("governance", "roles", "stablecoin", "sequencer_feed", "sequencer_grace_period", "tickers")


def _governance(data: Any, path: Path) -> GovernancePlan:
    """``governance: {safe: {owners, threshold} | 0xSafe, timelock: {min_delay}}``."""
    if data is None:
        return GovernancePlan()
    where = f"{path}: governance"
    if not isinstance(data, dict) or set(data) - {"safe", "timelock"}:
        raise ConfigError(f"{where}: expected 'safe' and/or 'timelock'")
    safe = None
    if (raw := data.get("safe")) is not None:
        if isinstance(raw, str):
            safe = SafePlan(address=raw)
        elif isinstance(raw, dict):
            owners = tuple(str(o) for o in _require(raw, "owners", f"{where}.safe"))
            threshold = _int(_require(raw, "threshold", f"{where}.safe"), f"{where}.safe.threshold")
            if len(set(owners)) != len(owners):
                raise ConfigError(f"{where}.safe.owners: an owner is listed twice")
            if not 1 <= threshold <= len(owners):
                raise ConfigError(f"{where}.safe.threshold: {threshold} is not between 1 and {len(owners)} owners")
            safe = SafePlan(owners=owners, threshold=threshold)
        else:
            raise ConfigError(f"{where}.safe: give the Safe's address, or owners and threshold to deploy one")
    delay = None
    if (raw := data.get("timelock")) is not None:
        delay = _int(_require(raw, "min_delay", f"{where}.timelock"), f"{where}.timelock.min_delay")
        if delay < 0:
            raise ConfigError(f"{where}.timelock.min_delay: must be >= 0 seconds")
        if safe is None:
            raise ConfigError(f"{where}.timelock: needs governance.safe (the Safe proposes timelock operations)")
    return GovernancePlan(safe=safe, timelock_min_delay=delay)


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where}: expected a whole number, got {value!r}")
    return value


def load_config(path: Path) -> SuiteConfig:
    """Parse and validate the deploy YAML (see ``config/tickers.yaml``)."""
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as err:
        raise ConfigError(f"{path}: cannot read ({err.strerror})") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({err})") from err
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with 'roles' and 'tickers'")
    unknown_keys = sorted(set(data) - set(TOP_LEVEL_KEYS))
    if unknown_keys:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(map(str, unknown_keys))} "
                          f"(expected: {', '.join(TOP_LEVEL_KEYS)})")  # fmt: skip
    governance = _governance(data.get("governance"), path)
    roles = _require(data, "roles", str(path))
    unknown = sorted(set(roles) - set(ROLE_KEYS))
    if unknown:
        raise ConfigError(f"{path}: roles: unknown role(s) {', '.join(unknown)}")
    for key in ROLE_KEYS:
        value = str(_require(roles, key, f"{path}: roles"))
        if value == "safe" and governance.safe is None:
            raise ConfigError(f"{path}: roles.{key} is 'safe' but governance.safe is not configured")
        if value == "timelock" and governance.timelock_min_delay is None:
            raise ConfigError(f"{path}: roles.{key} is 'timelock' but governance.timelock is not configured")
    tickers = []
    symbols: set[str] = set()
    items = _require(data, "tickers", str(path))
    if not isinstance(items, list):
        raise ConfigError(f"{path}: tickers: expected a list of tickers")
    for i, item in enumerate(items):
        where = f"{path}: tickers[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: expected a mapping (name, symbol, ...)")
        policy = item.get("policy") or {}
        try:
            ticker = TickerConfig(
                name=str(_require(item, "name", where)),
                symbol=str(_require(item, "symbol", where)),
                underlying_ticker=str(_require(item, "underlying_ticker", where)),
                isin=str(item.get("isin") or ""),
                cusip=str(item.get("cusip") or ""),
                decimals=int(item.get("decimals", 18)),
                issuer_name=str(item.get("issuer_name") or ""),
                terms_uri=str(item.get("terms_uri") or ""),
                min_investor_class=int(InvestorClass.parse(str(policy.get("min_investor_class", "none")))),
                block_us_persons=bool(policy.get("block_us_persons", True)),
                holding_cap=int(policy.get("holding_cap", 0)),
                blocked_jurisdictions=tuple(parse_jurisdiction(str(j)) for j in policy.get("blocked_jurisdictions", [])),
                reserve_max_age=int(item.get("reserve_max_age", 24 * 3600)),
            )
        except (TypeError, ValueError) as err:
            raise ConfigError(f"{where}: {err}") from err
        if not (ticker.isin or ticker.cusip):
            raise ConfigError(f"{where}: give an isin or a cusip")
        if ticker.symbol in symbols:
            raise ConfigError(f"{where}: duplicate symbol {ticker.symbol}")
        symbols.add(ticker.symbol)
        vault = None
        if (v := item.get("vault")) is not None:
            try:
                vault = VaultPlan(price_feed=str(_require(v, "price_feed", f"{where}.vault")),
                                  initial_price_usd=int(v.get("initial_price_usd", 0)),
                                  price_max_age=int(v.get("price_max_age", 3_600)), band_bps=int(v.get("band_bps", 200)),
                                  fee_bps=int(v.get("fee_bps", 25)))  # fmt: skip
            except (TypeError, ValueError) as err:
                raise ConfigError(f"{where}.vault: {err}") from err
        tickers.append(TickerPlan(ticker, str(_require(item, "reserve_feed", where)),
                                  int(item.get("initial_reserve_shares", 0)), vault))  # fmt: skip
    return SuiteConfig(roles={k: str(v) for k, v in roles.items()}, tickers=tickers, governance=governance,
                       stablecoin=str(data.get("stablecoin", "local")),
                       sequencer_feed=str(data.get("sequencer_feed", "local")),
                       sequencer_grace_period=_int(data.get("sequencer_grace_period", 3_600),
                                                   f"{path}: sequencer_grace_period"))  # fmt: skip
