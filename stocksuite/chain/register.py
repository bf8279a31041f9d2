"""Rebuilding on-chain registers from event logs alone."""

from __future__ import annotations

from typing import Any

from stocksuite.chain.index.reader import NODE, EventSource

FROZEN = 1 << 1


def rebuild_registry(registry: Any, start_block: int = 0, stop_block: int | None = None,
                     events: EventSource = NODE) -> dict[str, int]:  # fmt: skip
    """Wallet -> packed record, replayed from the ComplianceRegistry's events (from the event
    index when ``events`` is one, see :mod:`stocksuite.chain.index.reader`).

    Proves the register can be reconstructed by anyone from logs (no storage reads).
    """
    logs = events.events(registry, ("InvestorUpdated", "InvestorRemoved", "InvestorFrozen"), start_block, stop_block)
    records: dict[str, int] = {}
    for log in logs:
        wallet = log.args["wallet"]
        if log.name == "InvestorUpdated":
            records[wallet] = int(log.args["record"])
        elif log.name == "InvestorRemoved":
            records.pop(wallet, None)
        else:
            frozen = log.args["frozen"]
            records[wallet] = records.get(wallet, 0) | FROZEN if frozen else records.get(wallet, 0) & ~FROZEN
    return records
