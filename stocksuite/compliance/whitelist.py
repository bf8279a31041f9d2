"""Compliance-officer whitelist sync: CSV -> validated rows -> diff against the chain -> batches.

CSV columns (header required, order free):

    wallet, jurisdiction, investor_class, kyc_expiry, status[, investor_id, us_person, contract_account]

- ``wallet``: EIP-55 checksummed address (all-lowercase is accepted, wrong mixed case is not)
- ``jurisdiction``: ISO 3166-1 alpha-2, alpha-3 or numeric code
- ``investor_class``: none, retail, professional, accredited, qualified_purchaser
- ``kyc_expiry``: ``YYYY-MM-DD`` (expires at 00:00 UTC that day) or unix seconds; must be in the future
- ``status``: verified, pending (known, not yet verified), frozen, removed
- ``investor_id``: links wallets of one investor (default 0: not linked)
- ``us_person``: yes/no (default: yes for US states and territories)
- ``contract_account``: yes/no, an issuer-approved vault/pool/omnibus (default no)

Contract accounts (pools, vaults, omnibus wallets) carry a KYC expiry like people: the issuer
re-approves them periodically, and when the expiry passes every transfer to or from one (every
swap of a pool) is refused. :func:`expiring_contract_accounts` names those whose expiry falls
within a warning window, for the sync's plan and the audit report.

Any bad row stops the run before anything is sent, naming file, line and reason. The plan
contains only what differs from the chain, so a re-run after an interruption sends exactly
what is still missing, and a second run sends nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stocksuite.config.rows import InvestorRow, validate_row
from stocksuite.config.csvfiles import CsvError, read_rows  # noqa: F401 - CsvError is raised to whitelist callers
from stocksuite.config.records import US_JURISDICTIONS, InvestorClass, InvestorRecord

REQUIRED_COLUMNS = InvestorRow.REQUIRED
OPTIONAL_COLUMNS = InvestorRow.OPTIONAL
STATUSES = InvestorRow.STATUSES
DEFAULT_BATCH_SIZE = 100
DEFAULT_WARN_DAYS = 30
DAY = 24 * 3600


@dataclass(frozen=True)
class Row:
    line: int
    wallet: str
    record: InvestorRecord | None  # None: remove


@dataclass
class Plan:
    """What a sync would send: records to set and wallets to remove, only where they differ."""

    to_set: list[tuple[str, int]] = field(default_factory=list)
    to_remove: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not self.to_set and not self.to_remove

    def batches(self, size: int = DEFAULT_BATCH_SIZE) -> Iterable[tuple[str, list[Any]]]:
        for i in range(0, len(self.to_set), size):
            chunk = self.to_set[i : i + size]
            yield "set", chunk
        for i in range(0, len(self.to_remove), size):
            yield "remove", self.to_remove[i : i + size]

    def summary(self) -> str:
        return (f"{len(self.to_set)} to add or update, {len(self.to_remove)} to remove, "
                f"{self.unchanged} already in sync")  # fmt: skip


def _parse_row(raw: dict[str, str], now: int) -> tuple[str, InvestorRecord | None]:
    row = validate_row(InvestorRow, raw, context={"now": now})
    if row.status == "removed":
        return row.wallet, None
    assert row.jurisdiction is not None and row.investor_class is not None and row.kyc_expiry is not None
    record = InvestorRecord(
        jurisdiction=row.jurisdiction,
        investor_class=InvestorClass(row.investor_class),
        kyc_expiry=row.kyc_expiry,
        investor_id=row.investor_id,
        verified=row.status in ("verified", "frozen"),
        frozen=row.status == "frozen",
        contract_account=row.contract_account,
        us_person=row.jurisdiction in US_JURISDICTIONS if row.us_person is None else row.us_person,
    )
    return row.wallet, record


def read_csv(path: Path, now: int) -> list[Row]:
    """Parse and validate every row; raises :class:`CsvError` listing all bad rows."""
    return read_rows(path, REQUIRED_COLUMNS, OPTIONAL_COLUMNS, lambda raw, line: Row(line, *_parse_row(raw, now)),
                     key=lambda row: row.wallet, key_name="wallet")  # fmt: skip


def plan_sync(rows: list[Row], current: dict[str, int]) -> Plan:
    """Compare desired rows with the chain's records (wallet -> packed record, 0 = none)."""
    plan = Plan()
    for row in rows:
        existing = current.get(row.wallet, 0)
        if row.record is None:
            if existing:
                plan.to_remove.append(row.wallet)
            else:
                plan.unchanged += 1
            continue
        packed = row.record.pack()
        if packed == existing:
            plan.unchanged += 1
        else:
            plan.to_set.append((row.wallet, packed))
    return plan


def records_after(plan: Plan, current: dict[str, int]) -> dict[str, int]:
    """The register once ``plan`` is sent: the chain's records (``current``) with its changes."""
    after = {**current, **dict(plan.to_set)}
    for wallet in plan.to_remove:
        after.pop(wallet, None)
    return after


@dataclass(frozen=True)
class ExpiryWarning:
    """A verified contract account whose KYC expiry falls within the warning window."""

    wallet: str
    kyc_expiry: int
    now: int

    def message(self) -> str:
        day = dt.datetime.fromtimestamp(self.kyc_expiry, dt.timezone.utc).date().isoformat()
        when = "passed" if self.kyc_expiry <= self.now else f"passes in {(self.kyc_expiry - self.now) / DAY:.1f} days"
        return (f"contract account {self.wallet}: KYC expiry {day} {when}; from then every transfer to or from it "
                "(every swap of a pool, every fill of a vault) is refused: re-approve it and sync a later "
                "kyc_expiry")  # fmt: skip


def expiring_contract_accounts(
    records: dict[str, int], now: int, warn_days: int = DEFAULT_WARN_DAYS
) -> list[ExpiryWarning]:
    """Verified contract accounts in ``records`` (wallet -> packed record) whose KYC expiry is
    within ``warn_days`` of ``now`` or already past, soonest first."""
    horizon = now + warn_days * DAY
    warnings = []
    for wallet, packed in records.items():
        record = InvestorRecord.unpack(packed) if packed else None
        if record is not None and record.verified and record.contract_account and record.kyc_expiry <= horizon:
            warnings.append(ExpiryWarning(wallet, record.kyc_expiry, now))
    return sorted(warnings, key=lambda w: (w.kyc_expiry, w.wallet))


def apply_plan(registry: Any, plan: Plan, sender: Any, batch_size: int = DEFAULT_BATCH_SIZE,
               progress: Callable[[int], None] | None = None) -> int:  # fmt: skip
    """Send the plan in batches; returns the number of transactions. Safe to interrupt."""
    sent = 0
    for kind, batch in plan.batches(batch_size):
        if kind == "set":
            wallets = [w for w, _ in batch]
            registry.setInvestors(wallets, [r for _, r in batch], sender=sender)
        else:
            registry.removeInvestors(batch, sender=sender)
        sent += 1
        if progress:
            progress(len(batch))
    return sent
