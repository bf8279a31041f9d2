"""Where the index keeps its rows: SQLite (one file, WAL) or PostgreSQL (one schema per network).

Both run the same SQL (``?`` placeholders, rewritten for psycopg); the differences are how a
connection is made, how a writer locks out other writers, and how an index is dropped. Every
write is one transaction (:meth:`Store.write`), so a process killed mid-way leaves the last
committed state: the indexer commits each chunk's logs, block hashes and cursors together.

Tables: ``meta`` (schema version, chain id, network, fingerprint), ``sources`` (each indexed
address, its first block and the last block indexed for it), ``blocks`` (number, hash, parent
hash, time) for every block holding an indexed log and every chunk's last block, ``logs`` keyed
on (block number, log index).
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stocksuite.chain.index.node import EventIndexError

SCHEMA_VERSION = 1

TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sources (address TEXT PRIMARY KEY, name TEXT NOT NULL, "
    "from_block BIGINT NOT NULL, indexed_to BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS blocks (number BIGINT PRIMARY KEY, hash TEXT NOT NULL, parent_hash TEXT, "
    "block_time BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS logs (block_number BIGINT NOT NULL, log_index INTEGER NOT NULL, "
    "tx_hash TEXT NOT NULL, tx_index INTEGER NOT NULL, address TEXT NOT NULL, topic0 TEXT, topic1 TEXT, "
    "topic2 TEXT, topic3 TEXT, data TEXT NOT NULL, PRIMARY KEY (block_number, log_index)){logs_options}",
    "CREATE INDEX IF NOT EXISTS logs_by_event ON logs (address, topic0, block_number)",
    "CREATE INDEX IF NOT EXISTS logs_by_topic ON logs (topic0, topic1)",
)
LOG_COLUMNS = ("block_number", "log_index", "tx_hash", "tx_index", "address", "topic0", "topic1", "topic2", "topic3",
               "data")  # fmt: skip


class IndexCorrupt(EventIndexError):
    """The index file is not a readable database: it is never read, only rebuilt."""


class IndexRefused(EventIndexError):
    """The index belongs to another chain, deployment or schema version."""


@dataclass(frozen=True)
class Source:
    address: str  # lower-case 0x-hex
    name: str
    from_block: int
    indexed_to: int  # the last block whose logs of this address are in the index


class Store:
    """The SQL both stores share; subclasses connect, lock and drop."""

    url: str  # shown to users (no password)
    _paramstyle = "?"
    _logs_options = ""

    def __init__(self) -> None:
        self._conn: Any = None

    # -- connection and transactions, per backend -----------------------------------------
    def _connect(self) -> Any:
        raise NotImplementedError

    def _begin(self, conn: Any) -> contextlib.AbstractContextManager[Any]:
        raise NotImplementedError

    def drop(self) -> None:
        """Remove every table (a rebuild starts over)."""
        raise NotImplementedError

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> Any:
        if self._conn is None:
            self._conn = self._connect()
        return self._conn

    def sql(self, text: str) -> str:
        return text if self._paramstyle == "?" else text.replace("?", "%s")

    def read(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self.conn.cursor()
        cur.execute(self.sql(text), tuple(params))
        return list(cur.fetchall())

    def stream(self, text: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        cur = self.conn.cursor()
        cur.execute(self.sql(text), tuple(params))
        while rows := cur.fetchmany(2000):
            yield from rows

    @contextlib.contextmanager
    def write(self) -> Iterator[Writer]:
        """One transaction that no other writer interleaves with; rolled back on any error."""
        with self._begin(self.conn) as cur:
            yield Writer(self, cur)

    # -- schema and meta -------------------------------------------------------------------
    def create(self) -> None:
        with self.write() as w:
            for statement in TABLES:
                w.execute(statement.format(logs_options=self._logs_options))

    def empty(self) -> bool:
        return not self.read("SELECT 1 FROM logs LIMIT 1")

    def drop_query_indexes(self) -> None:
        """Drop the indexes queries use (:meth:`create` makes them again): a cold build inserts
        faster without them and then sorts once."""
        with self.write() as w:
            for statement in TABLES:
                if statement.startswith("CREATE INDEX"):
                    w.execute("DROP INDEX IF EXISTS " + statement.split()[5])

    def meta(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.read("SELECT key, value FROM meta")}

    def sources(self) -> list[Source]:
        rows = self.read("SELECT address, name, from_block, indexed_to FROM sources ORDER BY address")
        return [Source(str(a), str(n), int(f), int(t)) for a, n, f, t in rows]

    def recent_blocks(self, below: int | None, limit: int) -> list[tuple[int, str]]:
        """Stored (number, hash), highest first, under ``below`` (all when ``None``)."""
        if below is None:
            rows = self.read("SELECT number, hash FROM blocks ORDER BY number DESC LIMIT ?", (limit,))
        else:
            rows = self.read("SELECT number, hash FROM blocks WHERE number < ? ORDER BY number DESC LIMIT ?",
                             (below, limit))  # fmt: skip
        return [(int(n), str(h)) for n, h in rows]

    def block_time(self, number: int) -> int | None:
        rows = self.read("SELECT block_time FROM blocks WHERE number = ?", (number,))
        return int(rows[0][0]) if rows else None

    def counts(self) -> dict[str, int]:
        return {str(a): int(n) for a, n in self.read("SELECT address, COUNT(*) FROM logs GROUP BY address")}

    def rows(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Every log and block row, in key order (to compare two indexes)."""
        logs = self.read(f"SELECT {', '.join(LOG_COLUMNS)} FROM logs ORDER BY block_number, log_index")
        blocks = self.read("SELECT number, hash, block_time FROM blocks ORDER BY number")
        return logs, blocks


class Writer:
    """The statements of one write transaction."""

    def __init__(self, store: Store, cur: Any) -> None:
        self.store, self.cur = store, cur

    def execute(self, text: str, params: Sequence[Any] = ()) -> Any:
        self.cur.execute(self.store.sql(text), tuple(params))
        return self.cur

    def many(self, text: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cur.executemany(self.store.sql(text), [tuple(r) for r in rows])

    def set_meta(self, values: dict[str, str]) -> None:
        self.many("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  list(values.items()))  # fmt: skip

    def add_sources(self, sources: Sequence[Source]) -> None:
        self.many("INSERT INTO sources (address, name, from_block, indexed_to) VALUES (?, ?, ?, ?)",
                  [(s.address, s.name, s.from_block, s.indexed_to) for s in sources])  # fmt: skip

    def indexed_to(self, addresses: Sequence[str]) -> set[int]:
        marks = ", ".join("?" * len(addresses))
        cur = self.execute(f"SELECT DISTINCT indexed_to FROM sources WHERE address IN ({marks})", addresses)
        return {int(r[0]) for r in cur.fetchall()}

    def stored_hashes(self, first: int, last: int) -> dict[int, str]:
        cur = self.execute("SELECT number, hash FROM blocks WHERE number BETWEEN ? AND ?", (first, last))
        return {int(n): str(h) for n, h in cur.fetchall()}

    def add_blocks(self, rows: Sequence[tuple[int, str, str | None, int]]) -> None:
        self.many("INSERT INTO blocks (number, hash, parent_hash, block_time) VALUES (?, ?, ?, ?)", rows)

    def add_logs(self, rows: Sequence[Sequence[Any]]) -> None:
        marks = ", ".join("?" * len(LOG_COLUMNS))
        self.many(f"INSERT INTO logs ({', '.join(LOG_COLUMNS)}) VALUES ({marks})", rows)

    def advance(self, addresses: Sequence[str], previous: int, block: int) -> None:
        """Move the cursors of ``addresses`` from ``previous`` to ``block``; the previous cursor
        block's row goes unless a log or another cursor needs it (so the rows of an index do not
        depend on how it was chunked)."""
        marks = ", ".join("?" * len(addresses))
        self.execute(f"UPDATE sources SET indexed_to = ? WHERE address IN ({marks})", (block, *addresses))
        self.execute("DELETE FROM blocks WHERE number = ? AND NOT EXISTS (SELECT 1 FROM logs WHERE block_number = ?) "
                     "AND NOT EXISTS (SELECT 1 FROM sources WHERE indexed_to = ?)", (previous, previous, previous))  # fmt: skip

    def roll_back_to(self, block: int) -> None:
        """Forget everything above ``block`` (a fork point): logs, blocks, cursors."""
        self.execute("DELETE FROM logs WHERE block_number > ?", (block,))
        self.execute("DELETE FROM blocks WHERE number > ?", (block,))
        self.execute("UPDATE sources SET indexed_to = ? WHERE indexed_to > ?", (block, block))
        self.execute("UPDATE sources SET indexed_to = from_block - 1 WHERE indexed_to < from_block - 1")


SQLITE_MAGIC = b"SQLite format 3\x00"


class SqliteStore(Store):
    """One SQLite file in WAL mode; writers take the database's write lock (BEGIN IMMEDIATE)."""

    _logs_options = " WITHOUT ROWID"  # the logs are stored in key order, no second copy of the key

    def __init__(self, path: Path, rebuild_hint: str) -> None:
        super().__init__()
        self.path, self.rebuild_hint = path, rebuild_hint
        self.url = f"sqlite:///{path}"

    def _corrupt(self, why: object) -> IndexCorrupt:
        return IndexCorrupt(f"the index {self.path} is corrupt ({why}) and was not read: {self.rebuild_hint}")

    def _connect(self) -> sqlite3.Connection:
        if self.path.is_file() and self.path.stat().st_size:
            with self.path.open("rb") as handle:
                if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                    raise self._corrupt("not an SQLite database")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # in WAL: durable across a killed process
            conn.execute("PRAGMA cache_size=-65536")  # 64 MiB of pages
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as err:
            raise self._corrupt(err) from err
        if verdict != "ok":
            conn.close()
            raise self._corrupt(verdict)
        return conn

    @contextlib.contextmanager
    def _begin(self, conn: sqlite3.Connection) -> Iterator[sqlite3.Cursor]:
        cur = conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")

    def read(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return super().read(text, params)
        except sqlite3.DatabaseError as err:
            if type(err) is not sqlite3.DatabaseError:  # locked, a bad statement: not the file's fault
                raise
            raise self._corrupt(err) from err

    def drop(self) -> None:
        self.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def _pg_schema(network: str) -> str:
    return "stocksuite_index_" + re.sub(r"[^a-z0-9]+", "_", network.lower()).strip("_")


class PostgresStore(Store):
    """One PostgreSQL schema per network (``stocksuite_index_<network>``) in a shared database;
    writers serialize on an exclusive lock of ``sources``."""

    _paramstyle = "%s"

    def __init__(self, url: str, network: str) -> None:
        super().__init__()
        self.dsn, self.schema = url, _pg_schema(network)
        parts = urllib.parse.urlsplit(url)
        shown = parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]) if "@" in parts.netloc else parts
        self.url = f"{urllib.parse.urlunsplit(shown)} (schema {self.schema})"

    def _connect(self) -> Any:
        try:
            import psycopg
        except ImportError as err:  # pragma: no cover - pinned in requirements.lock
            raise EventIndexError(
                "STOCKSUITE_INDEX_URL names PostgreSQL but psycopg is not installed: make setup"
            ) from err
        try:
            conn = psycopg.connect(self.dsn, autocommit=True)
        except psycopg.Error as err:
            raise EventIndexError(f"cannot connect to the index database {self.url}: {str(err).strip()}") from err
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
        conn.execute(f'SET search_path TO "{self.schema}"')
        return conn

    @contextlib.contextmanager
    def _begin(self, conn: Any) -> Iterator[Any]:
        with conn.transaction(), conn.cursor() as cur:
            if cur.execute("SELECT to_regclass('sources')").fetchone()[0] is not None:
                cur.execute("LOCK TABLE sources IN EXCLUSIVE MODE")
            yield cur

    def drop(self) -> None:
        self.conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
        self.close()


def open_store(url: str | None, folder: Path, network: str, rebuild_hint: str) -> Store:
    """The store ``url`` names (``sqlite:///PATH``, ``postgresql://...``); by default the SQLite
    file ``.index.sqlite`` in the network's records folder."""
    if not url:
        return SqliteStore(folder / ".index.sqlite", rebuild_hint)
    if url.startswith("sqlite:///"):
        return SqliteStore(Path(url.removeprefix("sqlite:///")), rebuild_hint)
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url, network)
    raise EventIndexError(f"STOCKSUITE_INDEX_URL={url!r}: give sqlite:///PATH or postgresql://USER@HOST/DATABASE")
