"""The event index on the local L2: a cold build (open, sync from the deploy block) against the
node's own eth_getLogs rate over the same range and addresses in one call through the same client
(same run), and a warm catch-up of one new block with one log, as a reading command pays it."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from benchmarks import deploy_family, timing
from benchmarks.bench_corporate import _ticker_with_holders

HOLDERS = 5_000  # 5,000 InvestorUpdated + 5,000 Transfer logs
TICKERS = 20  # each with 250 holders onboarded and minted to, then 200 empty blocks
ROUNDS = 3  # each rate is the best of three (the machine is shared)
EMPTY_BLOCKS = 4_000  # history without logs in between (anvil mines ever slower as its chain grows)


def _records(root: Path, start_block: int, **contracts):
    from ape import chain

    from stocksuite.chain.deployments import Deployments

    records = Deployments.open("arbitrum:devnet", chain.chain_id, root=root)
    for name, contract in contracts.items():
        records.save(name, contract, SimpleNamespace(txn_hash=b"\x00" * 32, block_number=start_block), [])
    return records


@timing
def event_index(accounts, project, url) -> dict[str, float]:
    from ape import chain

    from stocksuite.chain.index import HttpNode, open_index
    from stocksuite.dev.l2 import rpc

    admin = accounts[0]
    start = chain.blocks.head.number + 1
    registry, feed, factory, actions = deploy_family(project, admin)
    tokens = {}
    for k in range(TICKERS):  # a history spread over blocks, as a real one is
        token, holders = _ticker_with_holders(project, admin, registry, feed, factory, actions, f"IX{k}x",
                                              HOLDERS // TICKERS)  # fmt: skip
        tokens[f"StockToken_IX{k}x"] = token
        rpc(url, "anvil_mine", [hex(EMPTY_BLOCKS // TICKERS)], timeout=300)
    head = chain.blocks.head.number
    addresses = [c.address for c in (registry, feed, factory, actions, *tokens.values())]

    node = HttpNode(url)
    query = {"address": addresses, "fromBlock": hex(start), "toBlock": hex(head)}
    node_s, raw = ROUNDS * [0.0], []
    for i in range(ROUNDS):
        started = time.monotonic()
        raw = node.request("eth_getLogs", [query])
        node_s[i] = time.monotonic() - started

    with tempfile.TemporaryDirectory() as tmp:
        records = _records(Path(tmp), start, ComplianceRegistry=registry, ManualFeed=feed, StockTokenFactory=factory,
                           CorporateActions=actions, **tokens)  # fmt: skip
        cold_s = ROUNDS * [0.0]
        for i in range(ROUNDS):
            started = time.monotonic()
            index = open_index(records, "arbitrum:devnet", HttpNode(url), rebuild=True)
            report = index.sync()
            cold_s[i] = time.monotonic() - started
            index.close()
            if report.logs != len(raw):
                raise RuntimeError(f"the index holds {report.logs} logs, the node returned {len(raw)}")

        token.mintBatch(holders[:1], [10**18], sender=admin)  # one new block with a log
        started = time.monotonic()  # what a reading command pays to catch up: open, check, sync
        index = open_index(records, "arbitrum:devnet", HttpNode(url))
        caught = index.sync()
        catchup_s = time.monotonic() - started
        index.close()
        if caught.logs != 1:
            raise RuntimeError(f"the catch-up indexed {caught.logs} logs, not 1")
    return {"index_catchup_1_block_s": round(catchup_s, 3), "index_cold_build_logs_per_s": round(len(raw) / min(cold_s)),
            "node_getlogs_logs_per_s": round(len(raw) / min(node_s))}  # fmt: skip
