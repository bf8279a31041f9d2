"""Logs decoded with the ABIs of a network's deployment records: one decoder for the rehearsal's
diff (:mod:`stocksuite.dev.rehearsal`) and the audit report (:mod:`stocksuite.reports.audit`).

A log is decoded with its emitter's record first, that record's events plus the ERC-1967 proxy
events (:data:`PROXY_EVENTS`), which a proxy emits at its own address whatever its
implementation's ABI says. With ``any_record`` (the rehearsal) a log its emitter's ABI does not
know is then tried against every recorded event of the same topic and the proxy events: a
contract the script deployed, an event of a library or base contract. The audit does not: a
stale record must show up as an unknown log, not be decoded with another contract's ABI.

Values come out as plain data: checksummed addresses, ``0x`` hex for bytes, structs as dicts,
arrays as lists; an indexed argument of a dynamic type as the hash its topic holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from stocksuite.chain.deployments import Deployments

# ERC-1967 proxy events: emitted at a proxy's address whatever its implementation's ABI says.
PROXY_EVENTS = [
    {"type": "event", "name": "Upgraded", "anonymous": False,
     "inputs": [{"name": "implementation", "type": "address", "indexed": True}]},
    {"type": "event", "name": "BeaconUpgraded", "anonymous": False,
     "inputs": [{"name": "beacon", "type": "address", "indexed": True}]},
    {"type": "event", "name": "AdminChanged", "anonymous": False,
     "inputs": [{"name": "previousAdmin", "type": "address", "indexed": False},
                {"name": "newAdmin", "type": "address", "indexed": False}]},
]  # fmt: skip


@dataclass(frozen=True)
class DecodedLog:
    """One log; ``event`` is ``None`` (and ``args`` empty) when no ABI at hand decodes it."""

    transaction_hash: str
    log_index: int
    address: str
    contract: str | None  # record name of the emitter
    event: str | None
    args: dict[str, Any]
    topics: tuple[str, ...]
    data: str
    block_number: int | None = None  # when the raw log has them (eth_getLogs, the event index)
    block_timestamp: int | None = None


def recorded(records: Deployments) -> dict[str, tuple[str, dict[str, Any]]]:
    """Checksummed address -> (name, record), each recorded address once, under its shortest
    name (a proxy's record, ``ComplianceRegistry``, names its address), then the first in order."""
    from eth_utils import to_checksum_address

    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, record in sorted(records.all().items(), key=lambda item: (len(item[0]), item[0])):
        found.setdefault(to_checksum_address(record["address"]), (name, record))
    return found


def _is_dynamic(abi_type: str) -> bool:
    return abi_type in ("string", "bytes") or abi_type.endswith("]") or abi_type.startswith(("tuple", "("))


def _named(value: Any, item: dict[str, Any]) -> Any:
    """eth_abi's value as JSON-like data: checksummed addresses, hex bytes, structs as dicts."""
    from eth_utils import to_checksum_address

    abi_type = str(item.get("type", ""))
    if abi_type.endswith("]"):
        inner = {**item, "type": abi_type[: abi_type.rindex("[")]}
        return [_named(v, inner) for v in value]
    if abi_type == "tuple":
        components = item["components"]
        return {c.get("name") or str(i): _named(v, c) for i, (v, c) in enumerate(zip(value, components, strict=True))}
    if abi_type == "address":
        return to_checksum_address(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value


def decode_event(event: dict[str, Any], topics: Sequence[str], data: bytes) -> dict[str, Any]:
    """The arguments of ``event`` (an ABI item) from a log; raises ``ValueError`` when it does not fit.

    Indexed arguments of dynamic types are stored as their hash, and shown as that hash.
    """
    from eth_abi import decode
    from eth_utils.abi import collapse_if_tuple

    inputs = event.get("inputs", [])
    indexed = [i for i in inputs if i.get("indexed")]
    if len(topics) != len(indexed) + 1:
        raise ValueError("topic count does not match")
    plain = [i for i in inputs if not i.get("indexed")]
    try:
        values = iter(decode([collapse_if_tuple(i) for i in plain], data))
    except Exception as err:  # eth_abi's DecodingError family, or a bad type string
        raise ValueError(str(err)) from err
    hashed = iter(topics[1:])
    args: dict[str, Any] = {}
    for position, item in enumerate(inputs):
        name = item.get("name") or f"arg{position}"
        if item.get("indexed"):
            topic = bytes.fromhex(next(hashed)[2:])
            abi_type = collapse_if_tuple(item)
            args[name] = "0x" + topic.hex() if _is_dynamic(abi_type) else _named(decode([abi_type], topic)[0], item)
        else:
            args[name] = _named(next(values), item)
    return args


def _by_topic(abi: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """topic0 (0x-hex) -> event ABI item, anonymous events left out (they have no topic0)."""
    from eth_utils.abi import event_abi_to_log_topic

    return {"0x" + event_abi_to_log_topic(item).hex(): item
            for item in abi if item.get("type") == "event" and not item.get("anonymous")}  # fmt: skip


class EventCatalog:
    """Event ABIs of recorded contracts, by emitter address and by topic (see the module doc)."""

    def __init__(self, contracts: Iterable[tuple[str, str, Sequence[dict[str, Any]]]]) -> None:
        """``contracts``: (name, checksummed address, ABI) of each recorded contract."""
        proxy = _by_topic(PROXY_EVENTS)
        self.names: dict[str, str] = {}
        self._own: dict[str, dict[str, dict[str, Any]]] = {}
        self._any: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for name, address, abi in contracts:
            events = _by_topic(abi)
            self.names[address] = name
            self._own[address] = {**proxy, **events}  # the record's own ABI wins
            for topic, event in events.items():
                self._any[topic].append(event)
        for topic, event in proxy.items():
            self._any[topic].append(event)

    @classmethod
    def from_records(cls, records: Deployments) -> EventCatalog:
        return cls((name, address, record.get("abi", [])) for address, (name, record) in recorded(records).items())

    def decode(self, log: dict[str, Any], any_record: bool = True) -> DecodedLog:
        """A raw JSON-RPC log (``eth_getLogs``, a receipt's ``logs``), decoded."""
        from eth_utils import to_checksum_address

        address = to_checksum_address(log["address"])
        topics = tuple(str(t) for t in log["topics"])
        data = bytes.fromhex(str(log["data"])[2:])
        event, args = None, {}
        if topics:
            topic = topics[0].lower()
            own = self._own.get(address, {}).get(topic)
            for candidate in ([own] if own else []) + (self._any.get(topic, []) if any_record else []):
                try:
                    event, args = candidate["name"], decode_event(candidate, topics, data)
                    break
                except ValueError:
                    continue
        number, stamp = log.get("blockNumber"), log.get("blockTimestamp")
        return DecodedLog(str(log["transactionHash"]), int(log["logIndex"], 16), address, self.names.get(address),
                          event, args, topics, str(log["data"]), None if number is None else int(number, 16),
                          None if stamp is None else int(stamp, 16))  # fmt: skip
