"""Audit report of privileged actions: classification, decoding with the records' ABIs, actors,
period bounds, and ``ape run register audit``."""

from __future__ import annotations

import csv
import json

import pytest

from stocksuite.reports.audit import (
    CONDITIONS,
    EVENT_CATEGORIES,
    UNCLASSIFIED,
    AuditError,
    audit_report,
    classify,
    period_bound,
)
from stocksuite.corporate.operations import format_time
from stocksuite.chain.deployments import Deployments
from stocksuite.chain.events import PROXY_EVENTS
from tests.helpers import assert_one_line_error
from tests.tooling.conftest import SHARE, ape_run

ALICE = "0xBcd4042DE499D14e55001CcbB24a551F3b954096"
AGENT = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"


def project_events(project) -> set[str]:
    """Every event name in every contract this project compiles, the issuer's Safe and timelock
    (npm build artifacts), and the ERC-1967 proxy events."""
    from stocksuite.governance.proposals import ARTIFACTS, container

    abis = [ct.abi for ct in project.manifest.contract_types.values()]
    abis += [container(name).contract_type.abi for name in ARTIFACTS]
    names = {item.name for abi in abis for item in abi if item.type == "event"}
    return names | {item["name"] for item in PROXY_EVENTS}


def test_every_event_is_classified_and_none_is_stale(project):
    known = project_events(project)
    assert known - set(EVENT_CATEGORIES) == set(), "classify these in stocksuite/reports/audit.py EVENT_CATEGORIES"
    assert set(EVENT_CATEGORIES) - known == set(), "no contract emits these: remove them"
    assert set(CONDITIONS) <= {name for name, category in EVENT_CATEGORIES.items() if category}


def test_every_event_in_the_records_is_classified(project, registry, factory, token, actions, vault,
                                                  write_records):  # fmt: skip
    root = write_records(ComplianceRegistry=registry, StockTokenFactory=factory, StockToken_AAPLx=token,
                         CorporateActions=actions, RedemptionVault_AAPLx=vault)  # fmt: skip
    for path in (root / "arbitrum-devnet").glob("*.json"):
        events = {item["name"] for item in json.loads(path.read_text())["abi"] if item["type"] == "event"}
        assert events <= set(EVENT_CATEGORIES), path.name


@pytest.mark.parametrize(
    ("event", "args", "actor", "expected"),
    [
        ("Transfer", {"from": "0x" + "00" * 20, "to": ALICE}, AGENT, "supply"),  # mint
        ("Transfer", {"from": ALICE, "to": "0x" + "00" * 20}, AGENT, "supply"),  # burn
        ("Transfer", {"from": ALICE, "to": AGENT}, ALICE, None),  # between holders
        ("DividendPaid", {"account": ALICE}, ALICE, None),  # the holder's own claim
        ("DividendPaid", {"account": ALICE}, AGENT, "corporate action"),  # the paying agent's payBatch
        ("Approval", {}, ALICE, None),
        ("RoleGranted", {}, AGENT, "access control"),
        ("SomethingNew", {}, AGENT, UNCLASSIFIED),
    ],
)
def test_classification(event, args, actor, expected):
    asked = []
    assert classify(event, args, lambda: asked.append(1) or actor) == expected
    if event != "DividendPaid":
        assert not asked  # the sender is fetched only when a condition needs it


@pytest.fixture
def actions_log(chain, registry, token, factory, roles, investors, deployer):
    """A role grant, a freeze, a mint, a forced transfer, then a holder's transfer and approval,
    each in its own block one minute apart; returns their blocks."""
    alice, bob, carol, dave = (investors[n] for n in ("alice", "bob", "carol", "dave"))
    blocks = {}

    def step(name, send):
        chain.mine(timestamp=chain.blocks.head.timestamp + 60)
        blocks[name] = send().block_number

    step("grant", lambda: token.grantRole(token.MINTER_ROLE(), dave, sender=deployer))
    step("freeze", lambda: registry.setFrozen([bob.address], True, sender=roles["officer"]))
    step("mint", lambda: token.mint(alice, 100 * SHARE, sender=roles["minter"]))
    step("forced", lambda: token.forcedTransferWithReason(alice, carol, SHARE, "court order", sender=roles["agent"]))
    step("transfer", lambda: token.transfer(dave, 2 * SHARE, sender=alice))
    step("approve", lambda: token.approve(dave, SHARE, sender=alice))
    return blocks


def records_for(chain, root):
    return Deployments.open("arbitrum:devnet", chain.chain_id, root=root)


def events_of(report):
    return [(e.block, e.contract, e.event, e.actor) for e in report.entries]


def test_privileged_actions_with_their_actors(chain, registry, token, factory, roles, deployer, investors,
                                              actions_log, write_records):  # fmt: skip
    root = write_records(ComplianceRegistry=registry, StockTokenFactory=factory, StockToken_AAPLx=token)
    blocks = actions_log
    report = audit_report(chain, records_for(chain, root), str(blocks["grant"]), str(blocks["approve"]))
    assert events_of(report) == [
        (blocks["grant"], "StockToken_AAPLx", "RoleGranted", deployer.address),
        (blocks["freeze"], "ComplianceRegistry", "InvestorFrozen", roles["officer"].address),
        (blocks["mint"], "StockToken_AAPLx", "Transfer", roles["minter"].address),
        (blocks["forced"], "StockToken_AAPLx", "ForcedTransfer", roles["agent"].address),
        (blocks["forced"], "StockToken_AAPLx", "ForcedTransferReason", roles["agent"].address),
    ]  # the holder's transfer and approval are not there, nor the Transfer log of the forced transfer
    grant, freeze, mint = report.entries[:3]
    assert grant.arguments == (f"role=MINTER_ROLE; account={investors['dave'].address}; "
                               f"sender={deployer.address}")  # fmt: skip
    assert freeze.arguments == f"wallet={investors['bob'].address}; frozen=True"
    assert mint.category == "supply" and f"to={investors['alice'].address}" in mint.arguments
    assert grant.timestamp == chain.blocks[blocks["grant"]].timestamp
    assert report.entries[3].tx_hash == report.entries[4].tx_hash
    assert "reason=court order" in report.entries[4].arguments


def test_the_period_bounds_are_respected_by_block_and_by_time(chain, registry, token, factory, actions_log,
                                                              write_records):  # fmt: skip
    root = write_records(ComplianceRegistry=registry, StockTokenFactory=factory, StockToken_AAPLx=token)
    records, blocks = records_for(chain, root), actions_log
    by_block = audit_report(chain, records, str(blocks["freeze"]), str(blocks["mint"]))
    assert [e.event for e in by_block.entries] == ["InvestorFrozen", "Transfer"]
    # The same period as times: one second after the grant's block, one second before the forced transfer's.
    start = format_time(chain.blocks[blocks["grant"]].timestamp + 1)
    stop = format_time(chain.blocks[blocks["forced"]].timestamp - 1)
    by_time = audit_report(chain, records, start, stop)
    assert events_of(by_time) == events_of(by_block)
    assert blocks["grant"] < by_time.first_block <= blocks["freeze"] <= blocks["mint"] <= by_time.last_block
    assert by_time.last_block < blocks["forced"]
    everything = audit_report(chain, records)  # from the first record's block to the head
    assert everything.first_block == 0 and everything.last_block == chain.blocks.head.number
    assert {"TokenCreated", "BeaconUpgraded", "Upgraded", "Initialized"} <= {e.event for e in everything.entries}
    with pytest.raises(AuditError, match="the period is empty"):
        audit_report(chain, records, str(blocks["mint"]), str(blocks["freeze"]))
    with pytest.raises(AuditError, match="not on the chain yet"):
        audit_report(chain, records, None, str(chain.blocks.head.number + 5))


def test_the_audit_reads_the_event_index_up_to_its_safe_block(chain, registry, token, factory, actions_log,
                                                              write_records, monkeypatch):  # fmt: skip
    from stocksuite.chain.index import IndexBehind

    root = write_records(ComplianceRegistry=registry, StockTokenFactory=factory, StockToken_AAPLx=token)
    records, head = records_for(chain, root), chain.blocks.head.number
    assert audit_report(chain, records).last_block == head
    assert (records.folder / ".index.sqlite").is_file()  # caught up, beside the records
    monkeypatch.setenv("STOCKSUITE_INDEX_FINALITY", "2")  # only blocks 2 below the head count as safe
    chain.mine(2)
    assert audit_report(chain, records).last_block == head  # the default period ends at the safe block
    with pytest.raises(IndexBehind, match=f"block {head + 2} is beyond the index, which holds blocks up to {head}"):
        audit_report(chain, records, None, str(head + 2))


def test_an_event_the_record_cannot_decode_is_listed_as_unclassified(chain, registry, token, roles, investors,
                                                                     write_records):  # fmt: skip
    root = write_records(ComplianceRegistry=registry, StockToken_AAPLx=token)
    path = root / "arbitrum-devnet" / "StockToken_AAPLx.json"
    record = json.loads(path.read_text())
    record["abi"] = [item for item in record["abi"] if item.get("name") != "Frozen"]  # an ABI of an older version
    path.write_text(json.dumps(record))
    receipt = token.setFrozenTokens(investors["alice"], 5, sender=roles["agent"])
    report = audit_report(chain, records_for(chain, root), str(receipt.block_number), str(receipt.block_number))
    (entry,) = report.entries
    assert entry.category == UNCLASSIFIED and entry.event.startswith("unknown 0x")
    assert entry.actor == roles["agent"].address and report.unclassified == (entry,)


def test_contract_accounts_near_their_kyc_expiry_are_warned_about(chain, registry, token, roles, write_records):
    from stocksuite.reports.audit import expiring_contract_accounts_now
    from stocksuite.config.records import InvestorRecord

    head, pool, vault = chain.blocks.head.timestamp, "0x" + "aa" * 20, "0x" + "bb" * 20
    records = [InvestorRecord(276, 0, head + days * 24 * 3600, contract_account=True).pack() for days in (7, 90)]
    registry.setInvestors([pool, vault], records, sender=roles["officer"])
    root = write_records(ComplianceRegistry=registry, StockToken_AAPLx=token)
    warned = expiring_contract_accounts_now(chain, records_for(chain, root), warn_days=30)
    assert [w.wallet.lower() for w in warned] == [pool]
    assert [w.wallet.lower() for w in expiring_contract_accounts_now(chain, records_for(chain, root), 120)] == [
        pool, vault]  # fmt: skip


def test_no_records_is_one_clear_error(chain, tmp_path):
    with pytest.raises(AuditError, match="no deployment records in .* deploy first"):
        audit_report(chain, records_for(chain, tmp_path / "none"))


def test_audit_command_prints_and_writes_the_report(chain, registry, token, factory, roles, actions_log,
                                                   write_records, tmp_path):  # fmt: skip
    root = write_records(ComplianceRegistry=registry, StockTokenFactory=factory, StockToken_AAPLx=token)
    blocks, out = actions_log, tmp_path / "audit.csv"
    start = format_time(chain.blocks[blocks["freeze"]].timestamp)
    proc = ape_run(root, "audit", "--from", start, "--to", str(blocks["approve"]), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["event"], r["actor"]) for r in rows] == [
        ("InvestorFrozen", roles["officer"].address), ("Transfer", roles["minter"].address),
        ("ForcedTransfer", roles["agent"].address), ("ForcedTransferReason", roles["agent"].address)]  # fmt: skip
    assert rows[0]["timestamp"] == start and rows[0]["block"] == str(blocks["freeze"])
    first = period_bound(chain, start, first=True)  # the first block at or after that time
    assert blocks["grant"] < first <= blocks["freeze"]
    assert f"4 privileged action(s) in blocks {first}..{blocks['approve']} ({start} .. " in proc.stdout
    assert "ForcedTransferReason" in proc.stdout and "court order" in proc.stdout

    missing = ape_run(tmp_path / "none", "audit")
    assert_one_line_error(missing, "no deployment records", "deploy first")
    bad = ape_run(root, "audit", "--from", "yesterday")
    assert_one_line_error(bad, "time 'yesterday' is not")
