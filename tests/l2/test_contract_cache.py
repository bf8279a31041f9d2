"""ape's on-disk contract caches stay off for the local L2, whose addresses repeat across chains."""

from __future__ import annotations

import json

from ape_stocksuite._cache import install


def test_nothing_is_read_or_written_on_disk_for_the_local_l2(chain, project, deployer):
    install()  # idempotent: the plugin has installed it already
    types = chain.contracts.contract_types
    assert chain.provider.network.name == "devnet"
    folder = types._path  # ~/.ape/arbitrum/devnet/contract_types (ape has no public name for it)
    stale_address = deployer.get_deployment_address()
    folder.mkdir(parents=True, exist_ok=True)
    stale = folder / f"{stale_address}.json"
    # What an earlier chain's deployment at the same address would have left.
    stale.write_text(json.dumps({"contractName": "Stale", "abi": [
        {"type": "function", "name": "gone", "stateMutability": "view", "inputs": [], "outputs": []}]}))  # fmt: skip
    try:
        token = deployer.deploy(project.PlainERC20, "Fresh", "FR", 18)
        assert token.address == stale_address
        assert "gone" not in {abi.name for abi in token.contract_type.abi if abi.type == "function"}
        assert not (folder / f"{token.address}.json").read_text().count("PlainERC20")  # not rewritten
    finally:
        stale.unlink(missing_ok=True)
