"""docs/index.md runs as written (on a fresh chain of its own, with its own records)."""

from __future__ import annotations

import re
import shlex

import pytest

from stocksuite.dev.l2 import LocalL2, free_port
from tests.docs.walkthrough import page_commands
from tests.helpers import run


@pytest.mark.slow
def test_event_index_walkthrough(tmp_path):
    """docs/index.md in order on a fresh chain: deploy, sync, status, an audit read from the
    index, rebuild."""
    env = {"STOCKSUITE_DEPLOYMENTS": str(tmp_path / "deployments"), "COLUMNS": "200"}
    outputs = []
    with LocalL2(port=free_port()) as node:
        env["L2_PORT"] = str(node.port)
        for command in page_commands("index.md"):
            proc = run(command, env=env, timeout=600)
            outputs.append(proc.stdout)
            assert proc.returncode == 0, f"{shlex.join(command)}\n{proc.stdout}\n{proc.stderr}"
    sync, status, audit, rebuilt = outputs[1:]
    assert re.search(r"indexed [1-9]\d* new log\(s\) in \d+ chunk\(s\): up to block \d+ \(latest\)", sync)
    assert f"index: sqlite:///{tmp_path / 'deployments' / 'arbitrum-devnet' / '.index.sqlite'}" in status
    assert "lag 0 block(s)" in status and "  ComplianceRegistry: " in status
    assert "privileged action(s) in blocks" in audit and "RoleGranted" in audit
    assert "indexed " in rebuilt and "up to block" in rebuilt
