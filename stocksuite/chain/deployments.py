"""Deployment records under ``deployments/<ecosystem>-<network>/`` (hardhat-deploy field names).

ape does not track deployments on development networks, so the tooling writes its own:
one ``<Name>.json`` per contract with ``address``, ``abi``, ``transactionHash``,
``blockNumber``, ``args`` and ``implementation`` for proxies, plus a ``.chain`` file holding
the chain id the records belong to.

A ``<network>-fork`` network (``arbitrum:devnet-fork``) starts from a copy of its upstream's
records, made anew for each fork (see :class:`ForkPoint`); what a fork deploys is recorded only
in the fork's folder, so it never reaches the upstream records or the next fork.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stocksuite.config.environment import environment
from stocksuite.config.errors import StockSuiteError
from stocksuite.config.env import PROJECT_ROOT

DEPLOYMENTS_ROOT = environment().deployments  # STOCKSUITE_DEPLOYMENTS


class DeploymentError(StockSuiteError):
    """A record is missing, stale, or belongs to another chain."""


def folder_name(network_choice: str) -> str:
    """``arbitrum:devnet:node`` -> ``arbitrum-devnet``."""
    ecosystem, network, *_ = network_choice.split(":") + [""]
    return f"{ecosystem}-{network}"


FORK_SUFFIX = "-fork"


def upstream_choice(network_choice: str) -> str | None:
    """``arbitrum:devnet-fork[:foundry]`` -> ``arbitrum:devnet``; ``None`` for a network that is no fork."""
    ecosystem, network, *_ = network_choice.split(":") + [""]
    return f"{ecosystem}:{network.removesuffix(FORK_SUFFIX)}" if network.endswith(FORK_SUFFIX) else None


@dataclass(frozen=True)
class ForkPoint:
    """Which fork a ``-fork`` network's records belong to, from anvil's ``anvil_metadata``.

    The key is anvil's ``instanceId``: random for each anvil process and renewed by
    ``anvil_reset``. The fork URL and block number (``anvil_nodeInfo``'s ``forkConfig``) would
    not do: two forks of an idle upstream share both, and the second fork lacks what the first
    one deployed. Successive ``ape run`` processes attached to one fork (``make fork``, a
    rehearsal) share its records; any other fork starts over from the upstream's.
    """

    instance_id: str
    block_number: int | None = None
    """The upstream block forked at: records of later blocks name contracts the fork lacks."""

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any]) -> ForkPoint:
        forked = metadata.get("forkedNetwork") or {}
        number = forked.get("forkBlockNumber")
        return cls(instance_id=str(metadata["instanceId"]), block_number=None if number is None else int(number))

    @classmethod
    def of_connected_chain(cls) -> ForkPoint:
        """The fork ape is connected to (an anvil node, as ape-foundry runs or attaches to)."""
        from ape import chain

        try:
            return cls.from_metadata(chain.provider.make_request("anvil_metadata", []))
        except Exception as err:  # ape raises its own error types per provider
            raise DeploymentError(f"cannot tell which fork this is ({err}): a -fork network's records need an "
                                  "anvil fork (ape-foundry, make fork).") from err  # fmt: skip

    def as_json(self) -> str:
        return json.dumps({"instanceId": self.instance_id, "forkBlockNumber": self.block_number}) + "\n"


def _refresh_fork_folder(folder: Path, upstream: Path, fork: ForkPoint) -> None:
    """Make ``folder`` a copy of the ``upstream`` records as of ``fork``, unless it already is.

    Built aside and moved in whole, so a reader never sees a half-copied folder.
    """
    marker = folder / ".fork"
    if marker.is_file() and marker.read_text() == fork.as_json():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Hidden, and named like the fork folders git ignores, should it ever be left behind.
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=FORK_SUFFIX, dir=folder.parent))
    staging.chmod(0o755)
    for source in sorted(upstream.glob("*.json")):
        block = json.loads(source.read_text()).get("blockNumber")
        if fork.block_number is None or not isinstance(block, int) or block <= fork.block_number:
            shutil.copy2(source, staging / source.name)
    if (upstream / ".chain").is_file():
        shutil.copy2(upstream / ".chain", staging / ".chain")
    (staging / ".fork").write_text(fork.as_json())
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)


@dataclass
class Deployments:
    """The records of one network, bound to the chain id they were written for."""

    folder: Path
    chain_id: int

    @classmethod
    def open(cls, network_choice: str, chain_id: int, root: Path | None = None,
             fork: ForkPoint | None = None) -> Deployments:  # fmt: skip
        """The records of ``network_choice`` on the chain ``chain_id``.

        For a ``-fork`` network, the folder is first made a copy of the upstream's records for
        the fork ``fork`` (by default the one ape is connected to); the upstream's chain id must
        match, as an anvil fork keeps it.
        """
        root = root or DEPLOYMENTS_ROOT
        folder = root / folder_name(network_choice)
        if upstream := upstream_choice(network_choice):
            source = cls.open(upstream, chain_id, root)
            _refresh_fork_folder(folder, source.folder, fork or ForkPoint.of_connected_chain())
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
                "deploy first (ape run deploy ... --network ...)."
            )
        return json.loads(path.read_text())

    def address(self, name: str) -> str:
        return str(self.load(name)["address"])

    def all(self) -> dict[str, dict[str, Any]]:
        """Every contract record, by name in name order (files without an address and an ABI,
        kept beside the records, are not contract records and are left out)."""
        found: dict[str, dict[str, Any]] = {}
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            try:
                record = json.loads(path.read_text())
            except (OSError, ValueError) as err:
                raise DeploymentError(f"{path}: not a deployment record ({err})") from err
            if isinstance(record, dict) and "address" in record and "abi" in record:
                found[path.stem] = record
        return found

    def save(self, name: str, contract: Any, receipt: Any, args: list[Any], implementation: str | None = None,
             contract_name: str | None = None, code_hash: str | None = None) -> Path:  # fmt: skip
        """Write ``<name>.json`` for a contract deployed (or created) by ``receipt``.

        ``code_hash`` (see :mod:`stocksuite.chain.bytecode`) lets a later deploy notice changed sources.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ".chain").write_text(f"{self.chain_id}\n")
        record: dict[str, Any] = {
            "contractName": contract_name or contract.contract_type.name,
            "address": contract.address,
            "abi": abi_json(contract.contract_type),
            "transactionHash": _hex(receipt.txn_hash),
            "blockNumber": receipt.block_number,
            "args": [_jsonable(a) for a in args],
        }
        if implementation:
            record["implementation"] = implementation
        if code_hash:
            record["codeHash"] = code_hash
        path = self.path(name)
        path.write_text(json.dumps(record, indent=2) + "\n")
        return path

    def amend(self, name: str, changes: dict[str, Any]) -> Path:
        """Rewrite the existing ``<name>.json`` with ``changes`` applied (``None`` removes a field)."""
        record = self.load(name)
        for key, value in changes.items():
            if value is None:
                record.pop(key, None)
            else:
                record[key] = value
        path = self.path(name)
        path.write_text(json.dumps(record, indent=2) + "\n")
        return path


def abi_json(contract_type: Any) -> list[dict[str, Any]]:
    """An ethpm ``ContractType``'s ABI as a record stores it."""
    return [item.model_dump(mode="json", by_alias=True) for item in contract_type.abi]


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
