"""Deploying the registry, the token family and the tickers from a YAML file, idempotently.

A re-run deploys nothing that exists: each contract's record in ``deployments/`` is reused when
its address still holds code on the connected chain, tickers are looked up in the factory by
symbol, and roles are granted only where missing. An interrupted run continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stocksuite.accounts import is_local_chain, resolve_address
from stocksuite.deployments import Deployments
from stocksuite.errors import StockSuiteError
from stocksuite.records import InvestorClass, parse_jurisdiction
from stocksuite.suite import SHARE_FEED_DECIMALS, TickerConfig

TOKEN_ROLE_KEYS = {
    "minter": "MINTER_ROLE",
    "burner": "BURNER_ROLE",
    "agent": "AGENT_ROLE",
    "pauser": "PAUSER_ROLE",
    "token_compliance": "COMPLIANCE_ROLE",
}
ROLE_KEYS = ("admin", "compliance_officer", "upgrader", "corporate_actions", "paying_agent", "redemption_operator",
             "fee_recipient", "treasury", *TOKEN_ROLE_KEYS)


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


@dataclass(frozen=True)
class SuiteConfig:
    roles: dict[str, str]
    tickers: list[TickerPlan]
    stablecoin: str = "local"  # "local" (MockUSD on the local L2) or an address
    sequencer_feed: str = "local"  # Chainlink L2 sequencer uptime feed, or "local"
    sequencer_grace_period: int = 3_600


@dataclass
class DeployReport:
    deployed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    granted: list[str] = field(default_factory=list)
    transactions: int = 0


def _require(mapping: dict[str, Any], key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping or mapping[key] in (None, ""):
        raise ConfigError(f"{where}: missing key '{key}'")
    return mapping[key]


def load_config(path: Path) -> SuiteConfig:
    """Parse and validate the deploy YAML (see ``config/tickers.yaml``)."""
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as err:
        raise ConfigError(f"{path}: cannot read ({err.strerror})") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({err})") from err
    roles = _require(data, "roles", str(path))
    unknown = sorted(set(roles) - set(ROLE_KEYS))
    if unknown:
        raise ConfigError(f"{path}: roles: unknown role(s) {', '.join(unknown)}")
    for key in ROLE_KEYS:
        _require(roles, key, f"{path}: roles")
    tickers = []
    symbols: set[str] = set()
    for i, item in enumerate(_require(data, "tickers", str(path))):
        where = f"{path}: tickers[{i}]"
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
    return SuiteConfig(roles={k: str(v) for k, v in roles.items()}, tickers=tickers,
                       stablecoin=str(data.get("stablecoin", "local")),
                       sequencer_feed=str(data.get("sequencer_feed", "local")),
                       sequencer_grace_period=int(data.get("sequencer_grace_period", 3_600)))  # fmt: skip


class SuiteDeployer:
    """Deploys (or finds) each piece, records it, and grants the configured roles."""

    def __init__(self, project: Any, chain: Any, records: Deployments, sender: Any,
                 log: Callable[[str], None] = print):  # fmt: skip
        self.project, self.chain, self.records, self.sender, self.log = project, chain, records, sender, log
        self.report = DeployReport()

    def _existing(self, name: str, container: Any) -> Any | None:
        if not self.records.has(name):
            return None
        address = self.records.address(name)
        if self.chain.provider.get_code(address) in (b"", "0x", None):
            raise StockSuiteError(
                f"{self.records.path(name)} points at {address}, which holds no code on this chain: "
                "stale records of a reset chain (move the folder away to redeploy)."
            )
        self.report.reused.append(name)
        return container.at(address)

    def _deploy(self, name: str, container: Any, *args: Any, implementation: str | None = None) -> Any:
        contract = self.sender.deploy(container, *args)
        self.records.save(name, contract, self._receipt(contract), list(args), implementation=implementation)
        self.report.deployed.append(name)
        self.report.transactions += 1
        self.log(f"deployed {name} at {contract.address}")
        return contract

    def _receipt(self, contract: Any) -> Any:
        return self.chain.provider.get_receipt(contract.txn_hash)

    def _grant(self, contract: Any, label: str, role_name: str, account: str) -> None:
        role = contract.DEFAULT_ADMIN_ROLE() if role_name == "DEFAULT_ADMIN_ROLE" else getattr(contract, role_name)()
        if contract.hasRole(role, account):
            return
        contract.grantRole(role, account, sender=self.sender)
        self.report.transactions += 1
        self.report.granted.append(f"{label}.{role_name} -> {account}")

    def _uups(self, name: str, container: Any, *constructor_args: Any) -> Any:
        """Implementation + ERC-1967 proxy initialized for the deployer; recorded under `name`."""
        if found := self._existing(name, container):
            return found
        implementation = self._deploy(f"{name}Implementation", container, *constructor_args)
        init = implementation.initialize.encode_input(self.sender.address)
        proxy = self.sender.deploy(self.project.UUPSProxy, implementation.address, init)
        self.report.transactions += 1
        contract = container.at(proxy.address)
        self.records.save(name, contract, self._receipt(proxy), [implementation.address, init],
                          implementation=implementation.address)  # fmt: skip
        self.report.deployed.append(name)
        self.log(f"deployed {name} (proxy) at {contract.address}")
        return contract

    def registry(self) -> Any:
        return self._uups("ComplianceRegistry", self.project.ComplianceRegistry)

    def factory(self, registry: Any) -> Any:
        project = self.project
        if found := self._existing("StockTokenFactory", project.StockTokenFactory):
            return found
        if not (implementation := self._existing("StockTokenImplementation", project.StockToken)):
            implementation = self._deploy("StockTokenImplementation", project.StockToken, registry.address)
        return self._deploy("StockTokenFactory", project.StockTokenFactory, implementation.address,
                            self.sender.address)  # fmt: skip

    def corporate_actions(self, registry: Any) -> Any:
        return self._uups("CorporateActions", self.project.CorporateActions, registry.address)

    def stablecoin(self, setting: str) -> str:
        if setting != "local":
            return resolve_address(setting, self.chain.chain_id)
        if not is_local_chain(self.chain.chain_id):
            raise ConfigError("stablecoin 'local' is only for the local L2; give the stablecoin's address.")
        if found := self._existing("MockUSD", self.project.MockUSD):
            return found.address
        return self._deploy("MockUSD", self.project.MockUSD, self.sender.address).address

    def _local_feed(self, name: str, decimals: int, description: str, answer: int, started_at: int | None = None) -> str:
        if not is_local_chain(self.chain.chain_id):
            raise ConfigError(f"{name}: 'local' feeds are only for the local L2; give the feed's address.")
        if found := self._existing(name, self.project.ManualFeed):
            return found.address
        feed = self._deploy(name, self.project.ManualFeed, decimals, description, self.sender.address)
        if started_at is None:
            feed.postAnswer(answer, sender=self.sender)
        else:
            feed.postAnswerAt(answer, started_at, started_at, sender=self.sender)
        self.report.transactions += 1
        return feed.address

    def sequencer_feed(self, config: SuiteConfig) -> str:
        if config.sequencer_feed != "local":
            return resolve_address(config.sequencer_feed, self.chain.chain_id)
        # Up since before the grace period, so fills work from the start on the local L2.
        up_since = int(self.chain.blocks.head.timestamp) - config.sequencer_grace_period - 60
        return self._local_feed("SequencerUptimeFeed", 0, "L2 sequencer uptime (0 = up)", 0, up_since)

    def vault(self, plan: TickerPlan, token: Any, registry: Any, usd: str, sequencer: str, config: SuiteConfig,
              roles: dict[str, str]) -> Any:  # fmt: skip
        assert plan.vault is not None
        name = f"RedemptionVault_{plan.ticker.symbol}"
        if not (vault := self._existing(name, self.project.RedemptionVault)):
            price_feed = (self._local_feed(f"PriceFeed_{plan.ticker.symbol}", 8, f"{plan.ticker.underlying_ticker} / USD",
                                           plan.vault.initial_price_usd * 10**8)
                          if plan.vault.price_feed == "local" else resolve_address(plan.vault.price_feed, self.chain.chain_id))  # fmt: skip
            vault = self._deploy(name, self.project.RedemptionVault, token.address, usd, self.sender.address)
            vault.setPriceGuard(price_feed, plan.vault.price_max_age, plan.vault.band_bps, sequencer,
                                config.sequencer_grace_period, sender=self.sender)  # fmt: skip
            vault.setFees(plan.vault.fee_bps, roles["fee_recipient"], roles["treasury"], sender=self.sender)
            self.report.transactions += 2
        if registry.recordOf(vault.address) == 0:
            from stocksuite.records import InvestorRecord

            record = InvestorRecord(276, 0, int(self.chain.blocks.head.timestamp) + 10 * 365 * 86400,
                                    contract_account=True).pack()  # fmt: skip
            officer_role = registry.COMPLIANCE_OFFICER_ROLE()
            self._grant(registry, "ComplianceRegistry", "COMPLIANCE_OFFICER_ROLE", self.sender.address)
            registry.setInvestors([vault.address], [record], sender=self.sender)
            registry.renounceRole(officer_role, self.sender.address, sender=self.sender)
            self.report.transactions += 2
        self._grant(vault, name, "FULFILLER_ROLE", roles["redemption_operator"])
        self._grant(vault, name, "PAUSER_ROLE", roles["pauser"])
        self._grant(token, plan.ticker.symbol, "MINTER_ROLE", vault.address)
        self._grant(token, plan.ticker.symbol, "BURNER_ROLE", vault.address)
        return vault

    def reserve_feed(self, plan: TickerPlan) -> str:
        if plan.reserve_feed != "local":
            return resolve_address(plan.reserve_feed, self.chain.chain_id)
        if not is_local_chain(self.chain.chain_id):
            raise ConfigError(f"{plan.ticker.symbol}: reserve_feed 'local' is only for the local L2; give the feed address.")
        name = f"ReserveFeed_{plan.ticker.symbol}"
        if found := self._existing(name, self.project.ManualFeed):
            return found.address
        feed = self._deploy(name, self.project.ManualFeed, SHARE_FEED_DECIMALS,
                            f"{plan.ticker.underlying_ticker} shares in custody", self.sender.address)  # fmt: skip
        if plan.initial_reserve_shares:
            feed.postAnswer(plan.initial_reserve_shares * 10**SHARE_FEED_DECIMALS, sender=self.sender)
            self.report.transactions += 1
        return feed.address

    def ticker(self, factory: Any, plan: TickerPlan) -> Any:
        name = f"StockToken_{plan.ticker.symbol}"
        if address := factory.tokenOf(plan.ticker.symbol):
            if int(address, 16):
                self.report.reused.append(name)
                token = self.project.StockToken.at(address)
                if not self.records.has(name):  # created, but interrupted before its record was written
                    self._record_token(name, factory, token)
                return token
        feed = self.reserve_feed(plan)
        self._grant(factory, "StockTokenFactory", "TOKEN_DEPLOYER_ROLE", self.sender.address)
        receipt = factory.createToken(plan.ticker.as_struct(feed), self.sender.address, sender=self.sender)
        self.report.transactions += 1
        token = self.project.StockToken.at(receipt.events.filter(factory.TokenCreated)[0].token)
        self._record_token(name, factory, token, receipt)
        self.report.deployed.append(name)
        self.log(f"created {plan.ticker.symbol} at {token.address}")
        return token

    def _record_token(self, name: str, factory: Any, token: Any, receipt: Any = None) -> None:
        if receipt is None:
            logs = factory.TokenCreated.query("*", start_block=self.records.load("StockTokenFactory")["blockNumber"])
            row = logs[logs["event_arguments"].map(lambda a: a["token"] == token.address)].iloc[0]
            receipt = self.chain.provider.get_receipt(row["transaction_hash"])
        self.records.save(name, token, receipt, [factory.BEACON()], implementation=factory.implementation(),
                          contract_name="StockToken")  # fmt: skip

    def deploy(self, config: SuiteConfig) -> DeployReport:
        roles = {k: resolve_address(v, self.chain.chain_id) for k, v in config.roles.items()}
        registry = self.registry()
        factory = self.factory(registry)
        actions = self.corporate_actions(registry)
        usd = self.stablecoin(config.stablecoin)
        sequencer = self.sequencer_feed(config) if any(p.vault for p in config.tickers) else None
        self._grant(registry, "ComplianceRegistry", "COMPLIANCE_OFFICER_ROLE", roles["compliance_officer"])
        self._grant(registry, "ComplianceRegistry", "UPGRADER_ROLE", roles["upgrader"])
        self._grant(factory, "StockTokenFactory", "UPGRADER_ROLE", roles["upgrader"])
        self._grant(actions, "CorporateActions", "ACTIONS_OFFICER_ROLE", roles["corporate_actions"])
        self._grant(actions, "CorporateActions", "PAYING_AGENT_ROLE", roles["paying_agent"])
        self._grant(actions, "CorporateActions", "UPGRADER_ROLE", roles["upgrader"])
        for plan in config.tickers:
            token = self.ticker(factory, plan)
            for key, role_name in TOKEN_ROLE_KEYS.items():
                self._grant(token, plan.ticker.symbol, role_name, roles[key])
            # Only the corporate-actions contract moves the multiplier (nonce + expected value).
            self._grant(token, plan.ticker.symbol, "CORPORATE_ACTIONS_ROLE", actions.address)
            if plan.vault:
                vault = self.vault(plan, token, registry, usd, sequencer, config, roles)
                self._handover(vault, f"RedemptionVault_{plan.ticker.symbol}", roles["admin"])
            self._handover(token, plan.ticker.symbol, roles["admin"])
        for contract, label in ((registry, "ComplianceRegistry"), (factory, "StockTokenFactory"),
                                (actions, "CorporateActions")):  # fmt: skip
            self._handover(contract, label, roles["admin"])
        return self.report

    def _handover(self, contract: Any, label: str, admin: str) -> None:
        """Gives DEFAULT_ADMIN_ROLE to the configured admin; the deployer keeps nothing."""
        if admin == self.sender.address:
            return
        self._grant(contract, label, "DEFAULT_ADMIN_ROLE", admin)
        for role_name in ("TOKEN_DEPLOYER_ROLE", "DEFAULT_ADMIN_ROLE"):
            if not hasattr(contract, role_name):
                continue
            role = contract.DEFAULT_ADMIN_ROLE() if role_name == "DEFAULT_ADMIN_ROLE" else getattr(contract, role_name)()
            if contract.hasRole(role, self.sender.address):
                contract.renounceRole(role, self.sender.address, sender=self.sender)
                self.report.transactions += 1
