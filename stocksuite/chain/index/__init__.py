"""The event index: every log of a network's recorded contracts in SQLite or PostgreSQL, caught
up incrementally and reorg-safe; the one place the tooling reads history from (see
:mod:`stocksuite.chain.index.index`, and docs/index.md)."""

from stocksuite.chain.index.index import (
    EventIndex,
    Finality,
    IndexBehind,
    Status,
    SyncReport,
    open_index,
    rebuild_hint,
    store_of,
)
from stocksuite.chain.index.node import EventIndexError, HttpNode, NodeError, ProviderNode, RangeRefused, node_for
from stocksuite.chain.index.store import SCHEMA_VERSION, IndexCorrupt, IndexRefused

__all__ = [
    "SCHEMA_VERSION",
    "EventIndex",
    "EventIndexError",
    "Finality",
    "HttpNode",
    "IndexBehind",
    "IndexCorrupt",
    "IndexRefused",
    "NodeError",
    "ProviderNode",
    "RangeRefused",
    "Status",
    "SyncReport",
    "node_for",
    "open_index",
    "rebuild_hint",
    "store_of",
]
