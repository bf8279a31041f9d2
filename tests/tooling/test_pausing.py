"""ape run issuance pause / unpause: sent by the pauser, proposed to governance when it holds the role."""

from __future__ import annotations

import pytest

from stocksuite.governance import proposals as gov
from stocksuite.corporate.operations import Context
from stocksuite.deploy.deployer import SuiteDeployer, load_config
from stocksuite.chain.deployments import Deployments
from stocksuite.governance.pausing import PauseError, plan_pause, propose_pause
from tests.helpers import PROJECT_ROOT, VENV_BIN, assert_one_line_error, run
from tests.tooling.test_governance import _through_timelock, owners, reviewed, signed_by

CONFIG = PROJECT_ROOT / "config" / "tickers.yaml"


def _deploy(project, chain, deployer, root, pauser):
    config = root / "suite.yaml"
    config.write_text(CONFIG.read_text().replace("pauser: test:5", f"pauser: {pauser}"))
    records = Deployments.open("arbitrum:devnet", chain.chain_id, root=root)
    SuiteDeployer(project, chain, records, deployer, log=lambda _: None).deploy(load_config(config))
    return records


@pytest.fixture(scope="module")
def pause_suites(project, chain, deployer, tmp_path_factory):
    """Two suites: the sample (test:5 pauses) and one whose Safe holds every PAUSER_ROLE."""
    return {pauser: _deploy(project, chain, deployer, tmp_path_factory.mktemp(f"pause-{pauser}"), pauser)
            for pauser in ("test:5", "safe")}  # fmt: skip


def _ape(records, l2_url, *args):
    env = {"STOCKSUITE_DEPLOYMENTS": str(records.folder.parent), "L2_PORT": l2_url.rsplit(":", 1)[1]}
    return run([str(VENV_BIN / "ape"), "run", "issuance", *args, "--network", "arbitrum:devnet"], env=env)


def _token(project, records, symbol="AAPLx"):
    return project.StockToken.at(records.address(f"StockToken_{symbol}"))


def test_the_pauser_pauses_and_unpauses_directly(project, pause_suites, l2_url):
    records = pause_suites["test:5"]
    token = _token(project, records)
    paused = _ape(records, l2_url, "pause", "AAPLx", "--account", "test:5")
    assert paused.returncode == 0, paused.stderr
    assert f"sending: CALL StockToken_AAPLx {token.address}: pause()" in paused.stdout and token.paused()
    again = _ape(records, l2_url, "pause", "AAPLx", "--account", "test:5")
    assert_one_line_error(again, "AAPLx is already paused: nothing to send")
    assert _ape(records, l2_url, "unpause", "AAPLx", "--account", "test:5").returncode == 0
    assert not token.paused()


def test_anyone_else_is_refused_and_nothing_is_sent(project, accounts, pause_suites, l2_url):
    records = pause_suites["test:5"]
    sent = accounts[19].nonce  # the command may mine an empty block to catch the local clock up
    refused = _ape(records, l2_url, "pause", "AAPLx", "--account", "test:19")
    assert_one_line_error(refused, "does not hold PAUSER_ROLE on StockToken_AAPLx", "nor does the Safe or the timelock")
    assert accounts[19].nonce == sent and not _token(project, records).paused()
    assert not (PROJECT_ROOT / "pause-AAPLx.json").exists()  # no proposal written either


def test_with_the_safe_as_pauser_a_proposal_is_written(project, chain, accounts, pause_suites, l2_url):
    records = pause_suites["safe"]
    token, safe = _token(project, records), gov.safe_at(records.address("Safe"))
    sent = accounts[5].nonce
    out = records.folder.parent / "pause-AAPLx.json"
    proposed = _ape(records, l2_url, "pause", "AAPLx", "--account", "test:5", "--out", str(out))
    assert proposed.returncode == 0, proposed.stderr
    assert "PAUSER_ROLE on StockToken_AAPLx sits with the safe: nothing sent" in proposed.stdout
    assert f"CALL StockToken_AAPLx {token.address}: pause()" in proposed.stdout
    assert accounts[5].nonce == sent and not token.paused()
    tx = gov.SafeTx.load(out)
    signed_by(safe, tx, owners(accounts)[:2], records=records)
    gov.execute(safe, tx, accounts[0], chain.provider, reviewed(safe, tx, records))
    assert token.paused()


def test_the_vault_pauses_requests_or_fills(project, chain, accounts, pause_suites):
    records = pause_suites["safe"]
    ctx = Context(project, chain, records)
    plan = plan_pause(ctx, "TSLAx", True, "requests", accounts[5].address)
    assert (plan.record, plan.function, plan.args, plan.holder) == (
        "RedemptionVault_TSLAx",
        "setPaused",
        (True, False),
        "safe",
    )
    tx, checked = propose_pause(ctx, plan)
    vault = project.RedemptionVault.at(records.address("RedemptionVault_TSLAx"))
    assert checked.call.lines() == [
        f"CALL RedemptionVault_TSLAx {vault.address}: setPaused(requests=True, fills=False)"
    ]
    safe = gov.safe_at(records.address("Safe"))
    signed_by(safe, tx, owners(accounts)[:2], records=records)
    gov.execute(safe, tx, accounts[0], chain.provider, reviewed(safe, tx, records))
    assert vault.requestsPaused() and not vault.fillsPaused()
    with pytest.raises(PauseError, match="requests already paused"):
        plan_pause(ctx, "TSLAx", True, "requests", accounts[5].address)
    assert plan_pause(ctx, "TSLAx", False, "all", accounts[5].address).args == (False, False)


def test_when_the_timelock_holds_the_role_the_proposal_schedules_it(project, chain, accounts, pause_suites):
    records = pause_suites["test:5"]
    token = _token(project, records, "TSLAx")
    timelock, safe = gov.timelock_at(records.address("Timelock")), gov.safe_at(records.address("Safe"))
    operation = _through_timelock(chain, accounts, safe, timelock, token.address,
                                  gov.encode_call(token, "grantRole", token.PAUSER_ROLE(), timelock.address))  # fmt: skip
    chain.mine(timestamp=chain.blocks.head.timestamp + operation["delay"] + 1)
    gov.release(timelock, operation, accounts[0], chain.provider)
    plan = plan_pause(Context(project, chain, records), "TSLAx", True, None, accounts[19].address)
    assert plan.holder == "timelock"
    tx, checked = propose_pause(Context(project, chain, records), plan)
    assert tx.to == timelock.address and tx.timelock["target"] == token.address
    assert checked.call.lines()[1] == f"  - CALL StockToken_TSLAx {token.address}: pause()"
