"""The redemption operator's work on a ticker's RedemptionVault.

Executions CSV (header required, order free): ``side,controller,amount,price`` (the row's model:
:class:`stocksuite.config.rows.ExecutionRow`)

- ``side``: ``redeem`` (amount in shares, e.g. 10.5, at most the token's decimals) or
  ``subscribe`` (amount in dollars, at most 6 decimals)
- ``controller``: the request's controller (checksummed address)
- ``price``: the execution price in dollars per share, at most 6 decimals

Every row is checked before anything is sent: a known controller with at least that much
pending, and a price inside the vault's band around its price feed. Rows are grouped by side and
price into batches of at most 50. The vault never reverts a batch because a controller's pending
amount changed in between (or its controller was frozen): it fills what is there and emits
``FillShortfall``, which :func:`fill` reads from each receipt and returns.

Cancels are asynchronous (ERC-7887): a holder asks (:func:`request_cancel`), the operator settles
every pending cancel (:func:`settle_cancels`), the holder pulls the result (:func:`claim_cancel`).
A fill between the ask and the settlement fills what is pending; the cancel returns the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stocksuite.config.rows import USD_DECIMALS, ExecutionRow, validate_row
from stocksuite.config.csvfiles import CsvError, read_rows
from stocksuite.config.errors import StockSuiteError

BATCH = 50
SHORTFALL_REASONS = {1: "less pending than asked", 2: "controller may not send (frozen or not verified)",
                     3: "rounds to zero"}  # IRedemptionVault.Shortfall  # fmt: skip


class RedemptionError(StockSuiteError):
    """An execution file or a vault state was refused; nothing was sent."""


class ExecutionsError(CsvError, RedemptionError):
    """The executions CSV has bad rows; nothing was sent."""


@dataclass(frozen=True)
class Execution:
    line: int
    side: str  # "redeem" or "subscribe"
    controller: str
    amount: int  # raw shares (redeem) or stablecoin units (subscribe)
    price: int  # stablecoin units per whole share


@dataclass(frozen=True)
class Shortfall:
    """A fill entry the vault filled less than asked (``FillShortfall``)."""

    tx_hash: str
    controller: str
    requested: int
    filled: int
    reason: str


def controllers(vault: Any) -> list[str]:
    """Every controller that ever requested or received a moved position, from the vault's events."""
    seen: dict[str, None] = {}
    for event in (vault.RedeemRequest, vault.DepositRequest):
        for log in event.query("*").itertuples():
            seen.setdefault(log.event_arguments["controller"], None)
    for log in vault.PositionTransferred.query("*").itertuples():
        seen.setdefault(log.event_arguments["to"], None)
    return list(seen)


def position(vault: Any, controller: str) -> dict[str, Any]:
    """Every state of one controller in the vault (raw shares, stablecoin units, cancel flags)."""
    return {
        "controller": controller,
        "pending_redeem": int(vault.pendingRedeemRequest(0, controller)),
        "claimable_redeem": int(vault.claimableRedeemRequest(0, controller)),
        "claimable_redeem_assets": int(vault.maxWithdraw(controller)),
        "pending_subscribe": int(vault.pendingDepositRequest(0, controller)),
        "claimable_subscribe": int(vault.claimableDepositRequest(0, controller)),
        "claimable_subscribe_shares": int(vault.maxMint(controller)),
        "cancel_redeem_pending": bool(vault.pendingCancelRedeemRequest(0, controller)),
        "cancel_subscribe_pending": bool(vault.pendingCancelDepositRequest(0, controller)),
        "cancelled_redeem": int(vault.claimableCancelRedeemRequest(0, controller)),
        "cancelled_subscribe": int(vault.claimableCancelDepositRequest(0, controller)),
    }


def pending(vault: Any) -> list[dict[str, Any]]:
    """The controllers with anything open in the vault, each with :func:`position`."""
    rows = [position(vault, controller) for controller in controllers(vault)]
    return [row for row in rows if any(v for k, v in row.items() if k != "controller")]


def reference_price(vault: Any, project: Any) -> tuple[int, int]:
    """The feed's price in stablecoin units per share, and the band in basis points."""
    feed = project.ManualFeed.at(vault.priceFeed())  # any AggregatorV3Interface ABI works
    answer = int(feed.latestRoundData()[1])
    return answer * 10**6 // 10 ** int(feed.decimals()), int(vault.bandBps())


def read_executions(path: Path, vault: Any, token: Any, project: Any) -> list[Execution]:
    """Every row of the executions CSV checked (:class:`stocksuite.config.rows.ExecutionRow`, then
    against the vault); raises :class:`ExecutionsError` listing every bad row, or returns all."""
    reference, band = reference_price(vault, project)
    remaining: dict[tuple[str, str], int] = {}
    decimals = int(token.decimals())

    def parse(raw: dict[str, str], line: int) -> Execution:
        row = validate_row(ExecutionRow, raw)
        shown = raw["amount"].strip()
        price = int(row.price * 10**USD_DECIMALS)  # at most 6 decimals: exact
        if abs(price - reference) * 10_000 > reference * band:
            raise ValueError(f"price {raw['price'].strip()} is outside {band} bps of the feed ({reference / 1e6:,.2f})")
        if row.side == "redeem":
            ui = row.amount * 10**decimals
            if ui != ui.to_integral_value():
                raise ValueError(f"amount {shown} has more than the token's {decimals} decimals")
            amount = int(token.fromUIAmount(int(ui)))
            available = int(vault.pendingRedeemRequest(0, row.controller))
        else:
            amount = int(row.amount * 10**USD_DECIMALS)
            available = int(vault.pendingDepositRequest(0, row.controller))
        if amount <= 0:
            raise ValueError("amount must be positive")
        key = (row.controller, row.side)
        left = remaining.setdefault(key, available)
        if available == 0:
            raise ValueError(f"unknown controller {row.controller}: no pending {row.side} request")
        if amount > left:
            raise ValueError(f"{shown} is more than the {row.side} pending for {row.controller}")
        remaining[key] = left - amount
        return Execution(line, row.side, row.controller, amount, price)

    return read_rows(path, ExecutionRow.REQUIRED, (), parse, error=ExecutionsError)


def shortfalls(vault: Any, receipt: Any) -> list[Shortfall]:
    """The ``FillShortfall`` events of one fill transaction."""
    return [Shortfall(str(receipt.txn_hash), e.controller, int(e.requested), int(e.filled),
                      SHORTFALL_REASONS.get(int(e.reason), f"reason {int(e.reason)}"))
            for e in receipt.events.filter(vault.FillShortfall)]  # fmt: skip


def fill(vault: Any, executions: list[Execution], sender: Any) -> tuple[int, list[Shortfall]]:
    """Send the fills grouped by side and price, in batches; returns the transaction count and
    every entry the vault filled less than asked."""
    groups: dict[tuple[str, int], list[Execution]] = {}
    for e in executions:
        groups.setdefault((e.side, e.price), []).append(e)
    sent, short = 0, []
    for (side, price), group in groups.items():
        for i in range(0, len(group), BATCH):
            batch = [(e.controller, e.amount) for e in group[i : i + BATCH]]
            method = vault.fulfillRedeem if side == "redeem" else vault.fulfillDeposit
            short += shortfalls(vault, method(batch, price, sender=sender))
            sent += 1
    return sent, short


def totals(vault: Any) -> dict[str, int]:
    def summed(event: Any, field: str) -> int:
        return sum(int(log.event_arguments[field]) for log in event.query("*").itertuples())

    return {
        "pending_redeem_shares": int(vault.totalPendingRedeemShares()),
        "redeemed_shares": int(vault.totalRedeemedShares()),
        "claimable_redeem_assets": int(vault.totalClaimableAssets()),
        "settled_redeem_assets": summed(vault.Withdraw, "assets"),
        "cancelled_redeem_shares": int(vault.totalClaimableCancelRedeemShares()),
        "returned_redeem_shares": summed(vault.CancelRedeemClaim, "shares"),
        "pending_subscribe_assets": int(vault.totalPendingDepositAssets()),
        "claimable_subscribe_shares": int(vault.totalClaimableShares()),
        "delivered_subscribe_shares": summed(vault.Deposit, "shares"),
        "cancelled_subscribe_assets": int(vault.totalClaimableCancelDepositAssets()),
        "returned_subscribe_assets": summed(vault.CancelDepositClaim, "assets"),
    }


def reconcile(vault: Any, token: Any, usd: Any) -> list[str]:
    """Differences between the vault's balances and the sum of its requests (empty: clean)."""
    rows = pending(vault)
    problems = []

    def total(key: str) -> int:
        return sum(r[key] for r in rows)

    for key, on_chain, what in (
        ("pending_redeem", vault.totalPendingRedeemShares(), "pending redemptions"),
        ("claimable_redeem_assets", vault.totalClaimableAssets(), "claimable proceeds"),
        ("cancelled_redeem", vault.totalClaimableCancelRedeemShares(), "cancelled redemptions"),
        ("pending_subscribe", vault.totalPendingDepositAssets(), "pending subscriptions"),
        ("cancelled_subscribe", vault.totalClaimableCancelDepositAssets(), "cancelled subscriptions"),
    ):
        if total(key) != int(on_chain):
            problems.append(f"{what}: sum over controllers {total(key)} != total {int(on_chain)}")
    locked = total("pending_redeem") + total("cancelled_redeem") + total("claimable_subscribe_shares")
    if int(token.balanceOf(vault)) != locked:
        problems.append(f"tokens held {int(token.balanceOf(vault))} != pending and cancelled redemptions + unclaimed "
                        f"subscriptions {locked}")  # fmt: skip
    owed = int(vault.totalAssets())
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
        raise RedemptionError(
            f"{holder.address} cannot lock {raw_shares} raw shares (holds {int(token.balanceOf(holder))})"
        )
    token.approve(vault, raw_shares, sender=holder)
    vault.requestRedeem(raw_shares, holder, holder, sender=holder)


def request_subscription(vault: Any, usd: Any, holder: Any, units: int) -> None:
    if units > int(usd.balanceOf(holder)):
        raise RedemptionError(
            f"{holder.address} holds {int(usd.balanceOf(holder)) / 1e6:,.2f} USD, not {units / 1e6:,.2f}"
        )
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


def request_cancel(vault: Any, token: Any, holder: Any, side: str) -> None:
    """Holder side: ask to cancel the whole pending ``redeem`` or ``subscribe`` request (ERC-7887)."""
    now = position(vault, holder.address)
    pending_key, flag = ("pending_redeem", "cancel_redeem_pending") if side == "redeem" else (
        "pending_subscribe", "cancel_subscribe_pending")  # fmt: skip
    if now[flag]:
        raise RedemptionError(f"{holder.address} already has a {side} cancel waiting for the operator")
    if now[pending_key] == 0:
        raise RedemptionError(f"{holder.address} has no pending {side} request to cancel")
    _require_can_send(token, holder.address)
    method = vault.cancelRedeemRequest if side == "redeem" else vault.cancelDepositRequest
    method(0, holder, sender=holder)


def pending_cancels(vault: Any) -> tuple[list[str], list[str]]:
    """Controllers with a redemption cancel, and with a subscription cancel, waiting to settle."""
    rows = pending(vault)
    return ([r["controller"] for r in rows if r["cancel_redeem_pending"]],
            [r["controller"] for r in rows if r["cancel_subscribe_pending"]])  # fmt: skip


def settle_cancels(vault: Any, redeem: list[str], subscribe: list[str], sender: Any) -> int:
    """Operator side: settle the given pending cancels in batches; returns the transaction count."""
    sent = 0
    for controllers_, method in ((redeem, vault.fulfillCancelRedeem), (subscribe, vault.fulfillCancelDeposit)):
        for i in range(0, len(controllers_), BATCH):
            method(controllers_[i : i + BATCH], sender=sender)
            sent += 1
    return sent


def claim_cancel(vault: Any, token: Any, holder: Any) -> tuple[int, int]:
    """Holder side: pull every settled cancel; returns (raw shares, stablecoin units) returned."""
    now = position(vault, holder.address)
    shares, assets = now["cancelled_redeem"], now["cancelled_subscribe"]
    if not (shares or assets):
        raise RedemptionError(f"no settled cancel for {holder.address} yet (the operator settles pending cancels)")
    _require_can_send(token, holder.address)
    if shares:
        vault.claimCancelRedeemRequest(0, holder, holder, sender=holder)
    if assets:
        vault.claimCancelDepositRequest(0, holder, holder, sender=holder)
    return shares, assets


@dataclass(frozen=True)
class PositionMove:
    """The agent's move of a whole position, checked before it is sent."""

    source: str
    target: str
    seized: bool
    reason: str
    position: dict[str, Any]

    def summary(self) -> str:
        what = "seize" if self.seized else "move"
        open_ = ", ".join(f"{k} {v}" for k, v in self.position.items() if k != "controller" and v)
        return f"{what} the vault position of {self.source} to {self.target} ({open_}); reason: {self.reason!r}"


def plan_move(vault: Any, token: Any, registry: Any, source: str, target: str, reason: str,
              seized: bool) -> PositionMove:  # fmt: skip
    """Check a position move as the vault will (same investor unless seized, a target that may
    send, something to move), so a refusal changes nothing on chain."""
    if source == target:
        raise RedemptionError(f"{source}: the source and the target are the same wallet")
    if not reason.strip():
        raise RedemptionError("give a reason (it is recorded on chain)")
    if not seized and not registry.sameInvestor(source, target):
        raise RedemptionError(f"{source} and {target} are not wallets of the same investor in the registry "
                              "(link them first, or seize to an issuer wallet)")  # fmt: skip
    if not token.canSend(target):
        raise RedemptionError(f"{target} may not send under {token.symbol()}'s rules: register or unfreeze it first")
    now = position(vault, source)
    if not any(v for k, v in now.items() if k != "controller"):
        raise RedemptionError(f"{source} has nothing in the vault to move")
    return PositionMove(source, target, seized, reason, now)


def move_position(vault: Any, move: PositionMove, sender: Any) -> Any:
    """Agent side: send a move checked by :func:`plan_move`."""
    method = vault.seizePosition if move.seized else vault.transferPosition
    return method(move.source, move.target, move.reason, sender=sender)


def _require_can_send(token: Any, controller: str) -> None:
    if not token.canSend(controller):
        raise RedemptionError(f"{controller} may not send under the token's rules (frozen, or not verified): "
                              "the vault refuses it; ask the issuer's agent")  # fmt: skip
