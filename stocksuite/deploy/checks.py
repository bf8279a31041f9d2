"""Before a deploy sends anything: do the config, the records and the chain still agree?

Each check returns the differences it finds as sentences naming the contract, what the
config (or the current sources) says and what the chain (or the record) holds. A deploy with
any difference stops before its first transaction: a mismatch is reported, never silently
overwritten (redeploying over a live token would orphan its holders). :func:`drift` lists, as
warnings that do not stop it, what the chain holds beyond the config: extra role holders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_utils import to_checksum_address

from stocksuite.governance import proposals as gov
from stocksuite.chain.accounts import resolve_address
from stocksuite.chain.bytecode import creation_code_hash
from stocksuite.deploy.config import GOVERNANCE_NAMES, SuiteConfig, TickerPlan

if TYPE_CHECKING:
    from stocksuite.deploy.deployer import SuiteDeployer

IMPLEMENTATION_CALL = "0x5c60da1b"  # implementation(), which an ERC-1967 beacon answers
UPGRADE_HINT = "upgrade it through governance (docs/deployer.md, Upgrades) or use a fresh records folder"


def preflight(deployer: SuiteDeployer, config: SuiteConfig) -> list[str]:
    """Every difference between ``config``, the records and the chain (empty: safe to go on)."""
    problems = check_code(deployer)
    problems += check_governance(deployer, config)
    problems += check_tickers(deployer, config)
    problems += check_authority(deployer, config)
    return problems


def check_code(deployer: SuiteDeployer) -> list[str]:
    """Recorded code vs the current sources; proxies still pointing where the records say."""
    problems = []
    for name, record in _live_records(deployer):
        if recorded := record.get("codeHash"):
            container = gov.container_for(deployer.project, record.get("contractName", ""))
            current = creation_code_hash(container.contract_type) if container is not None else None
            if current != recorded:
                problems.append(f"{name}: the {record.get('contractName')} sources changed since it was deployed "
                                f"at {record.get('address')} (code hash {recorded[:10]}..., now "
                                f"{str(current)[:10]}...): {UPGRADE_HINT}")  # fmt: skip
    for moved in moved_implementations(deployer):
        problems.append(f"{moved.name}: the proxy at {moved.address} now runs {moved.live}, the record says "
                        f"{moved.recorded} (upgraded since it was recorded): review the upgrade, then record it "
                        "with `ape run deploy CONFIG --accept-upgrades`")  # fmt: skip
    return problems


def _live_records(deployer: SuiteDeployer) -> list[tuple[str, dict[str, Any]]]:
    """The records whose address holds code (stale records of a reset chain:
    ``SuiteDeployer._existing`` explains those)."""
    provider = deployer.chain.provider
    return [(name, record) for name, record in deployer.records.all().items()
            if not record.get("address") or provider.get_code(record["address"]) not in (b"", "0x", None)]  # fmt: skip


@dataclass(frozen=True)
class MovedImplementation:
    """A proxy that runs another implementation than its record names (upgraded since)."""

    name: str  # the proxy's record
    address: str
    recorded: str
    live: str
    upgrader: str  # where the upgrade is made and logged: the proxy itself, or the beacon it follows
    record: dict[str, Any]


def moved_implementations(deployer: SuiteDeployer) -> list[MovedImplementation]:
    """Every recorded proxy whose implementation on chain is not the recorded one."""
    moved = []
    for name, record in _live_records(deployer):
        if recorded := record.get("implementation"):
            live, upgrader = implementation_of(deployer.chain.provider, name, record["address"])
            if live.lower() != recorded.lower():
                moved.append(MovedImplementation(name, record["address"], recorded, live, upgrader, record))
    return moved


def implementation_of(provider: Any, name: str, proxy: str) -> tuple[str, str]:
    """The implementation the recorded proxy ``name`` at ``proxy`` runs now, and where it is set:
    the beacon an ERC-1967 beacon proxy (a StockToken) follows, else the proxy itself (its ERC-1967
    implementation slot; a Safe keeps its singleton in slot 0)."""
    from stocksuite.deploy.state import ERC1967_BEACON_SLOT, ERC1967_IMPLEMENTATION_SLOT

    if name == "Safe":
        return _address_in(provider.get_storage(proxy, 0)), proxy
    beacon = _address_in(provider.get_storage(proxy, ERC1967_BEACON_SLOT))
    if int(beacon, 16):
        answer = provider.make_request("eth_call", [{"to": beacon, "data": IMPLEMENTATION_CALL}, "latest"])
        return _address_in(answer), beacon
    return _address_in(provider.get_storage(proxy, ERC1967_IMPLEMENTATION_SLOT)), proxy


def _address_in(word: Any) -> str:
    """The address in the low 20 bytes of a storage word or an ABI-encoded answer."""
    raw = bytes.fromhex(word[2:]) if isinstance(word, str) else bytes(word)
    return to_checksum_address(raw[-20:].rjust(20, b"\0"))


def check_governance(deployer: SuiteDeployer, config: SuiteConfig) -> list[str]:
    problems = []
    plan, records, chain_id = config.governance, deployer.records, deployer.chain.chain_id
    if plan.safe is not None and plan.safe.owners and records.has("Safe"):
        safe = gov.safe_at(records.address("Safe"))
        owners = sorted(str(o) for o in safe.getOwners())
        wanted = sorted(resolve_address(o, chain_id) for o in plan.safe.owners)
        if owners != wanted or int(safe.getThreshold()) != plan.safe.threshold:
            problems.append(f"Safe at {safe.address}: {safe.getThreshold()}-of-{len(owners)} owned by "
                            f"{', '.join(owners)}; the config says {plan.safe.threshold}-of-{len(wanted)} owned by "
                            f"{', '.join(wanted)}: change owners through the Safe itself")  # fmt: skip
    if plan.timelock_min_delay is not None and records.has("Timelock"):
        timelock = gov.timelock_at(records.address("Timelock"))
        if (delay := int(timelock.getMinDelay())) != plan.timelock_min_delay:
            problems.append(f"Timelock at {timelock.address}: min delay {delay} s, the config says "
                            f"{plan.timelock_min_delay} s: change it with a timelock operation (updateDelay)")  # fmt: skip
    return problems


def check_tickers(deployer: SuiteDeployer, config: SuiteConfig) -> list[str]:
    """Ticker metadata, policy, feeds and vault settings vs the chain, for tickers that exist."""
    records = deployer.records
    if not records.has("StockTokenFactory"):
        return []
    factory = deployer.project.StockTokenFactory.at(records.address("StockTokenFactory"))
    problems = []
    for plan in config.tickers:
        address = factory.tokenOf(plan.ticker.symbol)
        if int(address, 16):
            token = deployer.project.StockToken.at(address)
            problems += [f"{plan.ticker.symbol}: {d}" for d in _token_differences(deployer, plan, token)]
            vault_name = f"RedemptionVault_{plan.ticker.symbol}"
            if plan.vault is not None and records.has(vault_name):
                vault = deployer.project.RedemptionVault.at(records.address(vault_name))
                problems += [f"{vault_name}: {d}" for d in _vault_differences(deployer, config, plan, vault)]
    return problems


def _differences(pairs: list[tuple[str, Any, Any]]) -> list[str]:
    return [f"{what} is {live!r} on chain, {wanted!r} in the config" for what, live, wanted in pairs if live != wanted]


def _names_at_deployment(deployer: SuiteDeployer, plan: TickerPlan, token: Any, info: Any) -> tuple[str, str, str]:
    """The token's name and underlying ticker before its first name change (CHAN), which the
    config describes (a rename is a corporate action, not drift), and how to label them."""
    live = (str(token.name()), str(info.underlyingTicker))
    records = deployer.records
    if live == (plan.ticker.name, plan.ticker.underlying_ticker) or not records.has("CorporateActions"):
        return *live, ""  # nothing renamed: no log scan
    actions = deployer.project.CorporateActions.at(records.address("CorporateActions"))
    start = int(records.load("CorporateActions").get("blockNumber") or 0)
    logs = actions.NameChangeAnnounced.range(start, deployer.chain.blocks.head.number + 1,
                                             search_topics={"token": token.address})  # fmt: skip
    for log in logs:  # the first one names the originals
        return str(log.event_arguments["oldName"]), str(log.event_arguments["oldUnderlyingTicker"]), " at deployment"
    return *live, ""


def _token_differences(deployer: SuiteDeployer, plan: TickerPlan, token: Any) -> list[str]:
    ticker = plan.ticker
    info = token.securityInfo()
    name, underlying, when = _names_at_deployment(deployer, plan, token, info)
    min_class, block_us, cap, blocked = token.policy()
    feed, max_age = token.reserveFeed()
    pairs = [
        ("name" + when, name, ticker.name), ("decimals", token.decimals(), ticker.decimals),
        ("underlying_ticker" + when, underlying, ticker.underlying_ticker), ("isin", info.isin, ticker.isin),
        ("cusip", info.cusip, ticker.cusip), ("issuer_name", info.issuerName, ticker.issuer_name),
        ("terms_uri", info.termsURI, ticker.terms_uri), ("policy.min_investor_class", min_class, ticker.min_investor_class),
        ("policy.block_us_persons", block_us, ticker.block_us_persons), ("policy.holding_cap", cap, ticker.holding_cap),
        ("policy.blocked_jurisdictions", sorted(blocked), sorted(ticker.blocked_jurisdictions)),
        ("reserve_max_age", max_age, ticker.reserve_max_age),
    ]  # fmt: skip
    if plan.reserve_feed != "local":
        pairs.append(("reserve_feed", str(feed), resolve_address(plan.reserve_feed, deployer.chain.chain_id)))
    return _differences(pairs)


def _vault_differences(deployer: SuiteDeployer, config: SuiteConfig, plan: TickerPlan, vault: Any) -> list[str]:
    assert plan.vault is not None
    roles = deployer.resolve_roles(config, _governance_addresses(deployer))
    pairs = [
        ("fee_bps", vault.feeBps(), plan.vault.fee_bps), ("band_bps", vault.bandBps(), plan.vault.band_bps),
        ("price_max_age", vault.priceMaxAge(), plan.vault.price_max_age),
        ("sequencer_grace_period", vault.gracePeriod(), config.sequencer_grace_period),
        ("fee_recipient", str(vault.feeRecipient()), roles.get("fee_recipient", str(vault.feeRecipient()))),
        ("treasury", str(vault.treasury()), roles.get("treasury", str(vault.treasury()))),
    ]  # fmt: skip
    if plan.vault.price_feed != "local":
        pairs.append(
            ("price_feed", str(vault.priceFeed()), resolve_address(plan.vault.price_feed, deployer.chain.chain_id))
        )
    if config.stablecoin != "local":
        pairs.append(("stablecoin", str(vault.asset()), resolve_address(config.stablecoin, deployer.chain.chain_id)))
    return _differences(pairs)


def _governance_addresses(deployer: SuiteDeployer) -> dict[str, str]:
    """Governance contracts already on chain (records, or a configured Safe address)."""
    return {name: deployer.records.address(record) for name, record in (("safe", "Safe"), ("timelock", "Timelock"))
            if deployer.records.has(record)}  # fmt: skip


def _authority(deployer: SuiteDeployer, config: SuiteConfig) -> tuple[dict[str, str], dict[str, str], Any] | None:
    """(governance addresses, the config's roles resolved, the existing contracts), or None for
    a first deploy: governance or the registry not deployed yet, the deployer still holds admin."""
    governance = _governance_addresses(deployer)
    if config.governance.safe is not None and config.governance.safe.address:
        governance["safe"] = resolve_address(config.governance.safe.address, deployer.chain.chain_id)
    if any(v in GOVERNANCE_NAMES and v not in governance for v in config.roles.values()):
        return None
    contracts = _existing_contracts(deployer, config)
    return None if contracts is None else (governance, deployer.resolve_roles(config, governance), contracts)


def check_authority(deployer: SuiteDeployer, config: SuiteConfig) -> list[str]:
    """Grants and creations the deployer would need admin rights for, after it handed them over."""
    if (authority := _authority(deployer, config)) is None:
        return []
    _, roles, contracts = authority
    registry, factory, actions, tokens, vaults = contracts
    problems = []
    needs = [g for g in deployer.role_plan(roles, registry, factory, actions, tokens, vaults)
             if not g.contract.hasRole(deployer.role_id(g.contract, g.role_name), g.account)]  # fmt: skip
    for grant in needs:
        if not _is_admin(deployer, grant.contract):
            problems.append(f"{grant.label}: {grant.account} needs {grant.role_name}, and the deployer "
                            f"{deployer.sender.address} no longer administers it: propose it with "
                            f"{_governance_command(grant.label, 'grantRole', grant.role_name, grant.account)}")  # fmt: skip
    missing = [p.ticker.symbol for p in config.tickers if p.ticker.symbol not in tokens]
    if missing and factory is not None and not _is_admin(deployer, factory) and not factory.hasRole(
            factory.TOKEN_DEPLOYER_ROLE(), deployer.sender.address):  # fmt: skip
        problems.append(f"StockTokenFactory: creating {', '.join(missing)} needs TOKEN_DEPLOYER_ROLE for the deployer "
                        f"{deployer.sender.address}: grant it through governance first")  # fmt: skip
    return problems


def _is_admin(deployer: SuiteDeployer, contract: Any) -> bool:
    return bool(contract.hasRole(contract.DEFAULT_ADMIN_ROLE(), deployer.sender.address))


def _governance_command(label: str, function: str, role_name: str, account: str) -> str:
    """The proposal that has the admin (governance, through its timelock) grant or revoke a role."""
    return f"`ape run governance propose {label} {function} {role_name} {account} --timelock`"


# The deployer's own roles, renounced by its handover (or as soon as it registered a vault).
HANDOVER_ROLES = ("DEFAULT_ADMIN_ROLE", "TOKEN_DEPLOYER_ROLE", "COMPLIANCE_OFFICER_ROLE")


def drift(deployer: SuiteDeployer, config: SuiteConfig) -> list[str]:
    """Where the chain has moved on in a way the deploy leaves alone: warnings, which never stop it.

    Today: accounts holding a role that neither the config nor the deploy gives them (granted
    since, e.g. by governance), on every recorded contract the config names and the timelock.
    AccessControl here is not enumerable, so holders are replayed from the role events.
    """
    from stocksuite.reports.audit import recorded_contracts, role_holders

    if (authority := _authority(deployer, config)) is None:
        return []
    governance, roles, contracts = authority
    expected: dict[tuple[str, str], set[str]] = {}
    for grant in deployer.role_plan(roles, *contracts):
        expected.setdefault((grant.label, grant.role_name), set()).add(to_checksum_address(grant.account))
    if "timelock" in governance and "safe" in governance:  # as SuiteDeployer.timelock creates it
        for role, account in (("DEFAULT_ADMIN_ROLE", governance["timelock"]), ("PROPOSER_ROLE", governance["safe"]),
                              ("CANCELLER_ROLE", governance["safe"]), ("EXECUTOR_ROLE", gov.ZERO_ADDRESS)):  # fmt: skip
            expected.setdefault(("Timelock", role), set()).add(to_checksum_address(account))
    named = {label for label, _ in expected}
    holders = role_holders(deployer.chain, [c for c in recorded_contracts(deployer.records) if c.name in named])
    warnings = []
    for (label, role), accounts in sorted(holders.items()):
        for account in sorted(accounts - expected.get((label, role), set())):
            if account == deployer.sender.address and role in HANDOVER_ROLES:
                continue
            warnings.append(f"{label}: {account} holds {role}, which the config does not give it (granted since, "
                            "e.g. by governance); if it should not, revoke it: "
                            f"{_governance_command(label, 'revokeRole', role, account)}")  # fmt: skip
    return warnings


def _existing_contracts(deployer: SuiteDeployer, config: SuiteConfig) -> tuple[Any, ...] | None:
    records, project = deployer.records, deployer.project
    if not records.has("ComplianceRegistry"):
        return None

    def at(name: str, container: Any) -> Any | None:
        return container.at(records.address(name)) if records.has(name) else None

    registry = at("ComplianceRegistry", project.ComplianceRegistry)
    factory = at("StockTokenFactory", project.StockTokenFactory)
    actions = at("CorporateActions", project.CorporateActions)
    tokens, vaults = {}, {}
    for plan in config.tickers:
        symbol = plan.ticker.symbol
        if token := at(f"StockToken_{symbol}", project.StockToken):
            tokens[symbol] = token
        if vault := at(f"RedemptionVault_{symbol}", project.RedemptionVault):
            vaults[symbol] = vault
    return registry, factory, actions, tokens, vaults
