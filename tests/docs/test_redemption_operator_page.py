"""docs/redemption-operator.md runs as written (on a fresh chain of its own, with its own records)."""

from __future__ import annotations

import shlex

import pytest

from stocksuite.dev.l2 import LocalL2, free_port
from tests.docs.walkthrough import page_commands
from tests.helpers import run


@pytest.mark.slow
def test_redemption_operator_walkthrough(tmp_path):
    with LocalL2(port=free_port()) as node:
        env = {"STOCKSUITE_DEPLOYMENTS": str(tmp_path / "deployments"), "L2_PORT": str(node.port)}
        outputs = []
        for command in page_commands("redemption-operator.md"):
            proc = run(command, env=env, timeout=600)
            outputs.append(proc.stdout)
            assert proc.returncode == 0, f"{shlex.join(command)}\n{proc.stdout}\n{proc.stderr}"
    joined = "\n".join(outputs)
    assert "requested redemption of 40 AAPLx shares" in joined
    assert "filled 1 execution(s) in 1 transaction(s)" in joined
    assert "claimed 8,039.85 USD" in joined  # 40 x $201.50 = $8,060.00 less the 0.25% fee
    assert "reconciled: balances match the requests" in joined
    assert "redeem cancel pending" in joined and "settling 1 redemption and 0 subscription cancel(s)" in joined
    assert "returned 10000000000000000000 raw AAPLx and 0.00 USD" in joined
