"""Dividends and the vault: the requester, not the vault, is entitled to tokens it holds for them."""

from __future__ import annotations

import pytest

from stocksuite.corporate.entitlements import (
    CorporateActionError,
    WithholdingTable,
    compute_entitlements,
    take_snapshot,
)
from tests.conftest import kyc_record
from tests.vault.conftest import PRICE, SHARE


def record_now(chain) -> int:
    record_time = chain.blocks.head.timestamp + 1
    chain.mine(timestamp=record_time)
    chain.mine(timestamp=record_time + 1)
    return record_time


def test_pending_and_claimable_tokens_count_for_their_controllers(chain, token, vault, registry, holders,
                                                                  fulfiller, usd, investors, deployer):  # fmt: skip
    alice, bob = holders
    token.approve(vault, 30 * SHARE, sender=alice)
    vault.requestRedeem(30 * SHARE, alice, alice, sender=alice)  # alice: 70 held + 30 pending
    vault.fulfillRedeem([(alice.address, 10 * SHARE)], PRICE, sender=fulfiller)  # 10 burned: no longer hers
    carol = investors["carol"]
    usd.mint(carol, 2_000 * 10**6, sender=deployer)
    usd.approve(vault, 2_000 * 10**6, sender=carol)
    vault.requestDeposit(2_000 * 10**6, carol, carol, sender=carol)
    vault.fulfillDeposit([(carol.address, 2_000 * 10**6)], PRICE, sender=fulfiller)  # minted, unclaimed
    carol_shares = vault.maxMint(carol)
    record_time = record_now(chain)

    plain = take_snapshot(chain, token, registry, record_time)
    assert plain.balances[vault.address] == 20 * SHARE + carol_shares
    snapshot = take_snapshot(chain, token, registry, record_time, vaults=(vault,))
    assert vault.address not in snapshot.balances
    assert snapshot.balances[alice.address] == 90 * SHARE  # 70 in the wallet + 20 still pending
    assert snapshot.balances[bob.address] == 50 * SHARE
    assert snapshot.balances[carol.address] == carol_shares
    distribution = compute_entitlements(snapshot, 240_000, 18, WithholdingTable(0), frozenset({vault.address}))
    assert sum(e.raw_balance for e in distribution.entitlements) == token.totalSupply()


def test_a_vault_balance_its_events_cannot_explain_is_refused(chain, token, vault, registry, holders):
    alice, _ = holders
    token.transfer(vault, SHARE, sender=alice)  # sent outside any request
    record_time = record_now(chain)
    with pytest.raises(CorporateActionError, match="reconcile it first"):
        take_snapshot(chain, token, registry, record_time, vaults=(vault,))


def test_cancelled_and_moved_positions_count_for_their_new_controllers(chain, token, vault, registry, holders,
                                                                      fulfiller, accounts, vault_agent, roles):  # fmt: skip
    alice, bob = holders
    for holder, shares in ((alice, 30 * SHARE), (bob, 20 * SHARE)):
        token.approve(vault, shares, sender=holder)
        vault.requestRedeem(shares, holder, holder, sender=holder)
    vault.cancelRedeemRequest(0, alice, sender=alice)
    vault.fulfillCancelRedeem([alice.address], sender=fulfiller)  # 30 settled, still in the vault, unclaimed
    issuer = accounts[15]
    registry.setInvestors([issuer.address], [kyc_record(chain, investor_id=999)], sender=roles["officer"])
    vault.seizePosition(bob, issuer, "court order", sender=vault_agent)
    snapshot = take_snapshot(chain, token, registry, record_now(chain), vaults=(vault,))
    assert snapshot.balances[alice.address] == 100 * SHARE  # 70 held + 30 cancelled, not yet claimed
    assert snapshot.balances[bob.address] == 30 * SHARE and snapshot.balances[issuer.address] == 20 * SHARE
