"""RedemptionVault: ERC-7540 requests, fills, claims, operators, price guard, pauses; ERC-7887
asynchronous cancels; token rules on controllers; the agent's position moves; rounding."""

from __future__ import annotations

import ape
import pytest
from eth_utils import keccak

from stocksuite.config.records import InvestorRecord
from tests.conftest import AAPL, YEAR, kyc_record
from tests.vault.conftest import PRICE, SHARE, USD

LESS_PENDING, RESTRICTED, ROUNDS_TO_ZERO = 1, 2, 3  # IRedemptionVault.Shortfall


def request(token, vault, holder, shares):
    token.approve(vault, shares, sender=holder)
    return vault.requestRedeem(shares, holder, holder, sender=holder)


def test_redeem_request_fill_claim(token, vault, usd, holders, fulfiller, fee_recipient):
    alice, _ = holders
    supply = token.totalSupply()
    receipt = request(token, vault, alice, 60 * SHARE)
    event = receipt.events.filter(vault.RedeemRequest)[0]
    assert (event.controller, event.owner, event.requestId, event.shares) == (
        alice.address,
        alice.address,
        0,
        60 * SHARE,
    )
    assert vault.pendingRedeemRequest(0, alice) == 60 * SHARE and token.balanceOf(vault) == 60 * SHARE

    fill = vault.fulfillRedeem([(alice.address, 40 * SHARE)], PRICE, sender=fulfiller)  # partial fill
    filled = fill.events.filter(vault.RedeemFulfilled)[0]
    assert (filled.shares, filled.assets, filled.fee, filled.price) == (40 * SHARE, 7_960 * USD, 40 * USD, PRICE)
    assert token.totalSupply() == supply - 40 * SHARE  # burned: supply tracks custody
    assert usd.balanceOf(fee_recipient) == 40 * USD
    assert vault.pendingRedeemRequest(0, alice) == 20 * SHARE
    assert vault.claimableRedeemRequest(0, alice) == 40 * SHARE
    assert vault.maxWithdraw(alice) == 7_960 * USD

    vault.redeem(40 * SHARE, alice, alice, sender=alice)
    assert usd.balanceOf(alice) == 7_960 * USD
    with ape.reverts(vault.ExceedsClaimable):
        vault.redeem(1, alice, alice, sender=alice)  # nothing is paid twice


def test_withdraw_by_assets_and_pro_rata_claims(token, vault, usd, holders, fulfiller):
    alice, _ = holders
    request(token, vault, alice, 30 * SHARE)
    vault.fulfillRedeem([(alice.address, 10 * SHARE)], PRICE, sender=fulfiller)
    vault.fulfillRedeem([(alice.address, 20 * SHARE)], PRICE + USD, sender=fulfiller)  # another price
    total = vault.maxWithdraw(alice)
    assert total == (2_000 * USD + 4_020 * USD) * 995 // 1000
    vault.withdraw(1_000 * USD, alice, alice, sender=alice)
    vault.redeem(vault.maxRedeem(alice), alice, alice, sender=alice)  # the rest, exactly
    assert usd.balanceOf(alice) == total and vault.maxWithdraw(alice) == 0 and vault.maxRedeem(alice) == 0


def test_cancel_after_execution_cannot_block_the_batch(token, vault, usd, holders, fulfiller):
    """Issue 11.1: the issuer sold alice's and bob's real shares; alice cancels before the fill.
    The fill still goes through for both (the cancel is only Pending), burns what was sold, and
    the cancel later settles nothing."""
    alice, bob = holders
    request(token, vault, alice, 30 * SHARE)
    request(token, vault, bob, 20 * SHARE)
    supply = token.totalSupply()
    receipt = vault.cancelRedeemRequest(0, alice, sender=alice)
    event = receipt.events.filter(vault.CancelRedeemRequest)[0]
    assert (event.controller, event.requestId, event.sender) == (alice.address, 0, alice.address)
    assert vault.pendingCancelRedeemRequest(0, alice) and token.balanceOf(alice) == 70 * SHARE  # nothing back yet
    vault.fulfillRedeem([(alice.address, 30 * SHARE), (bob.address, 20 * SHARE)], PRICE, sender=fulfiller)
    assert token.totalSupply() == supply - 50 * SHARE  # supply still tracks custody
    settled = vault.fulfillCancelRedeem([alice.address, bob.address], sender=fulfiller)  # bob: no cancel, skipped
    assert [(e.controller, e.isRedeem, e.amount) for e in settled.events.filter(vault.CancelFulfilled)] == [
        (alice.address, True, 0)
    ]
    assert not vault.pendingCancelRedeemRequest(0, alice) and vault.claimableCancelRedeemRequest(0, alice) == 0
    assert vault.maxRedeem(alice) == 30 * SHARE and token.balanceOf(vault) == 0


def test_cancel_settles_what_is_still_pending_and_is_claimed(token, vault, holders, fulfiller, outsider):
    alice, bob = holders
    request(token, vault, alice, 70 * SHARE)
    vault.fulfillRedeem([(alice.address, 25 * SHARE)], PRICE, sender=fulfiller)
    with ape.reverts(vault.NotOwnerOrOperator):
        vault.cancelRedeemRequest(0, alice, sender=bob)
    with ape.reverts(vault.UnknownRequest):
        vault.cancelRedeemRequest(1, alice, sender=alice)
    vault.cancelRedeemRequest(0, alice, sender=alice)
    with ape.reverts(vault.CancelPending):
        vault.cancelRedeemRequest(0, alice, sender=alice)
    token.approve(vault, SHARE, sender=alice)
    with ape.reverts(vault.CancelPending):  # ERC-7887: no new request while a cancel is pending
        vault.requestRedeem(SHARE, alice, alice, sender=alice)
    vault.fulfillRedeem([(alice.address, 5 * SHARE)], PRICE, sender=fulfiller)  # a fill in between wins
    with ape.reverts(vault.NothingToClaim):
        vault.claimCancelRedeemRequest(0, alice, alice, sender=alice)  # not settled yet
    settled = vault.fulfillCancelRedeem([alice.address], sender=fulfiller)
    assert settled.events.filter(vault.CancelFulfilled)[0].amount == 40 * SHARE
    assert vault.claimableCancelRedeemRequest(0, alice) == 40 * SHARE and vault.pendingRedeemRequest(0, alice) == 0
    assert vault.totalClaimableCancelRedeemShares() == 40 * SHARE and vault.totalPendingRedeemShares() == 0
    vault.requestRedeem(SHARE, alice, alice, sender=alice)  # the cancel is settled: requests are open again
    with ape.reverts(vault.NotWhitelisted):
        vault.claimCancelRedeemRequest(0, outsider, alice, sender=alice)
    with ape.reverts(vault.UnknownRequest):
        vault.claimCancelRedeemRequest(2, alice, alice, sender=alice)
    vault.setOperator(bob, True, sender=alice)
    claim = vault.claimCancelRedeemRequest(0, bob, alice, sender=bob)  # the operator, to a wallet of its choice
    event = claim.events.filter(vault.CancelRedeemClaim)[0]
    assert (event.controller, event.receiver, event.sender, event.shares) == (alice.address, bob.address,
                                                                              bob.address, 40 * SHARE)  # fmt: skip
    assert token.balanceOf(bob) == 90 * SHARE and token.balanceOf(alice) == 29 * SHARE  # 100 - 70 - 1
    with ape.reverts(vault.NothingToClaim):
        vault.claimCancelRedeemRequest(0, alice, alice, sender=alice)  # nothing is returned twice
    with ape.reverts(vault.NothingToCancel):
        vault.cancelRedeemRequest(0, bob, sender=bob)


def test_fill_fills_what_is_pending_and_reports_the_shortfall(token, vault, holders, fulfiller):
    alice, bob = holders
    request(token, vault, alice, 10 * SHARE)
    receipt = vault.fulfillRedeem([(alice.address, 11 * SHARE), (bob.address, SHARE)], PRICE, sender=fulfiller)
    shortfalls = [(e.controller, e.requested, e.filled, e.reason) for e in receipt.events.filter(vault.FillShortfall)]
    assert shortfalls == [(alice.address, 11 * SHARE, 10 * SHARE, LESS_PENDING), (bob.address, SHARE, 0, LESS_PENDING)]
    assert vault.maxRedeem(alice) == 10 * SHARE and vault.pendingRedeemRequest(0, alice) == 0
    nothing = vault.fulfillRedeem([(alice.address, SHARE)], PRICE, sender=fulfiller)  # nothing left: no revert
    assert nothing.events.filter(vault.FillShortfall)[0].filled == 0
    with ape.reverts(vault.ZeroAmount):
        vault.fulfillRedeem([(alice.address, 0)], PRICE, sender=fulfiller)


def test_operators_act_for_controllers(token, vault, usd, holders, fulfiller):
    alice, bob = holders
    token.approve(vault, 10 * SHARE, sender=alice)
    with ape.reverts(vault.NotOwnerOrOperator):
        vault.requestRedeem(10 * SHARE, alice, alice, sender=bob)
    receipt = vault.setOperator(bob, True, sender=alice)
    assert receipt.events.filter(vault.OperatorSet)[0].approved and vault.isOperator(alice, bob)
    vault.requestRedeem(10 * SHARE, alice, alice, sender=bob)
    vault.fulfillRedeem([(alice.address, 10 * SHARE)], PRICE, sender=fulfiller)
    vault.redeem(10 * SHARE, bob, alice, sender=bob)  # the operator claims to a receiver of its choice
    assert usd.balanceOf(bob) == 1_990 * USD
    vault.setOperator(bob, False, sender=alice)
    with ape.reverts(vault.NotOwnerOrOperator):
        vault.cancelRedeemRequest(0, alice, sender=bob)


def test_only_whitelisted_investors_request_and_receive(token, vault, holders, outsider, fulfiller, registry, roles):
    alice, _ = holders
    token.approve(vault, 10 * SHARE, sender=alice)
    with ape.reverts(vault.ControllerRestricted):
        vault.requestRedeem(10 * SHARE, outsider, alice, sender=alice)
    vault.requestRedeem(10 * SHARE, alice, alice, sender=alice)
    vault.fulfillRedeem([(alice.address, 10 * SHARE)], PRICE, sender=fulfiller)
    with ape.reverts(vault.NotWhitelisted):
        vault.redeem(10 * SHARE, outsider, alice, sender=alice)


@pytest.mark.parametrize("price", [196 * USD - 1, 204 * USD + 1])  # outside +-2% of $200
def test_price_outside_the_band_is_refused(token, vault, holders, fulfiller, price):
    alice, _ = holders
    request(token, vault, alice, 10 * SHARE)
    with ape.reverts(vault.PriceOutsideBand):
        vault.fulfillRedeem([(alice.address, 10 * SHARE)], price, sender=fulfiller)
    vault.fulfillRedeem([(alice.address, 10 * SHARE)], 204 * USD, sender=fulfiller)  # the edge is inside


def test_stale_price_sequencer_down_and_grace_period(token, vault, holders, fulfiller, feeds, deployer, chain):
    alice, _ = holders
    price_feed, sequencer = feeds
    request(token, vault, alice, 10 * SHARE)
    fill = [(alice.address, 10 * SHARE)]
    now = chain.pending_timestamp
    price_feed.postAnswerAt(200 * 10**8, now - 7_200, now - 7_200, sender=deployer)
    with ape.reverts(vault.StalePrice):
        vault.fulfillRedeem(fill, PRICE, sender=fulfiller)
    price_feed.postAnswer(200 * 10**8, sender=deployer)
    sequencer.postAnswerAt(1, now - 60, now - 60, sender=deployer)  # down
    with ape.reverts(vault.SequencerDown):
        vault.fulfillRedeem(fill, PRICE, sender=fulfiller)
    sequencer.postAnswerAt(0, now - 60, now - 60, sender=deployer)  # back up a minute ago
    with ape.reverts(vault.GracePeriodNotOver):
        vault.fulfillRedeem(fill, PRICE, sender=fulfiller)
    sequencer.postAnswerAt(0, now - 3_700, now - 3_700, sender=deployer)
    vault.fulfillRedeem(fill, PRICE, sender=fulfiller)


def test_requests_and_fills_pause_separately_claims_stay_open(token, vault, holders, fulfiller, roles):
    alice, _ = holders
    request(token, vault, alice, 20 * SHARE)
    vault.fulfillRedeem([(alice.address, 10 * SHARE)], PRICE, sender=fulfiller)
    vault.setPaused(True, False, sender=roles["pauser"])
    token.approve(vault, SHARE, sender=alice)
    with ape.reverts(vault.RequestsPaused):
        vault.requestRedeem(SHARE, alice, alice, sender=alice)
    vault.fulfillRedeem([(alice.address, 5 * SHARE)], PRICE, sender=fulfiller)
    vault.setPaused(False, True, sender=roles["pauser"])
    with ape.reverts(vault.FillsPaused):
        vault.fulfillRedeem([(alice.address, 5 * SHARE)], PRICE, sender=fulfiller)
    vault.redeem(15 * SHARE, alice, alice, sender=alice)
    vault.cancelRedeemRequest(0, alice, sender=alice)
    vault.fulfillCancelRedeem([alice.address], sender=fulfiller)  # cancels settle while fills are paused
    vault.claimCancelRedeemRequest(0, alice, alice, sender=alice)


def test_subscription_request_fill_claim(token, vault, usd, investors, deployer, fulfiller, fee_recipient, roles):
    carol = investors["carol"]
    usd.mint(carol, 1_000 * USD, sender=deployer)
    usd.approve(vault, 1_000 * USD, sender=carol)
    treasury_before = usd.balanceOf(deployer)
    receipt = vault.requestDeposit(1_000 * USD, carol, carol, sender=carol)
    assert receipt.events.filter(vault.DepositRequest)[0].assets == 1_000 * USD
    assert vault.pendingDepositRequest(0, carol) == 1_000 * USD
    vault.fulfillDeposit([(carol.address, 1_000 * USD)], PRICE, sender=fulfiller)
    expected_shares = 995 * USD * SHARE // PRICE  # 4.975 shares after the 0.5% fee
    assert vault.maxMint(carol) == expected_shares and token.balanceOf(vault) == expected_shares
    assert usd.balanceOf(deployer) - treasury_before == 995 * USD and usd.balanceOf(fee_recipient) == 5 * USD
    vault.deposit(1_000 * USD, carol, sender=carol)
    assert token.balanceOf(carol) == expected_shares and vault.maxMint(carol) == 0


def test_subscription_cancel_is_settled_then_claimed(vault, usd, investors, deployer, fulfiller):
    carol = investors["carol"]
    usd.mint(carol, 500 * USD, sender=deployer)
    usd.approve(vault, 500 * USD, sender=carol)
    vault.requestDeposit(500 * USD, carol, carol, sender=carol)
    with ape.reverts(vault.UnknownRequest):
        vault.cancelDepositRequest(1, carol, sender=carol)
    receipt = vault.cancelDepositRequest(0, carol, sender=carol)
    assert receipt.events.filter(vault.CancelDepositRequest)[0].controller == carol.address
    assert vault.pendingCancelDepositRequest(0, carol)
    with ape.reverts(vault.CancelPending):
        vault.cancelDepositRequest(0, carol, sender=carol)
    with ape.reverts(vault.CancelPending):
        vault.requestDeposit(1, carol, carol, sender=carol)
    vault.fulfillDeposit([(carol.address, 200 * USD)], PRICE, sender=fulfiller)  # the issuer bought $200 first
    vault.fulfillCancelDeposit([carol.address], sender=fulfiller)
    assert vault.claimableCancelDepositRequest(0, carol) == 300 * USD and not vault.pendingCancelDepositRequest(
        0, carol
    )
    assert vault.totalAssets() == 300 * USD and vault.totalClaimableCancelDepositAssets() == 300 * USD
    claim = vault.claimCancelDepositRequest(0, carol, carol, sender=carol)
    assert claim.events.filter(vault.CancelDepositClaim)[0].assets == 300 * USD
    assert usd.balanceOf(carol) == 300 * USD and vault.totalAssets() == 0
    with ape.reverts(vault.NothingToClaim):
        vault.claimCancelDepositRequest(0, carol, carol, sender=carol)
    with ape.reverts(vault.NothingToCancel):
        vault.cancelDepositRequest(0, carol, sender=carol)


def selector(signature: str) -> int:
    return int.from_bytes(keccak(text=signature)[:4], "big")


def test_previews_revert_and_interfaces(vault, token, usd):
    for fn in ("previewDeposit", "previewMint", "previewRedeem", "previewWithdraw"):
        with ape.reverts(vault.AsyncFlow):
            getattr(vault, fn)(1)
    for interface_id in ("0xe3bc4e65", "0xce3bbe50", "0x620ee8e4", "0x2f0a18c5", "0x01ffc9a7"):
        assert vault.supportsInterface(interface_id), interface_id
    for side, interface_id in (("Deposit", 0x8BF840E3), ("Redeem", 0xE76CFFC7)):  # ERC-7887, from its selectors
        xor = 0
        for signature in (f"cancel{side}Request(uint256,address)", f"pendingCancel{side}Request(uint256,address)",
                          f"claimableCancel{side}Request(uint256,address)",
                          f"claimCancel{side}Request(uint256,address,address)"):  # fmt: skip
            xor ^= selector(signature)
        assert xor == interface_id and vault.supportsInterface(interface_id.to_bytes(4, "big")), side
    assert vault.share() == token.address and vault.asset() == usd.address


@pytest.mark.parametrize(("fn", "args", "allowed"), [
    ("fulfillRedeem", lambda a: ([], PRICE), "fulfiller"),
    ("fulfillDeposit", lambda a: ([], PRICE), "fulfiller"),
    ("fulfillCancelRedeem", lambda a: ([a],), "fulfiller"),
    ("fulfillCancelDeposit", lambda a: ([a],), "fulfiller"),
    ("transferPosition", lambda a: (a, a, "lost key"), "vault_agent"),
    ("seizePosition", lambda a: (a, a, "court order"), "vault_agent"),
    ("setPaused", lambda a: (True, True), "pauser"),
    ("setPriceGuard", lambda a: (a, 1, 1, a, 1), "admin"),
    ("setFees", lambda a: (1, a, a), "admin"),
])  # fmt: skip
def test_privileged_functions_refuse_everyone_else(vault, deployer, roles, investors, outsider, fulfiller, fn,
                                                   args, allowed, vault_agent):  # fmt: skip
    everyone = {"admin": deployer, "fulfiller": fulfiller, "pauser": roles["pauser"], "minter": roles["minter"],
                "agent": roles["agent"], "vault_agent": vault_agent, "alice": investors["alice"],
                "outsider": outsider}  # fmt: skip
    for name, caller in everyone.items():
        if name == allowed:
            continue
        with ape.reverts(vault.AccessControlUnauthorizedAccount):
            getattr(vault, fn)(*args(outsider.address), sender=caller)


# ---------------------------------------------------------------------------------------------
# Issue 11.2: controllers the token's rules stop cannot escape through the vault.


def subscribe(usd, vault, deployer, holder, assets):
    usd.mint(holder, assets, sender=deployer)
    usd.approve(vault, assets, sender=holder)
    vault.requestDeposit(assets, holder, holder, sender=holder)


def test_a_frozen_controller_cannot_claim_to_another_wallet(token, vault, usd, holders, fulfiller, registry, roles,
                                                            deployer):  # fmt: skip
    alice, bob = holders
    request(token, vault, alice, 20 * SHARE)
    subscribe(usd, vault, deployer, alice, 1_000 * USD)
    vault.fulfillRedeem([(alice.address, 10 * SHARE)], PRICE, sender=fulfiller)
    vault.fulfillDeposit([(alice.address, 1_000 * USD)], PRICE, sender=fulfiller)
    vault.cancelRedeemRequest(0, alice, sender=alice)
    vault.fulfillCancelRedeem([alice.address], sender=fulfiller)
    vault.setOperator(bob, True, sender=alice)
    registry.setFrozen([alice.address], True, sender=roles["officer"])
    assert not token.canSend(alice)
    for caller in (alice, bob):  # neither the controller nor its operator
        for claim in (lambda: vault.redeem(SHARE, bob, alice, sender=caller),
                      lambda: vault.withdraw(USD, bob, alice, sender=caller),
                      lambda: vault.deposit(USD, bob, alice, sender=caller),
                      lambda: vault.mint(SHARE, bob, alice, sender=caller),
                      lambda: vault.claimCancelRedeemRequest(0, bob, alice, sender=caller)):  # fmt: skip
            with ape.reverts(vault.ControllerRestricted):
                claim()
    token.approve(vault, SHARE, sender=alice)
    with ape.reverts(vault.ControllerRestricted):
        vault.requestRedeem(SHARE, alice, alice, sender=alice)
    with ape.reverts(vault.ControllerRestricted):
        vault.cancelDepositRequest(0, alice, sender=alice)
    registry.setFrozen([alice.address], False, sender=roles["officer"])
    vault.redeem(10 * SHARE, bob, alice, sender=bob)  # unfrozen: claims are open again


def test_a_de_verified_controllers_fill_is_skipped_not_the_batch(token, vault, usd, holders, fulfiller, registry,
                                                                 roles, deployer, investors):  # fmt: skip
    alice, bob = holders
    request(token, vault, alice, 10 * SHARE)
    request(token, vault, bob, 10 * SHARE)
    carol = investors["carol"]
    subscribe(usd, vault, deployer, carol, 100 * USD)
    registry.removeInvestors([bob.address, carol.address], sender=roles["officer"])
    receipt = vault.fulfillRedeem([(bob.address, 10 * SHARE), (alice.address, 10 * SHARE)], PRICE, sender=fulfiller)
    assert [(e.controller, e.filled, e.reason) for e in receipt.events.filter(vault.FillShortfall)] == [
        (bob.address, 0, RESTRICTED)
    ]
    assert vault.pendingRedeemRequest(0, bob) == 10 * SHARE and vault.maxRedeem(alice) == 10 * SHARE
    deposit = vault.fulfillDeposit([(carol.address, 100 * USD)], PRICE, sender=fulfiller)
    assert deposit.events.filter(vault.FillShortfall)[0].reason == RESTRICTED
    assert vault.pendingDepositRequest(0, carol) == 100 * USD and vault.maxMint(carol) == 0


def register(registry, roles, chain, wallet, investor_id):
    registry.setInvestors([wallet.address], [kyc_record(chain, investor_id=investor_id)], sender=roles["officer"])


def totals(vault):
    return (vault.totalPendingRedeemShares(), vault.totalClaimableAssets(), vault.totalPendingDepositAssets(),
            vault.totalClaimableShares(), vault.totalClaimableCancelRedeemShares(),
            vault.totalClaimableCancelDepositAssets(), vault.totalAssets())  # fmt: skip


def position(vault, wallet):
    return (vault.pendingRedeemRequest(0, wallet), vault.claimableRedeemRequest(0, wallet), vault.maxWithdraw(wallet),
            vault.pendingDepositRequest(0, wallet), vault.maxDeposit(wallet), vault.maxMint(wallet),
            vault.claimableCancelRedeemRequest(0, wallet), vault.claimableCancelDepositRequest(0, wallet),
            vault.pendingCancelRedeemRequest(0, wallet), vault.pendingCancelDepositRequest(0, wallet))  # fmt: skip


def test_the_agent_moves_a_frozen_position_to_the_same_investors_wallet(token, vault, usd, holders, fulfiller,
                                                                        registry, roles, deployer, chain, accounts,
                                                                        vault_agent):  # fmt: skip
    alice, bob = holders
    alice2 = accounts[15]
    register(registry, roles, chain, alice2, registry.investorOf(alice).investorId)  # alice's new wallet
    request(token, vault, alice, 30 * SHARE)
    subscribe(usd, vault, deployer, alice, 2_000 * USD)
    vault.fulfillRedeem([(alice.address, 10 * SHARE)], PRICE, sender=fulfiller)
    vault.fulfillDeposit([(alice.address, 1_000 * USD)], PRICE, sender=fulfiller)
    vault.cancelDepositRequest(0, alice, sender=alice)
    vault.fulfillCancelDeposit([alice.address], sender=fulfiller)  # $1,000 cancelled, claimable
    vault.cancelRedeemRequest(0, alice, sender=alice)  # 20 shares: a cancel still pending
    registry.setFrozen([alice.address], True, sender=roles["officer"])
    before, held = totals(vault), (token.balanceOf(vault), usd.balanceOf(vault))
    moved = position(vault, alice)

    with ape.reverts(vault.NotSameInvestor):
        vault.transferPosition(alice, bob, "lost key", sender=vault_agent)
    with ape.reverts(vault.InvalidPositionMove):
        vault.transferPosition(alice, alice, "lost key", sender=vault_agent)
    registry.setFrozen([alice2.address], True, sender=roles["officer"])
    with ape.reverts(vault.ControllerRestricted):
        vault.transferPosition(alice, alice2, "lost key", sender=vault_agent)
    registry.setFrozen([alice2.address], False, sender=roles["officer"])
    receipt = vault.transferPosition(alice, alice2, "lost key", sender=vault_agent)

    event = receipt.events.filter(vault.PositionTransferred)[0]
    assert (event["from"], event.to, event.seized, event.reason) == (alice.address, alice2.address, False, "lost key")
    assert event.tokens == 20 * SHARE + vault.maxMint(alice2) and event.assets == 1_990 * USD + 1_000 * USD
    assert receipt.events.filter(vault.TransferRedeemRequest)[0].shares == 20 * SHARE
    assert position(vault, alice2) == moved and not any(position(vault, alice))
    assert totals(vault) == before and (token.balanceOf(vault), usd.balanceOf(vault)) == held
    with ape.reverts(vault.EmptyPosition):
        vault.transferPosition(alice, alice2, "again", sender=vault_agent)
    vault.redeem(10 * SHARE, alice2, alice2, sender=alice2)  # the new wallet claims everything
    vault.deposit(vault.maxDeposit(alice2), alice2, alice2, sender=alice2)
    vault.claimCancelDepositRequest(0, alice2, alice2, sender=alice2)
    vault.fulfillCancelRedeem([alice2.address], sender=fulfiller)
    vault.claimCancelRedeemRequest(0, alice2, alice2, sender=alice2)
    assert vault.totalAssets() == 0 and token.balanceOf(vault) == 0


def test_the_agent_seizes_a_position_to_an_issuer_wallet(token, vault, usd, holders, fulfiller, registry, roles,
                                                         chain, accounts, vault_agent):  # fmt: skip
    alice, bob = holders
    issuer = accounts[15]
    register(registry, roles, chain, issuer, 999)
    request(token, vault, bob, 10 * SHARE)
    vault.fulfillRedeem([(bob.address, 4 * SHARE)], PRICE, sender=fulfiller)
    request(token, vault, alice, 5 * SHARE)
    before = totals(vault)
    receipt = vault.seizePosition(bob, issuer, "court order 42", sender=vault_agent)
    event = receipt.events.filter(vault.PositionTransferred)[0]
    assert (event.seized, event.tokens, event.assets, event.reason) == (True, 6 * SHARE, 796 * USD, "court order 42")
    assert totals(vault) == before and vault.pendingRedeemRequest(0, issuer) == 6 * SHARE
    assert vault.maxWithdraw(issuer) == 796 * USD and vault.pendingRedeemRequest(0, alice) == 5 * SHARE
    with ape.reverts(vault.InvalidPositionMove):
        vault.seizePosition(alice, "0x0000000000000000000000000000000000000000", "x", sender=vault_agent)


# ---------------------------------------------------------------------------------------------
# Issue 11.3: checked casts, the asset's decimals, rounding leftovers.


def test_an_asset_with_other_decimals_is_refused(project, deployer, token):
    seven = deployer.deploy(project.DecimalsAsset, 7)
    with ape.reverts(project.RedemptionVault.UnsupportedAssetDecimals):
        deployer.deploy(project.RedemptionVault, token, seven, deployer)


def test_casts_are_checked(token, vault, holders, deployer, usd):
    alice, _ = holders
    usd.mint(alice, 2**128, sender=deployer)
    usd.approve(vault, 2**128, sender=alice)
    with ape.reverts():  # SafeCast: no silent truncation of an amount above uint128
        vault.requestDeposit(2**128, alice, alice, sender=alice)


def test_a_redemption_that_pays_nothing_is_not_filled(token, vault, holders, fulfiller):
    alice, _ = holders
    request(token, vault, alice, 10**9)  # 1e-9 of a share: $0.0000002 rounds to 0 units
    receipt = vault.fulfillRedeem([(alice.address, 10**9)], PRICE, sender=fulfiller)
    assert receipt.events.filter(vault.FillShortfall)[0].reason == ROUNDS_TO_ZERO
    assert vault.pendingRedeemRequest(0, alice) == 10**9 and vault.maxRedeem(alice) == 0  # still hers


def test_whole_share_ticker_rounding_leaves_nothing_stranded(project, factory, reserve_feed, deployer, roles,
                                                             registry, usd, feeds, fulfiller, fee_recipient,
                                                             investors, chain):  # fmt: skip
    """A 0-decimal ticker: $150 buys 0 whole raw shares at $200, so its fill takes nothing; a
    withdrawal of 1 unit settles the only share (rounded up), so it pays everything left."""
    from stocksuite.deploy.suite import TickerConfig, create_token

    config = TickerConfig(**{**AAPL.__dict__, "symbol": "WHLx", "decimals": 0, "isin": "US0000000009"})
    whole = create_token(project, factory, config, reserve_feed.address, deployer.address, roles["token_deployer"])
    vault = deployer.deploy(project.RedemptionVault, whole, usd, deployer)
    vault.setPriceGuard(feeds[0], 3_600, 200, feeds[1], 3_600, sender=deployer)
    vault.setFees(0, fee_recipient, deployer, sender=deployer)
    vault.grantRole(vault.FULFILLER_ROLE(), fulfiller, sender=deployer)
    for role in (whole.MINTER_ROLE(), whole.BURNER_ROLE()):
        whole.grantRole(role, vault, sender=deployer)
    whole.grantRole(whole.MINTER_ROLE(), deployer, sender=deployer)
    registry.setInvestors([vault.address],
                          [InvestorRecord(276, 0, chain.pending_timestamp + YEAR, contract_account=True).pack()],
                          sender=roles["officer"])  # fmt: skip
    carol, dave = investors["carol"], investors["dave"]
    subscribe(usd, vault, deployer, carol, 150 * USD)
    subscribe(usd, vault, deployer, dave, 1_000 * USD)
    receipt = vault.fulfillDeposit([(carol.address, 150 * USD), (dave.address, 1_000 * USD)], PRICE, sender=fulfiller)
    assert receipt.events.filter(vault.FillShortfall)[0].reason == ROUNDS_TO_ZERO
    assert vault.pendingDepositRequest(0, carol) == 150 * USD  # her money was not taken
    assert vault.maxMint(dave) == 5 and vault.maxDeposit(dave) == 1_000 * USD
    with ape.reverts(vault.ClaimPaysNothing):
        vault.deposit(199 * USD, dave, dave, sender=dave)  # 0.995 of a share delivers 0: refused, not lost
    vault.mint(5, dave, dave, sender=dave)
    assert whole.balanceOf(dave) == 5 and vault.maxDeposit(dave) == 0

    usd.mint(fulfiller, 1_000 * USD, sender=deployer)
    usd.approve(vault, 1_000 * USD, sender=fulfiller)
    whole.approve(vault, 1, sender=dave)
    vault.requestRedeem(1, dave, dave, sender=dave)
    vault.fulfillRedeem([(dave.address, 1)], PRICE, sender=fulfiller)
    paid = usd.balanceOf(dave)
    vault.withdraw(1, dave, dave, sender=dave)  # settles the only share: pays all of it, strands nothing
    assert usd.balanceOf(dave) - paid == 200 * USD and vault.maxWithdraw(dave) == 0 and vault.maxRedeem(dave) == 0
