"""The redemption operator's executions file: every refusal happens before any transaction."""

from __future__ import annotations

import pytest

from stocksuite.redemption.vault import (
    RedemptionError,
    claim_cancel,
    fill,
    move_position,
    pending,
    pending_cancels,
    plan_move,
    read_executions,
    reconcile,
    request_cancel,
    settle_cancels,
    totals,
)
from tests.conftest import kyc_record
from tests.vault.conftest import PRICE, SHARE


def write(tmp_path, rows: str):
    path = tmp_path / "executions.csv"
    path.write_text("side,controller,amount,price\n" + rows)
    return path


def test_bad_rows_are_refused_with_file_and_line(project, token, vault, holders, tmp_path, outsider):
    alice, _ = holders
    token.approve(vault, 10 * SHARE, sender=alice)
    vault.requestRedeem(10 * SHARE, alice, alice, sender=alice)
    path = write(tmp_path, f"redeem,{alice.address},11,200\n"      # more than pending
                           f"redeem,{outsider.address},1,200\n"    # unknown controller
                           f"redeem,{alice.address},1,210\n"       # 5% above the $200 feed
                           f"swap,{alice.address},1,200\n")  # fmt: skip
    with pytest.raises(RedemptionError) as info:
        read_executions(path, vault, token, project)
    message = str(info.value)
    assert f"{path}:2: 11 is more than the redeem pending" in message
    assert f"{path}:3: unknown controller {outsider.address}" in message
    assert f"{path}:4: price 210 is outside 200 bps of the feed (200.00)" in message
    assert f"{path}:5: side 'swap' is not redeem or subscribe" in message
    assert vault.pendingRedeemRequest(0, alice) == 10 * SHARE  # nothing was sent


def test_amounts_are_exact_never_truncated(project, token, vault, holders, tmp_path):
    alice, _ = holders
    token.approve(vault, 10 * SHARE, sender=alice)
    vault.requestRedeem(10 * SHARE, alice, alice, sender=alice)
    (row,) = read_executions(write(tmp_path, f"redeem,{alice.address},2.000000000000000001,$200.10\n"), vault, token,
                             project)  # fmt: skip
    assert (row.amount, row.price) == (int(token.fromUIAmount(2 * SHARE + 1)), 200_100_000)
    path = write(tmp_path, f"redeem,{alice.address},1.0000000000000000001,200\n"  # 19 decimals
                           f"redeem,{alice.address},1e1,200\n"
                           f"redeem,{alice.address},1\n")  # fmt: skip
    with pytest.raises(RedemptionError) as info:
        read_executions(path, vault, token, project)
    message = str(info.value)
    assert message.startswith("3 bad row(s), nothing sent:")
    assert f"{path}:2: amount 1.0000000000000000001 has more than the token's 18 decimals" in message
    assert f"{path}:3: amount '1e1' is not a non-negative decimal such as 10 or 10.5" in message
    assert f"{path}:4: wrong number of fields" in message
    short = tmp_path / "short.csv"
    short.write_text("side,controller,amount\n")
    with pytest.raises(RedemptionError, match=r"short.csv:1: missing column\(s\) price"):
        read_executions(short, vault, token, project)


def test_rows_fill_and_the_vault_reconciles(project, token, vault, usd, holders, tmp_path, fulfiller):
    alice, bob = holders
    for holder in (alice, bob):
        token.approve(vault, 10 * SHARE, sender=holder)
        vault.requestRedeem(10 * SHARE, holder, holder, sender=holder)
    rows = read_executions(write(tmp_path, f"redeem,{alice.address},4,199\nredeem,{bob.address},10,199\n"
                                           f"redeem,{alice.address},6,201\n"), vault, token, project)  # fmt: skip
    assert fill(vault, rows, fulfiller) == (2, [])  # grouped by price, nothing short
    assert totals(vault)["redeemed_shares"] == 20 * SHARE
    assert reconcile(vault, token, usd) == []


def test_fill_reports_what_changed_after_the_file_was_checked(project, token, vault, usd, holders, tmp_path,
                                                              fulfiller, registry, roles):  # fmt: skip
    alice, bob = holders
    for holder in (alice, bob):
        token.approve(vault, 10 * SHARE, sender=holder)
        vault.requestRedeem(10 * SHARE, holder, holder, sender=holder)
    rows = read_executions(write(tmp_path, f"redeem,{alice.address},10,200\nredeem,{bob.address},10,200\n"), vault,
                           token, project)  # fmt: skip
    vault.fulfillRedeem([(alice.address, 4 * SHARE)], PRICE, sender=fulfiller)  # someone filled part meanwhile
    registry.setFrozen([bob.address], True, sender=roles["officer"])  # and bob was frozen
    sent, short = fill(vault, rows, fulfiller)
    assert sent == 1
    assert [(s.controller, s.requested, s.filled, s.reason) for s in short] == [
        (alice.address, 10 * SHARE, 6 * SHARE, "less pending than asked"),
        (bob.address, 10 * SHARE, 0, "controller may not send (frozen or not verified)"),
    ]
    assert reconcile(vault, token, usd) == []


def test_cancels_are_asked_settled_and_claimed(token, vault, usd, holders, fulfiller):
    alice, bob = holders
    token.approve(vault, 10 * SHARE, sender=alice)
    vault.requestRedeem(10 * SHARE, alice, alice, sender=alice)
    with pytest.raises(RedemptionError, match="no pending subscribe request"):
        request_cancel(vault, token, alice, "subscribe")
    request_cancel(vault, token, alice, "redeem")
    with pytest.raises(RedemptionError, match="already has a redeem cancel"):
        request_cancel(vault, token, alice, "redeem")
    with pytest.raises(RedemptionError, match="no settled cancel"):
        claim_cancel(vault, token, alice)
    assert pending(vault)[0]["cancel_redeem_pending"] and pending_cancels(vault) == ([alice.address], [])
    assert settle_cancels(vault, *pending_cancels(vault), fulfiller) == 1
    assert totals(vault)["cancelled_redeem_shares"] == 10 * SHARE and reconcile(vault, token, usd) == []
    assert claim_cancel(vault, token, alice) == (10 * SHARE, 0)
    assert token.balanceOf(alice) == 100 * SHARE and totals(vault)["returned_redeem_shares"] == 10 * SHARE


def test_position_moves_are_checked_before_sending(token, vault, usd, holders, registry, roles, chain, accounts,
                                                   vault_agent, outsider):  # fmt: skip
    alice, bob = holders
    token.approve(vault, 10 * SHARE, sender=alice)
    vault.requestRedeem(10 * SHARE, alice, alice, sender=alice)
    alice2 = accounts[15]
    registry.setInvestors([alice2.address], [kyc_record(chain, investor_id=registry.investorOf(alice).investorId)],
                          sender=roles["officer"])  # fmt: skip
    with pytest.raises(RedemptionError, match="not wallets of the same investor"):
        plan_move(vault, token, registry, alice.address, bob.address, "lost key", seized=False)
    with pytest.raises(RedemptionError, match="may not send"):
        plan_move(vault, token, registry, alice.address, outsider.address, "court order", seized=True)
    with pytest.raises(RedemptionError, match="nothing in the vault"):
        plan_move(vault, token, registry, bob.address, alice2.address, "x", seized=True)
    with pytest.raises(RedemptionError, match="give a reason"):
        plan_move(vault, token, registry, alice.address, alice2.address, " ", seized=False)
    move = plan_move(vault, token, registry, alice.address, alice2.address, "lost key", seized=False)
    assert "move the vault position of" in move.summary() and "pending_redeem 10000000000000000000" in move.summary()
    move_position(vault, move, vault_agent)
    assert vault.pendingRedeemRequest(0, alice2) == 10 * SHARE and reconcile(vault, token, usd) == []
