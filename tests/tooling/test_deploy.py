"""deploy_tokens: idempotent, resumable, records integrators can read, clean config errors."""

from __future__ import annotations

import json

import pytest

from stocksuite.deploy import ConfigError, SuiteDeployer, load_config
from stocksuite.deployments import DeploymentError, Deployments
from tests.helpers import PROJECT_ROOT

CONFIG = PROJECT_ROOT / "config" / "tickers.yaml"


@pytest.fixture
def records(tmp_path, chain):
    return Deployments.open("arbitrum:devnet", chain.chain_id, root=tmp_path)


def deployer_for(project, chain, records, sender):
    return SuiteDeployer(project, chain, records, sender, log=lambda _: None)


def test_deploy_then_rerun_sends_nothing(project, chain, records, deployer):
    config = load_config(CONFIG)
    first = deployer_for(project, chain, records, deployer).deploy(config)
    assert {"ComplianceRegistry", "StockTokenFactory", "StockToken_AAPLx", "StockToken_SPCXx"} <= set(first.deployed)
    second = deployer_for(project, chain, records, deployer).deploy(config)
    assert second.transactions == 0 and second.deployed == []

    record = json.loads(records.path("StockToken_AAPLx").read_text())
    assert {"address", "abi", "transactionHash", "blockNumber", "args", "implementation"} <= set(record)
    assert records.path("ComplianceRegistry").is_file()
    assert (records.folder / ".chain").read_text().strip() == str(chain.chain_id)
    token = project.StockToken.at(record["address"])
    assert token.symbol() == "AAPLx" and list(token.policy().blockedJurisdictions) == [408, 364, 760, 192]


def test_interrupted_deploy_continues_where_it_stopped(project, chain, records, deployer):
    partial = deployer_for(project, chain, records, deployer)
    registry = partial.registry()  # "interrupted" here
    resumed = deployer_for(project, chain, records, deployer).deploy(load_config(CONFIG))
    assert "ComplianceRegistry" in resumed.reused
    assert records.address("ComplianceRegistry") == registry.address


def test_handover_leaves_the_deployer_nothing(project, chain, records, deployer, accounts, tmp_path):
    text = CONFIG.read_text().replace("admin: test:0", "admin: test:15")
    config_path = tmp_path / "suite.yaml"
    config_path.write_text(text)
    deployer_for(project, chain, records, deployer).deploy(load_config(config_path))
    governance = accounts[15]
    registry = project.ComplianceRegistry.at(records.address("ComplianceRegistry"))
    factory = project.StockTokenFactory.at(records.address("StockTokenFactory"))
    token = project.StockToken.at(records.address("StockToken_AAPLx"))
    for contract in (registry, factory, token):
        assert contract.hasRole(contract.DEFAULT_ADMIN_ROLE(), governance)
        assert not contract.hasRole(contract.DEFAULT_ADMIN_ROLE(), deployer)
    assert not factory.hasRole(factory.TOKEN_DEPLOYER_ROLE(), deployer)
    for role in ("MINTER_ROLE", "BURNER_ROLE", "AGENT_ROLE", "PAUSER_ROLE", "COMPLIANCE_ROLE"):
        assert not token.hasRole(getattr(token, role)(), deployer)


def test_records_of_another_chain_are_refused(tmp_path, chain):
    folder = tmp_path / "arbitrum-devnet"
    folder.mkdir()
    (folder / ".chain").write_text("42161\n")
    with pytest.raises(DeploymentError, match="chain id 42161"):
        Deployments.open("arbitrum:devnet", chain.chain_id, root=tmp_path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("  minter: test:2\n", ""), "roles: missing key 'minter'"),
        (lambda t: t.replace("    symbol: TSLAx\n", ""), "tickers[1]: missing key 'symbol'"),
        (lambda t: t.replace("[KP, IR, SY, CU]", "[KP, XX]"), "unknown jurisdiction 'XX'"),
        (lambda t: t.replace("symbol: TSLAx", "symbol: AAPLx"), "duplicate symbol AAPLx"),
        (lambda t: t.replace("min_investor_class: accredited", "min_investor_class: rich"), "unknown investor class"),
        (lambda t: t + "\n  - [unbalanced", "not valid YAML"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path, edit, message):
    path = tmp_path / "suite.yaml"
    path.write_text(edit(CONFIG.read_text()))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value)
