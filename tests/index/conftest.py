"""Fixtures for the event index: a private local L2 with a small history (its own anvil, so
reorgs and rollbacks never touch the session chain), throwaway PostgreSQL servers, and a faulty
provider (a loopback proxy that drops, delays, rate-limits and refuses wide ranges)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from stocksuite.chain.deployments import Deployments, abi_json
from stocksuite.chain.index import HttpNode, open_index
from stocksuite.dev.l2 import LocalL2, free_port, rpc

NETWORK = "arbitrum:devnet"
PING = "0x5c36b186"  # L2Probe.ping()


@dataclass
class IndexChain:
    """A private anvil, the probes deployed on it, and helpers to grow its history."""

    l2: LocalL2
    sender: str
    probes: list[str]
    abi: list[dict[str, Any]]
    bytecode: str

    @property
    def url(self) -> str:
        return self.l2.url

    def call(self, method: str, *params: Any) -> Any:
        return rpc(self.url, method, list(params))

    def send(self, to: str | None, data: str) -> dict[str, Any]:
        tx = {"from": self.sender, "data": data, **({"to": to} if to else {})}
        tx_hash = self.call("eth_sendTransaction", tx)
        for _ in range(100):  # anvil mines at once, but may answer before it has the receipt
            if receipt := self.call("eth_getTransactionReceipt", tx_hash):
                return receipt
            time.sleep(0.01)
        raise AssertionError(f"no receipt for {tx_hash}")

    def ping(self, probe: str, times: int = 1) -> int:
        """``times`` pings, one block each; the last block."""
        return max(int(self.send(probe, PING)["blockNumber"], 16) for _ in range(times))

    def deploy(self) -> tuple[str, int]:
        receipt = self.send(None, self.bytecode)
        return receipt["contractAddress"], int(receipt["blockNumber"], 16)

    def head(self) -> int:
        return int(self.call("eth_blockNumber"), 16)

    def records(self, root: Path, probes: list[tuple[str, int]]) -> Deployments:
        folder = root / "arbitrum-devnet"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".chain").write_text("412346\n")
        for i, (address, block) in enumerate(probes):
            record = {"contractName": "L2Probe", "address": address, "abi": self.abi, "blockNumber": block}
            (folder / f"Probe{i}.json").write_text(json.dumps(record))
        return Deployments(folder, 412346)


@pytest.fixture(scope="module")
def index_chain(project) -> Iterator[IndexChain]:
    """Two probes with 40 pings between them, then 200 empty blocks, then 20 more pings."""
    contract_type = project.L2Probe.contract_type
    with LocalL2(port=free_port()) as l2:
        sender = rpc(l2.url, "eth_accounts")[0]
        chain = IndexChain(l2, sender, [], abi_json(contract_type), contract_type.deployment_bytecode.bytecode)
        first, second = chain.deploy(), chain.deploy()
        chain.probes = [first, second]  # type: ignore[list-item]
        for _ in range(20):
            chain.ping(first[0])
            chain.ping(second[0])
        chain.call("anvil_mine", hex(200))
        for _ in range(10):
            chain.ping(first[0])
            chain.ping(second[0])
        yield chain


@pytest.fixture
def fresh_chain(index_chain) -> Iterator[IndexChain]:
    """The module's chain, put back as it was after the test (reorgs, rollbacks, new pings)."""
    snapshot = index_chain.call("evm_snapshot")
    yield index_chain
    assert index_chain.call("evm_revert", snapshot)


# -- PostgreSQL: a throwaway server for the module --------------------------------------------


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _runuser() -> str:
    """util-linux's runuser (PostgreSQL refuses to run as root), also when sbin is not on PATH."""
    candidates = (shutil.which("runuser"), "/usr/sbin/runuser", "/sbin/runuser")
    found = next((path for path in candidates if path and os.path.exists(path)), None)
    if found is None:
        pytest.fail("running as root, PostgreSQL's server needs another user: runuser (util-linux) is missing")
    return found


@pytest.fixture(scope="module")
def index_postgres() -> Iterator[str]:
    """``postgresql://postgres@127.0.0.1:PORT`` of a server started for these tests, stopped and
    removed after them. Without PostgreSQL's binaries the tests fail under CI (CI=true: .ci/run
    installs them) and are skipped elsewhere."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        message = "PostgreSQL's server binaries (initdb, pg_ctl) are missing: apt-get install postgresql"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    as_user = [_runuser(), "-u", "postgres", "--"] if os.geteuid() == 0 else []
    tmp = Path(tempfile.mkdtemp(prefix="index-pg-"))
    if as_user:
        shutil.chown(tmp, "postgres", "postgres")
    data, port = tmp / "data", free_port()
    run = lambda *args: subprocess.run([*as_user, *map(str, args)], check=True, capture_output=True, timeout=120)  # noqa: E731
    try:
        run(bin_dir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
        run(bin_dir / "pg_ctl", "-D", data, "-l", tmp / "server.log", "-w", "-t", "60", "-o",
            f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off", "start")  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(tmp, ignore_errors=True)


_databases = iter(range(10**6))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """Each index test runs on both stores: a SQLite file, and a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'index.sqlite'}"
    import psycopg

    server = request.getfixturevalue("index_postgres")
    name = f"index_{next(_databases)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


@pytest.fixture
def open_on(tmp_path, store_url):
    """``open_on(chain, probes=None, url=None, node=None, rebuild=False)`` -> an index of the
    chain's probes (records in tmp_path) in the test's store."""
    opened = []

    def open_(chain: IndexChain, probes=None, url=None, node=None, rebuild=False, root=None):
        records = chain.records(root or tmp_path / "deployments", probes or chain.probes)
        index = open_index(records, NETWORK, node or HttpNode(chain.url, backoff=0.001), url or store_url,
                           rebuild=rebuild)  # fmt: skip
        opened.append(index)
        return index

    yield open_
    for index in opened:
        index.close()


# -- a faulty provider ------------------------------------------------------------------------


class FaultyProxy:
    """A loopback JSON-RPC proxy in front of ``upstream`` that misbehaves by request count:
    every ``drop``-th request loses its connection, every ``limit``-th answers HTTP 429, every
    ``slow``-th waits 0.05 s, and an eth_getLogs wider than ``max_range`` blocks is refused as
    providers do ("query returned more than 10000 results"). It stops itself after ``lifetime``
    seconds or ``max_requests`` requests, whichever comes first."""

    def __init__(self, upstream: str, drop: int = 0, limit: int = 0, slow: int = 0, max_range: int = 0,
                 lifetime: float = 120, max_requests: int = 20_000) -> None:  # fmt: skip
        self.upstream, self.drop, self.limit, self.slow, self.max_range = upstream, drop, limit, slow, max_range
        self.max_requests, self.requests, self.refused = max_requests, 0, 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with proxy._lock:
                    proxy.requests += 1
                    count = proxy.requests
                if count > proxy.max_requests:
                    threading.Thread(target=proxy.stop, daemon=True).start()
                    return self._answer(503, b"{}")
                if proxy.drop and count % proxy.drop == 0:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                if proxy.limit and count % proxy.limit == 0:
                    return self._answer(429, b'{"error": "too many requests"}')
                if proxy.slow and count % proxy.slow == 0:
                    time.sleep(0.05)
                call = json.loads(body)
                if proxy.max_range and isinstance(call, dict) and call.get("method") == "eth_getLogs":
                    query = call["params"][0]
                    if int(query["toBlock"], 16) - int(query["fromBlock"], 16) + 1 > proxy.max_range:
                        proxy.refused += 1
                        error = {"code": -32005, "message": "query returned more than 10000 results"}
                        return self._answer(
                            200, json.dumps({"jsonrpc": "2.0", "id": call["id"], "error": error}).encode()
                        )
                request = urllib.request.Request(
                    proxy.upstream, data=body, headers={"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback anvil
                    return self._answer(200, response.read())

            def _answer(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True

    def __enter__(self) -> FaultyProxy:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        self._timer.cancel()
        self.server.shutdown()
        self.server.server_close()

    def __exit__(self, *exc: object) -> None:
        self.stop()
