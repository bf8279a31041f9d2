"""RedemptionVault: ERC-7540 requests, fills, claims, operators, price guard, pauses."""

from __future__ import annotations

import ape
import pytest

from tests.vault.conftest import PRICE, SHARE, USD


def request(token, vault, holder, shares):
    token.approve(vault, shares, sender=holder)
    return vault.requestRedeem(shares, holder, holder, sender=holder)


def test_redeem_request_fill_claim(token, vault, usd, holders, fulfiller, fee_recipient):
    alice, _ = holders
    supply = token.totalSupply()
    receipt = request(token, vault, alice, 60 * SHARE)
    event = receipt.events.filter(vault.RedeemRequest)[0]
    assert (event.controller, event.owner, event.requestId, event.shares) == (alice.address, alice.address, 0, 60 * SHARE)
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


def test_cancel_returns_exactly_the_pending_lock(token, vault, holders, fulfiller):
    alice, bob = holders
    request(token, vault, alice, 70 * SHARE)
    vault.fulfillRedeem([(alice.address, 25 * SHARE)], PRICE, sender=fulfiller)
    with ape.reverts(vault.NotOwnerOrOperator):
        vault.cancelRedeemRequest(alice, sender=bob)
    receipt = vault.cancelRedeemRequest(alice, sender=alice)
    assert receipt.events.filter(vault.RequestCancelled)[0].amount == 45 * SHARE
    assert token.balanceOf(alice) == 75 * SHARE  # 100 - 70 + 45
    assert vault.pendingRedeemRequest(0, alice) == 0 and vault.claimableRedeemRequest(0, alice) == 25 * SHARE


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
        vault.cancelRedeemRequest(alice, sender=bob)


def test_only_whitelisted_investors_request_and_receive(token, vault, holders, outsider, fulfiller, registry, roles):
    alice, _ = holders
    token.approve(vault, 10 * SHARE, sender=alice)
    with ape.reverts(vault.NotWhitelisted):
        vault.requestRedeem(10 * SHARE, outsider, alice, sender=alice)
    vault.requestRedeem(10 * SHARE, alice, alice, sender=alice)
    vault.fulfillRedeem([(alice.address, 10 * SHARE)], PRICE, sender=fulfiller)
    with ape.reverts(vault.NotWhitelisted):
        vault.redeem(10 * SHARE, outsider, alice, sender=alice)


def test_fill_limits(token, vault, holders, fulfiller):
    alice, bob = holders
    request(token, vault, alice, 10 * SHARE)
    with ape.reverts(vault.ExceedsPending):
        vault.fulfillRedeem([(alice.address, 11 * SHARE)], PRICE, sender=fulfiller)
    with ape.reverts(vault.ExceedsPending):
        vault.fulfillRedeem([(bob.address, 1)], PRICE, sender=fulfiller)


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
    vault.cancelRedeemRequest(alice, sender=alice)


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


def test_subscription_cancel_returns_the_money(vault, usd, investors, deployer):
    carol = investors["carol"]
    usd.mint(carol, 500 * USD, sender=deployer)
    usd.approve(vault, 500 * USD, sender=carol)
    vault.requestDeposit(500 * USD, carol, carol, sender=carol)
    vault.cancelDepositRequest(carol, sender=carol)
    assert usd.balanceOf(carol) == 500 * USD and vault.totalAssets() == 0


def test_previews_revert_and_interfaces(vault, token, usd):
    for fn in ("previewDeposit", "previewMint", "previewRedeem", "previewWithdraw"):
        with ape.reverts(vault.AsyncFlow):
            getattr(vault, fn)(1)
    for interface_id in ("0xe3bc4e65", "0xce3bbe50", "0x620ee8e4", "0x2f0a18c5", "0x01ffc9a7"):
        assert vault.supportsInterface(interface_id), interface_id
    assert vault.share() == token.address and vault.asset() == usd.address


@pytest.mark.parametrize(("fn", "args", "allowed"), [
    ("fulfillRedeem", lambda a: ([], PRICE), "fulfiller"),
    ("fulfillDeposit", lambda a: ([], PRICE), "fulfiller"),
    ("setPaused", lambda a: (True, True), "pauser"),
    ("setPriceGuard", lambda a: (a, 1, 1, a, 1), "admin"),
    ("setFees", lambda a: (1, a, a), "admin"),
])  # fmt: skip
def test_privileged_functions_refuse_everyone_else(vault, deployer, roles, investors, outsider, fulfiller, fn,
                                                   args, allowed):  # fmt: skip
    everyone = {"admin": deployer, "fulfiller": fulfiller, "pauser": roles["pauser"], "minter": roles["minter"],
                "agent": roles["agent"], "alice": investors["alice"], "outsider": outsider}  # fmt: skip
    for name, caller in everyone.items():
        if name == allowed:
            continue
        with ape.reverts(vault.AccessControlUnauthorizedAccount):
            getattr(vault, fn)(*args(outsider.address), sender=caller)
