"""Deployment records under ``deployments/<ecosystem>-<network>/`` (hardhat-deploy field names).

ape does not track deployments on development networks, so the tooling writes its own:
one ``<Name>.json`` per contract with ``address``, ``abi``, ``transactionHash``,
``blockNumber``, ``args`` and ``implementation`` for proxies, plus a ``.chain`` file holding
the chain id the records belong to.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stocksuite.errors import StockSuiteError
from stocksuite.toolchain import PROJECT_ROOT

DEPLOYMENTS_ROOT = Path(os.environ.get("STOCKSUITE_DEPLOYMENTS") or PROJECT_ROOT / "deployments")


class DeploymentError(StockSuiteError):
    """A record is missing, stale, or belongs to another chain."""


def folder_name(network_choice: str) -> str:
    """``arbitrum:devnet:node`` -> ``arbitrum-devnet``."""
    ecosystem, network, *_ = network_choice.split(":") + [""]
    return f"{ecosystem}-{network}"


@dataclass
class Deployments:
    """The records of one network, bound to the chain id they were written for."""

    folder: Path
    chain_id: int

    @classmethod
    def open(cls, network_choice: str, chain_id: int, root: Path | None = None) -> Deployments:
        folder = (root or DEPLOYMENTS_ROOT) / folder_name(network_choice)
        chain_file = folder / ".chain"
        if chain_file.is_file():
            recorded = int(chain_file.read_text().strip())
            if recorded != chain_id:
                raise DeploymentError(
                    f"{folder} holds records for chain id {recorded}, but the connected chain is "
                    f"{chain_id}: wrong network, or a reset chain (move the folder away to redeploy)."
                )
        return cls(folder=folder, chain_id=chain_id)

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def has(self, name: str) -> bool:
        return self.path(name).is_file()

    def load(self, name: str) -> dict[str, Any]:
        path = self.path(name)
        if not path.is_file():
            raise DeploymentError(
                f"no record {path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path}: "
                "deploy first (ape run deploy_tokens ... --network ...)."
            )
        return json.loads(path.read_text())

    def address(self, name: str) -> str:
        return str(self.load(name)["address"])

    def save(self, name: str, contract: Any, receipt: Any, args: list[Any], implementation: str | None = None,
             contract_name: str | None = None) -> Path:  # fmt: skip
        """Write ``<name>.json`` for a contract deployed (or created) by ``receipt``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ".chain").write_text(f"{self.chain_id}\n")
        record: dict[str, Any] = {
            "contractName": contract_name or contract.contract_type.name,
            "address": contract.address,
            "abi": [item.model_dump(mode="json", by_alias=True) for item in contract.contract_type.abi],
            "transactionHash": _hex(receipt.txn_hash),
            "blockNumber": receipt.block_number,
            "args": [_jsonable(a) for a in args],
        }
        if implementation:
            record["implementation"] = implementation
        path = self.path(name)
        path.write_text(json.dumps(record, indent=2) + "\n")
        return path


def _hex(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "address"):
        return value.address
    return value
