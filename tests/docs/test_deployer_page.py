"""docs/deployer.md runs as written (on a fresh chain of its own, with its own records)."""

from __future__ import annotations

import json
import shlex

import pytest
from eth_utils import function_signature_to_4byte_selector, keccak

from stocksuite.dev.l2 import LocalL2, free_port, rpc
from tests.docs.walkthrough import page_commands
from tests.helpers import PROJECT_ROOT, run


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
            for command in page_commands(
                "deployer.md", leave_out=("Against a real Arbitrum RPC",)
            ):  # needs the internet
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
