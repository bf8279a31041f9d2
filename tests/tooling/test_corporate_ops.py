"""The corporate-actions officer's and paying agent's operations (stocksuite/corporate/operations.py)."""

from __future__ import annotations

import json
import time

import pytest

from stocksuite.corporate.entitlements import CONTRACT_ACCOUNT_REASON, CorporateActionError, Exclusion, WithholdingTable
from stocksuite.corporate.operations import (
    Context,
    chain_now,
    declare_dividend,
    pay_unclaimed,
    prepare_dividend,
    verify,
)
from stocksuite.chain.deployments import Deployments
from tests.conftest import kyc_record
from tests.corporate.conftest import blacklist_usd, tax_account  # noqa: F401 - shared fixtures
from tests.corporate.test_corporate_actions import DAY, record_now
from tests.vault.conftest import SHARE

TABLE = WithholdingTable(default_bps=3_000, rates={276: 1_500})


@pytest.fixture
def ctx(project, chain, write_records, actions, registry, holdings, usd, vault):
    root = write_records(CorporateActions=actions, ComplianceRegistry=registry, StockToken_AAPLx=holdings,
                         MockUSD=usd, RedemptionVault_AAPLx=vault)  # fmt: skip
    return Context(project, chain, Deployments.open("arbitrum:devnet", chain.chain_id, root=root))


def test_pay_finishes_past_griefing_claims_frozen_and_refused_holders(ctx, chain, holdings, blacklist_usd, deployer,
                                                                      registry, roles, investors, tax_account,
                                                                      tmp_path):  # fmt: skip
    alice, bob, carol, dave = (investors[n] for n in ("alice", "bob", "carol", "dave"))
    for holder in (carol, dave):
        holdings.mint(holder, 20 * SHARE, sender=roles["minter"])
    record_time = record_now(chain)
    distribution = prepare_dividend(ctx, "AAPLx", 240_000, record_time, TABLE, frozenset())
    out = tmp_path / "entitlements.json"
    distribution.write_json(out)
    total = distribution.total_net + distribution.total_withholding
    officer = roles["corporate"]
    blacklist_usd.mint(officer, total, sender=deployer)
    blacklist_usd.approve(ctx.actions, total, sender=officer)
    now = chain.blocks.head.timestamp
    terms = distribution.terms(holdings.address, blacklist_usd.address, 240_000, record_time, now + 5, now + DAY,
                               tax_account.address, "")  # fmt: skip
    receipt = ctx.actions.declareDividend(terms, [276], [1_500], 3_000, [], sender=officer)
    dividend_id = receipt.events.filter(ctx.actions.DividendDeclared)[0].id
    chain.mine(timestamp=now + 5)
    registry.setFrozen([dave.address], True, sender=roles["officer"])
    blacklist_usd.setBlacklisted(carol, True, sender=deployer)
    by_account = {e.account: e for e in distribution.entitlements}
    griefed = []

    def grief(payout):  # between batches, someone claims a holder's leaf the tool has not reached
        if griefed:
            return
        done = {leaf.account for leaf in payout.paid + payout.skipped + payout.left_out}
        e = next(by_account[w.address] for w in (alice, bob) if w.address not in done)
        ctx.actions.claim(dividend_id, e.index, e.account, e.net, e.withholding, distribution.proof(e.index),
                          sender=investors["erin"])  # fmt: skip
        griefed.append(e.account)

    payout = pay_unclaimed(ctx, dividend_id, out, roles["agent"], batch_size=1, on_batch=grief)
    paid_by_tool = ({alice.address, bob.address} - set(griefed)).pop()
    assert [leaf.account for leaf in payout.paid] == [paid_by_tool]
    assert sorted((leaf.account, leaf.outcome) for leaf in payout.left_out) == sorted(
        [(dave.address, "frozen"), (griefed[0], "already paid")])  # fmt: skip
    assert [(leaf.account, leaf.outcome) for leaf in payout.skipped] == [(carol.address, "refused by the stablecoin")]
    state = ctx.actions.dividend(dividend_id)
    assert state.paid == by_account[alice.address].net + by_account[bob.address].net


def test_pay_refuses_a_file_of_another_dividend_before_sending(ctx, chain, roles, usd, deployer, tax_account,
                                                               tmp_path):  # fmt: skip
    record_time = record_now(chain)
    usd.mint(roles["corporate"], 10**12, sender=deployer)
    dividend_id, distribution = declare_dividend(
        ctx, "AAPLx", 240_000, record_time, chain.blocks.head.timestamp + 5, chain.blocks.head.timestamp + DAY,
        TABLE, tax_account.address, frozenset(), tmp_path / "right.json", roles["corporate"], approve=True)  # fmt: skip
    data = json.loads((tmp_path / "right.json").read_text())
    data["entitlements"][0]["net"] += 1
    (tmp_path / "wrong.json").write_text(json.dumps(data))
    chain.mine(timestamp=chain.blocks.head.timestamp + 5)
    nonce = roles["agent"].nonce
    with pytest.raises(CorporateActionError, match="does not lead to dividend"):
        pay_unclaimed(ctx, dividend_id, tmp_path / "wrong.json", roles["agent"])
    assert roles["agent"].nonce == nonce


def test_contract_accounts_are_excluded_unless_included_and_verify_agrees(ctx, chain, holdings, vault, registry,
                                                                          roles, investors, usd, deployer,
                                                                          tax_account, tmp_path):  # fmt: skip
    """An AMM pair (a registry contract account) gets nothing by default and is listed; the vault's
    tokens still count for their requester; an omnibus named with include_contracts is entitled."""
    alice, bob, pair = investors["alice"], investors["bob"], investors["erin"]
    registry.setInvestors([pair.address], [kyc_record(chain, contract_account=True, investor_id=900)],
                          sender=roles["officer"])  # fmt: skip
    holdings.mint(pair, 40 * SHARE, sender=roles["minter"])
    holdings.approve(vault, 30 * SHARE, sender=alice)
    vault.requestRedeem(30 * SHARE, alice, alice, sender=alice)
    record_time = record_now(chain)

    distribution = prepare_dividend(ctx, "AAPLx", 240_000, record_time, TABLE, frozenset())
    entitled = {e.account: e.raw_balance for e in distribution.entitlements}
    assert entitled == {alice.address: 100 * SHARE, bob.address: 50 * SHARE}  # 30 of alice's in the vault
    assert distribution.exclusions == [Exclusion(pair.address, 40 * SHARE, 40 * SHARE, CONTRACT_ACCOUNT_REASON)]
    assert distribution.excluded == {pair.address, vault.address}

    kept = prepare_dividend(ctx, "AAPLx", 240_000, record_time, TABLE, frozenset(), frozenset({pair.address}))
    assert {e.account for e in kept.entitlements} == {alice.address, bob.address, pair.address}
    assert kept.exclusions == [] and kept.excluded == {vault.address}
    with pytest.raises(CorporateActionError, match="is not a contract account"):
        prepare_dividend(ctx, "AAPLx", 240_000, record_time, TABLE, frozenset(), frozenset({bob.address}))

    usd.mint(roles["corporate"], 10**12, sender=deployer)
    out = tmp_path / "entitlements.json"
    now = chain.blocks.head.timestamp
    dividend_id, declared = declare_dividend(ctx, "AAPLx", 240_000, record_time, now + 5, now + DAY, TABLE,
                                             tax_account.address, frozenset(), out, roles["corporate"],
                                             approve=True)  # fmt: skip
    assert declared.root == distribution.root
    assert json.loads(out.read_text())["exclusions"] == [
        {"account": pair.address, "raw_balance": 40 * SHARE, "shares": 40 * SHARE, "reason": CONTRACT_ACCOUNT_REASON}
    ]
    ok, recomputed, differences = verify(ctx, dividend_id)
    assert ok and recomputed.root == distribution.root, differences


def test_now_follows_a_local_chain_whose_clock_was_moved_ahead(chain):
    """`--effective-at now` after `python -m stocksuite.dev.l2 advance N`: the next block is N seconds
    past the wall clock and past the head, so "now" is the node's pending time, not either."""
    chain.provider.make_request("evm_increaseTime", [3_600])
    try:
        assert chain_now(chain) >= chain.pending_timestamp > chain.blocks.head.timestamp + 3_000
    finally:
        chain.provider.make_request("evm_increaseTime", [0])


def test_catch_up_mines_to_the_chain_clock_when_it_runs_ahead_of_the_wall_clock(ctx, chain):
    """After `advance`, the chain's clock is ahead of the wall clock: a head older than that clock is
    caught up (calls and gas estimates run on the head), or a claim sent just after its window opened
    would be estimated on the declaring block and refused."""
    chain.provider.make_request("evm_increaseTime", [3_600])
    chain.provider.make_request("evm_mine", [])
    try:
        time.sleep(1.1)  # the chain's clock passes the head; the wall clock stays an hour behind both
        now = chain_now(chain)
        assert int(time.time()) + 3_000 < chain.blocks.head.timestamp < now
        ctx.catch_up_local_clock()
        assert chain.blocks.head.timestamp >= now
    finally:
        chain.provider.make_request("evm_increaseTime", [0])
