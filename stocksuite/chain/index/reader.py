"""Events of one contract, in chain order, for the readers that replay history (the register,
entitlements, the registry's records): from the network's event index when the contract is
recorded, else from the node (a contract a test or a script deployed without records).

Both give the same :class:`Event` values: checksummed addresses, ints, ``0x`` hex for bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from stocksuite.chain.deployments import Deployments


@dataclass(frozen=True)
class Event:
    block: int
    log_index: int
    name: str
    args: dict[str, Any]


class EventSource(Protocol):
    def events(self, contract: Any, names: Sequence[str], start_block: int = 0,
               stop_block: int | None = None) -> list[Event]:  # fmt: skip
        """``contract``'s events named ``names`` from ``start_block`` to ``stop_block`` (both
        inclusive; ``None``: the latest the source holds), in chain order."""
        ...


def _plain(value: Any) -> Any:
    return "0x" + bytes(value).hex() if isinstance(value, bytes | bytearray) else value


class NodeEvents:
    """Straight from the node, through ape's log query (one ``eth_getLogs`` scan per event)."""

    def events(self, contract: Any, names: Sequence[str], start_block: int = 0,
               stop_block: int | None = None) -> list[Event]:  # fmt: skip
        found = [
            Event(int(log.block_number), int(log.log_index), str(log.event_name),
                  {key: _plain(value) for key, value in dict(log.event_arguments).items()})
            for name in names
            for log in getattr(contract, name).query("*", start_block=start_block, stop_block=stop_block).itertuples()
        ]  # fmt: skip
        return sorted(found, key=lambda event: (event.block, event.log_index))


@dataclass
class IndexedEvents:
    """From the network's event index (:class:`stocksuite.chain.index.EventIndex`, caught up): one
    query, no node scan. A block beyond what the index holds is refused by the index."""

    index: Any

    def events(self, contract: Any, names: Sequence[str], start_block: int = 0,
               stop_block: int | None = None) -> list[Event]:  # fmt: skip
        from stocksuite.chain.index.node import EventIndexError

        if str(contract.address).lower() not in self.index.names:  # its logs would be silently missing
            raise EventIndexError(f"{contract.address} is not among the records the event index follows: record it "
                                  "(ape run deploy) or read it from the node")  # fmt: skip
        logs = self.index.logs(address=str(contract.address), event=list(names), since_block=start_block,
                               as_of_block=stop_block)  # fmt: skip
        wanted = set(names)  # a same-named event of another signature decodes to something else
        return [Event(int(log.block_number), log.log_index, str(log.event), log.args) for log in logs
                if log.event in wanted]  # fmt: skip


NODE = NodeEvents()


@contextmanager
def caught_up_index(chain: Any, records: Deployments) -> Iterator[Any]:
    """The event index of the connected network's ``records``, opened and synced, closed after."""
    from stocksuite.chain.index import node_for, open_index

    network = chain.provider.network
    index = open_index(records, f"{network.ecosystem.name}:{network.name}", node_for(chain.provider))
    try:
        index.sync()
        yield index
    finally:
        index.close()
