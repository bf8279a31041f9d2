"""Audit report: every privileged action in a period, across every contract in a network's
deployment records, decoded with the ABIs stored in the records and the ERC-1967 proxy events
(:class:`stocksuite.chain.events.EventCatalog`, shared with the rehearsal).

Which events are privileged is decided here, in one place: :data:`EVENT_CATEGORIES` maps every
event name the suite's contracts (and the issuer's Safe and timelock) can emit either to the
category it is listed under, or to ``None`` when holders (or anyone) cause it and it is never
listed. :data:`CONDITIONS` narrows two events to their privileged cases. An event name missing
from the mapping, or a log the record's ABI cannot decode, is listed as ``UNCLASSIFIED`` and
warned about: an audit over-reports rather than drops what it does not know.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import keccak, to_checksum_address

from stocksuite.corporate.entitlements import ZERO, record_block
from stocksuite.corporate.operations import format_time, parse_time
from stocksuite.config.csvfiles import write_rows
from stocksuite.chain.deployments import Deployments
from stocksuite.config.errors import StockSuiteError
from stocksuite.chain.events import EventCatalog, recorded
from stocksuite.config.records import InvestorRecord

UNCLASSIFIED = "UNCLASSIFIED"

# Event name -> category of the privileged action it records; None: caused by holders or anyone,
# never listed. Every event of every contract the tooling records must appear (a test checks).
EVENT_CATEGORIES: dict[str, str | None] = {
    # Access control and ownership: only admins (or the owner) grant, revoke, hand over.
    "RoleGranted": "access control",
    "RoleRevoked": "access control",
    "RoleAdminChanged": "access control",
    "OwnershipTransferred": "access control",
    # Deployment, initialization and upgrades (ERC-1967 proxies, the factory's beacon).
    "Initialized": "deployment",
    "TokenCreated": "deployment",
    "ProxyCreation": "deployment",
    "Upgraded": "upgrade",
    "BeaconUpgraded": "upgrade",
    "AdminChanged": "upgrade",
    "TokensUpgraded": "upgrade",
    "EIP712DomainChanged": "upgrade",  # only an upgrade or re-initialization changes the domain
    # The investor register (compliance officer).
    "InvestorUpdated": "register",
    "InvestorRemoved": "register",
    "InvestorFrozen": "register",
    # Token enforcement (agent): partial freezes, forced transfers, wallet recovery.
    "Frozen": "enforcement",
    "ForcedTransfer": "enforcement",
    "ForcedTransferReason": "enforcement",
    "WalletRecovered": "enforcement",
    # Pauses and configuration: token policy, reserve feed, terms; vault fees and price guard.
    "PauseChanged": "pause",
    "PolicyUpdated": "configuration",
    "ReserveFeedUpdated": "configuration",
    "TermsURIUpdated": "configuration",
    "FeesUpdated": "configuration",
    "PriceGuardUpdated": "configuration",
    # Supply: mints and burns are role-gated; transfers between holders are not (see CONDITIONS).
    "Transfer": "supply",
    # Corporate actions (officer, paying agent) and the ERC-8056 multiplier they drive.
    "UIMultiplierUpdated": "corporate action",
    "UIMultiplierUpdateCancelled": "corporate action",
    "MultiplierActionAnnounced": "corporate action",
    "ReinvestmentTerms": "corporate action",
    "NameChangeAnnounced": "corporate action",
    "NameChangeScheduled": "corporate action",
    "NameChangeCancelled": "corporate action",
    "SymbolReserved": "corporate action",  # the factory's register, on a token's scheduled rename
    "SymbolReleased": "corporate action",  # ... and on its cancel
    "DividendDeclared": "corporate action",
    "DividendWithholdingTable": "corporate action",
    "ActionCancelled": "corporate action",
    "DividendReclaimed": "corporate action",
    "WithholdingRemitted": "corporate action",
    "DividendPaid": "corporate action",  # by the paying agent only (see CONDITIONS)
    "DividendPaymentSkipped": "corporate action",  # a batch payout (paying agent) left a leaf unpaid
    # Redemption vault fills (fulfiller).
    "RedeemFulfilled": "vault fill",
    "DepositFulfilled": "vault fill",
    "FillShortfall": "vault fill",
    "CancelFulfilled": "vault fill",  # the fulfiller settles holders' cancels
    # Redemption vault agent: a frozen or lost controller's position moved, or seized.
    "PositionTransferred": "vault agent",
    "TransferRedeemRequest": "vault agent",
    "TransferDepositRequest": "vault agent",
    # Oracle answers: the reserve attestation and prices are posted by the feed's owner.
    "AnswerPosted": "oracle",
    # Governance: the Safe's owners and executions, the timelock's operations.
    "SafeSetup": "governance",
    "AddedOwner": "governance",
    "RemovedOwner": "governance",
    "ChangedThreshold": "governance",
    "ChangedFallbackHandler": "governance",
    "ChangedGuard": "governance",
    "EnabledModule": "governance",
    "DisabledModule": "governance",
    "ApproveHash": "governance",
    "SignMsg": "governance",
    "SafeMultiSigTransaction": "governance",
    "SafeModuleTransaction": "governance",
    "ExecutionSuccess": "governance",
    "ExecutionFailure": "governance",
    "ExecutionFromModuleSuccess": "governance",
    "ExecutionFromModuleFailure": "governance",
    "CallScheduled": "governance",
    "CallSalt": "governance",
    "CallExecuted": "governance",
    "Cancelled": "governance",
    "MinDelayChange": "governance",
    # Holder-initiated: approvals, operator approvals, redemption and subscription requests,
    # their cancellations and claims, ether sent to the Safe, the L2 probe's pings.
    "Approval": None,
    "OperatorSet": None,
    "RedeemRequest": None,
    "DepositRequest": None,
    "CancelRedeemRequest": None,
    "CancelDepositRequest": None,
    "CancelRedeemClaim": None,
    "CancelDepositClaim": None,
    "Deposit": None,
    "Withdraw": None,
    "SafeReceived": None,
    "Pinged": None,
}

# Events listed only when the condition holds: (decoded arguments, the transaction's sender).
CONDITIONS: dict[str, Callable[[Mapping[str, Any], Callable[[], str]], bool]] = {
    "Transfer": lambda args, actor: ZERO in (args["from"], args["to"]),  # a mint or a burn
    "DividendPaid": lambda args, actor: actor() != args["account"],  # payBatch, not the holder's claim
}

COLUMNS = ("timestamp", "block", "log_index", "tx_hash", "contract", "event", "category", "actor", "arguments")


class AuditError(StockSuiteError):
    """The audit cannot be made: no records, or a period outside the chain."""


def classify(event: str, args: Mapping[str, Any], actor: Callable[[], str]) -> str | None:
    """The category a log is listed under; None when holder-initiated; UNCLASSIFIED when the
    event is unknown here. ``actor`` is asked only when a condition needs it."""
    if event not in EVENT_CATEGORIES:
        return UNCLASSIFIED
    category, condition = EVENT_CATEGORIES[event], CONDITIONS.get(event)
    if category is None or (condition is not None and not condition(args, actor)):
        return None
    return category


@dataclass(frozen=True)
class RecordedContract:
    name: str
    address: str
    abi: tuple[dict[str, Any], ...]
    block: int  # deployed at


def recorded_contracts(records: Deployments) -> list[RecordedContract]:
    """Every contract in the records (one per address, under its shortest name), with its ABI."""
    contracts = [RecordedContract(name, address, tuple(record["abi"]), int(record.get("blockNumber") or 0))
                 for address, (name, record) in recorded(records).items()]  # fmt: skip
    if not contracts:
        raise AuditError(f"no deployment records in {records.folder}: deploy first (ape run deploy ...).")
    return contracts


def role_names(contracts: list[RecordedContract]) -> dict[str, str]:
    """Role ids (0x-hex, as decoded) -> names, from the ``*_ROLE`` constants in the ABIs
    (OpenZeppelin's convention: the id is keccak256 of the name; DEFAULT_ADMIN_ROLE is zero)."""
    names = {"0x" + "00" * 32: "DEFAULT_ADMIN_ROLE"}
    for contract in contracts:
        for item in contract.abi:
            name = str(item.get("name", ""))
            if item.get("type") == "function" and name.endswith("_ROLE") and name != "DEFAULT_ADMIN_ROLE":
                names["0x" + keccak(text=name).hex()] = name
    return names


def format_value(value: Any, roles: Mapping[str, str]) -> str:
    if isinstance(value, str):
        return roles.get(value, value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v, roles) for v in value) + "]"
    if hasattr(value, "items"):
        return "{" + ", ".join(f"{k}: {format_value(v, roles)}" for k, v in value.items()) + "}"
    return str(value)


def format_arguments(event: str, args: Mapping[str, Any], roles: Mapping[str, str]) -> str:
    """``name=value`` pairs; role ids by name, packed investor records spelled out."""
    parts = []
    for key, value in args.items():
        text = format_value(value, roles)
        if event == "InvestorUpdated" and key == "record":
            text += f" ({InvestorRecord.unpack(int(value)).describe()})"
        parts.append(f"{key}={text}")
    return "; ".join(parts)


@dataclass(frozen=True)
class AuditEntry:
    timestamp: int
    block: int
    log_index: int
    tx_hash: str
    contract: str
    event: str
    category: str
    actor: str
    arguments: str

    def row(self) -> dict[str, str]:
        return {"timestamp": format_time(self.timestamp), "block": str(self.block), "log_index": str(self.log_index),
                "tx_hash": self.tx_hash, "contract": self.contract, "event": self.event,
                "category": self.category, "actor": self.actor, "arguments": self.arguments}  # fmt: skip


def fetch_logs(provider: Any, addresses: list[str], start_block: int, stop_block: int,
               topics: list[Any] | None = None) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Raw logs of ``addresses`` (those matching ``topics``, an ``eth_getLogs`` topic filter, if
    given), in pages of blocks the provider accepts, in chain order."""
    query: dict[str, Any] = {"address": addresses, **({"topics": topics} if topics else {})}
    for first, last in provider.block_ranges(start_block, stop_block):
        page = provider.make_request("eth_getLogs", [{**query, "fromBlock": hex(first), "toBlock": hex(last)}])
        yield from sorted(page, key=lambda log: (int(log["blockNumber"], 16), int(log["logIndex"], 16)))


class _ChainCache:
    """Transaction senders, each fetched once."""

    def __init__(self, provider: Any):
        self.provider = provider
        self.senders: dict[str, str] = {}

    def sender(self, tx_hash: str) -> str:
        if tx_hash not in self.senders:
            tx = self.provider.make_request("eth_getTransactionByHash", [tx_hash])
            self.senders[tx_hash] = to_checksum_address(tx["from"])
        return self.senders[tx_hash]


def decode(catalog: EventCatalog, raw: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(event name, arguments), with the emitter's own record and the proxy events only; a log
    they do not decode becomes ``unknown <topic0>`` with its topics and data."""
    log = catalog.decode(raw, any_record=False)
    if log.event is None:
        topic0 = log.topics[0] if log.topics else "anonymous"
        return f"unknown {topic0}", {"topics": list(log.topics[1:]), "data": log.data}
    return log.event, log.args


def privileged_actions(chain: Any, contracts: list[RecordedContract], start_block: int, stop_block: int,
                       index: Any) -> list[AuditEntry]:  # fmt: skip
    """The privileged actions logged by ``contracts`` from ``start_block`` to ``stop_block``, read
    from the event ``index`` (:class:`stocksuite.chain.index.EventIndex`, caught up)."""
    cache, roles = _ChainCache(chain.provider), role_names(contracts)
    by_address = {c.address: c for c in contracts}
    catalog = EventCatalog((c.name, c.address, c.abi) for c in contracts)
    entries = []
    for raw in index.raw_logs(address=list(by_address), since_block=start_block, as_of_block=stop_block):
        contract = by_address[to_checksum_address(raw["address"])]
        name, args = decode(catalog, raw)
        tx_hash, block = str(raw["transactionHash"]), int(raw["blockNumber"], 16)
        actor = lambda: cache.sender(tx_hash)  # noqa: E731 - fetched only when needed
        category = UNCLASSIFIED if name.startswith("unknown ") else classify(name, args, actor)
        if category is not None:
            entries.append(AuditEntry(int(raw["blockTimestamp"], 16), block, int(raw["logIndex"], 16), tx_hash,
                                      contract.name, name, category, actor(), format_arguments(name, args, roles)))  # fmt: skip
    return entries


ROLE_EVENTS = ("RoleGranted", "RoleRevoked")  # OpenZeppelin AccessControl: (bytes32 role, address account, sender)


def role_holders(chain: Any, contracts: list[RecordedContract]) -> dict[tuple[str, str], set[str]]:
    """Who holds each role of ``contracts`` now, replayed from their ``RoleGranted`` and
    ``RoleRevoked`` logs (AccessControl here is not enumerable): ``{(contract, role): holders}``,
    roles by name (:func:`role_names`), else as hex."""
    holders: dict[tuple[str, str], set[str]] = {}
    if not contracts:
        return holders
    provider, roles = chain.provider, role_names(contracts)
    by_address = {c.address: c for c in contracts}
    catalog = EventCatalog((c.name, c.address, c.abi) for c in contracts)
    topics = [["0x" + keccak(text=f"{event}(bytes32,address,address)").hex() for event in ROLE_EVENTS]]
    first, head = min(c.block for c in contracts), int(chain.blocks.head.number)
    for raw in fetch_logs(provider, list(by_address), first, head, topics):
        contract = by_address[to_checksum_address(raw["address"])]
        event, args = decode(catalog, raw)
        if event not in ROLE_EVENTS:  # an ABI without the event: nothing to read
            continue
        members = holders.setdefault((contract.name, format_value(args["role"], roles)), set())
        if event == "RoleGranted":
            members.add(to_checksum_address(args["account"]))
        else:
            members.discard(to_checksum_address(args["account"]))
    return holders


def period_bound(chain: Any, text: str, first: bool) -> int:
    """A period's first or last block: a block number as is, a time (ISO 8601, ``now``) as the
    first block at or after it, or the last block at or before it (up to the chain head)."""
    value, head = text.strip(), chain.blocks.head
    if value.isdigit():
        if int(value) > head.number:
            raise AuditError(f"block {value} is not on the chain yet (head is block {head.number})")
        return int(value)
    moment = parse_time(value, int(head.timestamp))
    if not first:
        return int(head.number) if moment >= head.timestamp else record_block(chain, moment)
    if moment > head.timestamp:
        raise AuditError(
            f"the period starts at {format_time(moment)}, after the chain head ({format_time(head.timestamp)})"
        )
    return 0 if moment <= chain.blocks[0].timestamp else record_block(chain, moment - 1) + 1


def period(chain: Any, contracts: list[RecordedContract], start: str | None, stop: str | None,
           indexed_to: int | None = None) -> tuple[int, int]:  # fmt: skip
    """Blocks from ``start`` (default: the first recorded deployment) to ``stop`` (default: the
    last block the event index holds, ``indexed_to``, else the head)."""
    first = period_bound(chain, start, first=True) if start else min(c.block for c in contracts)
    default_last = int(chain.blocks.head.number) if indexed_to is None else indexed_to
    last = period_bound(chain, stop, first=False) if stop else default_last
    if first > last:
        raise AuditError(f"the period is empty: it starts at block {first} and ends at block {last}")
    return first, last


@dataclass(frozen=True)
class AuditReport:
    contracts: tuple[RecordedContract, ...]
    first_block: int
    last_block: int
    first_time: int
    last_time: int
    entries: tuple[AuditEntry, ...]

    @property
    def unclassified(self) -> tuple[AuditEntry, ...]:
        return tuple(e for e in self.entries if e.category == UNCLASSIFIED)

    def summary(self) -> str:
        return (f"{len(self.entries)} privileged action(s) in blocks {self.first_block}..{self.last_block} "
                f"({format_time(self.first_time)} .. {format_time(self.last_time)}) across "
                f"{len(self.contracts)} recorded contract(s)")  # fmt: skip

    def write_csv(self, path: Path) -> None:
        write_rows(path, COLUMNS, (e.row() for e in self.entries), AuditError)


def expiring_contract_accounts_now(chain: Any, records: Deployments, warn_days: int) -> list[Any]:
    """Contract accounts in the register whose KYC expiry is within ``warn_days`` of the chain
    head (:func:`stocksuite.compliance.whitelist.expiring_contract_accounts`); none without a registry record."""
    from ape import project

    from stocksuite.chain.register import rebuild_registry
    from stocksuite.compliance.whitelist import expiring_contract_accounts

    if not records.has("ComplianceRegistry"):
        return []
    record = records.load("ComplianceRegistry")
    registry = project.ComplianceRegistry.at(record["address"])
    current = rebuild_registry(registry, start_block=int(record["blockNumber"]))
    return expiring_contract_accounts(current, int(chain.blocks.head.timestamp), warn_days)


def audit_report(chain: Any, records: Deployments, start: str | None = None, stop: str | None = None,
                 index: Any = None) -> AuditReport:  # fmt: skip
    """The privileged actions of every recorded contract from ``start`` to ``stop`` (block
    numbers or times, see :func:`period_bound`), read from the network's event ``index`` (by
    default the records' own, opened and caught up here)."""
    contracts = recorded_contracts(records)
    if index is None:
        from stocksuite.chain.index.reader import caught_up_index

        with caught_up_index(chain, records) as opened:
            return audit_report(chain, records, start, stop, opened)
    first, last = period(chain, contracts, start, stop, index.cursor)
    entries = privileged_actions(chain, contracts, first, last, index)
    times = (int(chain.blocks[first].timestamp), int(chain.blocks[last].timestamp))
    return AuditReport(tuple(contracts), first, last, *times, tuple(entries))
