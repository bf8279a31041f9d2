"""Governance: a real Safe 2-of-3 runs an operator action; the timelock guards grants and upgrades."""

from __future__ import annotations

import re

import pytest
from ape.exceptions import ContractLogicError

from stocksuite.governance import proposals as gov
from stocksuite.deploy.deployer import SuiteDeployer, load_config
from stocksuite.chain.deployments import Deployments
from stocksuite.config.records import FROZEN
from stocksuite.governance.review import KnownContracts, SafeTxRefused, multisend_data, review
from tests.helpers import PROJECT_ROOT, VENV_BIN, assert_one_line_error, run

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
def suite_registry(project, suite):
    return project.ComplianceRegistry.at(suite.address("ComplianceRegistry"))


def owners(accounts):
    return [accounts[i] for i in OWNERS]


def reviewed(safe, tx, records=None, allow=(), allow_self_call=False, **contracts):
    """The review sign and execute need: with the records' contracts, or the contracts given."""
    known = KnownContracts.from_records(records) if records else KnownContracts.of(Safe=safe, **contracts)
    return review(safe, tx, known, allow_self_call=allow_self_call, allow_targets=tuple(allow))


def signed_by(safe, tx, signers, **kwargs):
    for owner in signers:
        gov.sign(safe, tx, owner, reviewed(safe, tx, **kwargs))
    return tx


def _register(chain, suite_registry, safe, accounts, wallet):
    """Onboard `wallet` through the Safe (it is the compliance officer here)."""
    from stocksuite.config.records import InvestorRecord

    record = InvestorRecord(276, 1, chain.pending_timestamp + 365 * 86400).pack()
    data = gov.encode_call(suite_registry, "setInvestors", [wallet], [record])
    tx = signed_by(safe, gov.propose(safe, chain.chain_id, suite_registry.address, data, "onboard"),
                   owners(accounts)[:2], allow=[suite_registry.address])  # fmt: skip
    gov.execute(safe, tx, accounts[0], chain.provider, reviewed(safe, tx, allow=[suite_registry.address]))


@pytest.mark.parametrize("operation", ["CALL", "DELEGATECALL batch"])
def test_safe_digest_is_the_safes_own_hash(chain, accounts, safe, suite, suite_registry, operation):
    if operation == "CALL":
        to, data, op = suite_registry.address, b"\x01\x02", 0
    else:
        calls = [(suite_registry.address, 0, gov.encode_call(suite_registry, "setFrozen", [accounts[n].address], True))
                 for n in (17, 18)]  # fmt: skip
        to, data, op = suite.address("MultiSendCallOnly"), multisend_data(calls), 1
    tx = gov.propose(safe, chain.chain_id, to, data, "anything")
    tx.operation = op
    on_chain = safe.getTransactionHash(to, 0, data, op, 0, 0, 0, gov.ZERO_ADDRESS, gov.ZERO_ADDRESS, tx.nonce)
    assert bytes(on_chain) == tx.digest()
    assert tx.digest() != gov.SafeTx(**{**tx.__dict__, "operation": 1 - op}).digest()  # the operation is hashed


def test_a_signature_with_a_short_r_is_accepted_by_the_real_safe(chain, accounts, safe, suite):
    """ape's accounts give r and s as the integers' minimal bytes (31 bytes or fewer one time in
    256): the stored signature is ape's 65-byte encoding, and execTransaction accepts it."""
    receiver, first, second = accounts[19].address, *owners(accounts)[:2]
    template = gov.propose(safe, chain.chain_id, receiver, b"", "")
    for counter in range(4096):  # a plain CALL to an account, its data varied until r is short
        data = counter.to_bytes(4)
        candidate = gov.SafeTx(**{**template.__dict__, "data": "0x" + data.hex()})
        if len(bytes(first.sign_message(candidate.safe_tx()).r)) < 32:
            break
    else:
        pytest.fail("no signature with a short r in 4096 tries")
    tx = gov.propose(safe, chain.chain_id, receiver, data, "")
    signed_by(safe, tx, [first, second], allow=[receiver])
    signature = tx.signatures[first.address]
    assert len(bytes.fromhex(signature[2:])) == 65 and signature[2:4] == "00"
    assert gov.valid_signers(safe, tx) == [first.address, second.address]
    nonce = gov.safe_nonce(safe)
    receipt = gov.execute(safe, tx, accounts[0], chain.provider, reviewed(safe, tx, allow=[receiver]))
    assert [bytes(e.txHash) for e in receipt.events.filter(safe.ExecutionSuccess)] == [tx.digest()]
    assert gov.safe_nonce(safe) == nonce + 1


def test_a_freeze_runs_through_the_safe_with_two_of_three(chain, accounts, safe, suite, suite_registry, outsider):
    wallet = accounts[15].address
    _register(chain, suite_registry, safe, accounts, wallet)
    # An owner alone, or anyone else, cannot freeze directly.
    with pytest.raises(ContractLogicError):
        suite_registry.setFrozen([wallet], True, sender=accounts[OWNERS[0]])
    data = gov.encode_call(suite_registry, "setFrozen", [wallet], True)
    tx = gov.propose(safe, chain.chain_id, suite_registry.address, data, "freeze a wallet")
    with pytest.raises(gov.GovernanceError, match="is not an owner"):
        gov.sign(safe, tx, outsider, reviewed(safe, tx, suite))
    signed_by(safe, tx, [accounts[OWNERS[0]]], records=suite)
    with pytest.raises(gov.GovernanceError, match="2 owner signatures needed, 1 valid"):
        gov.execute(safe, tx, outsider, chain.provider, reviewed(safe, tx, suite))
    # A signature copied from another owner's slot does not count.
    forged = gov.SafeTx(**{**tx.__dict__, "signatures": {accounts[OWNERS[1]].address: tx.signatures[accounts[OWNERS[0]].address],
                                                         **tx.signatures}})  # fmt: skip
    assert gov.valid_signers(safe, forged) == [accounts[OWNERS[0]].address]
    with pytest.raises(SafeTxRefused, match=f"the signature of {accounts[OWNERS[1]].address} is not over this"):
        reviewed(safe, forged, suite)
    signed_by(safe, tx, [accounts[OWNERS[2]]], records=suite)
    receipt = gov.execute(safe, tx, outsider, chain.provider, reviewed(safe, tx, suite))  # anyone may submit it
    assert suite_registry.recordOf(wallet) & FROZEN
    assert [e.wallet for e in receipt.events.filter(suite_registry.InvestorFrozen)] == [wallet]
    # The same signed transaction cannot run twice (the Safe's nonce moved on).
    with pytest.raises(gov.GovernanceError, match="already used"):
        gov.execute(safe, tx, outsider, chain.provider, reviewed(safe, tx, suite))


def test_a_failing_call_names_the_targets_error_before_sending(chain, accounts, safe, suite, suite_registry):
    stranger = accounts[19].address  # never registered: setFrozen refuses unknown wallets
    data = gov.encode_call(suite_registry, "setFrozen", [stranger], True)
    tx = gov.propose(safe, chain.chain_id, suite_registry.address, data, "freeze an unknown wallet")
    signed_by(safe, tx, owners(accounts)[:2], records=suite)
    height = chain.blocks.head.number
    with pytest.raises(gov.GovernanceError, match="the call would revert"):
        gov.execute(safe, tx, accounts[0], chain.provider, reviewed(safe, tx, suite))
    assert chain.blocks.head.number == height


def _through_timelock(chain, accounts, safe, timelock, target, data):
    operation = gov.timelock_operation(timelock, target, data)
    tx = gov.propose(safe, chain.chain_id, timelock.address, gov.schedule_calldata(timelock, operation), "schedule",
                     timelock=operation)  # fmt: skip
    signed_by(safe, tx, owners(accounts)[1:], allow=[target], Timelock=timelock)
    gov.execute(safe, tx, accounts[0], chain.provider, reviewed(safe, tx, allow=[target], Timelock=timelock))
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
def test_bad_call_text_is_one_clear_error(chain, suite_registry, function, args, message):
    with pytest.raises(gov.GovernanceError, match=re.escape(message)):
        gov.encode_from_text(suite_registry, function, args, chain.chain_id)


def test_cli_propose_sign_execute(chain, accounts, suite, suite_registry, l2_url, tmp_path):
    wallet = accounts[16].address
    safe = gov.safe_at(suite.address("Safe"))
    _register(chain, suite_registry, safe, accounts, wallet)
    env = {"STOCKSUITE_DEPLOYMENTS": str(suite.folder.parent), "L2_PORT": l2_url.rsplit(":", 1)[1]}
    proposal = tmp_path / "freeze.json"

    def ape(*args):
        return run([str(VENV_BIN / "ape"), "run", "governance", *args, "--network", "arbitrum:devnet"], env=env)

    proc = ape("propose", "ComplianceRegistry", "setFrozen", f'["{wallet}"]', "true", "--out", str(proposal))
    assert proc.returncode == 0, proc.stderr
    assert (
        f"CALL ComplianceRegistry {suite_registry.address}: setFrozen(wallets=[{wallet}], frozen=True)" in proc.stdout
    )
    # Shown before the question: the decoded call, nonce and safeTxHash; "no" signs nothing.
    declined = run([str(VENV_BIN / "ape"), "run", "governance", "sign", str(proposal), "--account", "test:20",
                    "--network", "arbitrum:devnet"], env=env, input="n\n")  # fmt: skip
    tx = gov.SafeTx.load(proposal)
    assert declined.returncode == 1 and tx.signatures == {}
    assert f"transaction nonce {tx.nonce}" in declined.stdout and f"safeTxHash {tx.safe_tx_hash}" in declined.stdout
    assert f"setFrozen(wallets=[{wallet}], frozen=True)" in declined.stdout
    assert declined.stdout.index("decoded call:") < declined.stdout.index("Sign safeTxHash")
    assert ape("sign", str(proposal), "--account", "test:20", "--yes").returncode == 0
    early = ape("execute", str(proposal), "--yes")
    assert early.returncode == 1 and "2 owner signatures needed, 1 valid" in early.stderr
    assert not suite_registry.recordOf(wallet) & FROZEN
    assert ape("sign", str(proposal), "--account", "test:22", "--yes").returncode == 0
    done = ape("execute", str(proposal), "--yes")
    assert done.returncode == 0, done.stderr
    assert suite_registry.recordOf(wallet) & FROZEN
    missing = ape("sign", str(tmp_path / "nope.json"), "--account", "test:21", "--yes")
    assert missing.returncode == 1 and "nope.json: cannot read" in missing.stderr


# ---------------------------------------------------------------------------------------------
# Nothing signed blind: the call is decoded from the fields, dangerous ones refused.


def test_the_reviews_attack_a_setfrozen_label_on_an_owner_change_is_refused(chain, accounts, safe, suite, l2_url,
                                                                           tmp_path):  # fmt: skip
    attacker = accounts[19].address
    data = gov.encode_call(safe, "addOwnerWithThreshold", attacker, 1)
    tx = gov.propose(
        safe, chain.chain_id, safe.address, data, "ComplianceRegistry.setFrozen(wallets=[...], frozen=True)"
    )
    proposal = tmp_path / "freeze.json"
    tx.save(proposal)
    env = {"STOCKSUITE_DEPLOYMENTS": str(suite.folder.parent), "L2_PORT": l2_url.rsplit(":", 1)[1]}

    def ape(*args):
        return run([str(VENV_BIN / "ape"), "run", "governance", *args, "--network", "arbitrum:devnet"], env=env)

    shown = f"addOwnerWithThreshold(owner={attacker}, _threshold=1)"
    for command in (("sign", str(proposal), "--account", "test:20", "--yes"), ("execute", str(proposal), "--yes")):
        assert_one_line_error(ape(*command), "calls the Safe itself", shown, "--allow-self-call")
    assert gov.SafeTx.load(proposal).signatures == {} and attacker not in safe.getOwners()
    # With the flag, the owner sees what it is: the label is not shown as the call.
    allowed = ape("sign", str(proposal), "--account", "test:20", "--allow-self-call", "--yes")
    assert allowed.returncode == 0, allowed.stderr
    assert f"CALL Safe {safe.address}: {shown}" in allowed.stdout
    assert "the file's description does not match its calldata; ignored" in allowed.stdout
    assert "setFrozen" not in allowed.stdout.replace("description", "")


def test_a_field_changed_after_signing_is_caught(chain, accounts, safe, suite, suite_registry):
    data = gov.encode_call(suite_registry, "setFrozen", [accounts[15].address], True)
    tx = signed_by(safe, gov.propose(safe, chain.chain_id, suite_registry.address, data, "freeze"),
                   owners(accounts)[:1], records=suite)  # fmt: skip
    tampered = gov.SafeTx(**{**tx.__dict__, "to": safe.address, "data": "0x" + gov.encode_call(
        safe, "changeThreshold", 1).hex()})  # fmt: skip
    with pytest.raises(SafeTxRefused, match="fields hash to .*, not to the safeTxHash"):
        reviewed(safe, tampered, suite, allow_self_call=True)
    rehashed = gov.SafeTx(**{**tampered.__dict__, "safe_tx_hash": ""})  # the attacker drops the recorded hash too
    with pytest.raises(SafeTxRefused, match="is not over this transaction's safeTxHash"):
        reviewed(safe, rehashed, suite, allow_self_call=True)
    with pytest.raises(gov.GovernanceError, match="changed since it was reviewed"):
        gov.execute(safe, rehashed, accounts[0], chain.provider, reviewed(safe, tx, suite))


def _tx(safe, chain, to, data, operation=0):
    tx = gov.propose(safe, chain.chain_id, to, data, "")
    tx.operation, tx.safe_tx_hash = operation, ""
    return tx


def test_delegatecalls_and_unknown_targets_are_refused(chain, accounts, safe, suite, suite_registry):
    data = gov.encode_call(suite_registry, "setFrozen", [accounts[15].address], True)
    with pytest.raises(SafeTxRefused, match=f"DELEGATECALL to ComplianceRegistry {suite_registry.address}: refused"):
        reviewed(safe, _tx(safe, chain, suite_registry.address, data, operation=1), suite)
    with pytest.raises(SafeTxRefused, match="operation 2 is neither CALL"):
        reviewed(safe, _tx(safe, chain, suite_registry.address, data, operation=2), suite)
    stranger = accounts[19].address
    with pytest.raises(SafeTxRefused, match=f"calls {stranger}, which the deployment records do not know .*"
                                            f"--allow-target {stranger}"):  # fmt: skip
        reviewed(safe, _tx(safe, chain, stranger, data), suite)
    allowed = reviewed(safe, _tx(safe, chain, stranger, data), suite, allow=[stranger])
    assert allowed.call.target == f"unknown {stranger}" and "not decoded" in allowed.call.function


def test_a_multisend_batch_shows_each_call_and_runs_as_a_delegatecall(chain, accounts, safe, suite, suite_registry):
    multisend = suite.address("MultiSendCallOnly")
    wallets = [accounts[17].address, accounts[18].address]
    for wallet in wallets:
        _register(chain, suite_registry, safe, accounts, wallet)
    calls = [(suite_registry.address, 0, gov.encode_call(suite_registry, "setFrozen", [w], True)) for w in wallets]
    tx = _tx(safe, chain, multisend, multisend_data(calls), operation=1)
    checked = reviewed(safe, tx, suite)
    lines = checked.call.lines()
    assert lines[0] == f"DELEGATECALL MultiSendCallOnly {multisend}: multiSend(2 calls)"
    assert lines[1:] == [f"  - CALL ComplianceRegistry {suite_registry.address}: setFrozen(wallets=[{w}], frozen=True)"
                         for w in wallets]  # fmt: skip
    signed_by(safe, tx, owners(accounts)[:2], records=suite)
    gov.execute(safe, tx, accounts[0], chain.provider, reviewed(safe, tx, suite))  # a plain CALL would revert
    assert all(suite_registry.recordOf(w) & FROZEN for w in wallets)
    # Simulated with the real operation: a failing call in the batch names its error, nothing sent.
    failing = _tx(
        safe,
        chain,
        multisend,
        multisend_data(
            [(suite_registry.address, 0, gov.encode_call(suite_registry, "setFrozen", [accounts[19].address], True))]
        ),
        1,
    )
    signed_by(safe, failing, owners(accounts)[:2], records=suite)
    height = chain.blocks.head.number
    named = rf"call 1 of the batch \(ComplianceRegistry.setFrozen.*\): the call would revert: RegistryUnknownWallet"
    with pytest.raises(gov.GovernanceError, match=rf"{named}\(wallet={accounts[19].address.lower()}\)"):
        gov.execute(safe, failing, accounts[0], chain.provider, reviewed(safe, failing, suite))
    assert chain.blocks.head.number == height


@pytest.mark.parametrize("inner", ["self", "delegatecall", "unrecorded multisend"])
def test_a_batch_may_not_hide_a_dangerous_call(chain, accounts, safe, suite, suite_registry, inner):
    multisend = suite.address("MultiSendCallOnly")
    if inner == "self":
        data = multisend_data([(safe.address, 0, gov.encode_call(safe, "changeThreshold", 1))])
        match = r"calls the Safe itself \(changeThreshold\(_threshold=1\)\)"
    elif inner == "delegatecall":
        data = bytearray(multisend_data([(suite_registry.address, 0, b"")]))
        data[4 + 64] = 1  # the first packed byte: the inner call's operation
        data, match = bytes(data), "call 1 of the batch is a DELEGATECALL"
    else:
        multisend, data, match = accounts[19].address, multisend_data([]), "DELEGATECALL to unknown"
    with pytest.raises(SafeTxRefused, match=match):
        reviewed(safe, _tx(safe, chain, multisend, data, operation=1), suite)


def test_a_timelock_operation_shows_the_call_it_schedules(project, chain, accounts, safe, timelock, suite):
    token = project.StockToken.at(suite.address("StockToken_AAPLx"))
    operation = gov.timelock_operation(timelock, token.address,
                                       gov.encode_call(token, "grantRole", token.MINTER_ROLE(), accounts[15]))  # fmt: skip
    tx = gov.propose(safe, chain.chain_id, timelock.address, gov.schedule_calldata(timelock, operation), "",
                     timelock=operation)  # fmt: skip
    lines = reviewed(safe, tx, suite).call.lines()
    assert lines[0].startswith(f"CALL Timelock {timelock.address}: schedule(target={token.address} (StockToken_AAPLx)")
    assert (
        lines[1]
        == f"  - CALL StockToken_AAPLx {token.address}: grantRole(role=MINTER_ROLE, account={accounts[15].address})"
    )
    assert gov.scheduled_operation(timelock, tx)["id"] == operation["id"]
    tx.timelock = {**operation, "target": accounts[19].address}  # what release would run, changed in the file
    with pytest.raises(gov.GovernanceError, match="not the one its signed calldata schedules"):
        gov.scheduled_operation(timelock, tx)
