"""The docs' walkthroughs run as written (against the test session's own chain and records)."""

from __future__ import annotations

import json
import re
import shlex

import pytest
from eth_utils import function_signature_to_4byte_selector, keccak

from stocksuite.l2 import LocalL2, free_port, rpc
from tests.helpers import PROJECT_ROOT, run


def _commands(page: str, leave_out: tuple[str, ...] = ()) -> list[list[str]]:
    """The commands of the page's bash blocks in order, split as a shell splits them (comments
    dropped); blocks under a heading named in ``leave_out`` are left out."""
    commands: list[list[str]] = []
    heading, fence = "", None
    for line in (PROJECT_ROOT / "docs" / page).read_text().splitlines():
        if line.startswith("```"):
            fence = line[3:].strip() if fence is None else None
        elif fence is None and line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif fence == "bash" and heading not in leave_out and (words := shlex.split(line, comments=True)):
            commands.append(words)
    return commands


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


@pytest.mark.slow
def test_redemption_operator_walkthrough(tmp_path):
    with LocalL2(port=free_port()) as node:
        env = {"STOCKSUITE_DEPLOYMENTS": str(tmp_path / "deployments"), "L2_PORT": str(node.port)}
        outputs = []
        for command in _commands("redemption-operator.md"):
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


@pytest.mark.slow
def test_integrator_walkthrough(tmp_path):
    with LocalL2(port=free_port()) as node:
        deployments = tmp_path / "deployments"
        env = {"STOCKSUITE_DEPLOYMENTS": str(deployments), "L2_PORT": str(node.port)}
        outputs = []
        for command in _commands("integrator.md"):
            # The page's paths and RPC are the defaults; point them at this test's chain and records.
            command = [word.replace("deployments/exports", f"{deployments}/exports") for word in command]
            command = [word.replace("http://127.0.0.1:8545", node.url) for word in command]
            proc = run(command, env=env, timeout=600)
            outputs.append(proc.stdout)
            assert proc.returncode == 0, f"{shlex.join(command)}\n{proc.stdout}\n{proc.stderr}"
    joined = "\n".join(outputs)
    assert "arbitrum:devnet (chain 412346)" in joined
    assert re.search(r"AAPLx: 0x[0-9a-fA-F]{40}, supply 0 shares \(0 raw\), uiMultiplier 1; 0x7099\w+ can receive: False", joined)
    assert "ERC-1404 detectTransferRestriction: code 2: Sender is not a verified investor" in joined
    assert "simulated transfer: reverts StockTransferRestricted(value=1, code=2): Sender is not a verified investor" in joined


def _has_role(node: LocalL2, contract: str, role: str, account: str) -> bool:
    data = (function_signature_to_4byte_selector("hasRole(bytes32,address)") + keccak(text=role)
            + bytes.fromhex(account[2:].lower().rjust(64, "0")))  # fmt: skip
    return int(rpc(node.url, "eth_call", [{"to": contract, "data": "0x" + data.hex()}, "latest"]), 16) == 1


@pytest.mark.slow
def test_deployer_walkthrough(tmp_path):
    """All of docs/deployer.md but the section that needs a real Arbitrum RPC, in order on one
    fresh chain: deploy, rehearsals (--apply answered at a terminal), the Safe and timelock round
    trip with the local-only clock skip."""
    deployments = tmp_path / "deployments"
    env = {"STOCKSUITE_DEPLOYMENTS": str(deployments), "COLUMNS": "200"}
    unset = ("APE_FOUNDRY_HOST",)  # a user's shell has none; the session's would make --dry-run "fork" onto it
    outputs = []
    try:
        with LocalL2(port=free_port()) as node:  # stands for the page's `make l2`
            env["L2_PORT"] = str(node.port)
            for command in _commands("deployer.md", leave_out=("Against a real Arbitrum RPC",)):  # needs the internet
                if command[:2] == ["make", "l2"]:
                    continue
                asks = "--apply" in command and "--yes" not in command  # at a terminal only; answer yes
                proc = run(command, env=env, timeout=600, unset=unset, terminal="y\n" if asks else None)
                outputs.append(proc.stdout)
                assert proc.returncode == 0, f"{shlex.join(command)}\n{proc.stdout}\n{proc.stderr}"
            token = json.loads((deployments / "arbitrum-devnet" / "StockToken_AAPLx.json").read_text())["address"]
            test_15 = "0xcd3B766CCDd6AE721141F452C550Ca635964ce71"  # the page grants test:15 MINTER_ROLE
            assert _has_role(node, token, "MINTER_ROLE", test_15)  # through the Safe, the timelock and its delay
    finally:
        (PROJECT_ROOT / "grant.json").unlink(missing_ok=True)
    joined = "\n".join(outputs)
    assert "simulated on a fork; nothing sent" in joined and "transactions: 0" in joined  # the re-run sends nothing
    assert "2-of-3" in joined and "min delay 86400 s" in joined
    assert "Scheduled timelock operation" in joined and "clock moved 86400 s ahead" in joined
    assert "Released timelock operation" in joined
    assert "Rehearsal only: nothing was sent to arbitrum:devnet" in joined
    assert "Applying on arbitrum:devnet" in joined and "Stock token balance changes" in joined
    assert "AAPLx: shares in custody 1000000 shares posted on feed" in joined  # the new minter mints after it
    assert "StockToken_AAPLx: paused (pause sent by" in joined and "RedemptionVault_TSLAx: unpaused" in joined


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
            for command in [deploy, *_commands("compliance-officer.md")]:
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


@pytest.mark.slow
def test_event_index_walkthrough(tmp_path):
    """docs/index.md in order on a fresh chain: deploy, sync, status, an audit read from the
    index, rebuild."""
    env = {"STOCKSUITE_DEPLOYMENTS": str(tmp_path / "deployments"), "COLUMNS": "200"}
    outputs = []
    with LocalL2(port=free_port()) as node:
        env["L2_PORT"] = str(node.port)
        for command in _commands("index.md"):
            proc = run(command, env=env, timeout=600)
            outputs.append(proc.stdout)
            assert proc.returncode == 0, f"{shlex.join(command)}\n{proc.stdout}\n{proc.stderr}"
    sync, status, audit, rebuilt = outputs[1:]
    assert re.search(r"indexed [1-9]\d* new log\(s\) in \d+ chunk\(s\): up to block \d+ \(latest\)", sync)
    assert f"index: sqlite:///{tmp_path / 'deployments' / 'arbitrum-devnet' / '.index.sqlite'}" in status
    assert "lag 0 block(s)" in status and "  ComplianceRegistry: " in status
    assert "privileged action(s) in blocks" in audit and "RoleGranted" in audit
    assert "indexed " in rebuilt and "up to block" in rebuilt
