"""The corporate-actions officer's operations, as ``ape run corporate`` runs them.

Every check that can be made before a transaction is made first: unknown ticker, zero or
wrong-direction ratio, a record time after the chain head, a missing allowance or balance.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stocksuite.config.loading import load_yaml
from stocksuite.config.withholding import WithholdingFile
from stocksuite.corporate.entitlements import (
    CONTRACT_ACCOUNT_REASON,
    KINDS,
    LEAF_TYPES,
    CorporateActionError,
    Distribution,
    WithholdingTable,
    compute_entitlements,
    contract_accounts_to_exclude,
    parse_ratio,
    take_snapshot,
    verify_dividend,
)
from stocksuite.chain.deployments import Deployments
from stocksuite.chain.index.reader import IndexedEvents, caught_up_index
from stocksuite.corporate.merkle import StandardMerkleTree
from stocksuite.config.records import FROZEN

_RELATIVE = re.compile(r"^\+(\d+)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
USD_DECIMALS = 6


def chain_now(chain: Any) -> int:
    """The time the next transaction will see: the latest of the chain head, the node's pending
    block (ahead of the wall clock on a local chain whose clock was moved) and the wall clock."""
    moments = [int(chain.blocks.head.timestamp), int(time.time())]
    try:
        moments.append(int(chain.pending_timestamp))
    except Exception:  # noqa: BLE001 - a node without a pending block: the other two stand
        pass
    return max(moments)


def parse_time(text: str, now: int, now_margin: int = 0) -> int:
    """``now``, ``+2h``/``+1d``, unix seconds, or ISO 8601 (UTC if no zone) -> unix seconds.

    ``now_margin`` is added to a bare ``now`` (an effective time must not be in the past when
    the transaction is mined).
    """
    value = text.strip()
    if value == "now":
        return now + now_margin
    if match := _RELATIVE.match(value):
        return now + int(match.group(1)) * _UNITS[match.group(2)]
    if value.isdigit():
        return int(value)
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CorporateActionError(f"time {text!r} is not now, +N[smhd], unix seconds or ISO 8601") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return int(moment.timestamp())


def format_time(timestamp: int) -> str:
    """Unix seconds -> ISO 8601 UTC, ``2027-01-15T09:30:00Z`` (what :func:`parse_time` reads)."""
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat().replace("+00:00", "Z")


def parse_duration(text: str) -> int:
    """``90`` (seconds), ``15m``, ``12h`` or ``2d`` -> seconds."""
    value = text.strip()
    if value.isdigit():
        return int(value)
    if match := _RELATIVE.match(f"+{value}"):
        return int(match.group(1)) * _UNITS[match.group(2)]
    raise CorporateActionError(f"duration {text!r} is not seconds or N followed by s, m, h or d (e.g. 12h, 2d)")


def format_duration(seconds: int) -> str:
    """Seconds -> the largest whole units, ``1d 2h``, ``45s``."""
    parts = []
    for unit, size in sorted(_UNITS.items(), key=lambda item: -item[1]):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts) or "0s"


def parse_usd(text: str) -> int:
    """``0.24`` -> 240000 (6-decimal stablecoin units); refuses more than 6 decimals or <= 0."""
    value = text.strip().lstrip("$")
    if not re.fullmatch(r"\d+(\.\d{1,6})?", value):
        raise CorporateActionError(f"amount {text!r} is not a dollar amount with at most 6 decimals")
    whole, _, fraction = value.partition(".")
    units = int(whole) * 10**USD_DECIMALS + int(fraction.ljust(USD_DECIMALS, "0") or 0)
    if units == 0:
        raise CorporateActionError(f"amount {text!r} is zero")
    return units


def load_withholding(path: Path) -> WithholdingTable:
    """YAML ``{default_bps: 3000, rates: {DE: 1500, ...}}``; jurisdictions as ISO codes (the model:
    :class:`stocksuite.config.withholding.WithholdingFile`). A bad key or value is one line."""
    spec = load_yaml(path, WithholdingFile, CorporateActionError)
    return WithholdingTable(default_bps=spec.default_bps, rates=dict(spec.rates))


@dataclass
class Context:
    """The connected chain's corporate-actions contract, registry, and records."""

    project: Any
    chain: Any
    records: Deployments

    @property
    def actions(self) -> Any:
        return self.project.CorporateActions.at(self.records.address("CorporateActions"))

    @property
    def registry(self) -> Any:
        return self.project.ComplianceRegistry.at(self.records.address("ComplianceRegistry"))

    def tickers(self) -> dict[str, str]:
        """Every recorded ticker's key (its deploy-time symbol) -> token address."""
        prefix = "StockToken_"
        return {name.removeprefix(prefix): str(record["address"])
                for name, record in self.records.all().items() if name.startswith(prefix)}  # fmt: skip

    def token(self, symbol: str) -> Any:
        tickers = self.tickers()
        if symbol not in tickers:
            raise CorporateActionError(f"unknown ticker {symbol!r} (known: {', '.join(tickers) or 'none'})")
        return self.project.StockToken.at(tickers[symbol])

    def stablecoin(self) -> Any:
        return self.project.MockUSD.at(self.records.address("MockUSD"))

    def start_block(self) -> int:
        return int(self.records.load("ComplianceRegistry")["blockNumber"])

    def catch_up_local_clock(self) -> None:
        """On the local L2 (which mines only on transactions), mine one empty block when the
        head is behind the chain's clock (:func:`chain_now`: ahead of the wall clock once
        ``advance`` moved it), so calls and gas estimates, which run on the head, see the time the
        next transaction will: a claim sent in the second after its window opened would otherwise
        be estimated on the declaring block and refused. Real networks produce blocks on their own
        and are left alone."""
        from stocksuite.chain.accounts import is_local_chain

        if is_local_chain(self.chain.chain_id) and self.chain.blocks.head.timestamp < chain_now(self.chain):
            self.chain.provider.make_request("evm_mine", [])


def announce_ratio(ctx: Context, symbol: str, kind: str, ratio: str, effective_at: int, sender: Any) -> int:
    kind = kind.upper()
    if kind not in ("SPLF", "SPLR", "DVSE"):
        raise CorporateActionError(f"kind {kind!r} is not SPLF, SPLR or DVSE")
    numerator, denominator = parse_ratio(ratio)
    if (kind == "SPLR") == (numerator > denominator):
        raise CorporateActionError(f"{kind} needs a ratio {'below' if kind == 'SPLR' else 'above'} 1, not {ratio}")
    if effective_at < ctx.chain.blocks.head.timestamp:
        raise CorporateActionError(f"effective time {effective_at} has passed")
    token = ctx.token(symbol)
    receipt = ctx.actions.announceRatio(KINDS[kind], token, numerator, denominator, effective_at, sender=sender)
    return int(receipt.events.filter(ctx.actions.MultiplierActionAnnounced)[0].id)


def announce_name_change(ctx: Context, symbol: str, name: str, new_symbol: str, underlying: str, effective_at: int,
                         sender: Any) -> int:  # fmt: skip
    """CHAN: the token's name, symbol and underlying ticker change at `effective_at`. The ticker
    keeps its deploy-time symbol as its key in the records, the factory and these tools."""
    fields = {"name": name, "symbol": new_symbol, "underlying ticker": underlying}
    for what, value in fields.items():
        if not value.strip() or value != value.strip():
            raise CorporateActionError(f"the new {what} {value!r} is empty or has surrounding spaces")
    if effective_at < ctx.chain.blocks.head.timestamp:
        raise CorporateActionError(f"effective time {effective_at} has passed")
    token = ctx.token(symbol)
    _refuse_symbol_of_another_ticker(ctx, token, new_symbol)
    receipt = ctx.actions.announceNameChange(token, (name, new_symbol, underlying), effective_at, sender=sender)
    return int(receipt.events.filter(ctx.actions.NameChangeAnnounced)[0].id)


def _refuse_symbol_of_another_ticker(ctx: Context, token: Any, new_symbol: str) -> None:
    """Symbols stay unique across the issuer's tickers: neither a symbol the factory's register
    gives another ticker (its deploy-time symbol, a former or a scheduled one: `tokenOf`) nor
    another ticker's current symbol. The token asks the factory the same when the rename is
    scheduled; asking first gives a clear error instead of a reverted transaction."""
    factory = ctx.project.StockTokenFactory.at(ctx.records.address("StockTokenFactory"))
    holder = str(factory.tokenOf(new_symbol))
    if int(holder, 16) not in (0, int(token.address, 16)):
        raise CorporateActionError(f"symbol {new_symbol!r} belongs to the ticker at {holder} (the factory's "
                                   "register keeps former symbols with their ticker)")  # fmt: skip
    for key, address in ctx.tickers().items():
        if address == token.address:
            continue
        if new_symbol in (key, str(ctx.project.StockToken.at(address).symbol())):
            raise CorporateActionError(f"symbol {new_symbol!r} belongs to the ticker at {address}")


def ticker_vaults(ctx: Context, symbol: str) -> tuple[Any, ...]:
    name = f"RedemptionVault_{symbol}"
    return (ctx.project.RedemptionVault.at(ctx.records.address(name)),) if ctx.records.has(name) else ()


def prepare_dividend(ctx: Context, symbol: str, amount_per_share: int, record_time: int, table: WithholdingTable,
                     excluded: frozenset[str],
                     include_contracts: frozenset[str] = frozenset()) -> Distribution:  # fmt: skip
    """Entitlements at the record time. The ticker's redemption vault is excluded and its
    tokens count for the holders whose requests it holds; every other registry contract account
    is excluded too (an AMM pair cannot pass a dividend on) unless ``include_contracts`` names it
    (an omnibus custodian that does). All of them are published with the exclusions, so `verify`
    recomputes the same root."""
    token = ctx.token(symbol)
    vaults = ticker_vaults(ctx, symbol)
    with caught_up_index(ctx.chain, ctx.records) as index:  # the history, from the event index
        snapshot = take_snapshot(ctx.chain, token, ctx.registry, record_time, ctx.start_block(), vaults,
                                 IndexedEvents(index))  # fmt: skip
    contracts = contract_accounts_to_exclude(snapshot, include_contracts) - excluded
    reasons = {a: "excluded by the officer" for a in excluded} | dict.fromkeys(contracts, CONTRACT_ACCOUNT_REASON)
    excluded = excluded | contracts | {v.address for v in vaults}
    return compute_entitlements(snapshot, amount_per_share, int(token.decimals()), table, excluded, reasons)


def declare_dividend(ctx: Context, symbol: str, amount_per_share: int, record_time: int, payment_time: int,
                     claim_expiry: int, table: WithholdingTable, tax_account: str, excluded: frozenset[str],
                     out: Path, sender: Any, approve: bool, uri: str = "",
                     include_contracts: frozenset[str] = frozenset()) -> tuple[int, Distribution]:  # fmt: skip
    if not record_time < payment_time < claim_expiry:
        raise CorporateActionError("times must satisfy record < payment < claim expiry")
    distribution = prepare_dividend(ctx, symbol, amount_per_share, record_time, table, excluded, include_contracts)
    total = distribution.total_net + distribution.total_withholding
    usd, actions = ctx.stablecoin(), ctx.actions
    most = int(actions.MAX_DIVIDEND_LEAVES())
    if len(distribution.entitlements) > most:
        raise CorporateActionError(f"{len(distribution.entitlements):,} holders are entitled; one dividend pays at "
                                   f"most {most:,} (reclaim must fit one transaction)")  # fmt: skip
    balance = int(usd.balanceOf(sender))
    if balance < total:
        raise CorporateActionError(f"{sender.address} holds {balance / 1e6:,.2f} of the stablecoin; the dividend "
                                   f"needs {total / 1e6:,.2f}.")  # fmt: skip
    allowance = int(usd.allowance(sender, actions))
    if allowance < total:
        if not approve:
            raise CorporateActionError(f"stablecoin allowance to CorporateActions is {allowance / 1e6:,.2f}, the "
                                       f"dividend needs {total / 1e6:,.2f}: approve it, or pass --approve.")  # fmt: skip
        usd.approve(actions, total, sender=sender)
    distribution.write_json(out)
    jurisdictions = sorted(table.rates)
    terms = distribution.terms(ctx.token(symbol).address, usd.address, amount_per_share, record_time, payment_time,
                               claim_expiry, tax_account, uri or out.name)  # fmt: skip
    receipt = actions.declareDividend(terms, jurisdictions, [table.rates[j] for j in jurisdictions],
                                      table.default_bps, sorted(distribution.excluded), sender=sender)  # fmt: skip
    return int(receipt.events.filter(actions.DividendDeclared)[0].id), distribution


def load_entitlements(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise CorporateActionError(f"{path}: not an entitlements file ({err})") from err


def _claim_args(dividend_id: int, entry: dict[str, Any]) -> tuple[Any, ...]:
    return (dividend_id, entry["index"], entry["account"], entry["net"], entry["withholding"],
            [bytes.fromhex(p[2:]) for p in entry["proof"]])  # fmt: skip


def claim(ctx: Context, dividend_id: int, entitlements: Path, account: str, sender: Any) -> dict[str, Any]:
    data = load_entitlements(entitlements)
    entry = next((e for e in data["entitlements"] if e["account"].lower() == account.lower()), None)
    if entry is None:
        raise CorporateActionError(f"{account} has no entitlement in {entitlements}")
    if ctx.actions.isClaimed(dividend_id, entry["index"]):
        raise CorporateActionError(f"{account} was already paid for dividend {dividend_id}")
    ctx.actions.claim(*_claim_args(dividend_id, entry), sender=sender)
    return entry


SKIP_REASONS = {1: "already paid", 2: "frozen", 3: "past the dividend's funding", 4: "refused by the stablecoin"}
LEFT_OUT_PAID, LEFT_OUT_FROZEN = SKIP_REASONS[1], SKIP_REASONS[2]


@dataclass(frozen=True)
class LeafOutcome:
    """An entitlement a payout paid ("paid"), or did not pay and why."""

    index: int
    account: str
    outcome: str


@dataclass
class Payout:
    """What ``pay`` did: entitlements paid, left out before a batch (already paid, frozen) and
    skipped by the contract in a batch (as its DividendPaymentSkipped events say)."""

    dividend_id: int
    batches: int = 0
    paid: list[LeafOutcome] = field(default_factory=list)  # outcome "paid"
    left_out: list[LeafOutcome] = field(default_factory=list)
    skipped: list[LeafOutcome] = field(default_factory=list)


def _checked_entries(ctx: Context, dividend_id: int, entitlements: Path) -> list[dict[str, Any]]:
    """The file's entitlements, refused unless every proof leads to the dividend's root on chain:
    a wrong file would revert a batch (nothing is sent for it)."""
    data = load_entitlements(entitlements)
    root = bytes(ctx.actions.dividend(dividend_id).merkleRoot)
    for entry in data["entitlements"]:
        leaf = (entry["index"], entry["account"], entry["net"], entry["withholding"])
        if not StandardMerkleTree.verify(root, LEAF_TYPES, leaf, [bytes.fromhex(p[2:]) for p in entry["proof"]]):
            raise CorporateActionError(f"{entitlements}: the proof of leaf {entry['index']} does not lead to dividend "
                                       f"{dividend_id}'s root 0x{root.hex()}: not this dividend's file")  # fmt: skip
    return data["entitlements"]


def _why_not_payable(ctx: Context, dividend_id: int, entry: dict[str, Any]) -> str | None:
    """Read now, before the batch: paid already (anyone may claim for a holder), or frozen."""
    if ctx.actions.isClaimed(dividend_id, entry["index"]):
        return LEFT_OUT_PAID
    if int(ctx.registry.recordOf(entry["account"])) & FROZEN:
        return LEFT_OUT_FROZEN
    return None


def pay_unclaimed(ctx: Context, dividend_id: int, entitlements: Path, sender: Any, batch_size: int = 50,
                  on_batch: Callable[[Payout], None] | None = None) -> Payout:  # fmt: skip
    """The paying agent pays every unpaid entitlement, in batches. Before each batch it re-reads
    which are paid and who is frozen and leaves those out; what the contract still skips (a claim
    in between, a stablecoin that refuses the account, past the funding) is read from the
    receipt. It goes on to the end either way; ``on_batch`` sees the payout after each batch."""
    actions, payout = ctx.actions, Payout(dividend_id)
    entries = _checked_entries(ctx, dividend_id, entitlements)
    position = 0
    while position < len(entries):
        batch = []
        while position < len(entries) and len(batch) < batch_size:
            entry = entries[position]
            position += 1
            reason = _why_not_payable(ctx, dividend_id, entry)
            if reason is None:
                batch.append(entry)
            else:
                payout.left_out.append(LeafOutcome(entry["index"], entry["account"], reason))
        if not batch:
            continue
        receipt = actions.payBatch(dividend_id, [_claim_args(dividend_id, e)[1:] for e in batch], sender=sender)
        payout.batches += 1
        paid = receipt.events.filter(actions.DividendPaid)
        payout.paid += [LeafOutcome(int(e.index), e.account, "paid") for e in paid]
        payout.skipped += [LeafOutcome(int(e.index), e.account, SKIP_REASONS[int(e.reason)])
                           for e in receipt.events.filter(actions.DividendPaymentSkipped)]  # fmt: skip
        if on_batch is not None:
            on_batch(payout)
    return payout


def status(ctx: Context, dividend_id: int) -> dict[str, Any]:
    state = ctx.actions.dividend(dividend_id)
    names = ["None", "Announced", "Cancelled", "Reclaimed"]
    return {
        "status": names[int(state.status)],
        "funded": int(state.funded),
        "paid": int(state.paid),
        "withheld": int(state.withheld),
        "remitted": int(state.remitted),
        "outstanding": int(state.funded) - int(state.paid) - int(state.withheld),
        "payment_time": int(state.paymentTime),
        "claim_expiry": int(state.claimExpiry),
    }


def verify(ctx: Context, dividend_id: int) -> tuple[bool, Distribution, list[str]]:
    with caught_up_index(ctx.chain, ctx.records) as index:
        return verify_dividend(ctx.chain, ctx.actions, ctx.registry, dividend_id, ctx.project, ctx.start_block(),
                               IndexedEvents(index))  # fmt: skip
