"""The redemption operator's executions file: every refusal happens before any transaction."""

from __future__ import annotations

import pytest

from stocksuite.redemption import RedemptionError, fill, read_executions, reconcile, totals
from tests.vault.conftest import SHARE


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


def test_rows_fill_and_the_vault_reconciles(project, token, vault, usd, holders, tmp_path, fulfiller):
    alice, bob = holders
    for holder in (alice, bob):
        token.approve(vault, 10 * SHARE, sender=holder)
        vault.requestRedeem(10 * SHARE, holder, holder, sender=holder)
    rows = read_executions(write(tmp_path, f"redeem,{alice.address},4,199\nredeem,{bob.address},10,199\n"
                                           f"redeem,{alice.address},6,201\n"), vault, token, project)  # fmt: skip
    assert fill(vault, rows, fulfiller) == 2  # grouped by price
    assert totals(vault)["redeemed_shares"] == 20 * SHARE
    assert reconcile(vault, token, usd) == []
