"""The README's main command, run as `ape run demo` against the L2 and against a fork of it."""

from __future__ import annotations

from stocksuite.l2 import free_port, rpc
from tests.helpers import VENV_BIN, run


def test_demo_deploys_the_probe_on_the_local_l2():
    proc = run([str(VENV_BIN / "ape"), "run", "demo", "--network", "arbitrum:devnet"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "chain id (eth_chainId)        │ 412346" in proc.stdout
    assert "ArbSys(0x64).arbChainID()     │ 412346" in proc.stdout


def test_demo_rehearses_on_a_fork_without_touching_the_l2(l2_url):
    height_before = int(rpc(l2_url, "eth_blockNumber"), 16)
    proc = run(
        [str(VENV_BIN / "ape"), "run", "demo", "--network", "arbitrum:devnet-fork"],
        env={"FORK_PORT": str(free_port())},
        unset=("APE_FOUNDRY_HOST",),  # ape-foundry starts the fork of arbitrum:devnet itself
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ArbSys(0x64).arbChainID()     │ 412346" in proc.stdout
    assert int(rpc(l2_url, "eth_blockNumber"), 16) == height_before
