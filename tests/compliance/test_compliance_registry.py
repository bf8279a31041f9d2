"""ComplianceRegistry: records, validation, events that rebuild the register, UUPS upgrade."""

from __future__ import annotations

import ape
import pytest
from eth_abi import encode
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.exceptions import ContractLogicError

from stocksuite.config.records import InvestorClass, InvestorRecord
from tests.conftest import YEAR


def test_pack_matches_the_contract(registry, chain):
    record = InvestorRecord(276, InvestorClass.ACCREDITED, chain.pending_timestamp + YEAR, investor_id=7,
                            us_person=True)  # fmt: skip
    assert registry.packRecord(7, record.kyc_expiry, 276, 3, record.flags) == record.pack()
    assert InvestorRecord.unpack(record.pack()) == record


def test_set_read_and_decode(registry, roles, investors, chain):
    alice = investors["alice"]
    record = InvestorRecord(250, InvestorClass.PROFESSIONAL, chain.pending_timestamp + YEAR, investor_id=42)
    receipt = registry.setInvestors([alice.address], [record.pack()], sender=roles["officer"])
    assert registry.recordOf(alice) == record.pack()
    decoded = registry.investorOf(alice)
    assert (decoded.jurisdiction, decoded.investorClass, decoded.investorId) == (250, 2, 42)
    assert decoded.verified and not decoded.frozen
    assert registry.isVerified(alice)
    event = receipt.events.filter(registry.InvestorUpdated)[0]
    assert (event.wallet, event.record) == (alice.address, record.pack())


def test_register_rebuilds_from_logs(registry, roles, investors, chain):
    alice, bob, carol = (investors[n] for n in ("alice", "bob", "carol"))
    officer = roles["officer"]
    expiry = chain.pending_timestamp + YEAR
    start = chain.blocks.head.number
    registry.setInvestors([alice.address, bob.address],
                          [InvestorRecord(276, 1, expiry).pack(), InvestorRecord(250, 2, expiry).pack()],
                          sender=officer)  # fmt: skip
    registry.setFrozen([bob.address], True, sender=officer)
    registry.setInvestors([carol.address], [InvestorRecord(40, 3, expiry).pack()], sender=officer)
    registry.removeInvestors([alice.address], sender=officer)

    from stocksuite.chain.register import rebuild_registry

    rebuilt = rebuild_registry(registry, start_block=start)
    for wallet in (alice, bob, carol):
        assert rebuilt.get(wallet.address, 0) == registry.recordOf(wallet), wallet


@pytest.mark.parametrize(
    ("jurisdiction", "investor_class", "flags", "expiry_offset", "reason"),
    [
        (276, 1, 0x10, YEAR, 1),  # unknown flag
        (0, 1, 1, YEAR, 2),  # no jurisdiction
        (1000, 1, 1, YEAR, 2),  # not a 3-digit code
        (276, 5, 1, YEAR, 3),  # unknown class
        (276, 1, 1, -1, 4),  # verified with an expired KYC
    ],
)
def test_malformed_records_are_refused(registry, roles, investors, chain, jurisdiction, investor_class, flags,
                                       expiry_offset, reason):  # fmt: skip
    expiry = chain.pending_timestamp + expiry_offset
    record = flags | investor_class << 8 | jurisdiction << 16 | expiry << 32
    with ape.reverts(registry.RegistryInvalidRecord) as info:
        registry.setInvestors([investors["alice"].address], [record], sender=roles["officer"])
    assert info.value.inputs["reason"] == reason


def test_reserved_bits_are_refused(registry, roles, investors, chain):
    record = InvestorRecord(276, 1, chain.pending_timestamp + YEAR).pack() | 1 << 200
    with ape.reverts(registry.RegistryInvalidRecord):
        registry.setInvestors([investors["alice"].address], [record], sender=roles["officer"])


def _expected_reason(record: int, now: int) -> int | None:
    """The registry's validation, written plainly: None for a well-formed record, else the reason."""
    if record >> 136 or record & 0xF0:
        return 1
    if not 1 <= (record >> 16) & 0xFFFF <= 999:
        return 2
    if (record >> 8) & 0xFF > 4:
        return 3
    if record & 1 and (record >> 32) & (2**40 - 1) <= now:
        return 4
    return None


_edges = st.sampled_from
_records = st.tuples(
    _edges([0, 1, 2, 3, 5, 0x0F, 0x10, 0x80, 0xFF]),  # flags
    _edges([0, 1, 4, 5, 0xFF]),  # class
    _edges([0, 1, 276, 999, 1000, 0xFFFF]),  # jurisdiction
    _edges([-(10**6), -1, 0, 1, 10**6]),  # expiry vs the next block's time
    _edges([0, 1, 2**63]),  # investor id
    _edges([0, 1 << 136, 1 << 255]),  # reserved bits
)


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(fields=_records)
def test_validation_agrees_with_the_rules_for_every_field_edge(registry, roles, investors, chain, fields):
    flags, investor_class, jurisdiction, offset, investor_id, reserved = fields
    now = chain.pending_timestamp
    record = flags | investor_class << 8 | jurisdiction << 16 | (now + offset) << 32 | investor_id << 72 | reserved
    reason = _expected_reason(record, now)
    wallet = investors["dave"].address
    # The expiry edges are one second apart: the block must be mined at exactly `now`, however
    # long this process took since reading it (a busy machine takes more than a second).
    chain.provider.make_request("evm_setNextBlockTimestamp", [now])
    if reason is None:
        registry.setInvestors([wallet], [record], sender=roles["officer"])
        assert registry.recordOf(wallet) == record
    else:
        with ape.reverts(registry.RegistryInvalidRecord) as info:
            registry.setInvestors([wallet], [record], sender=roles["officer"])
        assert info.value.inputs["reason"] == reason


def test_a_wallet_word_with_dirty_high_bits_is_refused(registry, roles, chain):
    record = InvestorRecord(276, 1, chain.pending_timestamp + YEAR).pack()
    dirty = (1 << 160) | int("11" * 20, 16)  # the low 20 bytes are a valid address
    selector = keccak(text="setInvestors(address[],uint256[])")[:4]  # raw words: no encoder would send these
    payload = selector + encode(["uint256[]", "uint256[]"], [[dirty], [record]])
    web3 = chain.provider.web3
    with pytest.raises(ContractLogicError):
        web3.eth.call({"to": registry.address, "from": roles["officer"].address, "data": "0x" + payload.hex()})
    assert registry.recordOf("0x" + "11" * 20) == 0


def test_batch_errors(registry, roles, investors, outsider):
    with ape.reverts(registry.RegistryLengthMismatch):
        registry.setInvestors([outsider.address], [], sender=roles["officer"])
    with ape.reverts(registry.RegistryZeroWallet):
        registry.setInvestors(["0x" + "00" * 20], [1 | 276 << 16], sender=roles["officer"])
    with ape.reverts(registry.RegistryUnknownWallet):
        registry.setFrozen([outsider.address], True, sender=roles["officer"])


def test_same_investor_links_wallets(registry, roles, investors, chain):
    alice, bob, carol = (investors[n] for n in ("alice", "bob", "carol"))
    expiry = chain.pending_timestamp + YEAR
    registry.setInvestors([alice.address, bob.address, carol.address],
                          [InvestorRecord(276, 1, expiry, investor_id=9).pack(),
                           InvestorRecord(276, 1, expiry, investor_id=9).pack(),
                           InvestorRecord(276, 1, expiry, investor_id=0).pack()],
                          sender=roles["officer"])  # fmt: skip
    assert registry.sameInvestor(alice, bob)
    assert not registry.sameInvestor(alice, carol)
    assert not registry.sameInvestor(carol, carol)  # id 0 links nobody


def test_uups_upgrade_keeps_records(project, registry, roles, investors, deployer):
    before = registry.recordOf(investors["alice"])
    new_implementation = deployer.deploy(project.ComplianceRegistry)
    registry.upgradeToAndCall(new_implementation, b"", sender=roles["upgrader"])
    assert registry.recordOf(investors["alice"]) == before
    assert registry.hasRole(registry.COMPLIANCE_OFFICER_ROLE(), roles["officer"])


def test_storage_slot_constant_is_the_erc7201_formula():
    from eth_utils import keccak

    text = (PROJECT_ROOT / "contracts/compliance/ComplianceRegistry.sol").read_text()
    assert f"0x{erc7201('stocks.storage.ComplianceRegistry'):064x}" in text
    text = (PROJECT_ROOT / "contracts/token/StockToken.sol").read_text()
    assert f"0x{erc7201('stocks.storage.StockToken'):064x}" in text
    del keccak


def erc7201(namespace: str) -> int:
    from eth_utils import keccak

    inner = int.from_bytes(keccak(text=namespace), "big") - 1
    return int.from_bytes(keccak(inner.to_bytes(32, "big")), "big") & ~0xFF


from tests.helpers import PROJECT_ROOT  # noqa: E402
