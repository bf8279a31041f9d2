"""Governance: a real Safe 2-of-3 runs an operator action; the timelock guards grants and upgrades."""

from __future__ import annotations

import re

import pytest
from ape.exceptions import ContractLogicError

from stocksuite import governance as gov
from stocksuite.deploy import SuiteDeployer, load_config
from stocksuite.deployments import Deployments
from stocksuite.records import FROZEN
from tests.helpers import PROJECT_ROOT, VENV_BIN, run

CONFIG = PROJECT_ROOT / "config" / "tickers.yaml"
OWNERS = (20, 21, 22)


@pytest.fixture(scope="module")
def suite(project, chain, deployer, tmp_path_factory):
    """The sample suite, with the Safe as compliance officer (freezes need two owners)."""
    root = tmp_path_factory.mktemp("deployments")
    config = root / "suite.yaml"
    config.write_text(CONFIG.read_text().replace("compliance_officer: test:1", "compliance_officer: safe"))
    records = Deployments.open("arbitrum:devnet", chain.chain_id, root=root)
    SuiteDeployer(project, chain, records, deployer, log=lambda _: None).deploy(load_config(config))
    return records


@pytest.fixture(scope="module")
def safe(suite):
    return gov.safe_at(suite.address("Safe"))


@pytest.fixture(scope="module")
def timelock(suite):
    return gov.timelock_at(suite.address("Timelock"))


@pytest.fixture(scope="module")
def registry(project, suite):
    return project.ComplianceRegistry.at(suite.address("ComplianceRegistry"))


def owners(accounts):
    return [accounts[i] for i in OWNERS]


def _register(chain, registry, safe, accounts, wallet):
    """Onboard `wallet` through the Safe (it is the compliance officer here)."""
    from stocksuite.records import InvestorRecord

    record = InvestorRecord(276, 1, chain.pending_timestamp + 365 * 86400).pack()
    data = gov.encode_call(registry, "setInvestors", [wallet], [record])
    tx = gov.propose(safe, chain.chain_id, registry.address, data, "onboard")
    for owner in owners(accounts)[:2]:
        gov.sign(safe, tx, owner)
    gov.execute(safe, tx, accounts[0], chain.provider)


def test_safe_digest_is_the_safes_own_hash(chain, safe, registry):
    tx = gov.propose(safe, chain.chain_id, registry.address, b"\x01\x02", "anything")
    on_chain = safe.getTransactionHash(registry.address, 0, b"\x01\x02", 0, 0, 0, 0, gov.ZERO_ADDRESS,
                                       gov.ZERO_ADDRESS, tx.nonce)  # fmt: skip
    assert bytes(on_chain) == tx.digest()


def test_a_freeze_runs_through_the_safe_with_two_of_three(chain, accounts, safe, registry, outsider):
    wallet = accounts[15].address
    _register(chain, registry, safe, accounts, wallet)
    # An owner alone, or anyone else, cannot freeze directly.
    with pytest.raises(ContractLogicError):
        registry.setFrozen([wallet], True, sender=accounts[OWNERS[0]])
    tx = gov.propose(safe, chain.chain_id, registry.address, gov.encode_call(registry, "setFrozen", [wallet], True),
                     "freeze a wallet")  # fmt: skip
    with pytest.raises(gov.GovernanceError, match="is not an owner"):
        gov.sign(safe, tx, outsider)
    gov.sign(safe, tx, accounts[OWNERS[0]])
    with pytest.raises(gov.GovernanceError, match="2 owner signatures needed, 1 valid"):
        gov.execute(safe, tx, outsider, chain.provider)
    # A signature copied from another owner's slot does not count.
    forged = gov.SafeTx(**{**tx.__dict__, "signatures": {accounts[OWNERS[1]].address: tx.signatures[accounts[OWNERS[0]].address],
                                                         **tx.signatures}})  # fmt: skip
    assert gov.valid_signers(safe, forged) == [accounts[OWNERS[0]].address]
    gov.sign(safe, tx, accounts[OWNERS[2]])
    receipt = gov.execute(safe, tx, outsider, chain.provider)  # anyone may submit a fully signed tx
    assert registry.recordOf(wallet) & FROZEN
    assert [e.wallet for e in receipt.events.filter(registry.InvestorFrozen)] == [wallet]
    # The same signed transaction cannot run twice (the Safe's nonce moved on).
    with pytest.raises(gov.GovernanceError, match="already used"):
        gov.execute(safe, tx, outsider, chain.provider)


def test_a_signature_whose_r_or_s_starts_with_a_zero_byte_counts(chain, accounts, safe, registry):
    owner = accounts[OWNERS[0]]
    for attempt in range(5000):  # about one signature in 128 has such an r or s
        tx = gov.SafeTx(safe=safe.address, chain_id=chain.chain_id, to=registry.address,
                        data="0x" + attempt.to_bytes(4, "big").hex(), nonce=gov.safe_nonce(safe))  # fmt: skip
        signature = owner.sign_message(tx.signable())
        if min(len(bytes(signature.r)), len(bytes(signature.s))) < 32:
            break
    else:
        pytest.fail("no signature with a short r or s in 5000 attempts")
    gov.sign(safe, tx, owner)
    assert gov.valid_signers(safe, tx) == [owner.address]


def test_a_failing_call_names_the_targets_error_before_sending(chain, accounts, safe, registry):
    stranger = accounts[19].address  # never registered: setFrozen refuses unknown wallets
    tx = gov.propose(safe, chain.chain_id, registry.address, gov.encode_call(registry, "setFrozen", [stranger], True),
                     "freeze an unknown wallet")  # fmt: skip
    for owner in owners(accounts)[:2]:
        gov.sign(safe, tx, owner)
    height = chain.blocks.head.number
    with pytest.raises(gov.GovernanceError, match="the call would revert"):
        gov.execute(safe, tx, accounts[0], chain.provider)
    assert chain.blocks.head.number == height


def _through_timelock(chain, accounts, safe, timelock, target, data):
    operation = gov.timelock_operation(timelock, target, data)
    tx = gov.propose(safe, chain.chain_id, timelock.address, gov.schedule_calldata(timelock, operation), "schedule",
                     timelock=operation)  # fmt: skip
    for owner in owners(accounts)[1:]:
        gov.sign(safe, tx, owner)
    gov.execute(safe, tx, accounts[0], chain.provider)
    return operation


def test_role_grants_wait_for_the_timelock(project, chain, accounts, safe, timelock, suite):
    token = project.StockToken.at(suite.address("StockToken_AAPLx"))
    newcomer = accounts[15]
    # The Safe itself holds no admin role: grants must go through the timelock.
    with pytest.raises(gov.GovernanceError, match="AccessControlUnauthorizedAccount"):
        gov.simulate(chain.provider, safe.address, token.address,
                     gov.encode_call(token, "grantRole", token.MINTER_ROLE(), newcomer))  # fmt: skip
    operation = _through_timelock(chain, accounts, safe, timelock, token.address,
                                  gov.encode_call(token, "grantRole", token.MINTER_ROLE(), newcomer))  # fmt: skip
    with pytest.raises(gov.GovernanceError, match="is not ready before timestamp"):
        gov.release(timelock, operation, accounts[19], chain.provider)
    assert not token.hasRole(token.MINTER_ROLE(), newcomer)
    chain.mine(timestamp=chain.blocks.head.timestamp + operation["delay"] + 1)
    gov.release(timelock, operation, accounts[19], chain.provider)  # anyone may execute after the delay
    assert token.hasRole(token.MINTER_ROLE(), newcomer)
    with pytest.raises(gov.GovernanceError, match="already executed"):
        gov.release(timelock, operation, accounts[19], chain.provider)


def test_upgrades_go_through_the_timelock(project, chain, accounts, deployer, safe, timelock, suite):
    factory = project.StockTokenFactory.at(suite.address("StockTokenFactory"))
    upgraded = deployer.deploy(project.StockTokenV2Mock, suite.address("ComplianceRegistry"))
    with pytest.raises(ContractLogicError):
        factory.upgradeTokens(upgraded, sender=deployer)
    operation = _through_timelock(chain, accounts, safe, timelock, factory.address,
                                  gov.encode_call(factory, "upgradeTokens", upgraded.address))  # fmt: skip
    chain.mine(timestamp=chain.blocks.head.timestamp + operation["delay"] + 1)
    gov.release(timelock, operation, deployer, chain.provider)
    assert factory.implementation() == upgraded.address


@pytest.mark.parametrize(("function", "args", "message"), [
    ("setFrozen", ("0x1234", "true"), "wallets (address[]): cannot read"),
    ("setFrozen", ('["0x0000000000000000000000000000000000000001"]', "maybe"), "expected true or false"),
    ("setFrozen", ("[]",), "setFrozen takes 2 argument(s), got 1"),
    ("freezeEverything", (), "has no function 'freezeEverything'"),
])  # fmt: skip
def test_bad_call_text_is_one_clear_error(chain, registry, function, args, message):
    with pytest.raises(gov.GovernanceError, match=re.escape(message)):
        gov.encode_from_text(registry, function, args, chain.chain_id)


def test_cli_propose_sign_execute(chain, accounts, suite, registry, l2_url, tmp_path):
    wallet = accounts[16].address
    safe = gov.safe_at(suite.address("Safe"))
    _register(chain, registry, safe, accounts, wallet)
    env = {"STOCKSUITE_DEPLOYMENTS": str(suite.folder.parent), "L2_PORT": l2_url.rsplit(":", 1)[1]}
    proposal = tmp_path / "freeze.json"

    def ape(*args):
        return run([str(VENV_BIN / "ape"), "run", "governance", *args, "--network", "arbitrum:devnet"], env=env)

    proc = ape("propose", "ComplianceRegistry", "setFrozen", f'["{wallet}"]', "true", "--out", str(proposal))
    assert proc.returncode == 0, proc.stderr
    assert ape("sign", str(proposal), "--account", "test:20").returncode == 0
    early = ape("execute", str(proposal))
    assert early.returncode == 1 and "2 owner signatures needed, 1 valid" in early.stderr
    assert not registry.recordOf(wallet) & FROZEN
    assert ape("sign", str(proposal), "--account", "test:22").returncode == 0
    done = ape("execute", str(proposal))
    assert done.returncode == 0, done.stderr
    assert registry.recordOf(wallet) & FROZEN
    missing = ape("sign", str(tmp_path / "nope.json"), "--account", "test:21")
    assert missing.returncode == 1 and "nope.json: cannot read" in missing.stderr
