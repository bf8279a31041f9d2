"""ape run local_feeds: the local L2's reserve and price feeds, and their input checks."""

from __future__ import annotations

import pytest

from stocksuite.dev.local_feeds import LocalFeedError, parse_feed_amount
from tests.helpers import VENV_BIN, assert_one_line_error, run


@pytest.mark.parametrize(("text", "units"), [("1000000", 10**14), ("201.50", 20_150_000_000), ("$1,234.5", 123_450_000_000),
                                             ("0.00000001", 1)])  # fmt: skip
def test_amounts_are_read_exactly(text, units):
    assert parse_feed_amount(text, "price") == units


@pytest.mark.parametrize("text", ["0", "-5", "1.123456789", "abc", ""])
def test_bad_amounts_are_refused(text):
    with pytest.raises(LocalFeedError):
        parse_feed_amount(text, "price")


def _local_feeds(root, *args):
    return run([str(VENV_BIN / "ape"), "run", "local_feeds", *args, "--network", "arbitrum:devnet"],
               env={"STOCKSUITE_DEPLOYMENTS": str(root)})  # fmt: skip


def test_reserve_and_price_are_posted_on_the_tickers_feeds(chain, token, vault, feeds, reserve_feed, write_records):
    root = write_records(StockToken_AAPLx=token, RedemptionVault_AAPLx=vault)
    proc = _local_feeds(root, "reserve", "AAPLx", "1234567.5")
    assert proc.returncode == 0, proc.stderr
    assert f"AAPLx: shares in custody 1234567.5 shares posted on feed {reserve_feed.address}" in proc.stdout
    assert reserve_feed.latestRoundData()[1] == 123_456_750_000_000
    proc = _local_feeds(root, "price", "AAPLx", "201.50")
    assert proc.returncode == 0, proc.stderr
    assert feeds[0].latestRoundData()[1] == 20_150_000_000


def test_bad_input_is_one_line_and_sends_nothing(chain, token, deployer, write_records):
    root = write_records(StockToken_AAPLx=token)  # no vault: no price feed
    nonce = deployer.nonce  # test account 0, the local feeds' owner
    assert_one_line_error(_local_feeds(root, "reserve", "AAPLx", "3e6"), "shares in custody '3e6' is not a number")
    assert_one_line_error(_local_feeds(root, "price", "AAPLx", "200"), "AAPLx has no redemption vault")
    assert_one_line_error(_local_feeds(root, "reserve", "MSFTx", "10"), "unknown ticker 'MSFTx'")
    assert deployer.nonce == nonce
