"""CorporateActions: splits and stock dividends through the multiplier, cash dividends end to end."""

from __future__ import annotations

import ape
import pytest

from stocksuite.corporate.entitlements import (
    KINDS,
    LEAF_TYPES,
    CorporateActionError,
    Distribution,
    Entitlement,
    WithholdingTable,
    compute_entitlements,
    parse_ratio,
    take_snapshot,
    verify_dividend,
)
from stocksuite.corporate.operations import chain_now
from stocksuite.corporate.merkle import StandardMerkleTree
from stocksuite.config.records import InvestorRecord
from tests.conftest import YEAR

SPLF, SPLR, DVSE, DRIP = KINDS["SPLF"], KINDS["SPLR"], KINDS["DVSE"], KINDS["DRIP"]
DAY = 24 * 3600
USD = 10**6  # stablecoin units per dollar
TABLE = WithholdingTable(default_bps=3_000, rates={276: 1_500})  # Germany 15%, others 30%
# ICorporateActions.SkipReason
ALREADY_CLAIMED, FROZEN, FUNDING_EXCEEDED, TRANSFER_FAILED = 1, 2, 3, 4


def advance_to(chain, timestamp: int) -> None:
    """Mine a block at `timestamp`: later transactions are strictly after it."""
    chain.mine(timestamp=max(timestamp, chain.blocks.head.timestamp + 1))


def record_now(chain) -> int:
    """A record time with a block at it, and every later transaction strictly after it."""
    record_time = chain.blocks.head.timestamp + 1
    chain.mine(timestamp=record_time)
    advance_to(chain, record_time + 1)
    return record_time


# ---------------------------------------------------------------------------------------------
# Splits, stock dividends, reinvestment


@pytest.mark.parametrize(("kind", "ratio", "expected"), [
    (SPLF, (3, 1), 3 * 10**18), (SPLF, (3, 2), 15 * 10**17), (SPLR, (1, 10), 10**17), (DVSE, (105, 100), 105 * 10**16),
])  # fmt: skip
def test_ratio_actions_schedule_the_multiplier(actions, funded, roles, investors, chain, kind, ratio, expected):
    alice = investors["alice"]
    at = chain.pending_timestamp + DAY
    receipt = actions.announceRatio(kind, funded, *ratio, at, sender=roles["corporate"])
    event = receipt.events.filter(actions.MultiplierActionAnnounced)[0]
    assert (event.oldMultiplier, event.newMultiplier, event.effectiveAt) == (10**18, expected, at)
    assert funded.uiMultiplier() == 10**18  # not yet
    advance_to(chain, at)
    assert funded.uiMultiplier() == expected  # no keeper transaction at `at`
    assert funded.balanceOf(alice) == 1_000
    assert funded.balanceOfUI(alice) == 1_000 * expected // 10**18


@pytest.mark.parametrize(("kind", "ratio"), [(SPLF, (1, 2)), (SPLR, (2, 1)), (DVSE, (0, 1)), (SPLF, (3, 0)),
                                             (SPLF, (2, 2))])  # fmt: skip
def test_zero_or_wrong_direction_ratios_are_refused(actions, token, roles, chain, kind, ratio):
    with ape.reverts(actions.InvalidRatio):
        actions.announceRatio(kind, token, *ratio, chain.pending_timestamp + DAY, sender=roles["corporate"])


def test_cancel_before_effect_and_not_after(actions, token, roles, chain):
    at = chain.pending_timestamp + DAY
    action_id = actions.nextActionId()
    actions.announceRatio(SPLF, token, 2, 1, at, sender=roles["corporate"])
    actions.cancel(action_id, sender=roles["corporate"])
    advance_to(chain, at + 1)
    assert token.uiMultiplier() == 10**18
    second = actions.nextActionId()
    effective = chain_now(chain) + 30
    actions.announceRatio(SPLF, token, 2, 1, effective, sender=roles["corporate"])
    advance_to(chain, effective)
    with ape.reverts(actions.ActionAlreadyEffective):
        actions.cancel(second, sender=roles["corporate"])


def test_reinvestment_raises_the_multiplier_by_net_over_price(actions, token, roles, chain):
    at = chain.pending_timestamp + DAY
    receipt = actions.announceReinvestment(token, 1 * USD, 200 * USD, 1_500, at, sender=roles["corporate"])
    terms = receipt.events.filter(actions.ReinvestmentTerms)[0]
    assert (terms.grossPerShare, terms.referencePrice, terms.withholdingBps) == (USD, 200 * USD, 1_500)
    advance_to(chain, at)
    # net 0.85 per share reinvested at 200: multiplier x (200.85 / 200)
    assert token.uiMultiplier() == 10**18 * 200_850_000 // 200_000_000


META = ("Meta Platforms xStock", "METAx", "META")


def test_name_change_applies_on_schedule_and_keeps_the_permit_domain(actions, token, roles, chain):
    officer = roles["corporate"]
    name, symbol, ticker = token.name(), token.symbol(), token.securityInfo().underlyingTicker
    domain = token.DOMAIN_SEPARATOR()
    at = chain_now(chain) + 100
    receipt = actions.announceNameChange(token, META, at, sender=officer)
    announced = receipt.events.filter(actions.NameChangeAnnounced)[0]
    assert (announced.oldName, announced.oldSymbol) == (name, symbol)
    assert (announced.newName, announced.newSymbol, announced.newUnderlyingTicker) == META
    assert actions.scheduledAction(announced.id).kind == KINDS["CHAN"]
    assert receipt.events.filter(token.NameChangeScheduled)[0].effectiveAt == at
    assert (token.name(), token.symbol(), token.securityInfo().underlyingTicker) == (name, symbol, ticker)
    with ape.reverts(token.NameChangePending):
        actions.announceNameChange(token, ("Other", "OTH", "OTH"), at + 1, sender=officer)

    advance_to(chain, at)  # no transaction at the effective second
    assert (token.name(), token.symbol(), token.securityInfo().underlyingTicker) == META
    assert token.securityInfo().isin != ""  # the rest of the security data stays
    # Permits keep the domain of the name at initialization (ERC-5267 tells wallets so).
    assert token.DOMAIN_SEPARATOR() == domain
    assert token.eip712Domain().name == name

    later = chain_now(chain) + 50
    actions.announceNameChange(token, ("Meta Platforms Class A xStock", "METAAx", "META.A"), later, sender=officer)
    assert token.symbol() == "METAx"  # the first change stays in force until the second applies
    advance_to(chain, later)
    assert (token.name(), token.symbol()) == ("Meta Platforms Class A xStock", "METAAx")


def test_name_change_cancels_before_effect_only(actions, token, roles, chain):
    officer = roles["corporate"]
    name = token.name()
    at = chain_now(chain) + 100
    action_id = actions.announceNameChange(token, META, at, sender=officer).events.filter(
        actions.NameChangeAnnounced)[0].id  # fmt: skip
    receipt = actions.cancel(action_id, sender=officer)
    assert receipt.events.filter(token.NameChangeCancelled)[0].effectiveAt == at
    advance_to(chain, at)
    assert token.name() == name
    with ape.reverts(actions.UnknownAction):
        actions.cancel(action_id, sender=officer)

    soon = chain_now(chain) + 10
    action_id = actions.announceNameChange(token, META, soon, sender=officer).events.filter(
        actions.NameChangeAnnounced)[0].id  # fmt: skip
    advance_to(chain, soon)
    with ape.reverts(actions.ActionAlreadyEffective):
        actions.cancel(action_id, sender=officer)
    assert token.name() == META[0]


@pytest.mark.parametrize(("names", "error"), [
    (("", "X", "X"), "InvalidNames"), (("X", "", "X"), "InvalidNames"), (("X", "X", ""), "InvalidNames"),
])  # fmt: skip
def test_name_change_refuses_empty_names_and_past_times(actions, token, roles, chain, names, error):
    officer = roles["corporate"]
    with ape.reverts(getattr(token, error)):
        actions.announceNameChange(token, names, chain_now(chain) + 10, sender=officer)
    with ape.reverts(token.EffectiveAtInPast):  # before the head block: past whatever the wall clock says
        actions.announceNameChange(token, META, chain.blocks.head.timestamp - 10, sender=officer)


def test_token_refuses_to_cancel_a_name_change_it_does_not_have(token, roles, chain):
    with ape.reverts(token.NoNameChangePending):
        token.cancelNameChange(chain_now(chain) + 10, sender=roles["corporate"])


def test_parse_ratio():
    assert parse_ratio("3:2") == (3, 2) and parse_ratio("1-for-10") == (1, 10) and parse_ratio("3/1") == (3, 1)
    for bad in ("0:1", "3:0", "2:2", "three", "1:2:3"):
        with pytest.raises(CorporateActionError):
            parse_ratio(bad)


# ---------------------------------------------------------------------------------------------
# Cash dividends


@pytest.fixture
def holders(funded, registry, roles, investors, chain):
    """alice (DE) holds 1,000e18, bob (FR) 500e18 raw; 2-for-1 split in force before the record."""
    alice, bob = investors["alice"], investors["bob"]
    expiry = chain.pending_timestamp + YEAR
    registry.setInvestors([bob.address], [InvestorRecord(250, 1, expiry, investor_id=101).pack()],
                          sender=roles["officer"])  # fmt: skip
    funded.mint(alice, 1_000 * 10**18 - 1_000, sender=roles["minter"])
    funded.mint(bob, 500 * 10**18 - 1_000, sender=roles["minter"])
    return alice, bob


def declare(actions, usd, deployer, token, tax_account, distribution, record_time, chain, officer, pay_in=DAY,
            expiry_in=30 * DAY):  # fmt: skip
    total = distribution.total_net + distribution.total_withholding
    usd.mint(officer, total, sender=deployer)
    usd.approve(actions, total, sender=officer)
    now = chain.blocks.head.timestamp
    terms = distribution.terms(
        token.address,
        usd.address,
        240_000,
        record_time,
        now + pay_in,
        now + expiry_in,
        tax_account.address,
        "ipfs://entitlements",
    )
    jurisdictions = sorted(TABLE.rates)
    receipt = actions.declareDividend(terms, jurisdictions, [TABLE.rates[j] for j in jurisdictions],
                                      TABLE.default_bps, [], sender=officer)  # fmt: skip
    return receipt.events.filter(actions.DividendDeclared)[0].id, now + pay_in, now + expiry_in


def test_dividend_lifecycle(project, actions, funded, usd, deployer, registry, roles, investors, holders, chain,
                            tax_account):  # fmt: skip
    alice, bob = holders
    officer = roles["corporate"]
    split_at = chain_now(chain) + 30
    actions.announceRatio(SPLF, funded, 2, 1, split_at, sender=officer)  # 2-for-1 before the record time
    advance_to(chain, split_at)
    record_time = record_now(chain)
    # After the record time: a transfer and another split change nothing for this dividend.
    funded.transfer(bob, 400 * 10**18, sender=alice)
    actions.announceRatio(SPLF, funded, 3, 1, chain_now(chain) + 30, sender=officer)

    snapshot = take_snapshot(chain, funded, registry, record_time)
    assert snapshot.balances == {alice.address: 1_000 * 10**18, bob.address: 500 * 10**18}
    assert snapshot.multiplier == 2 * 10**18
    distribution = compute_entitlements(snapshot, 240_000, 18, TABLE)
    by_account = {e.account: e for e in distribution.entitlements}
    # alice: 2,000 shares x $0.24 = $480 gross, 15% withheld; bob: 1,000 shares = $240, 30% withheld
    assert (by_account[alice.address].gross, by_account[alice.address].withholding) == (480 * USD, 72 * USD)
    assert (by_account[bob.address].gross, by_account[bob.address].withholding) == (240 * USD, 72 * USD)

    dividend_id, pay_at, expiry = declare(actions, usd, deployer, funded, tax_account, distribution, record_time,
                                          chain, officer)  # fmt: skip
    assert verify_dividend(chain, actions, registry, dividend_id, project)[0]

    a = by_account[alice.address]
    with ape.reverts(actions.ClaimWindowClosed):
        actions.claim(dividend_id, a.index, alice, a.net, a.withholding, distribution.proof(a.index), sender=alice)
    advance_to(chain, pay_at)
    with ape.reverts(actions.InvalidProof):
        actions.claim(dividend_id, a.index, alice, a.net + 1, a.withholding, distribution.proof(a.index),
                      sender=alice)  # fmt: skip
    actions.claim(dividend_id, a.index, alice, a.net, a.withholding, distribution.proof(a.index), sender=alice)
    assert usd.balanceOf(alice) == 408 * USD
    with ape.reverts(actions.AlreadyClaimed):
        actions.claim(dividend_id, a.index, alice, a.net, a.withholding, distribution.proof(a.index), sender=alice)

    actions.remitWithholding(dividend_id, sender=alice)
    assert usd.balanceOf(tax_account) == 72 * USD
    with ape.reverts(actions.ClaimsStillOpen):
        actions.reclaim(dividend_id, sender=officer)
    advance_to(chain, expiry)
    b = by_account[bob.address]
    with ape.reverts(actions.ClaimWindowClosed):
        actions.claim(dividend_id, b.index, bob, b.net, b.withholding, distribution.proof(b.index), sender=bob)
    balance_before = usd.balanceOf(officer)
    actions.reclaim(dividend_id, sender=officer)
    assert usd.balanceOf(officer) - balance_before == 240 * USD  # bob never claimed: his gross returns
    state = actions.dividend(dividend_id)
    assert state.paid + state.withheld + (usd.balanceOf(officer) - balance_before) == state.funded
    assert usd.balanceOf(actions) == 0


def test_paying_agent_pays_in_batches(actions, funded, usd, deployer, registry, roles, holders, chain, tax_account):
    alice, bob = holders
    record_time = record_now(chain)
    distribution = compute_entitlements(take_snapshot(chain, funded, registry, record_time), 240_000, 18, TABLE)
    dividend_id, pay_at, _ = declare(actions, usd, deployer, funded, tax_account, distribution, record_time, chain,
                                     roles["corporate"])  # fmt: skip
    advance_to(chain, pay_at)
    claims = [(e.index, e.account, e.net, e.withholding, distribution.proof(e.index))
              for e in distribution.entitlements]  # fmt: skip
    with ape.reverts(actions.AccessControlUnauthorizedAccount):
        actions.payBatch(dividend_id, claims, sender=roles["corporate"])
    receipt = actions.payBatch(dividend_id, claims, sender=roles["agent"])
    assert len(receipt.events.filter(actions.DividendPaid)) == 2
    assert usd.balanceOf(alice) == distribution.entitlements[0].net or usd.balanceOf(bob) > 0
    assert actions.dividend(dividend_id).paid == distribution.total_net


def test_frozen_holder_is_not_paid(actions, funded, usd, deployer, registry, roles, holders, chain, tax_account):
    alice, _ = holders
    record_time = record_now(chain)
    distribution = compute_entitlements(take_snapshot(chain, funded, registry, record_time), 240_000, 18, TABLE)
    dividend_id, pay_at, _ = declare(actions, usd, deployer, funded, tax_account, distribution, record_time, chain,
                                     roles["corporate"])  # fmt: skip
    registry.setFrozen([alice.address], True, sender=roles["officer"])
    advance_to(chain, pay_at)
    e = next(x for x in distribution.entitlements if x.account == alice.address)
    with ape.reverts(actions.ClaimantFrozen):
        actions.claim(dividend_id, e.index, alice, e.net, e.withholding, distribution.proof(e.index), sender=alice)


def test_cancel_before_payment_refunds_in_full(actions, funded, usd, deployer, registry, roles, holders, chain,
                                               tax_account):  # fmt: skip
    record_time = record_now(chain)
    distribution = compute_entitlements(take_snapshot(chain, funded, registry, record_time), 240_000, 18, TABLE)
    officer = roles["corporate"]
    dividend_id, _, _ = declare(actions, usd, deployer, funded, tax_account, distribution, record_time, chain, officer)
    actions.cancel(dividend_id, sender=officer)
    assert usd.balanceOf(officer) == distribution.total_net + distribution.total_withholding
    assert usd.balanceOf(actions) == 0


def test_record_time_in_the_future_is_refused_before_any_transaction(chain, funded, registry):
    with pytest.raises(CorporateActionError, match="after the chain head"):
        take_snapshot(chain, funded, registry, chain.pending_timestamp + DAY)


def test_declaration_checks(actions, token, usd, roles, chain, tax_account):
    now = chain.pending_timestamp
    officer = roles["corporate"]

    def terms(record=now - 1, pay=now, expiry=now + DAY, root=b"\x01" * 32, leaves=1, net=1, tax=0):
        return (token.address, usd.address, 1, record, pay, expiry, root, leaves, net, tax, tax_account.address, "")

    for schedule in ({"record": now + DAY, "pay": now + 2 * DAY, "expiry": now + 3 * DAY},  # record in the future
                     {"expiry": 2**32}):  # claim expiry past 2106 (uint32 seconds)  # fmt: skip
        with ape.reverts(actions.InvalidSchedule):
            actions.declareDividend(terms(**schedule), [], [], 0, [], sender=officer)
    too_many = int(actions.MAX_DIVIDEND_LEAVES()) + 1  # reclaim would no longer fit a transaction
    for bad in ({"root": b"\x00" * 32}, {"leaves": 0}, {"leaves": too_many}, {"net": 0}, {"net": 2**96 - 1, "tax": 1}):
        with ape.reverts(actions.InvalidDividend):
            actions.declareDividend(terms(**bad), [], [], 0, [], sender=officer)
    with ape.reverts(actions.InvalidWithholdingTable):
        actions.declareDividend(terms(), [276], [], 0, [], sender=officer)
    with ape.reverts():  # no allowance: nothing is declared without funds
        actions.declareDividend(terms(), [], [], 0, [], sender=officer)


def _synthetic(entries: list[tuple[int, str, int, int]]) -> Distribution:
    """A distribution over arbitrary (index, account, net, withholding) leaves."""
    entitlements = [Entitlement(i, a, 0, 0, 0, 0, n + w, w, n) for i, a, n, w in entries]
    return Distribution(entitlements, StandardMerkleTree.of([list(e) for e in entries], LEAF_TYPES))


def _declare_synthetic(actions, usd, deployer, officer, token, tax_account, chain, distribution, leaves=None):
    total = distribution.total_net + distribution.total_withholding
    usd.mint(officer, total, sender=deployer)
    usd.approve(actions, total, sender=officer)
    now = chain.blocks.head.timestamp
    terms = list(distribution.terms(token.address, usd.address, 1, now - 1, now + 10, now + DAY, tax_account.address,
                                    ""))  # fmt: skip
    if leaves is not None:
        terms[7] = leaves
    receipt = actions.declareDividend(tuple(terms), [], [], 0, [], sender=officer)
    advance_to(chain, now + 10)
    return receipt.events.filter(actions.DividendDeclared)[0].id, now + DAY


def test_claim_words_sum_every_payment_across_words(actions, token, usd, deployer, roles, chain, tax_account):
    """130 leaves span three claim words (64 leaves each); every total is the sum over them."""
    entries = [(i, f"0x{i + 1:040x}", 1_000 + i, 10 * (i % 7)) for i in range(130)]
    distribution = _synthetic(entries)
    officer = roles["corporate"]
    dividend_id, expiry = _declare_synthetic(actions, usd, deployer, officer, token, tax_account, chain,
                                             distribution)  # fmt: skip
    paid = [e for e in distribution.entitlements if e.index % 3 != 1]  # some in every word, some not
    claims = [(e.index, e.account, e.net, e.withholding, distribution.proof(e.index)) for e in paid]
    actions.payBatch(dividend_id, claims[:50], sender=roles["agent"])
    actions.payBatch(dividend_id, claims[50:], sender=roles["agent"])
    for e in distribution.entitlements:
        assert actions.isClaimed(dividend_id, e.index) == (e in paid)
    state = actions.dividend(dividend_id)
    assert (state.paid, state.withheld) == (sum(e.net for e in paid), sum(e.withholding for e in paid))
    skipped = actions.payBatch(dividend_id, claims[-1:], sender=roles["agent"]).events  # paid: skipped
    assert [e.reason for e in skipped.filter(actions.DividendPaymentSkipped)] == [ALREADY_CLAIMED]
    assert actions.dividend(dividend_id).paid == state.paid

    advance_to(chain, expiry)
    before = usd.balanceOf(officer)
    actions.reclaim(dividend_id, sender=officer)
    unpaid = [e for e in distribution.entitlements if e not in paid]
    assert usd.balanceOf(officer) - before == sum(e.net + e.withholding for e in unpaid)
    assert usd.balanceOf(tax_account) == state.withheld
    assert usd.balanceOf(actions) == 0


def test_claims_outside_the_declared_leaves_or_funding_are_refused(actions, token, usd, deployer, roles, chain,
                                                                   tax_account):  # fmt: skip
    # A wrong tree: a leaf at index 64 while the terms declare 64 leaves (one claim word).
    distribution = _synthetic([(0, "0x" + "aa" * 20, 5, 0), (64, "0x" + "bb" * 20, 5, 0)])
    officer = roles["corporate"]
    dividend_id, _ = _declare_synthetic(actions, usd, deployer, officer, token, tax_account, chain, distribution,
                                        leaves=64)  # fmt: skip
    with ape.reverts(actions.InvalidProof):
        actions.claim(dividend_id, 64, "0x" + "bb" * 20, 5, 0, distribution.proof(1), sender=officer)
    actions.claim(dividend_id, 0, "0x" + "aa" * 20, 5, 0, distribution.proof(0), sender=officer)


def test_claims_never_exceed_the_dividends_own_funding(actions, token, usd, deployer, roles, chain, tax_account):
    """A wrong tree (here: its leaves sum to 10x the funding, a decimals slip) pays out its own
    funding and no more; the stablecoin of the other dividend stays for its holders."""
    officer, agent = roles["corporate"], roles["agent"]
    honest = _synthetic([(0, "0x" + "a1" * 20, 1_000, 0)])
    honest_id, _ = _declare_synthetic(actions, usd, deployer, officer, token, tax_account, chain, honest)
    wrong = _synthetic([(0, "0x" + "b1" * 20, 100, 50), (1, "0x" + "b2" * 20, 100, 0), (64, "0x" + "b3" * 20, 40, 0),
                        (65, "0x" + "b4" * 20, 2**256 - 1, 1)])  # fmt: skip
    wrong_id = _declare_with_root(actions, usd, deployer, officer, token, tax_account, chain, wrong.root, 200)
    claims = [(e.index, e.account, e.net, e.withholding, wrong.proof(p)) for p, e in enumerate(wrong.entitlements)]
    actions.claim(wrong_id, *claims[0], sender=officer)  # 150 of 200
    with ape.reverts(actions.DividendFundingExceeded, id=wrong_id, wouldPay=250, funded=200):
        actions.claim(wrong_id, *claims[1], sender=officer)
    with ape.reverts(actions.DividendFundingExceeded, id=wrong_id, wouldPay=2**256 - 1, funded=200):
        actions.claim(wrong_id, *claims[3], sender=officer)  # no overflow: the error saturates
    receipt = actions.payBatch(wrong_id, claims[1:], sender=agent)  # 100 skipped, 40 paid, the huge one skipped
    assert [(e.index, e.reason) for e in receipt.events.filter(actions.DividendPaymentSkipped)] == [
        (1, FUNDING_EXCEEDED), (65, FUNDING_EXCEEDED)]  # fmt: skip
    assert not actions.isClaimed(wrong_id, 1) and actions.isClaimed(wrong_id, 64)
    state = actions.dividend(wrong_id)
    assert (state.paid, state.withheld, state.funded) == (140, 50, 200)

    actions.claim(honest_id, 0, "0x" + "a1" * 20, 1_000, 0, honest.proof(0), sender=officer)  # still all there
    actions.remitWithholding(wrong_id, sender=officer)
    advance_to(chain, chain.blocks.head.timestamp + DAY)
    before = usd.balanceOf(officer)
    actions.reclaim(wrong_id, sender=officer)
    assert usd.balanceOf(officer) - before == 10  # paid 140 + withheld 50 + reclaimed 10 == funded 200
    assert usd.balanceOf(actions) == 0


def test_pay_batch_skips_claimed_frozen_and_refused_leaves_and_pays_the_rest(actions, token, blacklist_usd, deployer,
                                                                             registry, roles, investors, chain,
                                                                             tax_account):  # fmt: skip
    alice, bob, carol, dave = (investors[n] for n in ("alice", "bob", "carol", "dave"))
    officer, agent = roles["corporate"], roles["agent"]
    entries = [(i, w.address, 1_000 * (i + 1), 100) for i, w in enumerate((alice, bob, carol, dave))]
    distribution = _synthetic(entries)
    dividend_id, _ = _declare_synthetic(actions, blacklist_usd, deployer, officer, token, tax_account, chain,
                                        distribution)  # fmt: skip
    claims = [(i, a, n, w, distribution.proof(i)) for i, a, n, w in entries]
    actions.claim(dividend_id, *claims[0], sender=investors["erin"])  # anyone claims alice's leaf first
    registry.setFrozen([bob.address], True, sender=roles["officer"])
    blacklist_usd.setBlacklisted(carol, True, sender=deployer)

    receipt = actions.payBatch(dividend_id, claims, sender=agent)  # the griefed batch still pays dave
    skipped = [(e.id, e.index, e.account, e.reason) for e in receipt.events.filter(actions.DividendPaymentSkipped)]
    assert skipped == [(dividend_id, 0, alice.address, ALREADY_CLAIMED), (dividend_id, 1, bob.address, FROZEN),
                       (dividend_id, 2, carol.address, TRANSFER_FAILED)]  # fmt: skip
    assert [e.account for e in receipt.events.filter(actions.DividendPaid)] == [dave.address]
    assert blacklist_usd.balanceOf(dave) == 4_000
    for index, claimed in enumerate((True, False, False, True)):  # skipped leaves stay payable
        assert actions.isClaimed(dividend_id, index) == claimed
    state = actions.dividend(dividend_id)
    assert (state.paid, state.withheld) == (1_000 + 4_000, 200)

    registry.setFrozen([bob.address], False, sender=roles["officer"])
    blacklist_usd.setBlacklisted(carol, False, sender=deployer)
    receipt = actions.payBatch(dividend_id, claims[1:3], sender=agent)
    assert [e.account for e in receipt.events.filter(actions.DividendPaid)] == [bob.address, carol.address]
    assert actions.dividend(dividend_id).paid == distribution.total_net


def test_a_claim_the_stablecoin_refuses_reverts(actions, token, blacklist_usd, deployer, roles, investors, chain,
                                                tax_account):  # fmt: skip
    carol = investors["carol"]
    distribution = _synthetic([(0, carol.address, 500, 0)])
    dividend_id, _ = _declare_synthetic(actions, blacklist_usd, deployer, roles["corporate"], token, tax_account,
                                        chain, distribution)  # fmt: skip
    blacklist_usd.setBlacklisted(carol, True, sender=deployer)
    with ape.reverts(blacklist_usd.AccountBlacklisted):
        actions.claim(dividend_id, 0, carol, 500, 0, distribution.proof(0), sender=carol)
    assert not actions.isClaimed(dividend_id, 0)


def test_pay_batch_reverts_on_a_wrong_proof(actions, token, usd, deployer, roles, chain, tax_account):
    """A proof that does not match is the paying agent's bug (nobody else can make a published
    proof fail): the batch reverts and nothing is paid."""
    distribution = _synthetic([(0, "0x" + "c1" * 20, 10, 0), (1, "0x" + "c2" * 20, 20, 0)])
    dividend_id, _ = _declare_synthetic(actions, usd, deployer, roles["corporate"], token, tax_account, chain,
                                        distribution)  # fmt: skip
    good = (0, "0x" + "c1" * 20, 10, 0, distribution.proof(0))
    for bad in ((1, "0x" + "c2" * 20, 21, 0, distribution.proof(1)), (64, "0x" + "c2" * 20, 20, 0, [])):
        with ape.reverts(actions.InvalidProof):
            actions.payBatch(dividend_id, [good, bad], sender=roles["agent"])
    assert not actions.isClaimed(dividend_id, 0)


def test_verify_names_what_a_declaration_misstates(project, actions, funded, usd, deployer, registry, roles, holders,
                                                   chain, tax_account):  # fmt: skip
    record_time = record_now(chain)
    distribution = compute_entitlements(take_snapshot(chain, funded, registry, record_time), 240_000, 18, TABLE)
    officer = roles["corporate"]
    terms = list(distribution.terms(funded.address, usd.address, 240_000, record_time, record_time + DAY,
                                    record_time + 2 * DAY, tax_account.address, ""))  # fmt: skip
    terms[9] -= 1  # totalWithholding understated by one unit: the right root, underfunded
    usd.mint(officer, terms[8] + terms[9], sender=deployer)
    usd.approve(actions, terms[8] + terms[9], sender=officer)
    jurisdictions = sorted(TABLE.rates)
    receipt = actions.declareDividend(tuple(terms), jurisdictions, [TABLE.rates[j] for j in jurisdictions],
                                      TABLE.default_bps, [], sender=officer)  # fmt: skip
    ok, _, differences = verify_dividend(chain, actions, registry, receipt.events.filter(actions.DividendDeclared)[0].id,
                                         project)  # fmt: skip
    assert not ok
    assert differences == [f"totalWithholding is {terms[9]} on chain, {terms[9] + 1} recomputed"]


def _declare_with_root(actions, usd, deployer, officer, token, tax_account, chain, root: bytes, total: int) -> int:
    usd.mint(officer, total, sender=deployer)
    usd.approve(actions, total, sender=officer)
    now = chain.blocks.head.timestamp
    terms = (token.address, usd.address, 1, now - 1, now + 10, now + DAY, root, 65, total, 0, tax_account.address, "")
    receipt = actions.declareDividend(terms, [], [], 0, [], sender=officer)
    advance_to(chain, now + 10)
    return receipt.events.filter(actions.DividendDeclared)[0].id


@pytest.mark.parametrize(
    "fn", ["announceRatio", "announceReinvestment", "announceNameChange", "declareDividend", "cancel", "reclaim"]
)
def test_officer_functions_refuse_everyone_else(actions, token, roles, investors, outsider, deployer, fn):
    args = {
        "announceRatio": (SPLF, token.address, 2, 1, 2**40),
        "announceReinvestment": (token.address, 1, 1, 0, 2**40),
        "declareDividend": ((token.address, token.address, 1, 0, 0, 0, b"\x01" * 32, 1, 0, 0, token.address, ""),
                            [], [], 0, []),
        "announceNameChange": (token.address, ("New", "NEW", "NEW"), 2**40),
        "cancel": (1,),
        "reclaim": (1,),
    }[fn]  # fmt: skip
    for caller in (deployer, roles["agent"], roles["minter"], roles["officer"], investors["alice"], outsider):
        with ape.reverts(actions.AccessControlUnauthorizedAccount):
            getattr(actions, fn)(*args, sender=caller)
