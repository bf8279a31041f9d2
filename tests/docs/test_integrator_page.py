"""docs/integrator.md runs as written (on a fresh chain of its own, with its own records)."""

from __future__ import annotations

import re
import shlex

import pytest

from stocksuite.dev.l2 import LocalL2, free_port
from tests.docs.walkthrough import page_commands
from tests.helpers import run


@pytest.mark.slow
def test_integrator_walkthrough(tmp_path):
    with LocalL2(port=free_port()) as node:
        deployments = tmp_path / "deployments"
        env = {"STOCKSUITE_DEPLOYMENTS": str(deployments), "L2_PORT": str(node.port)}
        outputs = []
        for command in page_commands("integrator.md"):
            # The page's paths and RPC are the defaults; point them at this test's chain and records.
            command = [word.replace("deployments/exports", f"{deployments}/exports") for word in command]
            command = [word.replace("http://127.0.0.1:8545", node.url) for word in command]
            proc = run(command, env=env, timeout=600)
            outputs.append(proc.stdout)
            assert proc.returncode == 0, f"{shlex.join(command)}\n{proc.stdout}\n{proc.stderr}"
    joined = "\n".join(outputs)
    assert "arbitrum:devnet (chain 412346)" in joined
    assert re.search(
        r"AAPLx: 0x[0-9a-fA-F]{40}, supply 0 shares \(0 raw\), uiMultiplier 1; 0x7099\w+ can receive: False", joined
    )
    assert "ERC-1404 detectTransferRestriction: code 2: Sender is not a verified investor" in joined
    assert (
        "simulated transfer: reverts StockTransferRestricted(value=1, code=2): Sender is not a verified investor"
        in joined
    )
