"""Fixtures for the operator tools: the corporate-actions contract, a redemption vault, and
deployment records of the session's contracts for ``ape run`` subprocesses."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from stocksuite.chain.deployments import Deployments
from tests.corporate.conftest import actions  # noqa: F401 - shared fixture
from tests.helpers import VENV_BIN, run
from tests.vault.conftest import SHARE, fee_recipient, feeds, fulfiller, vault  # noqa: F401 - shared fixtures


@pytest.fixture
def holdings(token, roles, investors):
    """alice holds 100 shares, bob 50 (raw units, multiplier 1.0)."""
    token.mint(investors["alice"], 100 * SHARE, sender=roles["minter"])
    token.mint(investors["bob"], 50 * SHARE, sender=roles["minter"])
    return token


@pytest.fixture
def write_records(tmp_path, chain):
    """``write_records(Name=contract, ...)`` -> a deployments root holding their records (as the
    deploy writes them, from block 0) for ``arbitrum:devnet``."""

    def write(**contracts) -> Path:
        root = tmp_path / "deployments"
        records = Deployments.open("arbitrum:devnet", chain.chain_id, root=root)
        for name, contract in contracts.items():
            records.save(name, contract, SimpleNamespace(txn_hash=b"\x00" * 32, block_number=0), [])
        return root

    return write


def ape_run(root: Path, *args: str):
    """``ape run register ARGS --network arbitrum:devnet`` against the records under ``root``."""
    return run([str(VENV_BIN / "ape"), "run", "register", *args, "--network", "arbitrum:devnet"],
               env={"STOCKSUITE_DEPLOYMENTS": str(root)})  # fmt: skip
