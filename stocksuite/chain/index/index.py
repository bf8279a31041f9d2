"""The event index of one network: every log of the recorded contracts, caught up incrementally.

Sync (:meth:`EventIndex.sync`):

- **Addresses**: every contract in the network's deployment records, each from its own recorded
  ``blockNumber``. Each address has its own cursor (``sources.indexed_to``): a new record (a new
  ticker) starts at its deploy block, and is scanned alone up to where the others are, then with
  them. The addresses go to the node (``eth_getLogs`` with ``address: [...]``, 500 at a time).
- **Up to the finality target** (:class:`Finality`): the ``safe`` block by default, the head on
  the local L2 (where anvil reorgs only when told), ``STOCKSUITE_INDEX_FINALITY`` to change it.
- **Adaptive chunks**: 2,000 blocks at first, halved when the provider refuses a range or a
  result count (and then never grown past that again in the run), halved after a chunk of more
  than 2,000 logs, doubled after two chunks of fewer than 1,000, up to 100,000.
- **One transaction per chunk**: its logs, the hashes of their blocks and of its last block, and
  the cursors, together; a kill mid-way resumes from the last committed chunk.
- **Reorgs**: each run first compares the hashes of the last 64 stored blocks with the node's; on
  a mismatch it walks down to the last block that still matches, forgets everything above it,
  and indexes again from there. A chunk whose blocks disagree with stored hashes does the same.

Queries (:meth:`EventIndex.logs`, :meth:`EventIndex.raw_logs`, :meth:`EventIndex.block_at_time`)
answer "as of block or time X" in (block, log index) order, and refuse X beyond the index.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from stocksuite.config.environment import environment
from stocksuite.chain.deployments import Deployments, folder_name
from stocksuite.chain.events import PROXY_EVENTS, DecodedLog, EventCatalog
from stocksuite.chain.index.node import EventIndexError, NodeError, RangeRefused
from stocksuite.chain.index.store import SCHEMA_VERSION, IndexRefused, Source, Store, open_store

LOCAL_CHAIN_IDS = (412346, 412347, 31337)  # the local L2s (and anvil's default): reorgs only when told
FALLBACK_DEPTH = 64  # blocks below the head when a node does not know the safe/finalized tags
ADDRESS_CHUNK = 500
REORG_WINDOW = 64
MAX_CHAIN_MOVES = 10
COLD_BUILD_BLOCKS = 1_000  # an empty index catching up this far builds its query indexes at the end
_NONES = (None,) * 4


class IndexBehind(EventIndexError):
    """A query asks about blocks the index does not hold yet (beyond its safe cursor)."""


def rebuild_hint(network: str) -> str:
    return f"rebuild it with: ape run index rebuild --network {network}"


@dataclass(frozen=True)
class Finality:
    """Which block the index stops at: ``tag`` (``latest``, ``safe``, ``finalized``) less ``depth``."""

    tag: str = "safe"
    depth: int = 0

    @classmethod
    def parse(cls, text: str) -> Finality:
        """``safe``, ``finalized``, ``latest``, a depth below the head (``12``), or ``safe-12``."""
        value = text.strip().lower()
        tag, _, depth = value.partition("-")
        if tag.isdigit() and not depth:
            return cls("latest", int(tag))
        if tag in ("latest", "safe", "finalized") and (not depth or depth.isdigit()):
            return cls(tag, int(depth or 0))
        raise EventIndexError(f"STOCKSUITE_INDEX_FINALITY={text!r}: give safe, finalized, latest, a depth below the "
                              "head (12), or a tag less a depth (safe-12)")  # fmt: skip

    @classmethod
    def default(cls, chain_id: int) -> Finality:
        configured = (environment().index_finality or "").strip()
        if configured:
            return cls.parse(configured)
        return cls("latest", 0) if chain_id in LOCAL_CHAIN_IDS else cls("safe", 0)

    def __str__(self) -> str:
        return self.tag + (f"-{self.depth}" if self.depth else "")

    def target(self, node: Any) -> int:
        """The highest block the index may hold now."""
        head = int(node.request("eth_blockNumber"), 16)
        number = head
        if self.tag != "latest":
            try:
                block = node.request("eth_getBlockByNumber", [self.tag, False])
                number = int(block["number"], 16) if block else head - FALLBACK_DEPTH
            except NodeError:
                number = head - FALLBACK_DEPTH
        return max(-1, min(head, number) - self.depth)


@dataclass
class SyncReport:
    target: int
    chunks: int = 0
    logs: int = 0
    rolled_back_to: int | None = None  # the fork point of a reorg found on the way
    blocks: int = 0


@dataclass(frozen=True)
class Status:
    url: str
    network: str
    chain_id: int
    finality: str
    cursor: int
    target: int
    head: int
    logs_by_contract: dict[str, int]
    backfilling: tuple[Source, ...]  # new records not yet indexed as far as the others
    fingerprint: str

    @property
    def lag(self) -> int:
        return max(0, self.target - self.cursor)


def _hex_int(value: Any) -> int:
    return int(value, 16) if value.__class__ is str else int(value)


def _fingerprint(sources: Iterable[Source]) -> str:
    text = ";".join(f"{s.address}@{s.from_block}" for s in sorted(sources, key=lambda s: s.address))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class _Chunking:
    """The adaptive eth_getLogs block range."""

    size: int = 2_000
    cap: int = 100_000
    quiet: int = 0
    grow_below: int = 1_000  # logs in a chunk under which it counts as quiet
    busy_above: int = 2_000  # logs in a chunk over which the next one is halved

    def refused(self) -> None:
        if self.size == 1:
            raise NodeError("the provider refuses eth_getLogs even for a single block: it cannot serve the index")
        self.size, self.quiet = max(1, self.size // 2), 0
        self.cap = self.size  # what the provider refused is not asked again in this run

    def served(self, logs: int) -> None:
        if logs > self.busy_above and self.size > 1:  # keeps chunks small enough to overlap fetch and store
            self.size, self.quiet = self.size // 2, 0
            return
        self.quiet = self.quiet + 1 if logs < self.grow_below else 0
        if self.quiet >= 2:
            self.size, self.quiet = min(self.cap, self.size * 2), 0


class _ChainMoved(Exception):
    """A chunk's blocks disagree with stored hashes: check for a reorg and go on."""


ChunkHook = Callable[[int, int, int], None]  # (first block, last block, logs), inside the transaction
Progress = Callable[[int, int], None]  # (blocks done, blocks to do)


@dataclass
class EventIndex:
    store: Store
    node: Any  # HttpNode, ProviderNode: request(method, params), batch(calls)
    network: str
    chain_id: int
    catalog: EventCatalog
    finality: Finality
    names: dict[str, str] = field(default_factory=dict)  # lower-case address -> record name
    chunking: _Chunking = field(default_factory=_Chunking)

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, records: Deployments, network: str, node: Any, url: str | None = None,
             finality: Finality | None = None) -> EventIndex:  # fmt: skip
        """The index of ``records`` (their network ``network``, e.g. ``arbitrum:devnet``) in the
        store ``url`` (default ``STOCKSUITE_INDEX_URL``, else the SQLite file beside the records).

        Refuses an index of another schema version, chain id or deployment in one line; adds new
        records' addresses (they are indexed from their own deploy block on the next sync).
        """
        from eth_utils import to_checksum_address

        hint = rebuild_hint(network)
        store = store_of(records, network, url)
        recorded = records.all()
        wanted: dict[str, Source] = {}
        for name, record in sorted(recorded.items(), key=lambda item: (len(item[0]), item[0])):
            address = str(record["address"]).lower()
            block = int(record.get("blockNumber") or 0)
            wanted.setdefault(address, Source(address, name, block, block - 1))
        store.create()
        meta = store.meta()
        expected = {"schema_version": str(SCHEMA_VERSION), "chain_id": str(records.chain_id)}
        if not meta:
            with store.write() as w:
                w.set_meta({**expected, "network": network})
        elif meta.get("schema_version") != expected["schema_version"]:
            raise IndexRefused(f"the index {store.url} has schema version {meta.get('schema_version')}, this tool "
                               f"reads version {SCHEMA_VERSION}: {hint}")  # fmt: skip
        elif meta.get("chain_id") != expected["chain_id"]:
            raise IndexRefused(f"the index {store.url} was built for chain id {meta.get('chain_id')}, the network is "
                               f"chain id {records.chain_id}: {hint}")  # fmt: skip
        known = {s.address: s for s in store.sources()}
        changed = sorted(a for a, s in known.items() if a not in wanted or wanted[a].from_block != s.from_block)
        if changed:
            what = ", ".join(to_checksum_address(a) for a in changed[:3]) + (" ..." if len(changed) > 3 else "")
            raise IndexRefused(f"the index {store.url} was built for another deployment ({len(changed)} indexed "
                               f"contract(s) not in the records as indexed: {what}): {hint}")  # fmt: skip
        new = [s for a, s in wanted.items() if a not in known]
        if new:
            with store.write() as w:
                w.add_sources(new)
                w.set_meta({"fingerprint": _fingerprint([*known.values(), *new])})
        catalog = EventCatalog((s.name, to_checksum_address(s.address), recorded[s.name].get("abi", []))
                               for s in wanted.values())  # fmt: skip
        return cls(store, node, network, records.chain_id, catalog, finality or Finality.default(records.chain_id),
                   {a: s.name for a, s in wanted.items()})  # fmt: skip

    def close(self) -> None:
        self.store.close()
        self.node.close()

    # -- state -----------------------------------------------------------------------------
    @property
    def cursor(self) -> int:
        """The last block whose logs of every recorded contract are in the index."""
        sources = self.store.sources()
        return min((s.indexed_to for s in sources), default=-1)

    def status(self) -> Status:
        sources = self.store.sources()
        head, target = int(self.node.request("eth_blockNumber"), 16), self.finality.target(self.node)
        cursor = min((s.indexed_to for s in sources), default=-1)
        counts = self.store.counts()
        by_contract = {s.name: counts.get(s.address, 0) for s in sources}
        furthest = max((s.indexed_to for s in sources), default=-1)
        backfilling = tuple(s for s in sources if s.indexed_to < furthest)
        return Status(self.store.url, self.network, self.chain_id, str(self.finality), cursor, target, head,
                      by_contract, backfilling, self.store.meta().get("fingerprint", ""))  # fmt: skip

    # -- sync ------------------------------------------------------------------------------
    def sync(self, progress: Progress | None = None, on_chunk: ChunkHook | None = None,
             up_to: int | None = None) -> SyncReport:  # fmt: skip
        """Catch up to the finality target (or ``up_to``, if lower): see the module doc."""
        target = self.finality.target(self.node)
        target = target if up_to is None else min(target, up_to)
        report = SyncReport(target)
        report.rolled_back_to = self._check_reorg()
        if self.cursor + COLD_BUILD_BLOCKS <= target and self.store.empty():
            self.store.drop_query_indexes()  # made again at the end, or by the next open if killed
        moves = 0
        while True:
            sources = self.store.sources()
            lagging = [s for s in sources if s.indexed_to < target]
            if not lagging:
                break
            low = min(s.indexed_to for s in lagging)
            report.blocks = max(report.blocks, target - low)
            group = [s.address for s in lagging if s.indexed_to == low]
            ahead = [s.indexed_to for s in sources if s.indexed_to > low]
            end = min([target, *ahead])
            try:
                self._scan(group, low + 1, end, target, report, progress, on_chunk)
            except _ChainMoved as moved:
                moves += 1
                if moves > MAX_CHAIN_MOVES:
                    raise NodeError(
                        f"the chain kept changing under the index ({moved}): run the command again "
                        "later, or index less close to the head (STOCKSUITE_INDEX_FINALITY)"
                    ) from None
                fork = self._check_reorg()
                report.rolled_back_to = fork if report.rolled_back_to is None else min(report.rolled_back_to, fork or 0)
        self.store.create()
        if progress and report.blocks:
            progress(report.blocks, report.blocks)
        return report

    def _scan(self, group: list[str], first: int, last: int, target: int, report: SyncReport,
              progress: Progress | None, on_chunk: ChunkHook | None) -> None:  # fmt: skip
        """Index ``group`` from ``first`` to ``last``, chunk by chunk; the next chunk is fetched
        (in one worker thread, the only user of the node meanwhile) while this one is stored."""
        from concurrent.futures import Future, ThreadPoolExecutor

        def fetch(start: int) -> tuple[int, int, Future[Any]]:
            stop = min(last, start + self.chunking.size - 1)
            return start, stop, pool.submit(self._fetch, group, start, stop)

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-fetch")
        try:
            pending = fetch(first)
            while True:
                start, stop, future = pending
                try:
                    rows, blocks = future.result()
                except RangeRefused:
                    self.chunking.refused()
                    pending = fetch(start)
                    continue
                self.chunking.served(len(rows))
                if stop < last:
                    pending = fetch(stop + 1)
                if not self._commit(group, start, stop, rows, blocks, on_chunk):
                    return  # another process indexed these blocks meanwhile: plan again from the store
                report.chunks, report.logs = report.chunks + 1, report.logs + len(rows)
                if progress:
                    progress(report.blocks - (target - stop), report.blocks)
                if stop >= last:
                    return
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _fetch(self, group: list[str], first: int, last: int) -> tuple[list[tuple[Any, ...]], dict[int, Any]]:
        """The rows of ``group``'s logs in the blocks (:meth:`_rows`), with the headers of the
        last block and of blocks whose logs carry no ``blockTimestamp``."""
        logs = self._get_logs(group, first, last)
        untimed = {_hex_int(log["blockNumber"]) for log in logs if log.get("blockTimestamp") is None}
        return self._rows(logs, self._headers(sorted({*untimed, last})))

    def _get_logs(self, addresses: list[str], first: int, last: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for i in range(0, len(addresses), ADDRESS_CHUNK):
            query = {"address": addresses[i : i + ADDRESS_CHUNK], "fromBlock": hex(first), "toBlock": hex(last)}
            found += self.node.request("eth_getLogs", [query]) or []
        if len(addresses) <= ADDRESS_CHUNK:
            return found  # one answer: the node's order is the chain's
        return sorted(found, key=lambda log: (_hex_int(log["blockNumber"]), _hex_int(log["logIndex"])))

    def _headers(self, numbers: Sequence[int]) -> dict[int, dict[str, Any]]:
        headers: dict[int, dict[str, Any]] = {}
        for i in range(0, len(numbers), 100):
            part = numbers[i : i + 100]
            for number, header in zip(part, self.node.batch([("eth_getBlockByNumber", [hex(n), False]) for n in part]),
                                      strict=True):  # fmt: skip
                if not header:
                    raise _ChainMoved(f"block {number} is gone")
                headers[number] = header
        return headers

    @staticmethod
    def _rows(logs: list[dict[str, Any]], headers: dict[int, Any]) -> tuple[list[tuple[Any, ...]], dict[int, Any]]:
        """The chunk's log rows and block rows; raises :class:`_ChainMoved` when its blocks disagree."""
        blocks: dict[int, tuple[int, str, str | None, int]] = {}
        rows: list[tuple[Any, ...]] = []
        for log in logs:  # one pass: this is the cold build's hot loop (JSON-RPC hex is lower-case)
            if log.get("removed"):
                raise _ChainMoved("a removed log")
            number, block_hash = _hex_int(log["blockNumber"]), log["blockHash"].lower()
            known = blocks.get(number)
            if known is None:
                stamp = log.get("blockTimestamp")
                blocks[number] = (number, block_hash, None, -1 if stamp is None else _hex_int(stamp))
            elif known[1] != block_hash:
                raise _ChainMoved(f"two hashes for block {number}")
            topics = log["topics"]
            rows.append((number, _hex_int(log["logIndex"]), log["transactionHash"], _hex_int(log["transactionIndex"]),
                         log["address"].lower(), *topics[:4], *_NONES[len(topics):], log["data"]))  # fmt: skip
        for number, header in headers.items():
            row = (
                number,
                str(header["hash"]).lower(),
                str(header["parentHash"]).lower(),
                _hex_int(header["timestamp"]),
            )
            if number in blocks and blocks[number][1] != row[1]:
                raise _ChainMoved(f"block {number} changed during the chunk")
            blocks[number] = row
        return rows, blocks

    def _commit(self, group: list[str], first: int, last: int, rows: list[tuple[Any, ...]],
                blocks: dict[int, Any], on_chunk: ChunkHook | None) -> bool:  # fmt: skip
        with self.store.write() as w:
            if w.indexed_to(group) != {first - 1}:
                return False
            stored = w.stored_hashes(first, last)
            if any(stored[n] != row[1] for n, row in blocks.items() if n in stored):
                raise _ChainMoved(f"blocks {first}..{last} differ from the stored ones")
            w.add_blocks([row for n, row in sorted(blocks.items()) if n not in stored])
            w.add_logs(rows)
            w.advance(group, first - 1, last)
            if on_chunk:
                on_chunk(first, last, len(rows))
        return True

    def _check_reorg(self) -> int | None:
        """Roll back to the fork point if stored blocks are no longer the node's; that block, or
        ``None`` when nothing changed (``-1``: no stored block matches any more)."""
        below: int | None = None
        while stored := self.store.recent_blocks(below, REORG_WINDOW):
            headers = self.node.batch([("eth_getBlockByNumber", [hex(n), False]) for n, _ in stored])
            same = [(n, bool(header) and str(header["hash"]).lower() == h)
                    for (n, h), header in zip(stored, headers, strict=True)]  # fmt: skip
            bad = [n for n, ok in same if not ok]
            if not bad and below is None:
                return None  # the last stored blocks are the node's (and so, by their hashes, all before)
            fork = max((n for n, ok in same if ok and n < min(bad, default=n + 1)), default=None)
            if fork is not None:
                self._roll_back(fork)
                return fork
            below = stored[-1][0]
        if below is None:
            return None  # nothing stored yet
        self._roll_back(-1)
        return -1

    def _roll_back(self, block: int) -> None:
        with self.store.write() as w:
            w.roll_back_to(block)

    # -- queries ---------------------------------------------------------------------------
    def topics_of(self, event: str) -> list[str]:
        """topic0 of every recorded (or proxy) event named ``event``; a 0x topic as itself."""
        from eth_utils.abi import event_abi_to_log_topic

        if event.startswith("0x") and len(event) == 66:
            return [event.lower()]
        abis = [*PROXY_EVENTS, *(e for es in self.catalog._any.values() for e in es)]  # noqa: SLF001
        found = sorted({"0x" + event_abi_to_log_topic(e).hex() for e in abis if e.get("name") == event})
        if not found:
            raise EventIndexError(f"no recorded contract has an event named {event!r}")
        return found

    def _as_of(self, as_of_block: int | None, as_of_time: int | None) -> tuple[int, int | None]:
        cursor = self.cursor
        if as_of_block is not None and as_of_block > cursor:
            raise IndexBehind(f"block {as_of_block} is beyond the index, which holds blocks up to {cursor} "
                              f"(finality {self.finality}): wait for it to be {self.finality}, or sync "
                              f"(ape run index sync --network {self.network})")  # fmt: skip
        if as_of_time is not None:
            self._require_time(as_of_time, cursor)
        return (cursor if as_of_block is None else as_of_block), as_of_time

    def _require_time(self, moment: int, cursor: int) -> None:
        """Refuse a time for which a block beyond the cursor may exist."""
        stamp = self.store.block_time(cursor) if cursor >= 0 else None
        if stamp is not None and moment < stamp:
            return
        following = self.node.request("eth_getBlockByNumber", [hex(cursor + 1), False])
        if following and _hex_int(following["timestamp"]) <= moment:
            raise IndexBehind(f"time {moment} is beyond the index, which holds blocks up to {cursor} (finality "
                              f"{self.finality}): wait, or sync (ape run index sync --network {self.network})")  # fmt: skip

    def raw_logs(self, address: str | Sequence[str] | None = None, event: str | Sequence[str] | None = None,
                 since_block: int | None = None, as_of_block: int | None = None, as_of_time: int | None = None,
                 topics: Sequence[str | Sequence[str] | None] = ()) -> Iterator[dict[str, Any]]:  # fmt: skip
        """Stored logs as ``eth_getLogs`` returns them (plus ``blockTimestamp``), in chain order.

        ``address``: one or several; ``event``: names or topic0s; ``topics``: filters of topic1,
        topic2, topic3 (a value, a list of values, or ``None`` for any); ``since_block`` and
        ``as_of_block`` are inclusive; ``as_of_time`` keeps blocks with a time at or before it.
        """
        last, moment = self._as_of(as_of_block, as_of_time)
        where, params = ["l.block_number <= ?"], [last]
        if since_block is not None:
            where.append("l.block_number >= ?")
            params.append(since_block)
        if moment is not None:
            where.append("b.block_time <= ?")
            params.append(moment)

        def any_of(column: str, values: Sequence[str]) -> None:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(v.lower() for v in values)

        if address is not None:
            any_of("l.address", [address] if isinstance(address, str) else list(address))
        if event is not None:
            any_of("l.topic0", [t for e in ([event] if isinstance(event, str) else event) for t in self.topics_of(e)])
        for position, value in enumerate(topics, start=1):
            if value is not None:
                any_of(f"l.topic{position}", [value] if isinstance(value, str) else list(value))
        query = (f"SELECT l.block_number, l.log_index, l.tx_hash, l.tx_index, l.address, l.topic0, l.topic1, "
                 f"l.topic2, l.topic3, l.data, b.hash, b.block_time FROM logs l JOIN blocks b ON b.number = "
                 f"l.block_number WHERE {' AND '.join(where)} ORDER BY l.block_number, l.log_index")  # fmt: skip
        for number, index, tx, tx_index, emitter, t0, t1, t2, t3, data, block_hash, stamp in self.store.stream(
            query, params
        ):
            yield {"blockNumber": hex(number), "logIndex": hex(index), "transactionHash": tx,
                   "transactionIndex": hex(tx_index), "address": emitter, "topics": [t for t in (t0, t1, t2, t3) if t],
                   "data": data, "blockHash": block_hash, "blockTimestamp": hex(stamp)}  # fmt: skip

    def logs(self, address: str | Sequence[str] | None = None, event: str | Sequence[str] | None = None,
             since_block: int | None = None, as_of_block: int | None = None, as_of_time: int | None = None,
             topics: Sequence[str | Sequence[str] | None] = (), any_record: bool = False) -> Iterator[DecodedLog]:  # fmt: skip
        """:meth:`raw_logs`, decoded with the records' ABIs (:class:`stocksuite.chain.events.EventCatalog`)."""
        for raw in self.raw_logs(address, event, since_block, as_of_block, as_of_time, topics):
            yield self.catalog.decode(raw, any_record=any_record)

    def block_at_time(self, moment: int) -> int | None:
        """The last block with a time at or before ``moment`` (``None`` before the first block);
        the node's headers are searched between stored ones."""
        cursor = self.cursor
        self._require_time(moment, cursor)
        below = self.store.read("SELECT MAX(number) FROM blocks WHERE block_time <= ?", (moment,))[0][0]
        above = self.store.read("SELECT MIN(number) FROM blocks WHERE block_time > ?", (moment,))[0][0]
        low, high = (-1 if below is None else int(below)), (cursor + 1 if above is None else int(above))
        while high - low > 1:  # invariant: time(low) <= moment < time(high)
            middle = (low + high) // 2
            header = self.node.request("eth_getBlockByNumber", [hex(middle), False])
            if header and _hex_int(header["timestamp"]) <= moment:
                low = middle
            else:
                high = middle
        return None if low < 0 else low


def store_of(records: Deployments, network: str, url: str | None = None) -> Store:
    """The store of ``network``'s index: ``url``, else ``STOCKSUITE_INDEX_URL``, else the SQLite
    file ``.index.sqlite`` in the records folder (git-ignored)."""
    url = url if url is not None else environment().index_url
    return open_store(url, records.folder, folder_name(network), rebuild_hint(network))


def open_index(records: Deployments, network: str, node: Any, url: str | None = None,
               finality: Finality | None = None, rebuild: bool = False) -> EventIndex:  # fmt: skip
    """:meth:`EventIndex.open`; with ``rebuild``, the store's rows (or a corrupt file) are
    dropped first, unread."""
    if rebuild:
        store_of(records, network, url).drop()
    return EventIndex.open(records, network, node, url, finality)


__all__ = ["EventIndex", "Finality", "IndexBehind", "Status", "SyncReport", "open_index", "rebuild_hint", "store_of"]
