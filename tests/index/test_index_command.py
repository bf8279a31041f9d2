"""``ape run index status|sync|rebuild`` (scripts/index.py) against the session chain."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from stocksuite.chain.deployments import Deployments
from tests.helpers import VENV_BIN, assert_one_line_error, run


@pytest.fixture
def index_records(tmp_path, chain, registry):
    """The session's registry recorded (from block 0) under tmp_path/deployments."""
    root = tmp_path / "deployments"
    records = Deployments.open("arbitrum:devnet", chain.chain_id, root=root)
    records.save("ComplianceRegistry", registry, SimpleNamespace(txn_hash=b"\x00" * 32, block_number=0), [])
    return root


def ape_index(root, *args):
    return run([str(VENV_BIN / "ape"), "run", "index", *args, "--network", "arbitrum:devnet"],
               env={"STOCKSUITE_DEPLOYMENTS": str(root)})  # fmt: skip


def test_sync_status_and_rebuild(index_records, chain):
    synced = ape_index(index_records, "sync")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    head = chain.blocks.head.number
    assert "indexed " in synced.stdout and f"up to block {head} (latest)" in synced.stdout
    status = ape_index(index_records, "status")
    assert status.returncode == 0, status.stdout + status.stderr
    path = index_records / "arbitrum-devnet" / ".index.sqlite"
    assert f"index: sqlite:///{path}" in status.stdout
    assert "network arbitrum:devnet, chain id 412346, finality latest" in status.stdout
    assert f"indexed up to block {head}; latest head {head}" in status.stdout and "lag 0 block(s)" in status.stdout
    assert "  ComplianceRegistry: " in status.stdout

    path.write_bytes(b"garbage" * 1000)  # a corrupt index is refused, in one line, unread
    refused = ape_index(index_records, "status")
    assert_one_line_error(refused, "is corrupt", "not an SQLite database",
                          "rebuild it with: ape run index rebuild --network arbitrum:devnet")  # fmt: skip
    rebuilt = ape_index(index_records, "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert f"up to block {chain.blocks.head.number}" in rebuilt.stdout
