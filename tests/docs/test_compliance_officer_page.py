"""docs/compliance-officer.md runs as written (on a fresh chain of its own, with its own records)."""

from __future__ import annotations

import shlex

import pytest

from stocksuite.dev.l2 import LocalL2, free_port
from tests.docs.walkthrough import page_commands
from tests.helpers import PROJECT_ROOT, run


@pytest.mark.slow
def test_compliance_officer_walkthrough(tmp_path):
    """docs/compliance-officer.md in order on a fresh chain, after the deploy its first block points
    to. The page's last command exits 1, as the page says: the example statement does not match."""
    env = {"STOCKSUITE_DEPLOYMENTS": str(tmp_path / "deployments"), "COLUMNS": "200"}
    written = [PROJECT_ROOT / "aapl-holders.csv", PROJECT_ROOT / "audit.csv"]
    deploy = shlex.split(".venv/bin/ape run deploy config/tickers.yaml --network arbitrum:devnet")
    outputs = []
    try:
        with LocalL2(port=free_port()) as node:
            env["L2_PORT"] = str(node.port)
            for command in [deploy, *page_commands("compliance-officer.md")]:
                proc = run(command, env=env, timeout=600)
                outputs.append(proc.stdout + proc.stderr)
                expected = 1 if command[2:4] == ["register", "reconcile"] else 0
                assert proc.returncode == expected, f"{shlex.join(command)}\n{proc.stdout}\n{proc.stderr}"
        holders = (PROJECT_ROOT / "aapl-holders.csv").read_text().splitlines()
        assert len(holders) == 3 and holders[0].startswith("holder,")  # test:10 and test:11
        assert "InvestorFrozen" in (PROJECT_ROOT / "audit.csv").read_text()
    finally:
        for path in written:
            path.unlink(missing_ok=True)
    joined = "\n".join(outputs)
    assert "NOT reconciled: 2 difference(s)" in joined
    # The vaults' ten-year approvals, warned about by the audit that looks ten years ahead only.
    assert joined.count("re-approve it and sync a later kyc_expiry") == 2  # the AAPLx and TSLAx vaults
