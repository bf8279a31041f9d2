"""The docs' walkthroughs run as written (against the test session's own chain and records)."""

from __future__ import annotations

import re
import shlex

import pytest

from stocksuite.l2 import LocalL2, free_port
from tests.helpers import PROJECT_ROOT, run


def _commands(page: str) -> list[str]:
    text = (PROJECT_ROOT / "docs" / page).read_text()
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


@pytest.mark.slow
def test_corporate_actions_walkthrough(tmp_path):
    # A fresh chain, as a user's `make l2` is (the session chain's clock is moved by other tests).
    with LocalL2(port=free_port()) as node:
        _run_walkthrough(tmp_path, {"STOCKSUITE_DEPLOYMENTS": str(tmp_path / "deployments"), "L2_PORT": str(node.port)})


def _run_walkthrough(tmp_path, env):
    outputs = []
    written = [PROJECT_ROOT / "aapl-dividend.csv", PROJECT_ROOT / "aapl-dividend.json"]
    try:
        for command in _commands("corporate-actions.md"):
            proc = run(shlex.split(command), env=env, timeout=600)  # from the project root, as a user would
            outputs.append(proc.stdout)
            assert proc.returncode == 0, f"{command}\n{proc.stdout}\n{proc.stderr}"
    finally:
        for path in written:
            path.unlink(missing_ok=True)
    joined = "\n".join(outputs)
    assert "dividend 2 declared: 2 holders" in joined
    assert "dividend 2: VERIFIED" in joined
    assert "paid 61.20 to" in joined  # 300 shares x $0.24 = $72.00 gross, 15% withheld
    assert "paid 1 holder(s)" in joined
    assert "status: Reclaimed" in joined
    assert "CHAN on TSLAx announced as action 3" in joined
    assert "TSLAx: name 'Tesla Energy tokenized stock', symbol TSLEx, underlying TSLE" in joined


@pytest.mark.slow
def test_redemption_operator_walkthrough(tmp_path):
    with LocalL2(port=free_port()) as node:
        env = {"STOCKSUITE_DEPLOYMENTS": str(tmp_path / "deployments"), "L2_PORT": str(node.port)}
        outputs = []
        for command in _commands("redemption-operator.md"):
            proc = run(shlex.split(command), env=env, timeout=600)
            outputs.append(proc.stdout)
            assert proc.returncode == 0, f"{command}\n{proc.stdout}\n{proc.stderr}"
    joined = "\n".join(outputs)
    assert "requested redemption of 40 AAPLx shares" in joined
    assert "filled 1 execution(s) in 1 transaction(s)" in joined
    assert "claimed 8,039.85 USD" in joined  # 40 x $201.50 = $8,060.00 less the 0.25% fee
    assert "reconciled: balances match the requests" in joined


@pytest.mark.slow
def test_integrator_walkthrough(tmp_path):
    with LocalL2(port=free_port()) as node:
        deployments = tmp_path / "deployments"
        env = {"STOCKSUITE_DEPLOYMENTS": str(deployments), "L2_PORT": str(node.port)}
        outputs = []
        for command in _commands("integrator.md"):
            # The page's paths and RPC are the defaults; point them at this test's chain and records.
            command = command.replace("deployments/exports", f"{deployments}/exports")
            command = command.replace("http://127.0.0.1:8545", node.url)
            proc = run(shlex.split(command), env=env, timeout=600)
            outputs.append(proc.stdout)
            assert proc.returncode == 0, f"{command}\n{proc.stdout}\n{proc.stderr}"
    joined = "\n".join(outputs)
    assert "arbitrum:devnet (chain 412346)" in joined
    assert re.search(r"AAPLx: 0x[0-9a-fA-F]{40}, supply 0 shares \(0 raw\), uiMultiplier 1; 0x7099\w+ can receive: False", joined)
