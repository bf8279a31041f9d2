"""Rebuilding on-chain registers from event logs alone."""

from __future__ import annotations

from typing import Any

FROZEN = 1 << 1


def rebuild_registry(registry: Any, start_block: int = 0, stop_block: int | None = None) -> dict[str, int]:
    """Wallet -> packed record, replayed from the ComplianceRegistry's events.

    Proves the register can be reconstructed by anyone from logs (no storage reads).
    """
    logs = []
    for event_type in (registry.InvestorUpdated, registry.InvestorRemoved, registry.InvestorFrozen):
        logs.extend(event_type.query("*", start_block=start_block, stop_block=stop_block).itertuples())
    logs.sort(key=lambda log: (log.block_number, log.log_index))
    records: dict[str, int] = {}
    for log in logs:
        wallet = log.event_arguments["wallet"]
        if log.event_name == "InvestorUpdated":
            records[wallet] = log.event_arguments["record"]
        elif log.event_name == "InvestorRemoved":
            records.pop(wallet, None)
        else:
            frozen = log.event_arguments["frozen"]
            records[wallet] = records.get(wallet, 0) | FROZEN if frozen else records.get(wallet, 0) & ~FROZEN
    return records
