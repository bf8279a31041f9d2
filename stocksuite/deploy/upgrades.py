"""``ape run deploy CONFIG --accept-upgrades``: a governance upgrade taken into the records.

After governance upgrades a proxy (the token family's beacon, a UUPS proxy) the records still
name the old implementation and the deploy's preflight stops on it. Accepting records the new
implementation only when its runtime code is a contract of the current build that the deploy
trusts (compared by :func:`stocksuite.chain.bytecode.runtime_matches`): the governance artifacts and the
project's contracts, except those under ``contracts/test/`` (test- and benchmark-only, never
trusted) and, off the local L2, those under ``contracts/local/`` and ``contracts/l2/`` (the local
L2's stand-ins and precompile mocks).
Then the proxy's record gets the new ``implementation`` (and that contract's ``contractName`` and
``abi`` when it is another contract), and the implementation's own record
(``ComplianceRegistryImplementation``, ``StockTokenImplementation``, ...: the record at the old
address) gets its ``address``, ``contractName``, ``abi`` and ``codeHash``. Its ``transactionHash``
and ``blockNumber`` become those of the upgrade that made it live (the ``Upgraded`` event of the
proxy or beacon; left out when there is none, as for a Safe); its constructor ``args`` are not
known and are left out. Code the build does not know stays refused, and then nothing is recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eth_utils import keccak

from stocksuite.governance import proposals as gov
from stocksuite.reports.audit import fetch_logs
from stocksuite.chain.bytecode import creation_code_hash, runtime_matches
from stocksuite.deploy.checks import MovedImplementation, moved_implementations
from stocksuite.chain.deployments import abi_json

if TYPE_CHECKING:
    from stocksuite.deploy.deployer import SuiteDeployer

UPGRADED_TOPIC = "0x" + keccak(text="Upgraded(address)").hex()  # ERC-1967 proxies and OZ beacons
TEST_ONLY_FOLDERS = ("test/",)  # contracts/test/: tests and benchmarks only, on no network
LOCAL_ONLY_FOLDERS = ("local/", "l2/")  # the local L2's stand-ins and precompile mocks


def accept_upgrades(deployer: SuiteDeployer) -> list[str]:
    """Record the new implementation of every upgraded proxy; one line per proxy accepted.

    All or nothing: when any proxy runs code this build does not know, or a contract it does not
    trust (:func:`untrusted_folder`), nothing is recorded and
    :class:`~stocksuite.deploy.deployer.DeployMismatch` names each such proxy and implementation.
    """
    from stocksuite.deploy.state import DeployMismatch

    moved = moved_implementations(deployer)
    if not moved:
        return []
    build = _build_contracts(deployer.project)
    known: dict[str, Any] = {}
    for m in moved:  # every ticker behind the beacon runs the same implementation: look it up once
        if m.live not in known:
            known[m.live] = known_contract(
                deployer.chain.provider.get_code(m.live), build, m.record.get("contractName")
            )
    if problems := [p for m in moved if (p := _refusal(m, known[m.live], deployer.chain.chain_id))]:
        raise DeployMismatch(problems)
    return [_record(deployer, m, known[m.live]) for m in moved]


def untrusted_folder(container: Any, chain_id: int) -> str | None:
    """The ``contracts/`` folder that makes ``container`` untrustworthy as an implementation on
    chain ``chain_id`` (``test/`` anywhere; ``local/`` and ``l2/`` off the local L2), else None."""
    from stocksuite.chain.accounts import is_local_chain

    source = str(container.contract_type.source_id or "").replace("\\", "/").removeprefix("contracts/")
    folders = TEST_ONLY_FOLDERS + (() if is_local_chain(chain_id) else LOCAL_ONLY_FOLDERS)
    return next((folder for folder in folders if source.startswith(folder)), None)


def _refusal(moved: MovedImplementation, container: Any | None, chain_id: int) -> str | None:
    """Why the upgrade of ``moved`` (to the build's ``container``, None: no contract of it) is refused."""
    where = f"{moved.name}: the proxy at {moved.address} now runs {moved.live}"
    if container is None:
        return (f"{where}, whose code is no contract of this build: not accepted (review the upgrade; build the "
                "sources it came from)")  # fmt: skip
    if folder := untrusted_folder(container, chain_id):
        kind = "test-only" if folder in TEST_ONLY_FOLDERS else "a local-L2 stand-in"
        return (f"{where}, which is {container.contract_type.name} from contracts/{folder} ({kind}): never "
                "accepted as an implementation (upgrade to a contract of the suite)")  # fmt: skip
    return None


def known_contract(code: Any, build: list[Any], prefer: str | None = None) -> Any | None:
    """The container in ``build`` whose runtime bytecode ``code`` is (``prefer`` tried first)."""
    for container in sorted(build, key=lambda c: c.contract_type.name != prefer):
        runtime = getattr(container.contract_type.runtime_bytecode, "bytecode", None)
        if runtime and runtime_matches(code, runtime):
            return container
    return None


def _build_contracts(project: Any) -> list[Any]:
    """The current build: the project's contracts (compiled if stale) and the governance artifacts."""
    return [*project.load_contracts().values(), *(gov.container(name) for name in gov.ARTIFACTS)]


def _record(deployer: SuiteDeployer, moved: MovedImplementation, container: Any) -> str:
    records, contract_type = deployer.records, container.contract_type
    changes: dict[str, Any] = {"implementation": moved.live}
    if moved.record.get("contractName") != contract_type.name:
        changes |= {"contractName": contract_type.name, "abi": abi_json(contract_type)}
    records.amend(moved.name, changes)
    for name, record in records.all().items():
        if "implementation" not in record and str(record["address"]).lower() == moved.recorded.lower():
            records.amend(name, {"contractName": contract_type.name, "address": moved.live,
                                 "abi": abi_json(contract_type), "codeHash": creation_code_hash(contract_type),
                                 "args": None, **_upgrade_transaction(deployer, moved)})  # fmt: skip
    return (
        f"accepted the upgrade of {moved.name}: implementation {moved.recorded} -> {moved.live} ({contract_type.name})"
    )


def _upgrade_transaction(deployer: SuiteDeployer, moved: MovedImplementation) -> dict[str, Any]:
    """``transactionHash`` and ``blockNumber`` of the last ``Upgraded(moved.live)`` (None: no such event)."""
    first = min(int(r.get("blockNumber") or 0) for r in deployer.records.all().values())
    topics = [UPGRADED_TOPIC, "0x" + moved.live[2:].lower().rjust(64, "0")]
    logs = list(fetch_logs(deployer.chain.provider, [moved.upgrader], first, int(deployer.chain.blocks.head.number),
                           topics))  # fmt: skip
    if not logs:
        return {"transactionHash": None, "blockNumber": None}
    return {"transactionHash": str(logs[-1]["transactionHash"]), "blockNumber": int(logs[-1]["blockNumber"], 16)}
