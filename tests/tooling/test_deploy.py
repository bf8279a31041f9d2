"""ape run deploy: idempotent, resumable, records integrators can read, clean config errors."""

from __future__ import annotations

import json

import pytest

from stocksuite.governance import proposals as gov
from stocksuite.chain.accounts import resolve_address
from stocksuite.chain.bytecode import creation_code_hash, runtime_matches
from stocksuite.corporate.entitlements import CorporateActionError
from stocksuite.corporate.operations import Context, announce_name_change
from stocksuite.deploy.deployer import ConfigError, DeployMismatch, SuiteDeployer, load_config, write_export
from stocksuite.chain.deployments import DeploymentError, Deployments
from tests.helpers import PROJECT_ROOT, VENV_BIN, assert_one_line_error, run
from tests.tooling.test_governance import _through_timelock

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
    assert first.warnings == [] and second.warnings == []  # every holder is the config's (or the timelock's)

    record = json.loads(records.path("StockToken_AAPLx").read_text())
    assert {"address", "abi", "transactionHash", "blockNumber", "args", "implementation"} <= set(record)
    assert records.path("ComplianceRegistry").is_file()
    assert (records.folder / ".chain").read_text().strip() == str(chain.chain_id)
    token = project.StockToken.at(record["address"])
    assert token.symbol() == "AAPLx" and list(token.policy().blockedJurisdictions) == [408, 364, 760, 192]
    vault = project.RedemptionVault.at(records.address("RedemptionVault_AAPLx"))
    agent, operator = (
        resolve_address(config.roles[key], chain.chain_id) for key in ("vault_agent", "redemption_operator")
    )
    assert vault.hasRole(vault.AGENT_ROLE(), agent) and not vault.hasRole(vault.AGENT_ROLE(), operator)
    assert vault.hasRole(vault.FULFILLER_ROLE(), operator) and not vault.hasRole(vault.FULFILLER_ROLE(), agent)


def test_interrupted_deploy_continues_where_it_stopped(project, chain, records, deployer):
    partial = deployer_for(project, chain, records, deployer)
    registry = partial.registry()  # "interrupted" here
    resumed = deployer_for(project, chain, records, deployer).deploy(load_config(CONFIG))
    assert "ComplianceRegistry" in resumed.reused
    assert records.address("ComplianceRegistry") == registry.address


def _role_names(contract):
    return [m.name for m in contract.contract_type.view_methods if m.name.endswith("_ROLE") and not m.inputs]


def test_handover_leaves_the_deployer_nothing(project, chain, records, deployer):
    deployer_for(project, chain, records, deployer).deploy(load_config(CONFIG))
    timelock = gov.timelock_at(records.address("Timelock"))
    safe = gov.safe_at(records.address("Safe"))
    checked = 0
    for path in sorted(records.folder.glob("*.json")):
        contract = gov.recorded_contract(project, records, path.stem)
        names = _role_names(contract)
        if not names or path.stem.endswith("Implementation"):
            continue  # no AccessControl (feeds, Safe pieces), or logic contracts behind proxies
        for name in names:
            assert not contract.hasRole(getattr(contract, name)(), deployer), f"{path.stem}.{name}"
            checked += 1
        if path.stem != "Timelock":
            assert contract.hasRole(contract.DEFAULT_ADMIN_ROLE(), timelock), path.stem
    assert checked >= 40
    for name in ("ComplianceRegistry", "StockTokenFactory", "CorporateActions"):
        contract = gov.recorded_contract(project, records, name)
        assert contract.hasRole(contract.UPGRADER_ROLE(), timelock)
    # The Safe alone proposes and cancels on the timelock; nobody administers the timelock but itself.
    assert timelock.hasRole(timelock.PROPOSER_ROLE(), safe) and timelock.hasRole(timelock.CANCELLER_ROLE(), safe)
    assert timelock.hasRole(timelock.EXECUTOR_ROLE(), gov.ZERO_ADDRESS)
    assert not timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), deployer)
    assert safe.getThreshold() == 2 and len(safe.getOwners()) == 3


def test_export_file_for_integrators(project, chain, records, deployer):
    deployer_for(project, chain, records, deployer).deploy(load_config(CONFIG))
    path = write_export(records, "arbitrum:devnet")
    export = json.loads(path.read_text())
    assert export["chainId"] == chain.chain_id and export["name"] == "arbitrum:devnet"
    token = export["contracts"]["StockToken_AAPLx"]
    assert token["address"] == records.address("StockToken_AAPLx")
    assert any(item.get("name") == "detectTransferRestriction" for item in token["abi"])
    assert set(export["contracts"]) == {p.stem for p in records.folder.glob("*.json")}


def _mismatch(project, chain, records, deployer, config_path):
    height = chain.blocks.head.number
    with pytest.raises(DeployMismatch) as info:
        deployer_for(project, chain, records, deployer).deploy(load_config(config_path))
    assert chain.blocks.head.number == height  # nothing sent
    return str(info.value)


def test_changed_config_is_reported_not_applied(project, chain, records, deployer, tmp_path):
    deployer_for(project, chain, records, deployer).deploy(load_config(CONFIG))
    changed = tmp_path / "changed.yaml"
    changed.write_text(CONFIG.read_text().replace("fee_bps: 25", "fee_bps: 40")
                       .replace("blocked_jurisdictions: [KP, IR, SY, CU]", "blocked_jurisdictions: [KP, IR]")
                       .replace("min_delay: 86400", "min_delay: 3600"))  # fmt: skip
    message = _mismatch(project, chain, records, deployer, changed)
    assert "RedemptionVault_AAPLx: fee_bps is 25 on chain, 40 in the config" in message
    assert "AAPLx: policy.blocked_jurisdictions is [192, 364, 408, 760] on chain, [364, 408] in the config" in message
    assert "Timelock at" in message and "min delay 86400 s, the config says 3600 s" in message


def test_new_role_holder_after_handover_needs_governance(project, chain, records, deployer, tmp_path):
    deployer_for(project, chain, records, deployer).deploy(load_config(CONFIG))
    changed = tmp_path / "changed.yaml"
    changed.write_text(CONFIG.read_text().replace("  minter: test:2", "  minter: test:15"))
    message = _mismatch(project, chain, records, deployer, changed)
    assert "StockToken_AAPLx: " in message and "needs MINTER_ROLE" in message
    assert "ape run governance propose StockToken_AAPLx grantRole MINTER_ROLE" in message


def test_a_rename_is_a_corporate_action_not_drift(project, chain, records, deployer, accounts):
    config = load_config(CONFIG)
    deployer_for(project, chain, records, deployer).deploy(config)
    token = project.StockToken.at(records.address("StockToken_AAPLx"))
    ctx, officer = Context(project, chain, records), accounts[7]  # test:7, the config's officer
    at = chain.pending_timestamp + 5
    renamed = ("Apple Renamed tokenized stock", "APLRx", "APLR")
    height = chain.blocks.head.number
    with pytest.raises(CorporateActionError, match="symbol 'TSLAx' belongs to the ticker at"):
        announce_name_change(ctx, "AAPLx", "Apple", "TSLAx", "AAPL", at, officer)  # another ticker's key
    assert chain.blocks.head.number == height
    announce_name_change(ctx, "AAPLx", *renamed, at, officer)
    chain.mine(timestamp=at + 1)
    with pytest.raises(CorporateActionError, match="symbol 'APLRx' belongs to the ticker at"):
        announce_name_change(ctx, "TSLAx", "Tesla", "APLRx", "TSLA", at + 10, officer)  # another's current symbol
    assert (token.name(), token.symbol(), token.securityInfo().underlyingTicker) == renamed
    announce_name_change(ctx, "AAPLx", "Apple Again tokenized stock", "APLAx", "APLA", at + 20, officer)
    chain.mine(timestamp=at + 21)
    height = chain.blocks.head.number
    with pytest.raises(CorporateActionError, match="symbol 'APLRx' belongs to the ticker at .* former symbols"):
        announce_name_change(ctx, "TSLAx", "Tesla", "APLRx", "TSLA", at + 30, officer)  # another's former symbol
    assert chain.blocks.head.number == height
    assert deployer_for(project, chain, records, deployer).deploy(config).transactions == 0

    changed = CONFIG.read_text().replace("underlying_ticker: AAPL\n", "underlying_ticker: AAPL.X\n")
    (records.folder.parent / "changed.yaml").write_text(changed)
    message = _mismatch(project, chain, records, deployer, records.folder.parent / "changed.yaml")
    assert "AAPLx: underlying_ticker at deployment is 'AAPL' on chain, 'AAPL.X' in the config" in message


def test_changed_code_and_unrecorded_upgrades_are_reported(project, chain, records, deployer):
    deployer_for(project, chain, records, deployer).deploy(load_config(CONFIG))
    path = records.path("StockTokenImplementation")
    record = json.loads(path.read_text())
    assert record["codeHash"].startswith("0x") and len(record["codeHash"]) == 66
    record["codeHash"] = "0x" + "11" * 32  # as if contracts/token/StockToken.sol had changed since
    path.write_text(json.dumps(record))
    proxy = records.path("ComplianceRegistry")
    registry_record = json.loads(proxy.read_text())
    registry_record["implementation"] = deployer.address  # as if upgraded behind the records' back
    proxy.write_text(json.dumps(registry_record))
    message = _mismatch(project, chain, records, deployer, CONFIG)
    assert "StockTokenImplementation: the StockToken sources changed since it was deployed" in message
    assert f"ComplianceRegistry: the proxy at {registry_record['address']} now runs" in message


def _through_governance(chain, accounts, records, target, data):
    """The admin's way: the Safe 2-of-3 schedules the call on the timelock; released after the delay."""
    timelock = gov.timelock_at(records.address("Timelock"))
    operation = _through_timelock(chain, accounts, gov.safe_at(records.address("Safe")), timelock, target, data)
    chain.mine(timestamp=chain.blocks.head.timestamp + operation["delay"] + 1)
    return gov.release(timelock, operation, accounts[0], chain.provider)


def test_governance_upgrades_are_accepted_into_the_records(project, chain, accounts, records, deployer, l2_url,
                                                           tmp_path):  # fmt: skip
    config = load_config(CONFIG)
    deployer_for(project, chain, records, deployer).deploy(config)
    factory = project.StockTokenFactory.at(records.address("StockTokenFactory"))
    registry = project.ComplianceRegistry.at(records.address("ComplianceRegistry"))
    old_token = records.address("StockTokenImplementation")
    old_registry = records.address("ComplianceRegistryImplementation")
    mock = deployer.deploy(project.StockTokenV2Mock, registry.address)  # test-only code, in the build
    registry_v2 = deployer.deploy(project.ComplianceRegistry)  # the same code at a new address
    _through_governance(
        chain, accounts, records, factory.address, gov.encode_call(factory, "upgradeTokens", mock.address)
    )
    _through_governance(chain, accounts, records, registry.address,
                                gov.encode_call(registry, "upgradeToAndCall", registry_v2.address, b""))  # fmt: skip

    message = _mismatch(project, chain, records, deployer, CONFIG)
    token = records.address("StockToken_AAPLx")
    assert f"StockToken_AAPLx: the proxy at {token} now runs {mock.address}, the record says {old_token}" in message
    assert f"ComplianceRegistry: the proxy at {registry.address} now runs {registry_v2.address}" in message
    assert "record it with `ape run deploy CONFIG --accept-upgrades`" in message

    # A contract of contracts/test/ is in the build, but never trusted: all or nothing, nothing recorded.
    refused = _ape_deploy(l2_url, tmp_path, str(CONFIG), "--network", "arbitrum:devnet", "--accept-upgrades")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert (f"StockToken_AAPLx: the proxy at {token} now runs {mock.address}, which is StockTokenV2Mock from "
            "contracts/test/ (test-only): never accepted") in refused.stderr  # fmt: skip
    assert records.load("StockToken_AAPLx")["implementation"] == old_token
    assert records.load("ComplianceRegistry")["implementation"] == old_registry

    token_v2 = deployer.deploy(project.StockToken, registry.address)  # the suite's own code, a fresh deployment
    upgrade = _through_governance(chain, accounts, records, factory.address,
                                  gov.encode_call(factory, "upgradeTokens", token_v2.address))  # fmt: skip
    plan = _ape_deploy(l2_url, tmp_path, str(CONFIG), "--network", "arbitrum:devnet", "--accept-upgrades", "--dry-run")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "would have accepted the upgrade of StockToken_AAPLx" in plan.stdout and "0 transaction(s)" in plan.stdout
    assert records.load("StockToken_AAPLx")["implementation"] == old_token  # the dry run recorded nothing

    accepted = _ape_deploy(l2_url, tmp_path, str(CONFIG), "--network", "arbitrum:devnet", "--accept-upgrades")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert (f"accepted the upgrade of StockToken_AAPLx: implementation {old_token} -> {token_v2.address} "
            "(StockToken)") in accepted.stdout  # fmt: skip
    assert (f"accepted the upgrade of ComplianceRegistry: implementation {old_registry} -> {registry_v2.address} "
            "(ComplianceRegistry)") in accepted.stdout  # fmt: skip
    assert "transactions: 0" in accepted.stdout

    record = records.load("StockToken_TSLAx")
    assert record["implementation"] == token_v2.address and record["contractName"] == "StockToken"
    implementation = records.load("StockTokenImplementation")
    assert implementation["address"] == token_v2.address
    assert implementation["codeHash"] == creation_code_hash(project.StockToken.contract_type)
    assert implementation["blockNumber"] == upgrade.block_number and "args" not in implementation
    assert records.load("ComplianceRegistryImplementation")["address"] == registry_v2.address
    again = deployer_for(project, chain, records, deployer).deploy(config)
    assert again.transactions == 0 and again.accepted == []


def test_an_upgrade_to_unknown_code_stays_refused(project, chain, accounts, records, deployer):
    config = load_config(CONFIG)
    deployer_for(project, chain, records, deployer).deploy(config)
    factory = project.StockTokenFactory.at(records.address("StockTokenFactory"))
    # StockToken's code with one letter of a revert message changed (it still answers REGISTRY(),
    # as upgradeTokens asks): close to the build, but not in it.
    code = bytearray(chain.provider.get_code(records.address("StockTokenImplementation")))
    message = bytes(code).rindex(b"unfrozen balance")
    code[message] = ord("U")
    unknown = accounts[19].address
    chain.provider.set_code(unknown, bytes(code))
    _through_governance(chain, accounts, records, factory.address,
                                gov.encode_call(factory, "upgradeTokens", unknown))  # fmt: skip
    before = records.load("StockToken_AAPLx")
    height = chain.blocks.head.number
    with pytest.raises(DeployMismatch) as info:
        deployer_for(project, chain, records, deployer).deploy(config, accept_upgrades=True)
    assert (f"StockToken_AAPLx: the proxy at {before['address']} now runs {unknown}, whose code is no contract of "
            "this build: not accepted") in str(info.value)  # fmt: skip
    assert records.load("StockToken_AAPLx") == before and chain.blocks.head.number == height


def test_runtime_code_matches_its_build_up_to_immutables_and_metadata():
    metadata = "a264697066735822" + "12" * 34 + "64736f6c6343" + "00081c" + "0033"
    built = "0x6080" + "7f" + "00" * 32 + "5b00" + metadata
    deployed = "0x6080" + "7f" + "ab" * 32 + "5b00" + metadata.replace("12", "34")
    assert runtime_matches(deployed, built)
    assert not runtime_matches(deployed.replace("5b00a2", "5b01a2"), built)  # an instruction changed
    assert not runtime_matches(deployed + "00", built)
    assert not runtime_matches("0x6080" + "7e" + "ab" * 31 + "5b00" + metadata, "0x6080" + "7e" + "00" * 31 + "5b00"
                               + metadata)  # only PUSH32 operands are immutables  # fmt: skip


def test_extra_role_holders_are_listed_and_do_not_block(project, chain, accounts, records, deployer, l2_url,
                                                        tmp_path):  # fmt: skip
    config = load_config(CONFIG)
    deployer_for(project, chain, records, deployer).deploy(config)
    token = project.StockToken.at(records.address("StockToken_AAPLx"))
    extra, passing = accounts[15].address, accounts[16].address
    for call in (("grantRole", token.MINTER_ROLE(), extra), ("grantRole", token.PAUSER_ROLE(), passing),
                 ("revokeRole", token.PAUSER_ROLE(), passing)):  # fmt: skip
        _through_governance(chain, accounts, records, token.address, gov.encode_call(token, *call))

    report = deployer_for(project, chain, records, deployer).deploy(config)
    assert report.transactions == 0  # listed, not blocking
    assert report.warnings == [f"StockToken_AAPLx: {extra} holds MINTER_ROLE, which the config does not give it "
                               "(granted since, e.g. by governance); if it should not, revoke it: `ape run governance "
                               f"propose StockToken_AAPLx revokeRole MINTER_ROLE {extra} --timelock`"]  # fmt: skip
    shown = _ape_deploy(l2_url, tmp_path, str(CONFIG), "--network", "arbitrum:devnet")
    assert shown.returncode == 0 and "transactions: 0" in shown.stdout, shown.stdout + shown.stderr
    assert f"warning: StockToken_AAPLx: {extra} holds MINTER_ROLE" in shown.stdout

    _through_governance(chain, accounts, records, token.address,
                        gov.encode_call(token, "revokeRole", token.MINTER_ROLE(), extra))  # fmt: skip
    assert deployer_for(project, chain, records, deployer).deploy(config).warnings == []


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
        (lambda t: t.replace("threshold: 2", "threshold: 4"), "governance.safe.threshold: 4 is not between 1 and 3"),
        (lambda t: t.replace("[test:20, test:21, test:22]", "[test:20, test:20]"), "an owner is listed twice"),
        (
            lambda t: t.replace("  timelock:\n    min_delay: 86400", ""),
            "roles.admin is 'timelock' but governance.timelock",
        ),
        (lambda t: t.replace("min_delay: 86400", "min_delay: soon"), "expected a whole number, got 'soon'"),
        (
            lambda t: t.replace("stablecoin: local", "stablecoins: local"),
            "stablecoins: unknown key; allowed: governance",
        ),
        (lambda t: t.replace("sequencer_grace_period: 3600", "sequencer_grace_period: [1]"), "sequencer_grace_period"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path, edit, message):
    path = tmp_path / "suite.yaml"
    path.write_text(edit(CONFIG.read_text()))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value)


# ---------------------------------------------------------------------------------------------
# The command line: bad input is one clear message and nothing is sent.

PASSWORD = "correct horse battery staple"


def _ape_deploy(l2_url, root, *args, env=None, unset=()):
    environment = {"STOCKSUITE_DEPLOYMENTS": str(root), "L2_PORT": l2_url.rsplit(":", 1)[1], **(env or {})}
    # APE_FOUNDRY_HOST (the test session's chain) would make ape-foundry "fork" onto the chain itself.
    return run([str(VENV_BIN / "ape"), "run", "deploy", *args], env=environment, timeout=600,
               unset=("APE_FOUNDRY_HOST", *unset))  # fmt: skip


@pytest.fixture
def keyfile_account(tmp_path, chain):
    """An ape keyfile account `ci-deployer` in a private ape data folder, funded on the L2."""
    from eth_account import Account

    account = Account.create()
    folder = tmp_path / "ape-data"
    (folder / "accounts").mkdir(parents=True)
    (folder / "accounts" / "ci-deployer.json").write_text(json.dumps(Account.encrypt(account.key, PASSWORD)))
    chain.provider.set_balance(account.address, 10**21)
    return account.address, folder


def test_cli_bad_input_sends_nothing(chain, l2_url, tmp_path, keyfile_account):
    address, ape_data = keyfile_account
    height = chain.blocks.head.number
    unknown = _ape_deploy(l2_url, tmp_path, str(CONFIG), "--network", "arbitrum:nowhere")
    assert unknown.returncode == 2 and "No network in 'arbitrum' named 'nowhere'" in unknown.stdout + unknown.stderr
    # `uri: ${ARBITRUM_RPC_URL}` in ape-config.yaml: named before ape connects (or starts a fork).
    for network, fragment in (
        ("arbitrum:mainnet", "the RPC endpoint of the network"),
        ("arbitrum:mainnet-fork", "the RPC endpoint of arbitrum:mainnet, which it forks"),
    ):
        no_rpc = _ape_deploy(l2_url, tmp_path, str(CONFIG), "--network", network, unset=("ARBITRUM_RPC_URL",))
        assert_one_line_error(no_rpc, f"error: {network} needs ARBITRUM_RPC_URL ({fragment}); set it and run again")
        assert "anvil" not in no_rpc.stdout + no_rpc.stderr
    bad_key = tmp_path / "bad.yaml"
    bad_key.write_text(CONFIG.read_text().replace("tickers:", "tickerz:"))
    assert_one_line_error(_ape_deploy(l2_url, tmp_path, str(bad_key), "--network", "arbitrum:devnet"),
                          "tickerz: unknown key; allowed: governance, roles")  # fmt: skip
    other_chain = tmp_path / "other"
    (other_chain / "arbitrum-devnet").mkdir(parents=True)
    (other_chain / "arbitrum-devnet" / ".chain").write_text("42161\n")
    assert_one_line_error(_ape_deploy(l2_url, other_chain, str(CONFIG), "--network", "arbitrum:devnet"),
                          "holds records for chain id 42161")  # fmt: skip
    env = {"APE_DATA_FOLDER": str(ape_data)}
    locked = _ape_deploy(l2_url, tmp_path, str(CONFIG), "--network", "arbitrum:devnet", "--account", "ci-deployer",
                         env=env)  # fmt: skip
    assert_one_line_error(locked, "account 'ci-deployer' is locked", "APE_ACCOUNTS_ci-deployer_PASSPHRASE")
    wrong = _ape_deploy(l2_url, tmp_path, str(CONFIG), "--network", "arbitrum:devnet", "--account", "ci-deployer",
                        env={**env, "APE_ACCOUNTS_ci-deployer_PASSPHRASE": "wrong"})  # fmt: skip
    assert_one_line_error(wrong, "does not unlock account 'ci-deployer'")
    assert chain.blocks.head.number == height
    assert not (tmp_path / "arbitrum-devnet").exists()


def test_cli_dry_run_then_deploy_with_a_keyfile_passphrase_from_the_environment(chain, l2_url, tmp_path,
                                                                                 keyfile_account):  # fmt: skip
    address, ape_data = keyfile_account
    env = {"APE_DATA_FOLDER": str(ape_data)}
    height = chain.blocks.head.number
    plan = _ape_deploy(l2_url, tmp_path, str(CONFIG), "--network", "arbitrum:devnet", "--account", "ci-deployer",
                       "--dry-run", env=env)  # fmt: skip
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "simulated on a fork; nothing sent" in plan.stdout
    assert "deploy Safe 2-of-3" in plan.stdout and "create AAPLx" in plan.stdout
    assert "renounce the deployer's DEFAULT_ADMIN_ROLE on StockToken_AAPLx" in plan.stdout
    assert chain.blocks.head.number == height and not (tmp_path / "arbitrum-devnet").exists()
    steps = int(plan.stdout.split("nothing sent): ")[1].split(" ")[0])

    done = _ape_deploy(l2_url, tmp_path, str(CONFIG), "--network", "arbitrum:devnet", "--account", "ci-deployer",
                       env={**env, "APE_ACCOUNTS_ci-deployer_PASSPHRASE": PASSWORD})  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"transactions: {steps}" in done.stdout  # the plan was exactly what ran
    assert PASSWORD not in done.stdout + done.stderr
    record = json.loads((tmp_path / "arbitrum-devnet" / "ComplianceRegistry.json").read_text())
    assert chain.provider.get_receipt(record["transactionHash"]).sender == address
    assert (tmp_path / "exports" / "arbitrum-devnet.json").is_file()


def test_only_the_suites_contracts_are_trusted_as_implementations(project):
    from stocksuite.deploy.upgrades import untrusted_folder

    local, arbitrum_one = 412346, 42161
    assert (
        untrusted_folder(project.StockTokenV2Mock, local)
        == untrusted_folder(project.PlainERC20, arbitrum_one)
        == "test/"
    )
    assert untrusted_folder(project.ManualFeed, local) is None  # the local L2's own stand-in, there only
    assert untrusted_folder(project.ManualFeed, arbitrum_one) == "local/"
    assert untrusted_folder(project.StockToken, arbitrum_one) is None
    assert untrusted_folder(gov.container("SafeL2"), arbitrum_one) is None
