"""The holder register (cap table) of a ticker at a block or a time, rebuilt from logs.

Balances are replayed from the token's Transfer logs, investor records from the
ComplianceRegistry's events, partial freezes from the token's Frozen events. Shares are the
ERC-8056 UI amount, raw x multiplier / 1e18, printed exactly (no float ever touches them), with
the multiplier in force at the requested time as scheduled at that block.

The register must add up: the sum of the balances is checked against ``totalSupply()`` at the
block when the node still has that state (an archive node), else against what the Transfer
logs minted less what they burned; any difference stops the export.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from stocksuite.chain.index.reader import NODE, EventSource
from stocksuite.chain.register import rebuild_registry
from stocksuite.config.csvfiles import write_rows
from stocksuite.config.errors import StockSuiteError
from stocksuite.config.records import InvestorRecord, jurisdiction_code
from stocksuite.config.units import exact_decimal
from stocksuite.corporate.entitlements import MULTIPLIER_ONE, record_block, redemption_vaults_among, transfer_flows
from stocksuite.corporate.operations import format_time

COLUMNS = ("holder", "balance", "shares", "investor_id", "jurisdiction", "investor_class", "us_person",
           "contract_account", "verified", "frozen", "frozen_tokens", "kyc_expiry", "note")  # fmt: skip
VAULT_NOTE = "redemption vault escrow"
MULTIPLIER_DECIMALS = 18


class RegisterError(StockSuiteError):
    """The register cannot be rebuilt, or does not add up; nothing was written."""


@dataclass(frozen=True)
class Point:
    """Where on the chain: a block, and the time the register is taken at (the block's own
    timestamp, or a later time before the next block)."""

    block: int
    timestamp: int


def resolve_point(chain: Any, block: int | None = None, at: int | None = None, start_block: int = 0) -> Point:
    """``--block N``, ``--at TIME`` (the last block at or before it), or the chain head; never
    before ``start_block``, where the records (and so the logs read) begin."""
    if block is not None and at is not None:
        raise RegisterError("give a block or a time, not both")
    head = int(chain.blocks.head.number)
    if at is not None:
        point = Point(record_block(chain, at), at)
    else:
        number = head if block is None else block
        if not 0 <= number <= head:
            raise RegisterError(f"block {number} is not on the chain (head is block {head})")
        point = Point(number, int(chain.blocks[number].timestamp))
    refuse_before_start(point, start_block)
    return point


def refuse_before_start(point: Point, start_block: int) -> None:
    """The logs are read from ``start_block`` on: an earlier point has nothing to show."""
    if point.block < start_block:
        raise RegisterError(f"block {point.block} is before the records begin (block {start_block}, where the "
                            "registry was deployed): there was nothing to register yet")  # fmt: skip


def to_shares(raw: int, multiplier: int, decimals: int) -> Decimal:
    """Raw token units -> shares (ERC-8056 UI amount in whole shares), exact."""
    return exact_decimal(raw * multiplier, MULTIPLIER_DECIMALS + decimals)


def state_at(call: Any, *args: Any, block: int) -> Any | None:
    """``call(*args)`` on the state at ``block``; None when the node no longer has that state
    (a full node prunes old state; an archive node keeps it). Reverts still raise."""
    from ape.exceptions import ContractLogicError, ProviderError, VirtualMachineError

    try:
        return call(*args, block_id=block)
    except ContractLogicError:
        raise
    except (ProviderError, VirtualMachineError):
        return None


def metadata_block(token: Any, block: int) -> int | str:
    """Where to read the token's names for a point at ``block``: that block, since a name change
    (CHAN) relabels only later points, or ``"latest"`` when the node cannot answer there (pruned
    state) or the token did not exist yet."""
    from ape.exceptions import ProviderError

    try:
        return block if token.provider.get_code(token.address, block_id=block) else "latest"
    except ProviderError:
        return "latest"


def multiplier_from_logs(token: Any, point: Point, start_block: int = 0, events: EventSource = NODE) -> int:
    """The multiplier at ``point``, replayed from UIMultiplierUpdated: the last update at or
    before the block decides (a token starts at 1.0 without an event)."""
    logs = events.events(token, ("UIMultiplierUpdated",), start_block, point.block)
    if not logs:
        return MULTIPLIER_ONE
    last = logs[-1].args
    in_force = point.timestamp >= int(last["effectiveAtTimestamp"])
    return int(last["newMultiplier"] if in_force else last["oldMultiplier"])


def multiplier_at(token: Any, point: Point, start_block: int = 0, events: EventSource = NODE) -> int:
    """``uiMultiplierAt(time)`` as the token answered at the block, or replayed from its logs."""
    onchain = state_at(token.uiMultiplierAt, point.timestamp, block=point.block)
    return int(onchain) if onchain is not None else multiplier_from_logs(token, point, start_block, events)


def frozen_tokens_at(token: Any, block: int, start_block: int = 0, events: EventSource = NODE) -> dict[str, int]:
    """Partially frozen raw amounts (ERC-7943 ``Frozen`` events carry the new amount)."""
    frozen: dict[str, int] = {}
    for log in events.events(token, ("Frozen",), start_block, block):
        frozen[log.args["account"]] = int(log.args["amount"])
    return {account: amount for account, amount in frozen.items() if amount}


@dataclass(frozen=True)
class Supply:
    """The total the register was checked against, and where it came from."""

    raw: int
    source: str


def refuse_negative_balances(flows: dict[str, int], start_block: int) -> None:
    """Transfer logs that leave a holder negative miss the history before ``start_block``."""
    negative = sorted(holder for holder, raw in flows.items() if raw < 0)
    if negative:
        raise RegisterError(f"the Transfer logs from block {start_block} leave {negative[0]} with a negative "
                            "balance: the records' start block is after the token's first transfer.")  # fmt: skip


def supply_at(token: Any, block: int, start_block: int = 0, flows: dict[str, int] | None = None,
              events: EventSource = NODE) -> Supply:  # fmt: skip
    """``totalSupply()`` at the block, or (a node without that state) what the Transfer logs
    minted less what they burned; ``flows`` saves replaying them again."""
    onchain = state_at(token.totalSupply, block=block)
    if onchain is not None:
        return Supply(int(onchain), f"totalSupply() at block {block}")
    flows = transfer_flows(token, block, start_block, events) if flows is None else flows
    refuse_negative_balances(flows, start_block)
    return Supply(sum(flows.values()), f"minted less burned in the Transfer logs (the node has no state for "
                                       f"block {block})")  # fmt: skip


@dataclass(frozen=True)
class Holding:
    holder: str
    balance: int  # raw units
    shares: Decimal
    record: InvestorRecord | None
    frozen_tokens: int
    notes: tuple[str, ...]

    def row(self) -> dict[str, str]:
        r = self.record
        flag = lambda on: "yes" if on else "no"  # noqa: E731
        investor = {} if r is None else {
            "investor_id": str(r.investor_id), "jurisdiction": jurisdiction_code(r.jurisdiction),
            "investor_class": r.investor_class.name.lower(), "us_person": flag(r.us_person),
            "contract_account": flag(r.contract_account), "verified": flag(r.verified), "frozen": flag(r.frozen),
            "kyc_expiry": format_expiry(r.kyc_expiry),
        }  # fmt: skip
        base = {"holder": self.holder, "balance": str(self.balance), "shares": format(self.shares, "f"),
                "frozen_tokens": str(self.frozen_tokens), "note": "; ".join(self.notes)}  # fmt: skip
        return {column: {**base, **investor}.get(column, "") for column in COLUMNS}


def format_expiry(timestamp: int) -> str:
    """A KYC expiry: the ISO date when it falls at 00:00 UTC (as the whitelist CSV sets it), else
    the full ISO time."""
    text = format_time(timestamp)
    return text.removesuffix("T00:00:00Z")


def holder_notes(record: InvestorRecord | None, is_vault: bool, at: int) -> tuple[str, ...]:
    """What a transfer agent should notice about a holder at time ``at``."""
    notes = [VAULT_NOTE] if is_vault else []
    if record is None:
        notes.append("no registry record")
    else:
        if not record.verified:
            notes.append("not verified")
        if record.kyc_expiry <= at:
            notes.append("KYC expired")
    return tuple(notes)


@dataclass(frozen=True)
class CapTable:
    symbol: str
    point: Point
    multiplier: int
    decimals: int
    holdings: tuple[Holding, ...]
    supply: Supply

    @property
    def total_raw(self) -> int:
        return sum(h.balance for h in self.holdings)

    @property
    def total_shares(self) -> Decimal:
        return to_shares(self.total_raw, self.multiplier, self.decimals)

    def summary(self) -> str:
        return (f"{self.symbol} at block {self.point.block} ({format_time(self.point.timestamp)}), multiplier "
                f"{exact_decimal(self.multiplier, MULTIPLIER_DECIMALS):f}: {len(self.holdings)} holder(s), "
                f"{self.total_raw:,} raw = {self.total_shares:,f} shares; equals {self.supply.source}")  # fmt: skip

    def write_csv(self, path: Path) -> None:
        write_rows(path, COLUMNS, (h.row() for h in self.holdings), RegisterError)


def build_cap_table(chain: Any, project: Any, token: Any, registry: Any, point: Point,
                    start_block: int = 0, events: EventSource = NODE) -> CapTable:  # fmt: skip
    """The register of ``token`` at ``point``: holders with a non-zero balance, largest first,
    checked to add up to the supply; raises :class:`RegisterError` when it does not. The
    history comes from ``events`` (the network's event index, for the tools)."""
    refuse_before_start(point, start_block)
    symbol = str(token.symbol(block_id=metadata_block(token, point.block)))
    flows = transfer_flows(token, point.block, start_block, events)
    refuse_negative_balances(flows, start_block)
    supply = supply_at(token, point.block, start_block, flows, events)
    balances = {holder: raw for holder, raw in flows.items() if raw > 0}
    if sum(balances.values()) != supply.raw:
        raise RegisterError(
            f"{symbol}: the register adds up to {sum(balances.values()):,} raw, but "
            f"{supply.source} is {supply.raw:,}: Transfer logs before block {start_block} are "
            "missing (check the records' start block), or the node returned incomplete logs."
        )
    multiplier, decimals = multiplier_at(token, point, start_block, events), int(token.decimals())
    records = rebuild_registry(registry, start_block=start_block, stop_block=point.block, events=events)
    frozen = frozen_tokens_at(token, point.block, start_block, events)
    vaults = {v.address for v in redemption_vaults_among(sorted(balances), token, project, chain)}
    holdings = []
    for holder, raw in balances.items():
        record = InvestorRecord.unpack(records[holder]) if records.get(holder) else None
        holdings.append(Holding(holder, raw, to_shares(raw, multiplier, decimals), record, frozen.get(holder, 0),
                                holder_notes(record, holder in vaults, point.timestamp)))  # fmt: skip
    holdings.sort(key=lambda h: (-h.balance, h.holder.lower()))
    return CapTable(symbol, point, multiplier, decimals, tuple(holdings), supply)
