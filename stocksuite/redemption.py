"""The redemption operator's work on a ticker's RedemptionVault.

Executions CSV (header required): ``side,controller,amount,price``

- ``side``: ``redeem`` (amount in shares, e.g. 10.5) or ``subscribe`` (amount in dollars)
- ``controller``: the request's controller (checksummed address)
- ``price``: the execution price in dollars per share

Every row is checked before anything is sent: a known controller with at least that much
pending, and a price inside the vault's band around its price feed. Rows are grouped by side and
price into batches of at most 50.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from eth_utils import is_address, is_checksum_address, to_checksum_address

from stocksuite.corporate_ops import parse_usd
from stocksuite.errors import StockSuiteError

BATCH = 50


class RedemptionError(StockSuiteError):
    """An execution file or a vault state was refused; nothing was sent."""


@dataclass(frozen=True)
class Execution:
    line: int
    side: str  # "redeem" or "subscribe"
    controller: str
    amount: int  # raw shares (redeem) or stablecoin units (subscribe)
    price: int  # stablecoin units per whole share


def controllers(vault: Any) -> list[str]:
    """Every controller that ever requested, from the vault's events."""
    seen: dict[str, None] = {}
    for event in (vault.RedeemRequest, vault.DepositRequest):
        for log in event.query("*").itertuples():
            seen.setdefault(log.event_arguments["controller"], None)
    return list(seen)


def pending(vault: Any) -> list[dict[str, Any]]:
    rows = []
    for controller in controllers(vault):
        row = {
            "controller": controller,
            "pending_redeem": int(vault.pendingRedeemRequest(0, controller)),
            "claimable_redeem": int(vault.claimableRedeemRequest(0, controller)),
            "pending_subscribe": int(vault.pendingDepositRequest(0, controller)),
            "claimable_subscribe": int(vault.claimableDepositRequest(0, controller)),
        }
        if any(v for k, v in row.items() if k != "controller"):
            rows.append(row)
    return rows


def reference_price(vault: Any, project: Any) -> tuple[int, int]:
    """The feed's price in stablecoin units per share, and the band in basis points."""
    feed = project.ManualFeed.at(vault.priceFeed())  # any AggregatorV3Interface ABI works
    answer = int(feed.latestRoundData()[1])
    return answer * 10**6 // 10 ** int(feed.decimals()), int(vault.bandBps())


def read_executions(path: Path, vault: Any, token: Any, project: Any) -> list[Execution]:
    problems: list[str] = []
    rows: list[Execution] = []
    reference, band = reference_price(vault, project)
    remaining: dict[tuple[str, str], int] = {}
    decimals = int(token.decimals())
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as err:
        raise RedemptionError(f"{path}: cannot read ({err.strerror})") from err
    with handle:
        reader = csv.DictReader(handle)
        if [h.strip() for h in reader.fieldnames or []] != ["side", "controller", "amount", "price"]:
            raise RedemptionError(f"{path}:1: header must be side,controller,amount,price")
        for raw in reader:
            line = reader.line_num
            try:
                side = raw["side"].strip().lower()
                if side not in ("redeem", "subscribe"):
                    raise ValueError(f"side {raw['side']!r} is not redeem or subscribe")
                text = raw["controller"].strip()
                if not is_address(text) or (text != text.lower() and not is_checksum_address(text)):
                    raise ValueError(f"controller {text!r} is not a (checksummed) address")
                controller = to_checksum_address(text)
                price = parse_usd(raw["price"])
                if abs(price - reference) * 10_000 > reference * band:
                    raise ValueError(f"price {raw['price']} is outside {band} bps of the feed ({reference / 1e6:,.2f})")
                if side == "redeem":
                    ui = int(Decimal(raw["amount"].strip()) * 10**decimals)
                    amount = int(token.fromUIAmount(ui))
                    key, available = (controller, side), int(vault.pendingRedeemRequest(0, controller))
                else:
                    amount = parse_usd(raw["amount"])
                    key, available = (controller, side), int(vault.pendingDepositRequest(0, controller))
                if amount <= 0:
                    raise ValueError("amount must be positive")
                left = remaining.setdefault(key, available)
                if available == 0:
                    raise ValueError(f"unknown controller {controller}: no pending {side} request")
                if amount > left:
                    raise ValueError(f"{raw['amount']} is more than the {side} pending for {controller}")
                remaining[key] = left - amount
                rows.append(Execution(line, side, controller, amount, price))
            except (ValueError, InvalidOperation, StockSuiteError) as err:
                problems.append(f"{path}:{line}: {err}")
    if problems:
        raise RedemptionError(f"{len(problems)} bad row(s), nothing sent:\n" + "\n".join(problems))
    return rows


def fill(vault: Any, executions: list[Execution], sender: Any) -> int:
    """Send the fills grouped by side and price, in batches; returns the transaction count."""
    groups: dict[tuple[str, int], list[Execution]] = {}
    for e in executions:
        groups.setdefault((e.side, e.price), []).append(e)
    sent = 0
    for (side, price), group in groups.items():
        for i in range(0, len(group), BATCH):
            batch = [(e.controller, e.amount) for e in group[i : i + BATCH]]
            method = vault.fulfillRedeem if side == "redeem" else vault.fulfillDeposit
            method(batch, price, sender=sender)
            sent += 1
    return sent


def totals(vault: Any) -> dict[str, int]:
    settled = sum(int(log.event_arguments["assets"]) for log in vault.Withdraw.query("*").itertuples())
    delivered = sum(int(log.event_arguments["shares"]) for log in vault.Deposit.query("*").itertuples())
    return {
        "pending_redeem_shares": int(vault.totalPendingRedeemShares()),
        "redeemed_shares": int(vault.totalRedeemedShares()),
        "claimable_redeem_assets": int(vault.totalClaimableAssets()),
        "settled_redeem_assets": settled,
        "pending_subscribe_assets": int(vault.totalPendingDepositAssets()),
        "claimable_subscribe_shares": int(vault.totalClaimableShares()),
        "delivered_subscribe_shares": delivered,
    }


def reconcile(vault: Any, token: Any, usd: Any) -> list[str]:
    """Differences between the vault's balances and the sum of its requests (empty: clean)."""
    rows = pending(vault)
    problems = []
    locked = sum(r["pending_redeem"] for r in rows) + sum(int(vault.maxMint(r["controller"])) for r in rows)
    if int(vault.totalPendingRedeemShares()) != sum(r["pending_redeem"] for r in rows):
        problems.append("pending redemptions: total differs from the sum over controllers")
    if int(token.balanceOf(vault)) != locked:
        problems.append(f"tokens held {int(token.balanceOf(vault))} != pending redemptions + unclaimed "
                        f"subscriptions {locked}")  # fmt: skip
    owed = int(vault.totalClaimableAssets()) + int(vault.totalPendingDepositAssets())
    claimable = sum(int(vault.maxWithdraw(r["controller"])) for r in rows)
    if claimable != int(vault.totalClaimableAssets()):
        problems.append(f"claimable proceeds: sum over controllers {claimable} != total {int(vault.totalClaimableAssets())}")
    if int(usd.balanceOf(vault)) < owed:
        problems.append(f"stablecoin held {int(usd.balanceOf(vault))} < owed {owed}")
    return problems


def redeem_funds_needed(executions: list[Execution], token: Any) -> int:
    """Stablecoin the operator pays for the redemption rows (gross: net to the vault + fees)."""
    one = 10 ** int(token.decimals())
    return sum(int(token.toUIAmount(e.amount)) * e.price // one + 1 for e in executions if e.side == "redeem")


def request_redeem(vault: Any, token: Any, holder: Any, raw_shares: int) -> None:
    """Holder side: approve exactly and request (the holder controls its request)."""
    if raw_shares <= 0 or raw_shares > int(token.balanceOf(holder)):
        raise RedemptionError(f"{holder.address} cannot lock {raw_shares} raw shares (holds {int(token.balanceOf(holder))})")
    token.approve(vault, raw_shares, sender=holder)
    vault.requestRedeem(raw_shares, holder, holder, sender=holder)


def request_subscription(vault: Any, usd: Any, holder: Any, units: int) -> None:
    if units > int(usd.balanceOf(holder)):
        raise RedemptionError(f"{holder.address} holds {int(usd.balanceOf(holder)) / 1e6:,.2f} USD, not {units / 1e6:,.2f}")
    usd.approve(vault, units, sender=holder)
    vault.requestDeposit(units, holder, holder, sender=holder)


def claim_all(vault: Any, holder: Any) -> tuple[int, int]:
    """Holder side: claim every claimable redemption and subscription; returns (assets, shares) received."""
    assets = shares = 0
    if (redeemable := int(vault.maxRedeem(holder))) > 0:
        assets = int(vault.maxWithdraw(holder))
        vault.redeem(redeemable, holder, holder, sender=holder)
    if (subscribed := int(vault.maxDeposit(holder))) > 0:
        shares = int(vault.maxMint(holder))
        vault.deposit(subscribed, holder, holder, sender=holder)
    if not (assets or shares):
        raise RedemptionError(f"nothing claimable for {holder.address} yet")
    return assets, shares
