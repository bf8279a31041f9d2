"""Start, probe and stop the local Arbitrum-style L2 (anvil + mock precompiles)."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stocksuite.config.env import ARBITRUM_LOCAL_CHAIN_ID
from stocksuite.config.errors import L2Error
from stocksuite.dev.toolchain import PROJECT_ROOT, anvil_binary

ARB_SYS = "0x0000000000000000000000000000000000000064"
ARB_GAS_INFO = "0x000000000000000000000000000000000000006C"
TEST_MNEMONIC = "test test test test test test test test test test test junk"
ARBITRUM_MIN_BASE_FEE = 10_000_000  # 0.01 gwei, Arbitrum One's minimum base fee
ARBITRUM_BLOCK_GAS_LIMIT = 32_000_000
LOG_DIR = PROJECT_ROOT / ".l2"


def rpc(url: str, method: str, params: list[Any] | None = None, timeout: float = 5.0) -> Any:
    """One JSON-RPC call; raises :class:`L2Error` with the node's message on failure."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []})
    request = urllib.request.Request(url, data=body.encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            reply = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise L2Error(f"no JSON-RPC node answers at {url} ({err})") from err
    if "error" in reply:
        raise L2Error(f"{method} failed at {url}: {reply['error'].get('message', reply['error'])}")
    return reply["result"]


def chain_id_at(url: str, timeout: float = 2.0) -> int | None:
    """The chain id served at ``url``, or ``None`` when nothing answers."""
    try:
        return int(rpc(url, "eth_chainId", timeout=timeout), 16)
    except L2Error:
        return None


def advance_time(url: str, seconds: int) -> dict[str, int]:
    """Move the local L2's clock ``seconds`` ahead and mine a block at the new time; that block's
    ``number`` and ``timestamp``.

    For waiting out delays (the timelock's ``min_delay``) on the local L2 only. Nothing is sent
    unless the node is the local dev chain: chain id 412346 *and* anvil (it answers
    ``anvil_nodeInfo``). Arbitrum's own dev node (nitro-testnode) has the same chain id but is no
    anvil; a real network's clock is not ours to move.
    """
    if seconds < 1:
        raise L2Error(f"cannot move the clock by {seconds} s: give a number of seconds of at least 1.")
    chain_id = chain_id_at(url)
    if chain_id is None:
        raise L2Error(f"nothing answers at {url}: start the local L2 first (make l2), or set L2_PORT.")
    refusal = f"time can only be skipped on the local L2 (anvil, chain id {ARBITRUM_LOCAL_CHAIN_ID})"
    if chain_id != ARBITRUM_LOCAL_CHAIN_ID:
        raise L2Error(f"{url} serves chain id {chain_id}: {refusal}; on a real network, wait. Nothing was sent.")
    try:
        rpc(url, "anvil_nodeInfo")
    except L2Error:
        raise L2Error(f"{url} serves chain id {chain_id} but is not anvil (no anvil_nodeInfo): {refusal}; "
                      "on a real node, wait. Nothing was sent.") from None  # fmt: skip
    # From the latest of the head, the pending block and the wall clock (what the tools call
    # "now"): the head can run ahead of the wall clock when several blocks were mined in a second,
    # and evm_increaseTime counts from anvil's clock, so `advance 6` after `+5s` could land short.
    moments = [int(time.time())]
    for tag in ("latest", "pending"):
        if block := rpc(url, "eth_getBlockByNumber", [tag, False]):
            moments.append(int(block["timestamp"], 16))
    rpc(url, "evm_setNextBlockTimestamp", [max(moments) + seconds])
    rpc(url, "evm_mine")
    head = rpc(url, "eth_getBlockByNumber", ["latest", False])
    return {"number": int(head["number"], 16), "timestamp": int(head["timestamp"], 16)}


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent exits (Linux only).

    Called in a child before it runs (anvil under a foreground wrapper) and by the wrappers
    themselves (under ``make``), so killing any link of ``make -> python -> anvil`` takes down
    what sits below it instead of leaving an orphaned node on the port.
    """
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS says is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def precompile_runtime_code() -> dict[str, str]:
    """Runtime bytecode of the mock precompiles, compiled from ``contracts/l2`` by ape."""
    from ape import project

    return {
        ARB_SYS: project.ArbSysMock.contract_type.get_runtime_bytecode().hex(),
        ARB_GAS_INFO: project.ArbGasInfoMock.contract_type.get_runtime_bytecode().hex(),
    }


def install_precompiles(url: str, code: dict[str, str] | None = None) -> None:
    """Put the mock ArbSys (0x64) and ArbGasInfo (0x6c) code on the chain at ``url``."""
    for address, runtime in (code or precompile_runtime_code()).items():
        hex_code = runtime if runtime.startswith("0x") else f"0x{runtime}"
        rpc(url, "anvil_setCode", [address, hex_code])


@dataclass
class LocalL2:
    """One anvil process shaped like an Arbitrum chain.

    ``fork_url`` makes it a fork of another node (it then keeps that node's chain id and code,
    the precompile mocks included).
    """

    host: str = "127.0.0.1"
    port: int = 8545
    chain_id: int = ARBITRUM_LOCAL_CHAIN_ID
    fork_url: str | None = None
    accounts: int = 23
    state_file: Path | None = None
    log_file: Path | None = None
    detached: bool = False
    """Outlive this process (``up``): otherwise anvil gets SIGTERM when its starter exits."""
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        cmd = [
            str(anvil_binary()),
            "--host", self.host,
            "--port", str(self.port),
            "--mnemonic", TEST_MNEMONIC,
            "--accounts", str(self.accounts),
            "--hardfork", "cancun",
            "--gas-limit", str(ARBITRUM_BLOCK_GAS_LIMIT),
            "--block-base-fee-per-gas", str(ARBITRUM_MIN_BASE_FEE),
        ]  # fmt: skip
        if self.fork_url:
            cmd += ["--fork-url", self.fork_url]
        else:
            cmd += ["--chain-id", str(self.chain_id)]
        if self.state_file:
            cmd += ["--state", str(self.state_file)]
        return cmd

    def _preflight(self) -> None:
        if port_in_use(self.host, self.port):
            running = chain_id_at(self.url)
            what = f"a node with chain id {running}" if running is not None else "another program"
            raise L2Error(
                f"port {self.port} on {self.host} is already in use by {what}: stop it, or pick "
                f"another port (L2_PORT=... / FORK_PORT=...)."
            )
        if self.fork_url and chain_id_at(self.fork_url) is None:
            raise L2Error(
                f"cannot fork {self.fork_url}: nothing answers there. Start the L2 first "
                "('make l2' in another terminal) or set FORK_URL to a reachable RPC."
            )

    def start(self, foreground: bool = False, timeout: float = 30.0) -> LocalL2:
        """Launch anvil and wait until it serves; installs the precompiles on a fresh chain."""
        self._preflight()
        if foreground:
            stdout = None
        else:
            log = self.log_file or LOG_DIR / f"anvil-{self.port}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            stdout = log.open("wb")
        # Its own session: a Ctrl-C meant for a command run against the node does not kill it
        # mid-save; the node stops through stop() (SIGTERM, anvil saves --state), or with us.
        self._process = subprocess.Popen(
            self.command(),
            stdout=stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=None if self.detached else die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while chain_id_at(self.url, timeout=0.5) is None:
            if self._process.poll() is not None:
                raise L2Error(f"anvil exited with code {self._process.returncode}; see its output.")
            if time.monotonic() > deadline:
                self.stop()
                raise L2Error(f"anvil did not answer on {self.url} within {timeout:.0f}s.")
            time.sleep(0.1)
        if not self.fork_url:
            install_precompiles(self.url)
        return self

    def wait(self) -> int:
        """Block until the process exits (foreground mode); returns its exit code."""
        if self._process is None:
            return 0
        try:
            return self._process.wait()
        except KeyboardInterrupt:
            self.stop()
            return 0

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()

    def __enter__(self) -> LocalL2:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
