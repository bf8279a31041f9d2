"""The event index (stocksuite/chain/index/index.py): incremental and resumable sync, adaptive chunks
through a faulty provider, reorgs, refusals, corrupt files, and queries as of a block or a time;
each against SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from stocksuite.chain.index import (
    EventIndexError,
    Finality,
    HttpNode,
    IndexBehind,
    IndexCorrupt,
    IndexRefused,
    NodeError,
)
from stocksuite.chain.index.store import SCHEMA_VERSION
from tests.index.conftest import FaultyProxy

PINGED = "Pinged"
sqlite_only = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def pings(index, **query):
    return [(log.block_number, log.log_index, log.address.lower()) for log in index.logs(event=PINGED, **query)]


def test_a_cold_build_holds_every_log_in_chain_order(fresh_chain, open_on):
    index = open_on(fresh_chain)
    report = index.sync()
    assert report.target == fresh_chain.head() == index.cursor and report.rolled_back_to is None
    logs = list(index.logs())
    assert len(logs) == report.logs == 60 and {log.event for log in logs} == {PINGED}
    assert [(log.block_number, log.log_index) for log in logs] == sorted(
        (log.block_number, log.log_index) for log in logs
    )
    first = logs[0]
    block = fresh_chain.call("eth_getBlockByNumber", hex(first.block_number), False)
    assert first.block_timestamp == int(block["timestamp"], 16) and first.contract == "Probe0"
    assert first.args["caller"].lower() == fresh_chain.sender.lower() and first.args["arbChainId"] == 412346
    assert index.status().logs_by_contract == {"Probe0": 30, "Probe1": 30}


def test_each_run_catches_up_from_the_last_indexed_block(fresh_chain, open_on):
    index = open_on(fresh_chain)
    index.sync()
    before = index.store.rows()
    block = fresh_chain.ping(fresh_chain.probes[0][0])
    report = index.sync()
    assert report.chunks == 1 and report.logs == 1 and index.cursor == block
    assert index.sync().chunks == 0  # nothing new: nothing asked
    logs, blocks = index.store.rows()
    assert logs[: len(before[0])] == before[0] and len(logs) == len(before[0]) + 1


def test_a_kill_between_chunks_loses_and_duplicates_nothing(fresh_chain, open_on, tmp_path):
    clean = open_on(fresh_chain, url=f"sqlite:///{tmp_path / 'clean.sqlite'}")
    clean.sync()
    index = open_on(fresh_chain)
    index.chunking.size = index.chunking.cap = 16  # many chunks
    commits = []

    def killed_at_chunk_5(first, last, logs):
        commits.append((first, last))
        if len(commits) == 5:
            raise KeyboardInterrupt  # the process dies inside the chunk's transaction

    with pytest.raises(KeyboardInterrupt):
        index.sync(on_chunk=killed_at_chunk_5)
    assert index.cursor == commits[3][1]  # chunks 1-4 committed, the 5th rolled back
    index.sync()
    assert index.store.rows() == clean.store.rows()


def test_a_faulty_provider_gives_the_same_index_as_a_clean_run(fresh_chain, open_on, tmp_path):
    clean = open_on(fresh_chain, url=f"sqlite:///{tmp_path / 'clean.sqlite'}")
    clean.sync()
    with FaultyProxy(fresh_chain.url, drop=7, limit=5, slow=3, max_range=40) as proxy:
        node = HttpNode(proxy.url, backoff=0.001, timeout=5)
        index = open_on(fresh_chain, node=node)
        index.sync()
    assert index.store.rows() == clean.store.rows()
    assert proxy.refused > 0 and index.chunking.size <= 40  # the range shrank to what the provider serves
    assert node.retries > 0  # drops and 429s were retried


def test_chunks_grow_again_when_quiet(fresh_chain, open_on):
    index = open_on(fresh_chain)
    index.chunking.size = 4
    index.sync()
    assert index.chunking.size > 4


def test_a_reorg_rolls_back_to_the_fork_point_and_reindexes(fresh_chain, open_on, tmp_path):
    index = open_on(fresh_chain)
    probe = fresh_chain.probes[0][0]
    for _ in range(3):
        fresh_chain.ping(probe)
    index.sync()
    head = fresh_chain.head()
    old_hash = fresh_chain.call("eth_getBlockByNumber", hex(head - 1), False)["hash"]
    # Replace the last 3 blocks: one ping lands in the new history, the other two are gone.
    tx = {"from": fresh_chain.sender, "to": probe, "data": "0x5c36b186"}
    fresh_chain.call("anvil_reorg", 3, [[tx, 1]])
    assert fresh_chain.call("eth_getBlockByNumber", hex(head - 1), False)["hash"] != old_hash
    report = index.sync()
    assert report.rolled_back_to == head - 3
    rebuilt = open_on(fresh_chain, url=f"sqlite:///{tmp_path / 'rebuilt.sqlite'}")
    rebuilt.sync()
    assert index.store.rows() == rebuilt.store.rows()


def test_a_rollback_below_the_cursor_is_followed(fresh_chain, open_on):
    index = open_on(fresh_chain)
    index.sync()
    count = len(pings(index))
    snapshot = fresh_chain.call("evm_snapshot")
    fresh_chain.ping(fresh_chain.probes[1][0], times=2)
    index.sync()
    assert len(pings(index)) == count + 2
    fresh_chain.call("evm_revert", snapshot)
    report = index.sync()
    assert report.rolled_back_to is not None and index.cursor == fresh_chain.head()
    assert len(pings(index)) == count


def test_a_new_record_is_backfilled_from_its_own_deploy_block(fresh_chain, open_on, tmp_path):
    index = open_on(fresh_chain)
    index.sync()
    address, block = fresh_chain.deploy()
    fresh_chain.ping(address, times=3)
    grown = open_on(fresh_chain, probes=[*fresh_chain.probes, (address, block)])
    (new,) = [s for s in grown.store.sources() if s.address == address.lower()]
    assert new.indexed_to == block - 1
    grown.sync()
    assert len(pings(grown, address=address)) == 3 and grown.cursor == fresh_chain.head()


def test_queries_as_of_a_block_and_a_time(fresh_chain, open_on):
    index = open_on(fresh_chain)
    index.sync()
    everything = pings(index)
    middle = everything[29][0]  # the 30th ping's block
    assert pings(index, as_of_block=middle) == everything[:30]
    assert pings(index, since_block=middle, as_of_block=middle) == [everything[29]]
    when = int(fresh_chain.call("eth_getBlockByNumber", hex(middle), False)["timestamp"], 16)
    by_time = pings(index, as_of_time=when)
    assert everything[:30] == by_time[:30] and all(b <= index.block_at_time(when) for b, _, _ in by_time)
    assert index.block_at_time(when) >= middle
    probe = fresh_chain.probes[1][0]
    assert {a for _, _, a in pings(index, address=probe)} == {probe.lower()}
    caller = "0x" + "00" * 12 + fresh_chain.sender[2:].lower()
    assert len(pings(index, topics=[caller])) == 60 and pings(index, topics=["0x" + "11" * 32]) == []
    with pytest.raises(EventIndexError, match="no recorded contract has an event named 'Nope'"):
        list(index.logs(event="Nope"))


def test_a_query_beyond_the_safe_cursor_is_refused(fresh_chain, open_on):
    index = open_on(fresh_chain)
    index.finality = Finality("latest", 10)
    index.sync()
    assert index.cursor == fresh_chain.head() - 10
    with pytest.raises(IndexBehind, match=rf"block {index.cursor + 1} is beyond the index, which holds blocks up to"):
        list(index.logs(as_of_block=index.cursor + 1))
    head_time = int(fresh_chain.call("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
    with pytest.raises(IndexBehind, match="is beyond the index"):
        list(index.logs(as_of_time=head_time))


def test_the_finality_rule(fresh_chain, monkeypatch):
    node = HttpNode(fresh_chain.url)
    head = fresh_chain.head()
    assert Finality.default(412346) == Finality("latest", 0) and Finality.default(42161) == Finality("safe", 0)
    safe = int(fresh_chain.call("eth_getBlockByNumber", "safe", False)["number"], 16)
    assert Finality.parse("safe").target(node) == safe < head
    assert Finality.parse("12").target(node) == head - 12
    assert Finality.parse("finalized-2").target(node) < safe
    monkeypatch.setenv("STOCKSUITE_INDEX_FINALITY", "safe-3")
    assert Finality.default(412346) == Finality("safe", 3)
    with pytest.raises(EventIndexError, match="STOCKSUITE_INDEX_FINALITY='soon'"):
        Finality.parse("soon")


def test_an_index_of_another_chain_deployment_or_schema_is_refused(fresh_chain, open_on, tmp_path):
    index = open_on(fresh_chain)
    index.sync()
    hint = "rebuild it with: ape run index rebuild --network arbitrum:devnet"
    with pytest.raises(IndexRefused, match=f"built for another deployment .*: {hint}"):
        open_on(fresh_chain, probes=fresh_chain.probes[:1], root=tmp_path / "fewer")
    with pytest.raises(IndexRefused, match="built for another deployment"):
        open_on(fresh_chain, probes=[(fresh_chain.probes[0][0], 5), fresh_chain.probes[1]], root=tmp_path / "moved")
    with index.store.write() as w:
        w.set_meta({"chain_id": "1"})
    with pytest.raises(IndexRefused, match=f"built for chain id 1, the network is chain id 412346: {hint}"):
        open_on(fresh_chain)
    with index.store.write() as w:
        w.set_meta({"chain_id": "412346", "schema_version": str(SCHEMA_VERSION + 1)})
    with pytest.raises(IndexRefused, match=f"has schema version {SCHEMA_VERSION + 1}, this tool reads version"):
        open_on(fresh_chain)
    rebuilt = open_on(fresh_chain, rebuild=True)
    assert rebuilt.store.rows() == ([], []) and rebuilt.sync().logs == 60


@sqlite_only
def test_a_corrupt_file_is_detected_not_read(fresh_chain, open_on, tmp_path):
    path = tmp_path / "corrupt.sqlite"
    index = open_on(fresh_chain, url=f"sqlite:///{path}")
    index.sync()
    index.close()
    garbage = bytearray(path.read_bytes())
    garbage[4096:8192] = b"\xff" * 4096  # a page of the tables overwritten
    path.write_bytes(bytes(garbage))
    with pytest.raises(IndexCorrupt, match="is corrupt .* rebuild it with: ape run index rebuild --network"):
        open_on(fresh_chain, url=f"sqlite:///{path}")
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(IndexCorrupt, match="not an SQLite database"):
        open_on(fresh_chain, url=f"sqlite:///{path}")
    rebuilt = open_on(fresh_chain, url=f"sqlite:///{path}", rebuild=True)
    assert rebuilt.sync().logs == 60


@sqlite_only
def test_an_unreachable_node_is_one_line_after_bounded_retries(fresh_chain, open_on):
    from stocksuite.dev.l2 import free_port

    waits = []
    node = HttpNode(f"http://127.0.0.1:{free_port()}", attempts=4, sleep=waits.append)
    with pytest.raises(NodeError, match=r"eth_blockNumber at http://127\.0\.0\.1:\d+ failed 4 times \(last: "):
        open_on(fresh_chain, node=node).sync()
    assert len(waits) == 3 and waits[0] < waits[1] < waits[2]  # exponential backoff, bounded


def test_a_cold_build_makes_its_query_indexes_at_the_end_or_at_the_next_open(fresh_chain, open_on, store_url,
                                                                             monkeypatch):  # fmt: skip
    import stocksuite.chain.index.index as module

    monkeypatch.setattr(module, "COLD_BUILD_BLOCKS", 0)
    names = "('logs_by_event', 'logs_by_topic')"
    query = (f"SELECT indexname FROM pg_indexes WHERE indexname IN {names}" if store_url.startswith("postgresql")
             else f"SELECT name FROM sqlite_master WHERE name IN {names}")  # fmt: skip
    index = open_on(fresh_chain)
    index.chunking.size = index.chunking.cap = 16

    def killed(first, last, logs):
        assert index.store.read(query) == []  # inserted without them
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        index.sync(on_chunk=killed)
    assert index.store.read(query) == []
    reopened = open_on(fresh_chain)
    assert sorted(name for (name,) in reopened.store.read(query)) == ["logs_by_event", "logs_by_topic"]
    reopened.sync()
    assert sorted(name for (name,) in reopened.store.read(query)) == ["logs_by_event", "logs_by_topic"]
