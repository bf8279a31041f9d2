"""Mint shares of a ticker to a wallet, after the same checks the token makes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stocksuite.chain.accounts import ZERO_ADDRESS
from stocksuite.config.errors import StockSuiteError
from stocksuite.config.units import exact_decimal, parse_units


class IssuanceError(StockSuiteError):
    """A mint the token would refuse; nothing was sent."""


@dataclass(frozen=True)
class MintPlan:
    """What :func:`mint` sends: ``shares`` (UI units) of the token, as ``raw`` token units, to ``to``."""

    to: str
    shares: Decimal
    ui_amount: int
    raw: int


def plan_mint(token: Any, to: str, shares: str) -> MintPlan:
    """Parse ``shares`` exactly (at most the token's decimals) and convert with the multiplier in
    force; refuses a receiver the token's rules refuse, with the token's own ERC-1404 message."""
    decimals = int(token.decimals())
    ui_amount = parse_units(shares, decimals)
    raw = int(token.fromUIAmount(ui_amount))
    if raw == 0:
        raise IssuanceError(f"shares {shares!r} is less than one raw unit at the current multiplier")
    if code := token.detectTransferRestriction(ZERO_ADDRESS, to, raw):
        raise IssuanceError(f"{to} cannot receive {token.symbol()}: {token.messageForTransferRestriction(code)}")
    return MintPlan(to=to, shares=exact_decimal(ui_amount, decimals), ui_amount=ui_amount, raw=raw)


def mint(token: Any, plan: MintPlan, sender: Any) -> Decimal:
    """Send the mint of ``plan``; the receiver's balance afterwards, in shares (exact)."""
    token.mint(plan.to, plan.raw, sender=sender)
    return exact_decimal(int(token.balanceOfUI(plan.to)), int(token.decimals()))
