"""The README's main command: `ape run demo` runs the lifecycle on the L2 and on a fork of it."""

from __future__ import annotations

import json

import pytest

from stocksuite.dev.l2 import LocalL2, free_port, rpc
from tests.helpers import VENV_BIN, run

STEPS = ("1. Deploy the suite", "export for integrators (addresses and ABIs): ", "4. Transfers: allowed and refused", "code 16: Receiver is a US person",
         "5. 3-for-1 split", "withheld $9.72 (15%)", "vault reconciled", "8. Register and reconciliation (AAPLx)",
         "governance: Safe 2-of-3", "│ reconciled ", "Lifecycle complete.")  # fmt: skip


@pytest.mark.slow
def test_demo_runs_the_lifecycle_on_a_fresh_l2(tmp_path):
    with LocalL2(port=free_port()) as node:
        proc = run([str(VENV_BIN / "ape"), "run", "demo", "--network", "arbitrum:devnet"],
                   env={"L2_PORT": str(node.port), "STOCKSUITE_DEPLOYMENTS": str(tmp_path)}, timeout=600)  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "chain id (eth_chainId)        │ 412346" in proc.stdout
        for step in STEPS:
            assert step in proc.stdout, step
        # An integrator who ran the README's main command finds the export (docs/integrator.md).
        export = json.loads((tmp_path / "exports" / "arbitrum-devnet.json").read_text())
        assert (
            export["chainId"] == 412346
            and {"StockToken_AAPLx", "RedemptionVault_AAPLx", "ComplianceRegistry", "MockUSD"}
            <= export["contracts"].keys()
        )
        # A second run reuses the deployment (records and code still there).
        again = run([str(VENV_BIN / "ape"), "run", "demo", "--network", "arbitrum:devnet"],
                    env={"L2_PORT": str(node.port), "STOCKSUITE_DEPLOYMENTS": str(tmp_path)}, timeout=600)  # fmt: skip
        assert again.returncode == 0, again.stdout + again.stderr
        assert "0 contracts deployed" in again.stdout


@pytest.mark.slow
def test_demo_rehearses_on_a_fork_without_touching_the_l2(tmp_path):
    with LocalL2(port=free_port()) as node:
        height_before = int(rpc(node.url, "eth_blockNumber"), 16)
        proc = run(
            [str(VENV_BIN / "ape"), "run", "demo", "--network", "arbitrum:devnet-fork"],
            env={"L2_PORT": str(node.port), "FORK_PORT": str(free_port()), "STOCKSUITE_DEPLOYMENTS": str(tmp_path)},
            unset=("APE_FOUNDRY_HOST",),  # ape-foundry starts the fork of arbitrum:devnet itself
            timeout=600,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Lifecycle complete." in proc.stdout
        assert int(rpc(node.url, "eth_blockNumber"), 16) == height_before
