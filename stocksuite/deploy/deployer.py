"""Deploying the whole suite from one YAML file, idempotently, and handing it to governance.

A re-run deploys nothing that exists: each contract's record in ``deployments/`` is reused when
its address still holds code on the connected chain, tickers are looked up in the factory by
symbol, and roles are granted only where missing. An interrupted run continues where it stopped.
Before anything is sent, :mod:`stocksuite.deploy.checks` compares the config, the records and the
chain; any difference stops the deploy (reported, never overwritten), except that an upgrade made
by governance can be accepted into the records on request (:mod:`stocksuite.deploy.upgrades`). The
deploy ends with every admin role held by the configured governance (the timelock) and none by
the deployer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stocksuite.governance import proposals as gov
from stocksuite.chain.accounts import is_local_chain, resolve_address
from stocksuite.chain.bytecode import creation_code_hash
from stocksuite.deploy.config import (GOVERNANCE_NAMES, TOKEN_ROLE_KEYS, ConfigError, GovernancePlan, SuiteConfig,
                                      TickerPlan, load_config)  # fmt: skip
from stocksuite.chain.deployments import Deployments
from stocksuite.config.errors import StockSuiteError
from stocksuite.config.records import InvestorRecord
from stocksuite.deploy.state import DeployMismatch
from stocksuite.deploy.suite import SHARE_FEED_DECIMALS

VAULT_RECORD_YEARS = 10  # the vault's own registry record (a contract account) lasts this long

__all__ = ["ConfigError", "DeployMismatch", "DeployReport", "Grant", "SuiteDeployer", "load_config", "write_export"]


@dataclass
class DeployReport:
    deployed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    granted: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # upgrades taken into the records (--accept-upgrades)
    warnings: list[str] = field(default_factory=list)  # drift the deploy leaves alone (deploy_check.drift)
    steps: list[str] = field(default_factory=list)  # one line per transaction, in order
    transactions: int = 0


@dataclass(frozen=True)
class Grant:
    """One role a configured holder must have on one contract."""

    label: str
    contract: Any
    role_name: str
    account: str


class SuiteDeployer:
    """Deploys (or finds) each piece, records it, grants the configured roles, hands over."""

    def __init__(self, project: Any, chain: Any, records: Deployments, sender: Any,
                 log: Callable[[str], None] = print):  # fmt: skip
        self.project, self.chain, self.records, self.sender, self.log = project, chain, records, sender, log
        self.report = DeployReport()

    # -- sending and recording -------------------------------------------------------------------

    def _sent(self, step: str) -> None:
        self.report.steps.append(step)
        self.report.transactions += 1

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
        self.records.save(name, contract, self._receipt(contract), list(args), implementation=implementation,
                          code_hash=creation_code_hash(container.contract_type))  # fmt: skip
        self.report.deployed.append(name)
        self._sent(f"deploy {name} ({container.contract_type.name}) at {contract.address}")
        self.log(f"deployed {name} at {contract.address}")
        return contract

    def _receipt(self, contract: Any) -> Any:
        return self.chain.provider.get_receipt(contract.txn_hash)

    def role_id(self, contract: Any, role_name: str) -> Any:
        return contract.DEFAULT_ADMIN_ROLE() if role_name == "DEFAULT_ADMIN_ROLE" else getattr(contract, role_name)()

    def _grant(self, grant: Grant) -> None:
        role = self.role_id(grant.contract, grant.role_name)
        if grant.contract.hasRole(role, grant.account):
            return
        grant.contract.grantRole(role, grant.account, sender=self.sender)
        self.report.granted.append(f"{grant.label}.{grant.role_name} -> {grant.account}")
        self._sent(f"grant {grant.role_name} on {grant.label} to {grant.account}")

    def _uups(self, name: str, container: Any, *constructor_args: Any) -> Any:
        """Implementation + ERC-1967 proxy initialized for the deployer; recorded under `name`."""
        if found := self._existing(name, container):
            return found
        implementation = self._deploy(f"{name}Implementation", container, *constructor_args)
        init = implementation.initialize.encode_input(self.sender.address)
        proxy = self.sender.deploy(self.project.UUPSProxy, implementation.address, init)
        contract = container.at(proxy.address)
        self.records.save(name, contract, self._receipt(proxy), [implementation.address, init],
                          implementation=implementation.address)  # fmt: skip
        self.report.deployed.append(name)
        self._sent(f"deploy {name} (ERC-1967 proxy) at {contract.address}")
        self.log(f"deployed {name} (proxy) at {contract.address}")
        return contract

    # -- governance ------------------------------------------------------------------------------

    def governance(self, plan: GovernancePlan) -> dict[str, str]:
        """The Safe and the timelock, deployed or found: {"safe": address, "timelock": address}."""
        found: dict[str, str] = {}
        if plan.safe is not None:
            found["safe"] = self.safe(plan)
            self.multisend()
        if plan.timelock_min_delay is not None:
            found["timelock"] = self.timelock(plan.timelock_min_delay, found["safe"])
        return found

    def safe(self, plan: GovernancePlan) -> str:
        assert plan.safe is not None
        if plan.safe.address:
            address = resolve_address(plan.safe.address, self.chain.chain_id)
            if not gov.is_safe(address):
                raise ConfigError(f"governance.safe: {address} is not a Safe on chain {self.chain.chain_id}")
            return address
        if not is_local_chain(self.chain.chain_id):
            raise ConfigError("governance.safe: deploying a Safe is for the local L2; give the issuer's Safe address.")
        if found := self._existing("Safe", gov.container("SafeL2")):
            return found.address
        singleton = self._existing("SafeSingleton", gov.container("SafeL2")) or self._deploy(
            "SafeSingleton", gov.container("SafeL2")
        )
        factory = self._existing("SafeProxyFactory", gov.container("SafeProxyFactory")) or self._deploy(
            "SafeProxyFactory", gov.container("SafeProxyFactory")
        )
        handler = self._existing("SafeFallbackHandler", gov.container("CompatibilityFallbackHandler")) or self._deploy(
            "SafeFallbackHandler", gov.container("CompatibilityFallbackHandler"))  # fmt: skip
        owners = [resolve_address(o, self.chain.chain_id) for o in plan.safe.owners]
        setup = gov.safe_setup_data(singleton, owners, plan.safe.threshold, handler.address)
        receipt = factory.createProxyWithNonce(singleton.address, setup, 0, sender=self.sender)
        safe = gov.safe_at(receipt.events.filter(factory.ProxyCreation)[0].proxy)
        self.records.save("Safe", safe, receipt, [singleton.address, setup, 0], implementation=singleton.address)
        self.report.deployed.append("Safe")
        self._sent(f"deploy Safe {plan.safe.threshold}-of-{len(owners)} at {safe.address}")
        self.log(f"deployed Safe at {safe.address}")
        return safe.address

    def multisend(self) -> str | None:
        """Safe's ``MultiSendCallOnly`` (the v1.4.1 artifact): the only DELEGATECALL target the
        governance tooling signs (a batch of plain calls). Deployed on the local L2; elsewhere
        the record, when there is one, is the issuer's to add."""
        if found := self._existing("MultiSendCallOnly", gov.container("MultiSendCallOnly")):
            return found.address
        if not is_local_chain(self.chain.chain_id):
            return None
        return self._deploy("MultiSendCallOnly", gov.container("MultiSendCallOnly")).address

    def timelock(self, min_delay: int, safe: str) -> str:
        if found := self._existing("Timelock", gov.container("TimelockController")):
            return found.address
        # The Safe proposes and cancels; anyone may execute once the delay has passed; no admin.
        timelock = self._deploy("Timelock", gov.container("TimelockController"), min_delay, [safe],
                                [gov.ZERO_ADDRESS], gov.ZERO_ADDRESS)  # fmt: skip
        return timelock.address

    def resolve_roles(self, config: SuiteConfig, governance: dict[str, str]) -> dict[str, str]:
        return {key: governance[value] if value in GOVERNANCE_NAMES else resolve_address(value, self.chain.chain_id)
                for key, value in config.roles.items()}  # fmt: skip

    # -- the suite -------------------------------------------------------------------------------

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

    def _local_feed(
        self, name: str, decimals: int, description: str, answer: int, started_at: int | None = None
    ) -> str:
        if not is_local_chain(self.chain.chain_id):
            raise ConfigError(f"{name}: 'local' feeds are only for the local L2; give the feed's address.")
        if found := self._existing(name, self.project.ManualFeed):
            return found.address
        feed = self._deploy(name, self.project.ManualFeed, decimals, description, self.sender.address)
        if started_at is None:
            feed.postAnswer(answer, sender=self.sender)
        else:
            feed.postAnswerAt(answer, started_at, started_at, sender=self.sender)
        self._sent(f"post the first answer of {name}: {answer}")
        return feed.address

    def sequencer_feed(self, config: SuiteConfig) -> str:
        if config.sequencer_feed != "local":
            return resolve_address(config.sequencer_feed, self.chain.chain_id)
        # Up since before the grace period, so fills work from the start on the local L2.
        up_since = int(self.chain.blocks.head.timestamp) - config.sequencer_grace_period - 60
        return self._local_feed("SequencerUptimeFeed", 0, "L2 sequencer uptime (0 = up)", 0, up_since)

    def price_feed(self, plan: TickerPlan) -> str:
        assert plan.vault is not None
        if plan.vault.price_feed != "local":
            return resolve_address(plan.vault.price_feed, self.chain.chain_id)
        return self._local_feed(f"PriceFeed_{plan.ticker.symbol}", 8, f"{plan.ticker.underlying_ticker} / USD",
                                plan.vault.initial_price_usd * 10**8)  # fmt: skip

    def vault(self, plan: TickerPlan, token: Any, registry: Any, usd: str, sequencer: str, config: SuiteConfig,
              roles: dict[str, str]) -> Any:  # fmt: skip
        assert plan.vault is not None
        name = f"RedemptionVault_{plan.ticker.symbol}"
        if not (vault := self._existing(name, self.project.RedemptionVault)):
            price_feed = self.price_feed(plan)
            vault = self._deploy(name, self.project.RedemptionVault, token.address, usd, self.sender.address)
            vault.setPriceGuard(price_feed, plan.vault.price_max_age, plan.vault.band_bps, sequencer,
                                config.sequencer_grace_period, sender=self.sender)  # fmt: skip
            self._sent(f"set the price guard of {name}")
            vault.setFees(plan.vault.fee_bps, roles["fee_recipient"], roles["treasury"], sender=self.sender)
            self._sent(f"set the fees of {name}: {plan.vault.fee_bps} bps")
        if registry.recordOf(vault.address) == 0:
            expiry = int(self.chain.blocks.head.timestamp) + VAULT_RECORD_YEARS * 365 * 86400
            record = InvestorRecord(276, 0, expiry, contract_account=True).pack()
            officer = Grant("ComplianceRegistry", registry, "COMPLIANCE_OFFICER_ROLE", self.sender.address)
            self._grant(officer)
            registry.setInvestors([vault.address], [record], sender=self.sender)
            self._sent(f"register {name} in the ComplianceRegistry (contract account)")
            registry.renounceRole(self.role_id(registry, officer.role_name), self.sender.address, sender=self.sender)
            self._sent("renounce the deployer's temporary COMPLIANCE_OFFICER_ROLE")
        return vault

    def reserve_feed(self, plan: TickerPlan) -> str:
        if plan.reserve_feed != "local":
            return resolve_address(plan.reserve_feed, self.chain.chain_id)
        if not is_local_chain(self.chain.chain_id):
            raise ConfigError(
                f"{plan.ticker.symbol}: reserve_feed 'local' is only for the local L2; give the feed address."
            )
        name = f"ReserveFeed_{plan.ticker.symbol}"
        if found := self._existing(name, self.project.ManualFeed):
            return found.address
        feed = self._deploy(name, self.project.ManualFeed, SHARE_FEED_DECIMALS,
                            f"{plan.ticker.underlying_ticker} shares in custody", self.sender.address)  # fmt: skip
        if plan.initial_reserve_shares:
            feed.postAnswer(plan.initial_reserve_shares * 10**SHARE_FEED_DECIMALS, sender=self.sender)
            self._sent(f"post {name}: {plan.initial_reserve_shares:,} shares")
        return feed.address

    def ticker(self, factory: Any, plan: TickerPlan) -> Any:
        name = f"StockToken_{plan.ticker.symbol}"
        if int(address := factory.tokenOf(plan.ticker.symbol), 16):
            self.report.reused.append(name)
            token = self.project.StockToken.at(address)
            if not self.records.has(name):  # created, but interrupted before its record was written
                self._record_token(name, factory, token)
            return token
        feed = self.reserve_feed(plan)
        self._grant(Grant("StockTokenFactory", factory, "TOKEN_DEPLOYER_ROLE", self.sender.address))
        receipt = factory.createToken(plan.ticker.as_struct(feed), self.sender.address, sender=self.sender)
        token = self.project.StockToken.at(receipt.events.filter(factory.TokenCreated)[0].token)
        self._sent(f"create {plan.ticker.symbol} at {token.address}")
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

    # -- roles -----------------------------------------------------------------------------------

    @staticmethod
    def role_plan(roles: dict[str, str], registry: Any, factory: Any, actions: Any, tokens: dict[str, Any],
                  vaults: dict[str, Any]) -> list[Grant]:  # fmt: skip
        """Every role the config gives, on the contracts given (None = not deployed yet)."""
        plan: list[Grant] = []
        for contract, label, pairs in (
            (registry, "ComplianceRegistry", (("COMPLIANCE_OFFICER_ROLE", "compliance_officer"),
                                              ("UPGRADER_ROLE", "upgrader"), ("DEFAULT_ADMIN_ROLE", "admin"))),
            (factory, "StockTokenFactory", (("UPGRADER_ROLE", "upgrader"), ("DEFAULT_ADMIN_ROLE", "admin"))),
            (actions, "CorporateActions", (("ACTIONS_OFFICER_ROLE", "corporate_actions"),
                                           ("PAYING_AGENT_ROLE", "paying_agent"), ("UPGRADER_ROLE", "upgrader"),
                                           ("DEFAULT_ADMIN_ROLE", "admin"))),
        ):  # fmt: skip
            if contract is not None:
                plan += [Grant(label, contract, role, roles[key]) for role, key in pairs]
        for symbol, token in tokens.items():
            name = f"StockToken_{symbol}"
            plan += [Grant(name, token, role, roles[key]) for key, role in TOKEN_ROLE_KEYS.items()]
            # Only the corporate-actions contract moves the multiplier (nonce + expected value).
            if actions is not None:
                plan.append(Grant(name, token, "CORPORATE_ACTIONS_ROLE", actions.address))
            plan.append(Grant(name, token, "DEFAULT_ADMIN_ROLE", roles["admin"]))
            if (vault := vaults.get(symbol)) is not None:
                label = f"RedemptionVault_{symbol}"
                plan += [Grant(name, token, "MINTER_ROLE", vault.address),
                         Grant(name, token, "BURNER_ROLE", vault.address),
                         Grant(label, vault, "FULFILLER_ROLE", roles["redemption_operator"]),
                         Grant(label, vault, "PAUSER_ROLE", roles["pauser"]),
                         Grant(label, vault, "AGENT_ROLE", roles["vault_agent"]),
                         Grant(label, vault, "DEFAULT_ADMIN_ROLE", roles["admin"])]  # fmt: skip
        return plan

    def deploy(self, config: SuiteConfig, accept_upgrades: bool = False) -> DeployReport:
        """Check, then deploy what is missing, grant what is missing, and hand over.

        ``accept_upgrades`` first records the new implementations of proxies upgraded by
        governance, when the build knows their code (:mod:`stocksuite.deploy.upgrades`).
        """
        from stocksuite.deploy.checks import drift, preflight
        from stocksuite.deploy.upgrades import accept_upgrades as accept

        if accept_upgrades:
            for line in accept(self):
                self.report.accepted.append(line)
                self.log(line)
        for warning in drift(self, config):
            self.report.warnings.append(warning)
            self.log(f"warning: {warning}")
        if problems := preflight(self, config):
            raise DeployMismatch(problems)
        governance = self.governance(config.governance)
        roles = self.resolve_roles(config, governance)
        registry = self.registry()
        factory = self.factory(registry)
        actions = self.corporate_actions(registry)
        usd = self.stablecoin(config.stablecoin)
        sequencer = self.sequencer_feed(config) if any(p.vault for p in config.tickers) else None
        tokens: dict[str, Any] = {}
        vaults: dict[str, Any] = {}
        for plan in config.tickers:
            tokens[plan.ticker.symbol] = token = self.ticker(factory, plan)
            if plan.vault:
                vaults[plan.ticker.symbol] = self.vault(plan, token, registry, usd, sequencer, config, roles)
        for grant in self.role_plan(roles, registry, factory, actions, tokens, vaults):
            self._grant(grant)
        for contract, label in ((registry, "ComplianceRegistry"), (factory, "StockTokenFactory"),
                                (actions, "CorporateActions"), *((t, f"StockToken_{s}") for s, t in tokens.items()),
                                *((v, f"RedemptionVault_{s}") for s, v in vaults.items())):  # fmt: skip
            self._handover(contract, label, roles["admin"])
        return self.report

    def _handover(self, contract: Any, label: str, admin: str) -> None:
        """The configured admin holds DEFAULT_ADMIN_ROLE (granted by the plan); the deployer keeps nothing."""
        if admin == self.sender.address:
            return
        for role_name in ("TOKEN_DEPLOYER_ROLE", "DEFAULT_ADMIN_ROLE"):
            if not hasattr(contract, role_name):
                continue
            if contract.hasRole(role := self.role_id(contract, role_name), self.sender.address):
                contract.renounceRole(role, self.sender.address, sender=self.sender)
                self._sent(f"renounce the deployer's {role_name} on {label}")


def write_export(records: Deployments, network_choice: str) -> Path:
    """``deployments/exports/<network>.json``: ``{chainId, name, contracts: {Name: {address, abi}}}``,
    the shape of hardhat-deploy's ``--export``, for integrators who want one file per network."""
    import json

    contracts = {name: {"address": r["address"], "abi": r["abi"]} for name, r in records.all().items()}
    export = {"chainId": records.chain_id, "name": network_choice, "contracts": contracts}
    target = records.folder.parent / "exports" / f"{records.folder.name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(export, indent=2) + "\n")
    return target
