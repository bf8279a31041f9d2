"""StockToken: every rule of the transfer hook, both ways, and the issuer/agent operations."""

from __future__ import annotations

import ape
import pytest

from stocksuite.config.records import InvestorClass
from tests.conftest import YEAR, kyc_record

# Restriction codes (StockToken constants).
PAUSED, S_UNVERIFIED, R_UNVERIFIED, S_EXPIRED, R_EXPIRED = 1, 2, 3, 4, 5
S_FROZEN, R_FROZEN, S_JURIS, R_JURIS, S_CLASS, R_CLASS = 6, 7, 8, 9, 10, 11
CAP, UNFROZEN, BALANCE, S_US, R_US = 12, 13, 14, 15, 16
GERMANY, FRANCE, UNITED_STATES = 276, 250, 840


def restricted(token, call, code: int):
    """`call()` reverts with StockTransferRestricted(code) and ERC-1404 gave the same code first."""
    with ape.reverts(token.StockTransferRestricted) as info:
        call()
    assert info.value.inputs["code"] == code
    return info.value.inputs


def set_record(registry, officer, wallet, chain, **kwargs):
    registry.setInvestors([wallet.address], [kyc_record(chain, **kwargs)], sender=officer)


# ---------------------------------------------------------------------------------------------
# Metadata and interfaces


def test_metadata_and_security_info(token):
    assert token.name() == "Apple Inc. tokenized stock"
    assert token.symbol() == "AAPLx"
    assert token.decimals() == 18
    info = token.securityInfo()
    assert (info.underlyingTicker, info.isin, info.cusip) == ("AAPL", "US0378331005", "037833100")
    assert info.issuerName == "Example Issuer AG"


@pytest.mark.parametrize("interface_id", ["0x01ffc9a7", "0x36372b07"])  # ERC-165, ERC-20
def test_supports_standard_interfaces(token, interface_id):
    assert token.supportsInterface(interface_id)


def test_supports_its_own_interfaces(token, project):
    from eth_utils import function_signature_to_4byte_selector as selector

    def interface_id(abi) -> bytes:
        acc = 0
        for item in abi:
            # Solidity's interfaceId leaves out inherited functions (ERC-165's own).
            if item.type == "function" and item.name != "supportsInterface":
                acc ^= int.from_bytes(selector(item.selector), "big")
        return acc.to_bytes(4, "big")

    for name in ("IERC7943Fungible", "IERC1404", "IScaledUIAmount", "IScaledUIAmountNewUIMultiplier"):
        abi = getattr(project, name).contract_type.abi
        assert token.supportsInterface(interface_id(abi)), name
    assert not token.supportsInterface("0xffffffff")


# ---------------------------------------------------------------------------------------------
# The hook, rule by rule


def test_transfer_between_verified_holders(funded, investors):
    alice, bob = investors["alice"], investors["bob"]
    assert funded.detectTransferRestriction(alice, bob, 10) == 0
    funded.transfer(bob, 10, sender=alice)
    assert (funded.balanceOf(alice), funded.balanceOf(bob)) == (990, 1_010)


def test_unregistered_receiver(funded, investors, outsider):
    alice = investors["alice"]
    assert funded.detectTransferRestriction(alice, outsider, 1) == R_UNVERIFIED
    restricted(funded, lambda: funded.transfer(outsider, 1, sender=alice), R_UNVERIFIED)


def test_removed_investor_cannot_send(funded, investors, registry, roles):
    alice, bob = investors["alice"], investors["bob"]
    registry.removeInvestors([alice.address], sender=roles["officer"])
    assert funded.detectTransferRestriction(alice, bob, 1) == S_UNVERIFIED
    restricted(funded, lambda: funded.transfer(bob, 1, sender=alice), S_UNVERIFIED)


def test_unverified_flag_blocks_like_no_record(funded, investors, registry, roles, chain):
    alice, bob = investors["alice"], investors["bob"]
    set_record(registry, roles["officer"], bob, chain, verified=False)
    restricted(funded, lambda: funded.transfer(bob, 1, sender=alice), R_UNVERIFIED)


def test_kyc_expiry_both_ways(funded, investors, registry, roles, chain):
    alice, bob = investors["alice"], investors["bob"]
    soon = chain.pending_timestamp + 100
    set_record(registry, roles["officer"], bob, chain, kyc_expiry=soon)
    funded.transfer(bob, 1, sender=alice)  # still valid
    chain.pending_timestamp = soon + 1
    restricted(funded, lambda: funded.transfer(bob, 1, sender=alice), R_EXPIRED)
    restricted(funded, lambda: funded.transfer(alice, 1, sender=bob), S_EXPIRED)


def test_registry_freeze_both_ways_and_unfreeze(funded, investors, registry, roles):
    alice, bob = investors["alice"], investors["bob"]
    registry.setFrozen([bob.address], True, sender=roles["officer"])
    restricted(funded, lambda: funded.transfer(bob, 1, sender=alice), R_FROZEN)
    restricted(funded, lambda: funded.transfer(alice, 1, sender=bob), S_FROZEN)
    registry.setFrozen([bob.address], False, sender=roles["officer"])
    funded.transfer(alice, 1, sender=bob)


def test_blocked_jurisdiction_both_ways(funded, investors, registry, roles, chain):
    alice, bob = investors["alice"], investors["bob"]
    set_record(registry, roles["officer"], bob, chain, jurisdiction=FRANCE)
    funded.setPolicy(0, True, 0, [FRANCE], sender=roles["compliance"])
    restricted(funded, lambda: funded.transfer(bob, 1, sender=alice), R_JURIS)
    restricted(funded, lambda: funded.transfer(alice, 1, sender=bob), S_JURIS)
    funded.setPolicy(0, True, 0, [], sender=roles["compliance"])
    funded.transfer(bob, 1, sender=alice)


def test_blocked_jurisdiction_beyond_the_four_hot_slots(funded, investors, registry, roles, chain):
    alice, bob = investors["alice"], investors["bob"]
    set_record(registry, roles["officer"], bob, chain, jurisdiction=FRANCE)
    blocked = [8, 12, 20, 24, 31, FRANCE]  # France sixth: read from the overflow list
    funded.setPolicy(0, True, 0, blocked, sender=roles["compliance"])
    assert list(funded.policy().blockedJurisdictions) == blocked
    restricted(funded, lambda: funded.transfer(bob, 1, sender=alice), R_JURIS)


def test_us_persons_blocked_by_default(funded, investors, registry, roles, chain):
    alice, bob = investors["alice"], investors["bob"]
    set_record(registry, roles["officer"], bob, chain, jurisdiction=GERMANY, us_person=True)
    restricted(funded, lambda: funded.transfer(bob, 1, sender=alice), R_US)
    restricted(funded, lambda: funded.transfer(alice, 1, sender=bob), S_US)
    funded.setPolicy(0, False, 0, [], sender=roles["compliance"])
    funded.transfer(bob, 1, sender=alice)


def test_minimum_investor_class_both_ways(funded, investors, registry, roles, chain):
    alice, bob = investors["alice"], investors["bob"]
    funded.setPolicy(int(InvestorClass.ACCREDITED), True, 0, [], sender=roles["compliance"])
    restricted(funded, lambda: funded.transfer(bob, 1, sender=alice), S_CLASS)
    set_record(registry, roles["officer"], alice, chain, investor_class=InvestorClass.ACCREDITED)
    restricted(funded, lambda: funded.transfer(bob, 1, sender=alice), R_CLASS)
    set_record(registry, roles["officer"], bob, chain, investor_class=InvestorClass.QUALIFIED_PURCHASER)
    funded.transfer(bob, 1, sender=alice)


def test_holding_cap(funded, investors, roles):
    alice, bob = investors["alice"], investors["bob"]
    funded.setPolicy(0, True, 1_050, [], sender=roles["compliance"])
    funded.transfer(bob, 50, sender=alice)  # exactly at the cap
    assert funded.detectTransferRestriction(alice, bob, 1) == CAP
    restricted(funded, lambda: funded.transfer(bob, 1, sender=alice), CAP)
    # Sending to oneself never exceeds a cap one already respects.
    assert funded.detectTransferRestriction(bob, bob, 10) == 0


def test_contract_accounts_are_exempt_from_person_rules(funded, investors, registry, roles, chain, outsider):
    alice = investors["alice"]
    funded.setPolicy(int(InvestorClass.ACCREDITED), True, 10, [UNITED_STATES], sender=roles["compliance"])
    set_record(registry, roles["officer"], outsider, chain, jurisdiction=UNITED_STATES,
               investor_class=InvestorClass.NONE, contract_account=True, us_person=True)  # fmt: skip
    set_record(registry, roles["officer"], alice, chain, investor_class=InvestorClass.ACCREDITED)
    funded.transfer(outsider, 500, sender=alice)  # above the cap, US, class none: a vault
    assert funded.balanceOf(outsider) == 500
    registry.setFrozen([outsider.address], True, sender=roles["officer"])
    restricted(funded, lambda: funded.transfer(outsider, 1, sender=alice), R_FROZEN)


def test_partial_freeze(funded, investors, roles):
    alice, bob = investors["alice"], investors["bob"]
    funded.setFrozenTokens(alice, 900, sender=roles["agent"])
    assert funded.getFrozenTokens(alice) == 900
    assert funded.detectTransferRestriction(alice, bob, 101) == UNFROZEN
    with ape.reverts(funded.ERC7943InsufficientUnfrozenBalance):
        funded.transfer(bob, 101, sender=alice)
    funded.transfer(bob, 100, sender=alice)
    assert not funded.canTransfer(alice, bob, 1)
    funded.setFrozenTokens(alice, 0, sender=roles["agent"])
    assert funded.canTransfer(alice, bob, 900)


def test_insufficient_balance_is_erc20s_error(funded, investors):
    alice, bob = investors["alice"], investors["bob"]
    assert funded.detectTransferRestriction(alice, bob, 1_001) == BALANCE
    with ape.reverts(funded.ERC20InsufficientBalance):
        funded.transfer(bob, 1_001, sender=alice)


def test_pause_stops_transfers_mints_and_burns(funded, investors, roles):
    alice, bob = investors["alice"], investors["bob"]
    funded.pause(sender=roles["pauser"])
    assert funded.paused()
    assert funded.detectTransferRestriction(alice, bob, 1) == PAUSED
    restricted(funded, lambda: funded.transfer(bob, 1, sender=alice), PAUSED)
    restricted(funded, lambda: funded.mint(bob, 1, sender=roles["minter"]), PAUSED)
    funded.unpause(sender=roles["pauser"])
    funded.transfer(bob, 1, sender=alice)


def test_transfer_from_follows_the_same_rules(funded, investors, outsider):
    alice, bob = investors["alice"], investors["bob"]
    funded.approve(bob, 100, sender=alice)
    restricted(funded, lambda: funded.transferFrom(alice, outsider, 1, sender=bob), R_UNVERIFIED)
    funded.transferFrom(alice, bob, 100, sender=bob)
    assert funded.balanceOf(bob) == 1_100


def test_messages_for_every_code(token):
    messages = {code: token.messageForTransferRestriction(code) for code in range(17)}
    assert len(set(messages.values())) == 17
    assert messages[R_UNVERIFIED] == "Receiver is not a verified investor"
    assert token.messageForTransferRestriction(99) == "Unknown restriction code"


def test_erc7943_account_views(funded, investors, registry, roles, outsider):
    alice = investors["alice"]
    assert funded.canSend(alice) and funded.canReceive(alice) and funded.canTransact(alice)
    assert not funded.canReceive(outsider) and not funded.canSend(outsider)
    registry.setFrozen([alice.address], True, sender=roles["officer"])
    assert not funded.canSend(alice) and not funded.canTransact(alice)


# ---------------------------------------------------------------------------------------------
# Mint, burn, reserve


def test_mint_only_to_verified_holders(token, roles, outsider, investors):
    restricted(token, lambda: token.mint(outsider, 1, sender=roles["minter"]), R_UNVERIFIED)
    token.mint(investors["alice"], 5, sender=roles["minter"])
    assert token.totalSupply() == 5


def test_mint_is_capped_by_the_attested_reserve(token, roles, investors, reserve_feed, deployer):
    alice = investors["alice"]
    reserve_feed.postAnswer(10 * 10**8, sender=deployer)  # 10 shares in custody
    token.mint(alice, 10 * 10**18, sender=roles["minter"])
    with ape.reverts(token.ReserveExceeded):
        token.mint(alice, 1, sender=roles["minter"])


def test_reserve_check_counts_shares_after_a_split(token, roles, investors, reserve_feed, deployer, chain):
    alice = investors["alice"]
    token.updateUIMultiplier(2 * 10**18, chain.pending_timestamp, 10**18, 0, sender=roles["corporate"])
    reserve_feed.postAnswer(20 * 10**8, sender=deployer)  # the custodian's count after the split
    token.mint(alice, 10 * 10**18, sender=roles["minter"])  # 20 shares
    with ape.reverts(token.ReserveExceeded):
        token.mint(alice, 1, sender=roles["minter"])  # 1 wei raw rounds up to more shares


def test_stale_or_invalid_reserve_refuses_minting(token, roles, investors, reserve_feed, deployer, chain):
    alice = investors["alice"]
    reserve_feed.postAnswerAt(10**12, 0, chain.pending_timestamp - 2 * 24 * 3600, sender=deployer)
    with ape.reverts(token.StaleReserve):
        token.mint(alice, 1, sender=roles["minter"])
    reserve_feed.postAnswer(0, sender=deployer)
    with ape.reverts(token.InvalidReserve):
        token.mint(alice, 1, sender=roles["minter"])


def _advance(chain, seconds: int) -> int:
    """Mine a block `seconds` later; returns its timestamp."""
    chain.pending_timestamp += seconds
    chain.mine()
    return chain.blocks.head.timestamp


def test_reserve_answer_from_before_a_reverse_split_is_refused(token, roles, investors, reserve_feed, deployer,
                                                               chain):  # fmt: skip
    alice, minter, corporate = investors["alice"], roles["minter"], roles["corporate"]
    reserve_feed.postAnswer(1_000 * 10**8, sender=deployer)  # 1,000 shares in custody
    token.mint(alice, 100 * 10**18, sender=minter)
    posted = reserve_feed.latestRoundData()[3]
    at = _advance(chain, 60) + 60
    token.updateUIMultiplier(10**17, at, 10**18, 0, sender=corporate)  # 1-for-10: custody now 100 shares
    _advance(chain, 120)  # in force; the old answer is still within reserveMaxAge
    with ape.reverts(token.ReserveBeforeMultiplierChange, updatedAt=posted, multiplierSince=at):
        token.mint(alice, 9_000 * 10**18, sender=minter)  # 900 shares: 9x what custody holds
    with ape.reverts(token.ReserveBeforeMultiplierChange):
        token.reserveShares()
    reserve_feed.postAnswer(100 * 10**8, sender=deployer)  # the custodian's count after the split
    token.mint(alice, 900 * 10**18, sender=minter)  # 100 shares in all
    with ape.reverts(token.ReserveExceeded):
        token.mint(alice, 1, sender=minter)
    # A change scheduled after it does not revive answers from before the one in force.
    reserve_feed.postAnswerAt(100 * 10**8, at - 1, at - 1, sender=deployer)
    token.updateUIMultiplier(10**18, chain.pending_timestamp + 3_600, 10**17, 1, sender=corporate)
    with ape.reverts(token.ReserveBeforeMultiplierChange, updatedAt=at - 1, multiplierSince=at):
        token.mint(alice, 1, sender=minter)


def test_scheduled_split_counts_supply_at_the_new_multiplier(token, roles, investors, reserve_feed, deployer, chain):
    alice, minter = investors["alice"], roles["minter"]
    reserve_feed.postAnswer(30 * 10**8, sender=deployer)
    token.updateUIMultiplier(3 * 10**18, chain.pending_timestamp + 3_600, 10**18, 0, sender=roles["corporate"])
    token.mint(alice, 10 * 10**18, sender=minter)  # 30 shares once the 3-for-1 split applies
    with ape.reverts(token.ReserveExceeded, supplyShares=30 * 10**18 + 3, reserveShares=30 * 10**18):
        token.mint(alice, 1, sender=minter)


def test_scheduled_reverse_split_counts_supply_at_the_current_multiplier(token, roles, investors, reserve_feed,
                                                                         deployer, chain):  # fmt: skip
    alice, minter = investors["alice"], roles["minter"]
    reserve_feed.postAnswer(10 * 10**8, sender=deployer)
    at = chain.pending_timestamp + 3_600
    token.updateUIMultiplier(10**17, at, 10**18, 0, sender=roles["corporate"])  # 1-for-10, scheduled
    token.mint(alice, 10 * 10**18, sender=minter)  # 10 shares now, 1 after
    with ape.reverts(token.ReserveExceeded, supplyShares=10 * 10**18 + 1, reserveShares=10 * 10**18):
        token.mint(alice, 1, sender=minter)
    chain.pending_timestamp = at  # in force; the answer was posted before it
    chain.mine()
    with ape.reverts(token.ReserveBeforeMultiplierChange):
        token.mint(alice, 1, sender=minter)


def test_a_cancelled_change_is_no_change(token, roles, investors, reserve_feed, deployer, chain):
    alice, minter, corporate = investors["alice"], roles["minter"], roles["corporate"]
    split_at = _advance(chain, 10) + 10
    token.updateUIMultiplier(2 * 10**18, split_at, 10**18, 0, sender=corporate)
    _advance(chain, 20)
    reserve_feed.postAnswer(1_000 * 10**8, sender=deployer)  # after the split
    _advance(chain, 30)
    token.updateUIMultiplier(4 * 10**18, chain.pending_timestamp + 3_600, 2 * 10**18, 1, sender=corporate)
    token.cancelUIMultiplierUpdate(2, sender=corporate)
    assert (token.effectiveAt(), token.uiMultiplier()) == (split_at, 2 * 10**18)  # the split's, not the cancel's
    token.mint(alice, 500 * 10**18, sender=minter)  # the answer from before the cancel still counts


def test_new_fields_leave_the_storage_layout_in_place(token, reserve_feed, roles, chain):
    """`multiplierSince` sits in the free tail of the effectiveAt/nonce/decimals slot; the
    reserve feed's slot and everything after it do not move."""
    from tests.compliance.test_compliance_registry import erc7201

    base = erc7201("stocks.storage.StockToken")
    at = chain.pending_timestamp + 100
    token.updateUIMultiplier(2 * 10**18, at, 10**18, 0, sender=roles["corporate"])
    word = int.from_bytes(chain.provider.get_storage(token.address, base + 4), "big")
    assert (word & (2**64 - 1), (word >> 64) & (2**64 - 1), (word >> 128) & 0xFF) == (at, 1, 18)
    assert word >> 136 == 0  # multiplierSince: the multiplier in force took effect at initialization
    feed_word = int.from_bytes(chain.provider.get_storage(token.address, base + 5), "big")
    assert feed_word == int(reserve_feed.address, 16) | (24 * 3600) << 160


def test_burn_own_and_burn_from_with_allowance(funded, investors, roles, registry, chain):
    alice, burner = investors["alice"], roles["burner"]
    set_record(registry, roles["officer"], burner, chain, contract_account=True)
    funded.transfer(burner, 100, sender=alice)
    funded.burn(40, sender=burner)
    assert funded.balanceOf(burner) == 60
    with ape.reverts(funded.ERC20InsufficientAllowance):
        funded.burnFrom(alice, 10, sender=burner)
    funded.approve(burner, 10, sender=alice)
    funded.burnFrom(alice, 10, sender=burner)
    assert funded.totalSupply() == 2_000 - 50


# ---------------------------------------------------------------------------------------------
# Agents: forced transfer and recovery


def test_forced_transfer_ignores_sender_rules_not_receiver_rules(funded, investors, roles, registry, outsider):
    alice, bob = investors["alice"], investors["bob"]
    registry.setFrozen([alice.address], True, sender=roles["officer"])
    funded.pause(sender=roles["pauser"])
    receipt = funded.forcedTransferWithReason(alice, bob, 300, "court order 2026/17", sender=roles["agent"])
    assert funded.balanceOf(bob) == 1_300
    assert receipt.events.filter(funded.ForcedTransferReason)[0].reason == "court order 2026/17"
    assert receipt.events.filter(funded.ForcedTransfer)[0].amount == 300
    with ape.reverts(funded.ERC7943CannotReceive):
        funded.forcedTransfer(alice, outsider, 1, sender=roles["agent"])


def test_forced_transfers_respect_the_receivers_holding_cap(funded, investors, roles):
    alice, bob, agent = investors["alice"], investors["bob"], roles["agent"]
    funded.setPolicy(0, True, 1_050, [], sender=roles["compliance"])
    assert funded.detectTransferRestriction(alice, bob, 51) == CAP
    restricted(funded, lambda: funded.forcedTransfer(alice, bob, 51, sender=agent), CAP)
    restricted(funded, lambda: funded.forcedTransferWithReason(alice, bob, 51, "order", sender=agent), CAP)
    funded.forcedTransferWithReason(alice, bob, 50, "order", sender=agent)  # exactly at the cap
    assert funded.balanceOf(bob) == 1_050


def test_recovery_respects_the_replacements_holding_cap(funded, investors, roles, registry, chain):
    alice, bob, carol = investors["alice"], investors["bob"], investors["carol"]
    set_record(registry, roles["officer"], carol, chain, investor_id=100)  # alice's id
    funded.transfer(carol, 100, sender=bob)
    funded.setPolicy(0, True, 1_050, [], sender=roles["compliance"])
    assert funded.detectTransferRestriction(alice, carol, 1_000) == CAP
    inputs = restricted(funded, lambda: funded.recoverWallet(alice, carol, "lost key", sender=roles["agent"]), CAP)
    assert (inputs["from"], inputs["to"], inputs["value"]) == (alice.address, carol.address, 1_000)
    funded.setPolicy(0, True, 1_100, [], sender=roles["compliance"])
    funded.recoverWallet(alice, carol, "lost key", sender=roles["agent"])
    assert funded.balanceOf(carol) == 1_100


def test_forced_transfer_unfreezes_what_it_takes(funded, investors, roles):
    alice, bob = investors["alice"], investors["bob"]
    funded.setFrozenTokens(alice, 800, sender=roles["agent"])
    funded.forcedTransfer(alice, bob, 500, sender=roles["agent"])  # 200 free + 300 frozen
    assert funded.getFrozenTokens(alice) == 500
    assert funded.balanceOf(alice) == 500


def test_recovery_moves_balance_and_freeze_to_the_same_investor(funded, investors, roles, registry, chain):
    alice, carol = investors["alice"], investors["carol"]
    set_record(registry, roles["officer"], carol, chain, investor_id=100)  # alice's id
    funded.setFrozenTokens(alice, 250, sender=roles["agent"])
    receipt = funded.recoverWallet(alice, carol, "lost hardware wallet", sender=roles["agent"])
    assert (funded.balanceOf(alice), funded.balanceOf(carol)) == (0, 1_000)
    assert (funded.getFrozenTokens(alice), funded.getFrozenTokens(carol)) == (0, 250)
    event = receipt.events.filter(funded.WalletRecovered)[0]
    assert (event.amount, event.frozenAmount) == (1_000, 250)


def test_recovery_refuses_another_investors_wallet(funded, investors, roles):
    with ape.reverts(funded.RecoveryNotSameInvestor):
        funded.recoverWallet(investors["alice"], investors["bob"], "not the same person", sender=roles["agent"])


# ---------------------------------------------------------------------------------------------
# ERC-8056 storage and views


def test_multiplier_starts_at_one_and_schedules_without_a_keeper(funded, investors, roles, chain):
    alice = investors["alice"]
    assert funded.uiMultiplier() == 10**18 and funded.balanceOfUI(alice) == 1_000
    at = chain.pending_timestamp + 3_600
    receipt = funded.updateUIMultiplier(3 * 10**18, at, 10**18, 0, sender=roles["corporate"])
    event = receipt.events.filter(funded.UIMultiplierUpdated)[0]
    assert (event.oldMultiplier, event.newMultiplier, event.effectiveAtTimestamp) == (10**18, 3 * 10**18, at)
    assert funded.uiMultiplier() == 10**18 and funded.newUIMultiplier() == 3 * 10**18
    assert funded.effectiveAt() == at
    chain.pending_timestamp = at
    chain.mine()
    assert funded.uiMultiplier() == 3 * 10**18
    assert funded.balanceOf(alice) == 1_000  # raw never changes
    assert funded.balanceOfUI(alice) == 3_000
    assert funded.totalSupplyUI() == 6_000


def test_stale_nonce_or_multiplier_is_refused(funded, roles, chain):
    now = chain.pending_timestamp
    chain.provider.make_request("evm_setNextBlockTimestamp", [now])  # effective at once, even on a busy machine
    funded.updateUIMultiplier(2 * 10**18, now, 10**18, 0, sender=roles["corporate"])
    with ape.reverts(funded.MultiplierNonceMismatch):  # the same update sent twice
        funded.updateUIMultiplier(2 * 10**18, now + 10, 10**18, 0, sender=roles["corporate"])
    with ape.reverts(funded.MultiplierMismatch):
        funded.updateUIMultiplier(4 * 10**18, now + 10, 10**18, 1, sender=roles["corporate"])
    funded.updateUIMultiplier(4 * 10**18, now + 10, 2 * 10**18, 1, sender=roles["corporate"])


def test_pending_update_must_be_cancelled_before_another(funded, roles, chain):
    at = chain.pending_timestamp + 1_000
    funded.updateUIMultiplier(2 * 10**18, at, 10**18, 0, sender=roles["corporate"])
    with ape.reverts(funded.MultiplierUpdatePending):
        funded.updateUIMultiplier(5 * 10**18, at, 10**18, 1, sender=roles["corporate"])
    funded.cancelUIMultiplierUpdate(1, sender=roles["corporate"])
    chain.pending_timestamp = at + 1
    chain.mine()
    assert funded.uiMultiplier() == 10**18
    with ape.reverts(funded.NoMultiplierUpdatePending):
        funded.cancelUIMultiplierUpdate(2, sender=roles["corporate"])


def test_invalid_multipliers_and_times(funded, roles, chain):
    now = chain.pending_timestamp
    with ape.reverts(funded.InvalidMultiplier):
        funded.updateUIMultiplier(0, now, 10**18, 0, sender=roles["corporate"])
    with ape.reverts(funded.InvalidMultiplier):
        funded.updateUIMultiplier(10**36 + 1, now, 10**18, 0, sender=roles["corporate"])
    with ape.reverts(funded.EffectiveAtInPast):
        funded.updateUIMultiplier(2 * 10**18, now - 100, 10**18, 0, sender=roles["corporate"])


def test_ui_conversions_round_down(funded, roles, chain):
    at = chain.pending_timestamp + 5  # ahead of the block that carries it, however slow the machine
    funded.setUIMultiplier(3 * 10**18 // 2, at, sender=roles["corporate"])  # 3-for-2
    chain.mine(timestamp=at)
    assert funded.toUIAmount(3) == 4  # 4.5 rounds down
    assert funded.fromUIAmount(4) == 2  # 2.67 rounds down
    assert funded.fromUIAmount(funded.toUIAmount(7)) <= 7


# ---------------------------------------------------------------------------------------------
# Permit (EIP-2612), signed with eth-account


def test_permit_signed_off_chain(funded, investors, chain):
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    owner = Account.create()
    spender = investors["bob"]
    deadline = chain.pending_timestamp + 3_600
    domain = {"name": funded.name(), "version": "1", "chainId": chain.chain_id,
              "verifyingContract": funded.address}  # fmt: skip
    types = {"Permit": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"},
                        {"name": "value", "type": "uint256"}, {"name": "nonce", "type": "uint256"},
                        {"name": "deadline", "type": "uint256"}]}  # fmt: skip
    message = {"owner": owner.address, "spender": spender.address, "value": 123, "nonce": 0, "deadline": deadline}
    signed = owner.sign_message(encode_typed_data(domain, types, message))
    funded.permit(owner.address, spender, 123, deadline, signed.v, signed.r.to_bytes(32, "big"),
                  signed.s.to_bytes(32, "big"), sender=investors["alice"])  # fmt: skip
    assert funded.allowance(owner.address, spender) == 123
    assert funded.nonces(owner.address) == 1
