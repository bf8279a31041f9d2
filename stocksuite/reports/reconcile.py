"""Reconciliation of a ticker's supply with its custody: the proof-of-reserve feed and the
custodian's statement, in shares (ERC-8056 UI amount), at a block or a time.

Custodian statement CSV (header required, one row per security, order free)::

    ticker,isin,shares,as_of
    AAPL,US0378331005,150,2026-03-31T16:00:00Z

- ``ticker``: the underlying's ticker (``AAPL``, ``BRK.B``)
- ``isin``: ISIN with a valid check digit; the row is matched to the token by it
- ``shares``: shares in custody, a plain decimal (``150``, ``150.25``)
- ``as_of``: ISO 8601 date or time (UTC when no zone; a date alone is 00:00 UTC) or unix seconds

Every row is checked before anything is compared; bad rows are reported as ``file:line: reason``.
Supply and custody must be equal (1:1 backing); custody above supply is a difference too unless
surplus is allowed. The feed's answer must be within the token's reserve max age, and the
statement's ``as_of`` within a tolerance of the reconciliation time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Context, Decimal, localcontext
from pathlib import Path
from typing import Any

from stocksuite.reports.cap_table import (
    Point,
    exact_decimal,
    metadata_block,
    multiplier_at,
    refuse_before_start,
    state_at,
    supply_at,
    to_shares,
)
from stocksuite.config.rows import StatementRow as StatementCells
from stocksuite.config.rows import isin_check_digit_ok, validate_row  # noqa: F401 - isin_check_digit_ok: public
from stocksuite.corporate.entitlements import CorporateActionError
from stocksuite.corporate.operations import format_duration, format_time, parse_time
from stocksuite.config.csvfiles import CsvError, read_rows
from stocksuite.config.errors import StockSuiteError

COLUMNS = StatementCells.REQUIRED
DEFAULT_AS_OF_TOLERANCE = 24 * 3600
EXACT_PRECISION = 200  # digits: more than any uint256 amount at 18 + 36 decimals has


class ReconcileError(StockSuiteError):
    """A reconciliation could not be made (the chain has no data for it); nothing was compared."""


class StatementError(CsvError):
    """The custodian statement has bad rows."""

    outcome = "nothing reconciled"


@dataclass(frozen=True)
class StatementRow:
    line: int
    ticker: str
    isin: str
    shares: Decimal
    as_of: int


def parse_statement_row(raw: dict[str, str], line: int) -> StatementRow:
    cells = validate_row(StatementCells, raw)
    try:
        moment = parse_time(cells.as_of, now=0)
    except CorporateActionError:
        raise ValueError(f"as_of {cells.as_of!r} is not an ISO 8601 date or time, or unix seconds") from None
    return StatementRow(line, cells.ticker, cells.isin, cells.shares, moment)


def read_statement(path: Path) -> list[StatementRow]:
    """Every row, validated; raises :class:`StatementError` listing every bad row."""
    return read_rows(path, COLUMNS, (), parse_statement_row, key=lambda row: row.isin, key_name="isin",
                     error=StatementError)  # fmt: skip


@dataclass(frozen=True)
class ReserveReading:
    feed: str
    max_age: int
    shares: Decimal | None  # None: the feed has no valid answer
    updated_at: int


def read_reserve(token: Any, project: Any, point: Point) -> ReserveReading:
    """The token's proof-of-reserve feed and its latest answer as of the block, in shares."""
    from ape.exceptions import ContractLogicError

    configured = state_at(token.reserveFeed, block=point.block)
    if configured is None:
        raise ReconcileError(f"the node has no state for block {point.block}: reconcile a recent block, or "
                             "connect to an archive node.")  # fmt: skip
    address, max_age = str(configured[0]), int(configured[1])
    feed = project.ManualFeed.at(address)  # any AggregatorV3Interface ABI does
    try:
        _, answer, _, updated_at, _ = feed.latestRoundData(block_id=point.block)
    except ContractLogicError:  # no round yet
        return ReserveReading(address, max_age, None, 0)
    if int(answer) <= 0:
        return ReserveReading(address, max_age, None, int(updated_at))
    decimals = int(feed.decimals(block_id=point.block))
    return ReserveReading(address, max_age, exact_decimal(int(answer), decimals), int(updated_at))


def compare(symbol: str, supply: Decimal, label: str, custody: Decimal,
            allow_surplus: bool) -> tuple[str | None, str | None]:  # fmt: skip
    """(difference, note): supply above custody is always a difference; custody above supply
    is one unless surplus is allowed, then a note."""
    with localcontext(Context(prec=EXACT_PRECISION)):  # uint256 amounts: subtraction stays exact
        gap = abs(supply - custody).normalize()
    if supply > custody:
        return f"{symbol}: token supply {supply:,f} shares exceeds {label} {custody:,f} shares by {gap:,f}", None
    if custody > supply:
        text = f"{symbol}: {label} {custody:,f} shares exceeds token supply {supply:,f} shares by {gap:,f}"
        return (None, text) if allow_surplus else (text, None)
    return None, None


@dataclass
class Reconciliation:
    symbol: str
    point: Point
    supply: Decimal
    reserve: ReserveReading
    statement: StatementRow | None
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def reconciled(self) -> bool:
        return not self.differences

    def report(self) -> list[str]:
        """What was compared, the notes, each difference, and the verdict, one line each."""
        reserve, row = self.reserve, self.statement
        lines = [f"{self.symbol} at block {self.point.block} ({format_time(self.point.timestamp)}): token supply "
                 f"{self.supply:,f} shares"]  # fmt: skip
        lines.append(f"  reserve feed {reserve.feed}: " + ("no valid answer" if reserve.shares is None else
                     f"{reserve.shares:,f} shares, updated {format_time(reserve.updated_at)}"))  # fmt: skip
        if row is not None:
            lines.append(f"  custodian statement line {row.line}: {row.ticker} {row.isin} {row.shares:,f} shares "
                         f"as of {format_time(row.as_of)}")  # fmt: skip
        lines += [f"note: {note}" for note in self.notes]
        lines += [f"DIFFERENCE: {difference}" for difference in self.differences]
        lines.append("reconciled" if self.reconciled else f"NOT reconciled: {len(self.differences)} difference(s)")
        return lines

    def add(self, outcome: tuple[str | None, str | None]) -> None:
        difference, note = outcome
        if difference:
            self.differences.append(difference)
        if note:
            self.notes.append(note)


def statement_row_for(token: Any, rows: list[StatementRow], block: int) -> tuple[StatementRow | None, str, str]:
    """The statement's row for the token's security as of ``block`` (by ISIN, by ticker when the
    token has none; a name change (CHAN) changes the ticker from its effective time)."""
    info = token.securityInfo(block_id=metadata_block(token, block))
    isin, underlying = str(info.isin), str(info.underlyingTicker)
    matches = [r for r in rows if (r.isin == isin if isin else r.ticker == underlying)]
    return (matches[0] if matches else None), isin, underlying


def check_reserve(result: Reconciliation, allow_surplus: bool) -> None:
    reserve, symbol, at = result.reserve, result.symbol, result.point.timestamp
    if reserve.shares is None:
        result.differences.append(f"{symbol}: the reserve feed {reserve.feed} has no valid answer at block "
                                  f"{result.point.block}")  # fmt: skip
        return
    result.add(compare(symbol, result.supply, "reserve feed", reserve.shares, allow_surplus))
    if at > reserve.updated_at + reserve.max_age:
        result.differences.append(f"{symbol}: the reserve feed's answer of {format_time(reserve.updated_at)} is "
                                  f"stale at {format_time(at)} (older than the token's reserve max age of "
                                  f"{format_duration(reserve.max_age)})")  # fmt: skip


def check_statement(result: Reconciliation, token: Any, rows: list[StatementRow], statement: Path,
                    as_of_tolerance: int, allow_surplus: bool) -> None:  # fmt: skip
    symbol = result.symbol
    row, isin, underlying = statement_row_for(token, rows, result.point.block)
    result.statement = row
    if row is None:
        result.differences.append(f"{symbol}: custodian statement {statement} has no row for "
                                  f"{f'ISIN {isin}' if isin else f'ticker {underlying}'}")  # fmt: skip
        return
    if underlying and row.ticker != underlying:
        result.differences.append(f"{symbol}: custodian statement line {row.line} names ticker {row.ticker} for "
                                  f"ISIN {row.isin}, the token's underlying is {underlying}")  # fmt: skip
    result.add(compare(symbol, result.supply, "custodian statement", row.shares, allow_surplus))
    skew = abs(row.as_of - result.point.timestamp)
    if skew > as_of_tolerance:
        result.differences.append(f"{symbol}: custodian statement as of {format_time(row.as_of)} is "
                                  f"{format_duration(skew)} from the reconciliation time "
                                  f"{format_time(result.point.timestamp)} "
                                  f"(tolerance {format_duration(as_of_tolerance)})")  # fmt: skip


def reconcile(token: Any, project: Any, point: Point, rows: list[StatementRow], statement: Path,
              start_block: int = 0, as_of_tolerance: int = DEFAULT_AS_OF_TOLERANCE,
              allow_surplus: bool = False) -> Reconciliation:  # fmt: skip
    """Token supply in shares at ``point`` against the reserve feed and the statement's row."""
    refuse_before_start(point, start_block)
    supply = supply_at(token, point.block, start_block)
    shares = to_shares(supply.raw, multiplier_at(token, point, start_block), int(token.decimals()))
    symbol = str(token.symbol(block_id=metadata_block(token, point.block)))
    result = Reconciliation(symbol, point, shares, read_reserve(token, project, point), None)
    check_reserve(result, allow_surplus)
    check_statement(result, token, rows, statement, as_of_tolerance, allow_surplus)
    return result
