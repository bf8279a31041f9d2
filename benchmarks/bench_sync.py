"""Whitelist sync of 10,000 investors on the local L2: wall time, first run and re-run."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from eth_account import Account

from benchmarks import timing
from stocksuite.chain.register import rebuild_registry
from stocksuite.deploy.suite import deploy_registry
from stocksuite.compliance.whitelist import apply_plan, plan_sync, read_csv

INVESTORS = 10_000


def _sync(registry, officer, csv_path: Path, start_block: int) -> tuple[float, int]:
    from ape import chain

    started = time.monotonic()
    rows = read_csv(csv_path, now=chain.pending_timestamp)
    plan = plan_sync(rows, rebuild_registry(registry, start_block=start_block))
    sent = apply_plan(registry, plan, officer, batch_size=100)
    return time.monotonic() - started, sent


@timing
def whitelist_sync(accounts, project, url) -> dict[str, float]:
    from ape import chain

    admin = accounts[0]
    registry = deploy_registry(project, admin, admin.address)
    registry.grantRole(registry.COMPLIANCE_OFFICER_ROLE(), admin, sender=admin)
    start = chain.blocks.head.number
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "investors.csv"
        lines = ["wallet,jurisdiction,investor_class,kyc_expiry,status,investor_id"]
        lines += [f"{Account.create().address},DE,retail,2031-01-01,verified,{i}" for i in range(1, INVESTORS + 1)]
        csv_path.write_text("\n".join(lines) + "\n")
        first_s, first_tx = _sync(registry, admin, csv_path, start)
        rerun_s, rerun_tx = _sync(registry, admin, csv_path, start)
    if first_tx != INVESTORS // 100 or rerun_tx != 0:
        raise RuntimeError(f"unexpected transaction counts: {first_tx} then {rerun_tx}")
    return {"sync_10000_investors_s": round(first_s, 2), "sync_10000_investors_rerun_s": round(rerun_s, 2)}
