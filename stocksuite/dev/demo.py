"""The README's main command: what runs on the local Arbitrum-style L2 (``make demo``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SmokeResult:
    chain_id: int
    probe: str
    arb_chain_id: int
    arb_block_number: int
    transaction_hash: str


def deploy_smoke(sender: Any) -> SmokeResult:
    """Deploy the L2 probe and ask it what ArbSys reports, proving chain and toolchain agree."""
    from ape import chain, project

    probe = sender.deploy(project.L2Probe)
    receipt = probe.ping(sender=sender)
    event = receipt.events.filter(probe.Pinged)[0]
    return SmokeResult(
        chain_id=chain.chain_id,
        probe=probe.address,
        arb_chain_id=event.arbChainId,
        arb_block_number=event.arbBlockNumber,
        transaction_hash=receipt.txn_hash,
    )
