"""The local L2's stand-ins for the Chainlink feeds: the custodian's proof of reserve and a
ticker's price. On a real network the custodian (or its oracle network) posts those, never these
tools; here the deployer's ``ManualFeed`` does, e.g. after a clock skip left an answer stale."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from stocksuite.chain.accounts import is_local_chain
from stocksuite.corporate.operations import Context, ticker_vaults
from stocksuite.config.errors import StockSuiteError
from stocksuite.deploy.suite import SHARE_FEED_DECIMALS

FEED_DECIMALS = SHARE_FEED_DECIMALS  # the local price feeds use the same 8 decimals


class LocalFeedError(StockSuiteError):
    """A local feed update was refused before any transaction."""


def parse_feed_amount(text: str, what: str) -> int:
    """``1000000`` or ``201.50`` -> feed units (8 decimals); refuses more decimals, zero or signs."""
    value = text.strip().lstrip("$").replace(",", "")
    if not re.fullmatch(rf"\d+(\.\d{{1,{FEED_DECIMALS}}})?", value):
        raise LocalFeedError(f"{what} {text!r} is not a number with at most {FEED_DECIMALS} decimals")
    units = int(Decimal(value).scaleb(FEED_DECIMALS))
    if units == 0:
        raise LocalFeedError(f"{what} {text!r} is zero")
    return units


def _local_feed(ctx: Context, address: str) -> Any:
    if not is_local_chain(ctx.chain.chain_id):
        raise LocalFeedError(f"chain {ctx.chain.chain_id} is not the local L2: there the custodian's and the "
                             "oracle network's feeds post answers, not this tool")  # fmt: skip
    return ctx.project.ManualFeed.at(address)


def post_reserve(ctx: Context, symbol: str, units: int, sender: Any) -> str:
    """The custodian's attestation of `symbol`'s shares in custody; returns the feed's address."""
    feed = _local_feed(ctx, ctx.token(symbol).reserveFeed()[0])
    feed.postAnswer(units, sender=sender)
    return str(feed.address)


def post_price(ctx: Context, symbol: str, units: int, sender: Any) -> str:
    """The price per share of `symbol` on the feed its redemption vault reads; returns the feed."""
    vaults = ticker_vaults(ctx, symbol)
    if not vaults:
        raise LocalFeedError(f"{symbol} has no redemption vault in {ctx.records.folder}, so no price feed")
    feed = _local_feed(ctx, vaults[0].priceFeed())
    feed.postAnswer(units, sender=sender)
    return str(feed.address)
