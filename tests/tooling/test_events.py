"""The log decoder the rehearsal and the audit share: ABIs of the records, ERC-1967 proxy events,
plain values, and which ABIs a log is tried against."""

from __future__ import annotations

import json

import pytest
from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from stocksuite.chain.deployments import Deployments
from stocksuite.chain.events import EventCatalog, decode_event, recorded

PROXY = to_checksum_address("0x" + "11" * 20)
OTHER = to_checksum_address("0x" + "22" * 20)
IMPLEMENTATION = to_checksum_address("0x" + "ab" * 20)
PAUSED = {"type": "event", "name": "PauseChanged", "anonymous": False,
          "inputs": [{"name": "paused", "type": "bool", "indexed": False}]}  # fmt: skip


def _log(address: str, signature: str, indexed: tuple[bytes, ...] = (), data: bytes = b"") -> dict:
    """A raw JSON-RPC log, as eth_getLogs and receipts give it."""
    topics = ["0x" + keccak(text=signature).hex(), *("0x" + t.hex() for t in indexed)]
    return {"address": address.lower(), "topics": topics, "data": "0x" + data.hex(), "logIndex": "0x3",
            "transactionHash": "0x" + "cd" * 32}  # fmt: skip


def test_proxy_events_decode_at_a_recorded_address_whose_abi_lacks_them():
    catalog = EventCatalog([("StockToken_AAPLx", PROXY, [])])  # a beacon proxy's record: the implementation's ABI
    to_implementation = (encode(["address"], [IMPLEMENTATION]),)
    upgraded = catalog.decode(_log(PROXY, "Upgraded(address)", to_implementation))
    assert (upgraded.contract, upgraded.event, upgraded.args) == ("StockToken_AAPLx", "Upgraded",
                                                                  {"implementation": IMPLEMENTATION})  # fmt: skip
    assert (upgraded.log_index, upgraded.transaction_hash) == (3, "0x" + "cd" * 32)
    beacon = catalog.decode(_log(PROXY, "BeaconUpgraded(address)", (encode(["address"], [OTHER]),)), any_record=False)
    assert (beacon.event, beacon.args) == ("BeaconUpgraded", {"beacon": OTHER})
    admins = encode(["address", "address"], [OTHER, IMPLEMENTATION])
    admin = catalog.decode(_log(PROXY, "AdminChanged(address,address)", data=admins))
    assert (admin.event, admin.args) == ("AdminChanged", {"previousAdmin": OTHER, "newAdmin": IMPLEMENTATION})
    # An unrecorded emitter's proxy event decodes too, when any ABI may be tried.
    assert catalog.decode(_log(OTHER, "Upgraded(address)", to_implementation)).event == "Upgraded"


def test_another_records_event_is_tried_only_with_any_record():
    catalog = EventCatalog([("StockToken_AAPLx", PROXY, []), ("ComplianceRegistry", OTHER, [PAUSED])])
    log = _log(PROXY, "PauseChanged(bool)", data=encode(["bool"], [True]))
    assert (catalog.decode(log).event, catalog.decode(log).args) == ("PauseChanged", {"paused": True})
    strict = catalog.decode(log, any_record=False)  # the audit: a stale record is not covered up
    assert (strict.contract, strict.event, strict.args) == ("StockToken_AAPLx", None, {})
    assert strict.topics[0] == log["topics"][0] and strict.data == log["data"]


def test_an_address_recorded_twice_goes_by_its_shortest_name(tmp_path):
    records = Deployments.open("arbitrum:devnet", 412346, root=tmp_path)
    records.folder.mkdir(parents=True)
    for name, address in (("AnOlderRecordOfIt", PROXY), ("Vault", OTHER), ("StockToken_AAPLx", PROXY)):
        (records.folder / f"{name}.json").write_text(json.dumps({"address": address, "abi": [PAUSED]}))
    assert {address: name for address, (name, _) in recorded(records).items()} == {
        PROXY: "StockToken_AAPLx", OTHER: "Vault"}  # fmt: skip
    assert EventCatalog.from_records(records).names == {PROXY: "StockToken_AAPLx", OTHER: "Vault"}


def test_structs_arrays_and_hashed_topics_decode_by_name():
    event = {"type": "event", "name": "Declared", "anonymous": False, "inputs": [
        {"name": "id", "type": "uint256", "indexed": True},
        {"name": "uri", "type": "string", "indexed": True},
        {"name": "terms", "type": "tuple", "indexed": False, "components": [
            {"name": "token", "type": "address"}, {"name": "root", "type": "bytes32"}]},
        {"name": "rates", "type": "uint16[]", "indexed": False},
    ]}  # fmt: skip
    token = "0x" + "ab" * 20
    topics = ["0x" + "00" * 32, "0x" + encode(["uint256"], [7]).hex(), "0x" + keccak(text="ipfs://x").hex()]
    data = encode(["(address,bytes32)", "uint16[]"], [(token, b"\x01" * 32), [1500, 3000]])
    assert decode_event(event, topics, data) == {
        "id": 7, "uri": topics[2], "terms": {"token": to_checksum_address(token), "root": "0x" + "01" * 32},
        "rates": [1500, 3000]}  # fmt: skip
    with pytest.raises(ValueError, match="topic count"):
        decode_event(event, topics[:2], data)
