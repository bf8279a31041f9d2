"""Runtime bytecode of every contract the deploy deploys, measured on chain after a real
``SuiteDeployer`` run of config/tickers.yaml (EIP-170 caps each at 24,576 bytes)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks import size

# ERC-1967 slots: keccak256("eip1967.proxy.implementation") - 1 and keccak256("eip1967.proxy.beacon") - 1.
IMPLEMENTATION_SLOT = 0x360894A13BA1A3210667C828492DB98DCA3E2076CC3735A920A3CA505D382BBC
BEACON_SLOT = 0xA3F0AD74E5423AEBFD80D3EF4346578335A9A72AEAEE59FF6CB3582B35133D50
EIP170_LIMIT = 24_576


@size
def deployed_contracts(accounts, project) -> dict[str, int]:
    from ape import chain

    from stocksuite.deploy.deployer import SuiteDeployer, load_config
    from stocksuite.chain.deployments import Deployments
    from stocksuite.dev.toolchain import PROJECT_ROOT

    with tempfile.TemporaryDirectory() as root:
        records = Deployments.open("arbitrum:devnet", chain.chain_id, root=Path(root))
        SuiteDeployer(project, chain, records, accounts[0], log=lambda _: None).deploy(
            load_config(PROJECT_ROOT / "config" / "tickers.yaml")
        )
        found = records.all()
    sizes: dict[str, int] = {}
    for record in found.values():
        if implementation := record.get("implementation"):
            sizes[record["contractName"]] = _code_size(implementation)
            sizes[_proxy_kind(record["address"])] = _code_size(record["address"])
        else:
            sizes[record["contractName"]] = _code_size(record["address"])
    factory = project.StockTokenFactory.at(found["StockTokenFactory"]["address"])
    sizes["UpgradeableBeacon"] = _code_size(factory.BEACON())
    too_large = {name: n for name, n in sizes.items() if n > EIP170_LIMIT}
    assert not too_large, f"over the EIP-170 limit: {too_large}"
    return sizes


def _code_size(address: str) -> int:
    from ape import chain

    return len(chain.provider.get_code(address))


def _proxy_kind(address: str) -> str:
    """Which proxy serves ``address``, from where it keeps its target."""
    from ape import chain

    if int.from_bytes(chain.provider.get_storage(address, BEACON_SLOT), "big"):
        return "BeaconProxy"
    if int.from_bytes(chain.provider.get_storage(address, IMPLEMENTATION_SLOT), "big"):
        return "UUPSProxy"
    return "SafeProxy"  # keeps its singleton in slot 0
