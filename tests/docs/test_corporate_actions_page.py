"""docs/corporate-actions.md runs as written (on a fresh chain of its own, with its own records)."""

from __future__ import annotations

import shlex

import pytest

from stocksuite.dev.l2 import LocalL2, free_port
from tests.docs.walkthrough import page_commands
from tests.helpers import PROJECT_ROOT, run


@pytest.mark.slow
def test_corporate_actions_walkthrough(tmp_path):
    # A fresh chain, as a user's `make l2` is (the session chain's clock is moved by other tests).
    with LocalL2(port=free_port()) as node:
        _run_walkthrough(tmp_path, {"STOCKSUITE_DEPLOYMENTS": str(tmp_path / "deployments"), "L2_PORT": str(node.port)})


def _run_walkthrough(tmp_path, env):
    outputs = []
    written = [PROJECT_ROOT / "aapl-dividend.csv", PROJECT_ROOT / "aapl-dividend.json"]
    try:
        for command in page_commands("corporate-actions.md"):
            proc = run(command, env=env, timeout=600)  # from the project root, as a user would
            outputs.append(proc.stdout)
            assert proc.returncode == 0, f"{shlex.join(command)}\n{proc.stdout}\n{proc.stderr}"
    finally:
        for path in written:
            path.unlink(missing_ok=True)
    joined = "\n".join(outputs)
    assert "dividend 2 declared: 2 holders" in joined
    assert "dividend 2: VERIFIED" in joined
    assert "paid 61.20 to" in joined  # 300 shares x $0.24 = $72.00 gross, 15% withheld
    assert "paid 1 holder(s)" in joined
    assert ": already paid" in joined  # pay left out the leaf test:10 claimed
    assert "status: Reclaimed" in joined
    assert "CHAN on TSLAx announced as action 3" in joined
    assert "TSLAx: name 'Tesla Energy tokenized stock', symbol TSLEx, underlying TSLE" in joined
