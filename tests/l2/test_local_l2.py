"""The local chain looks like Arbitrum to contracts and tools."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import ape
import pytest

from stocksuite.dev.l2 import (
    ARB_GAS_INFO,
    ARB_SYS,
    ARBITRUM_LOCAL_CHAIN_ID,
    LocalL2,
    advance_time,
    chain_id_at,
    free_port,
    rpc,
)
from tests.helpers import PROJECT_ROOT, run

ALIAS_OFFSET = 0x1111000000000000000000000000000000001111


@pytest.fixture(scope="module")
def probe(project, deployer):
    return deployer.deploy(project.L2Probe)


@pytest.fixture(scope="module")
def arb_sys(project):
    return project.ArbSysMock.at(ARB_SYS)


def test_chain_answers_with_the_arbitrum_chain_id(chain, l2_url):
    assert int(rpc(l2_url, "eth_chainId"), 16) == ARBITRUM_LOCAL_CHAIN_ID == 412346
    assert chain.chain_id == ARBITRUM_LOCAL_CHAIN_ID


def test_contract_reads_arbsys_chain_id_and_block_number(probe, chain):
    chain_id, block_number = probe.arbInfo()
    assert chain_id == ARBITRUM_LOCAL_CHAIN_ID
    assert block_number == chain.blocks.head.number


def test_arbsys_block_number_inside_a_transaction_is_that_block(probe, deployer):
    receipt = probe.ping(sender=deployer)
    event = receipt.events.filter(probe.Pinged)[0]
    assert event.arbChainId == ARBITRUM_LOCAL_CHAIN_ID
    assert event.arbBlockNumber == receipt.block_number


def test_arbsys_answers_like_arbitrum(arb_sys, deployer):
    assert arb_sys.arbOSVersion() == 95  # 55 + ArbOS 40
    assert arb_sys.wasMyCallersAddressAliased() is False
    assert arb_sys.getStorageGasAvailable() == 0
    assert arb_sys.myCallersAddressWithoutAliasing(sender=deployer) == deployer.address


def test_l1_to_l2_alias_is_the_nitro_formula(arb_sys):
    l1 = "0x00000000000000000000000000000000000000aa"
    expected = (int(l1, 16) + ALIAS_OFFSET) % 2**160
    assert int(arb_sys.mapL1SenderContractAddressToL2Alias(l1, l1), 16) == expected
    top = "0xffffffffffffffffffffffffffffffffffffffff"  # wraps modulo 2**160
    assert int(arb_sys.mapL1SenderContractAddressToL2Alias(top, top), 16) == ALIAS_OFFSET - 1


def test_l2_to_l1_messaging_is_refused_with_a_named_error(arb_sys, deployer):
    with ape.reverts(arb_sys.UnsupportedOnLocalL2):
        arb_sys.withdrawEth(deployer, sender=deployer)


def test_arbgasinfo_is_installed(project):
    gas_info = project.ArbGasInfoMock.at(ARB_GAS_INFO)
    assert gas_info.getMinimumGasPrice() == 10**7
    assert gas_info.getL1BaseFeeEstimate() == 0


def test_advance_moves_the_local_l2_clock_and_mines_a_block():
    with LocalL2(port=free_port()) as node:  # its own chain: the session chain's clock stays
        before = int(rpc(node.url, "eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
        proc = run([sys.executable, "-m", "stocksuite.dev.l2", "advance", "86400"], env={"L2_PORT": str(node.port)})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        head = rpc(node.url, "eth_getBlockByNumber", ["latest", False])
        assert int(head["number"], 16) == 1 and int(head["timestamp"], 16) >= before + 86400
        assert "clock moved 86400 s ahead; block 1 at " in proc.stdout


def test_advance_counts_from_a_head_that_runs_ahead_of_the_wall_clock():
    """Blocks mined faster than one a second put the head ahead of anvil's clock; `advance N` is
    N seconds past the head (what `corporate` calls now), not past anvil's clock."""
    with LocalL2(port=free_port()) as node:
        ahead = int(time.time()) + 600
        rpc(node.url, "evm_setNextBlockTimestamp", [ahead])
        rpc(node.url, "evm_mine")
        rpc(node.url, "anvil_setTime", [int(time.time())])  # anvil's clock back to the wall clock
        head = int(rpc(node.url, "eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
        advance_time(node.url, 6)
        moved = int(rpc(node.url, "eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
        assert moved >= head + 6


# ---------------------------------------------------------------------------------------------
# Stopping the wrappers stops anvil (`make l2`, `make fork`, `make demo` and stocksuite.dev.l2 itself)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _descendants(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        found += [child, *_descendants(child)]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _start(args: list[str], port: int, ignore_sigint: bool = False, below: int = 1,
           env: dict[str, str] | None = None) -> tuple[subprocess.Popen, list[int]]:  # fmt: skip
    """Start a wrapper in its own process group (as a shell's background job) and wait until the
    L2 it starts answers and ``below`` processes run under it; return it and those processes."""
    env = {**{k: v for k, v in os.environ.items() if k not in ("L2_STATE", "MAKEFLAGS", "MAKELEVEL")}, **(env or {})}
    env["L2_PORT"] = str(port)

    def background_job() -> None:  # what `cmd &` does in a non-interactive shell
        if ignore_sigint:
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    proc = subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, preexec_fn=background_job)  # fmt: skip
    deadline = time.monotonic() + 60
    while chain_id_at(f"http://127.0.0.1:{port}", timeout=0.5) is None or len(_descendants(proc.pid)) < below:
        assert proc.poll() is None and time.monotonic() < deadline, "the L2 (or the command) did not start"
        time.sleep(0.2)
    return proc, _descendants(proc.pid)


def _assert_all_stopped(proc: subprocess.Popen, below: list[int], port: int) -> None:
    proc.wait(timeout=30)
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in below) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in below if _alive(pid)], "a process the wrapper started is still running"
    assert chain_id_at(f"http://127.0.0.1:{port}", timeout=0.5) is None


SERVE = [sys.executable, "-m", "stocksuite.dev.l2", "serve"]


@pytest.mark.parametrize(
    ("sig", "ignore_sigint"),
    [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGINT, True), (signal.SIGHUP, False)],
    ids=["sigterm", "sigint", "sigint-in-background-job", "sighup"],
)
def test_signal_to_serve_stops_anvil(sig, ignore_sigint):
    port = free_port()
    proc, below = _start(SERVE, port, ignore_sigint=ignore_sigint)
    proc.send_signal(sig)
    _assert_all_stopped(proc, below, port)
    assert proc.returncode == 128 + sig


def test_killing_serve_outright_takes_anvil_with_it():
    port = free_port()
    proc, below = _start(SERVE, port)
    proc.kill()  # SIGKILL: no handler runs; the kernel's parent-death signal stops anvil
    _assert_all_stopped(proc, below, port)


@pytest.mark.slow
@pytest.mark.parametrize("to_group", [False, True], ids=["sigterm-to-make", "sigint-to-the-job"])
def test_stopping_make_l2_stops_anvil(to_group, tmp_path):
    port = free_port()
    state = {"L2_STATE": str(tmp_path / "state.json")}  # not the developer's .l2/devnet-state.json
    proc, below = _start(["make", "--no-print-directory", "-s", "l2"], port, below=2, env=state)  # wrapper, anvil
    if to_group:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C, or `kill -INT %1` on the job
    else:
        proc.terminate()  # GNU make passes SIGTERM on to its recipe
    _assert_all_stopped(proc, below, port)


def test_run_stops_the_l2_it_started_and_passes_the_exit_code_on():
    port = free_port()
    proc = subprocess.run([sys.executable, "-m", "stocksuite.dev.l2", "run", "--", sys.executable, "-c",
                           f"from stocksuite.dev.l2 import chain_id_at; raise SystemExit(chain_id_at('http://127.0.0.1:{port}') - 412343)"],
                          cwd=PROJECT_ROOT, env={**{k: v for k, v in os.environ.items() if k != "L2_STATE"}, "L2_PORT": str(port)},
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 3, proc.stdout + proc.stderr  # the command saw the L2 (412346 - 412343)
    assert "Stopped the local L2" in proc.stdout
    assert chain_id_at(f"http://127.0.0.1:{port}", timeout=0.5) is None


def test_signal_to_run_stops_the_command_and_the_l2():
    port = free_port()
    proc, below = _start([sys.executable, "-m", "stocksuite.dev.l2", "run", "--", "sleep", "300"], port, below=2)
    proc.terminate()
    _assert_all_stopped(proc, below, port)
    assert proc.returncode == 128 + signal.SIGTERM
