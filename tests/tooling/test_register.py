"""The holder register (cap table): rebuilt from logs at a block or a time, exact shares, checked
against the supply; the ``ape run register export`` command."""

from __future__ import annotations

import csv
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stocksuite.reports.cap_table as cap_table
from stocksuite.reports.cap_table import VAULT_NOTE, RegisterError, build_cap_table, resolve_point, to_shares
from stocksuite.corporate.entitlements import KINDS
from stocksuite.corporate.operations import format_time
from stocksuite.config.errors import StockSuiteError
from tests.helpers import assert_one_line_error
from tests.tooling.conftest import SHARE, ape_run

DAY = 24 * 3600


def register(chain, project, token, registry, block=None, at=None, start_block=0):
    return build_cap_table(chain, project, token, registry, resolve_point(chain, block, at), start_block)


def balances(table):
    return {h.holder: h.balance for h in table.holdings}


def test_an_earlier_block_shows_the_register_before_a_transfer(chain, project, registry, holdings, investors):
    alice, bob, carol = (investors[n] for n in ("alice", "bob", "carol"))
    before = chain.blocks.head.number
    holdings.transfer(carol, 30 * SHARE, sender=alice)

    earlier, now = (
        register(chain, project, holdings, registry, block=before),
        register(chain, project, holdings, registry),
    )
    assert balances(earlier) == {alice.address: 100 * SHARE, bob.address: 50 * SHARE}
    assert [(h.holder, h.balance) for h in now.holdings] == [  # largest first
        (alice.address, 70 * SHARE),
        (bob.address, 50 * SHARE),
        (carol.address, 30 * SHARE),
    ]
    assert earlier.point.block == before and now.point.block == chain.blocks.head.number
    for table in (earlier, now):  # the sum is the supply at that block, from the node
        assert table.total_raw == holdings.totalSupply() == table.supply.raw
        assert table.supply.source == f"totalSupply() at block {table.point.block}"
        assert table.total_shares == 150


def test_ties_sort_by_address(chain, project, registry, token, roles, investors):
    for name in ("erin", "dave", "carol"):
        token.mint(investors[name], 5 * SHARE, sender=roles["minter"])
    holders = [h.holder for h in register(chain, project, token, registry).holdings]
    assert holders == sorted(holders, key=str.lower)


def test_shares_follow_a_split_at_the_requested_time(chain, project, registry, holdings, actions, roles, investors):
    effective = chain.pending_timestamp + DAY
    actions.announceRatio(KINDS["SPLF"], holdings, 3, 2, effective, sender=roles["corporate"])
    chain.mine(timestamp=effective + 60)
    alice = investors["alice"].address

    def shares_at(at):
        table = register(chain, project, holdings, registry, at=at)
        return {h.holder: h.row()["shares"] for h in table.holdings}[alice], table

    before, table_before = shares_at(effective - 1)
    after, table_after = shares_at(effective)
    assert (before, after) == ("100", "150")
    assert table_before.point.block == table_after.point.block  # same block, different time
    assert table_after.total_shares == 225 and table_after.total_raw == 150 * SHARE  # raw never changes
    assert "multiplier 1.5:" in table_after.summary() and "225 shares" in table_after.summary()


def test_shares_are_exact_after_a_reverse_split(chain, project, registry, holdings, actions, roles, investors):
    effective = chain.pending_timestamp + DAY
    actions.announceRatio(KINDS["SPLR"], holdings, 1, 3, effective, sender=roles["corporate"])
    chain.mine(timestamp=effective)
    table = register(chain, project, holdings, registry)
    multiplier = holdings.uiMultiplier()
    assert multiplier == 10**18 // 3
    row = next(h for h in table.holdings if h.holder == investors["alice"].address)
    assert row.row()["shares"] == "33.3333333333333333"  # 100 shares x 0.333333333333333333, not rounded
    assert Fraction(row.row()["shares"]) == Fraction(100 * SHARE * multiplier, 10**36)


def test_frozen_investors_and_partial_freezes_are_flagged(chain, project, registry, holdings, roles, investors):
    alice, bob = investors["alice"], investors["bob"]
    before = chain.blocks.head.number
    registry.setFrozen([bob.address], True, sender=roles["officer"])
    holdings.setFrozenTokens(alice, 10 * SHARE, sender=roles["agent"])
    rows = {h.holder: h.row() for h in register(chain, project, holdings, registry).holdings}
    expiry = registry.recordOf(alice) >> 32 & (2**40 - 1)
    assert rows[alice.address] == {
        "holder": alice.address, "balance": str(100 * SHARE), "shares": "100", "investor_id": "100",
        "jurisdiction": "DE", "investor_class": "retail", "us_person": "no", "contract_account": "no",
        "verified": "yes", "frozen": "no", "frozen_tokens": str(10 * SHARE), "kyc_expiry": format_time(expiry),
        "note": "",
    }  # fmt: skip
    assert rows[bob.address]["frozen"] == "yes"
    earlier = {h.holder: h.row() for h in register(chain, project, holdings, registry, block=before).holdings}
    assert earlier[bob.address]["frozen"] == "no" and earlier[alice.address]["frozen_tokens"] == "0"


def test_holders_without_a_record_or_with_expired_kyc_are_noted(chain, project, registry, holdings, roles, investors):
    alice, bob = investors["alice"], investors["bob"]
    registry.removeInvestors([bob.address], sender=roles["officer"])
    expiry = registry.recordOf(alice) >> 32 & (2**40 - 1)
    chain.mine(timestamp=expiry + 1)
    rows = {h.holder: h.row() for h in register(chain, project, holdings, registry).holdings}
    assert rows[bob.address]["note"] == "no registry record" and rows[bob.address]["jurisdiction"] == ""
    assert rows[alice.address]["note"] == "KYC expired"


def test_a_redemption_vault_holding_requests_is_labelled(chain, project, registry, holdings, vault, investors):
    alice = investors["alice"]
    holdings.approve(vault, 10 * SHARE, sender=alice)
    vault.requestRedeem(10 * SHARE, alice, alice, sender=alice)
    rows = {h.holder: h.row() for h in register(chain, project, holdings, registry).holdings}
    assert rows[vault.address]["note"] == VAULT_NOTE and rows[vault.address]["balance"] == str(10 * SHARE)
    assert rows[vault.address]["contract_account"] == "yes" and rows[alice.address]["note"] == ""


def test_a_register_that_does_not_add_up_is_refused(chain, project, registry, holdings, investors):
    late = chain.blocks.head.number + 1  # after the mints: their logs are left out
    chain.mine()
    with pytest.raises(RegisterError, match=r"adds up to 0 raw, but totalSupply\(\) at block \d+ is 150"):
        register(chain, project, holdings, registry, start_block=late)
    holdings.transfer(investors["carol"], SHARE, sender=investors["alice"])
    with pytest.raises(RegisterError, match="negative balance"):
        register(chain, project, holdings, registry, start_block=late)


def test_without_past_state_the_logs_give_the_same_register(chain, project, registry, holdings, actions, roles,
                                                           investors, monkeypatch):  # fmt: skip
    effective = chain.pending_timestamp + DAY
    before = chain.blocks.head.number
    actions.announceRatio(KINDS["SPLF"], holdings, 2, 1, effective, sender=roles["corporate"])
    holdings.transfer(investors["carol"], SHARE, sender=investors["alice"])
    chain.mine(timestamp=effective)
    points = [dict(block=before), dict(at=effective - 1), dict(at=effective), dict()]
    archive = [register(chain, project, holdings, registry, **p) for p in points]
    monkeypatch.setattr(cap_table, "state_at", lambda *args, block: None)  # a pruned node
    pruned = [register(chain, project, holdings, registry, **p) for p in points]
    for full, logs in zip(archive, pruned, strict=True):
        assert [h.row() for h in logs.holdings] == [h.row() for h in full.holdings]
        assert logs.multiplier == full.multiplier and logs.supply.raw == full.supply.raw
        assert logs.supply.source.startswith("minted less burned in the Transfer logs")
    assert [t.multiplier for t in pruned] == [10**18, 10**18, 2 * 10**18, 2 * 10**18]


def test_the_event_index_gives_the_register_the_node_logs_give(chain, project, registry, holdings, actions, roles,
                                                              investors, vault, write_records, monkeypatch):  # fmt: skip
    """What the tools read (the network's event index) and a plain log scan of the node agree, on
    the paths that replay logs: balances, records, freezes, the multiplier of a pruned node, and a
    redemption vault's escrow (attributed to its requester by the entitlements)."""
    from stocksuite.corporate.entitlements import take_snapshot
    from stocksuite.chain.deployments import Deployments
    from stocksuite.chain.index.reader import IndexedEvents, caught_up_index

    alice = investors["alice"]
    effective = chain.pending_timestamp + DAY
    actions.announceRatio(KINDS["SPLF"], holdings, 2, 1, effective, sender=roles["corporate"])
    holdings.transfer(investors["carol"], SHARE, sender=alice)
    holdings.setFrozenTokens(investors["bob"], 5 * SHARE, sender=roles["agent"])
    holdings.approve(vault, 10 * SHARE, sender=alice)
    vault.requestRedeem(10 * SHARE, alice, alice, sender=alice)
    chain.mine(timestamp=effective)
    root = write_records(ComplianceRegistry=registry, StockToken_AAPLx=holdings, RedemptionVault_AAPLx=vault)
    records = Deployments.open("arbitrum:devnet", chain.chain_id, root=root)
    monkeypatch.setattr(cap_table, "state_at", lambda *args, block: None)  # a pruned node: logs decide
    with caught_up_index(chain, records) as index:
        indexed = IndexedEvents(index)
        for point in (dict(at=effective - 1), dict()):
            from_node = register(chain, project, holdings, registry, **point)
            from_index = build_cap_table(chain, project, holdings, registry, resolve_point(chain, **point), 0, indexed)
            assert [h.row() for h in from_index.holdings] == [h.row() for h in from_node.holdings]
            assert from_index.multiplier == from_node.multiplier and from_index.supply == from_node.supply
        record_time = int(chain.blocks.head.timestamp)
        node_view = take_snapshot(chain, holdings, registry, record_time, vaults=(vault,))
        index_view = take_snapshot(chain, holdings, registry, record_time, vaults=(vault,), events=indexed)
        with pytest.raises(StockSuiteError, match="not among the records the event index follows"):
            IndexedEvents(index).events(actions, ("DividendDeclared",))  # not recorded here: refused, not empty
    assert index_view == node_view and index_view.balances[alice.address] == 100 * SHARE - SHARE
    assert any(h.frozen_tokens == 5 * SHARE for h in from_index.holdings)


def test_points_outside_the_chain_are_refused(chain):
    head = chain.blocks.head
    with pytest.raises(RegisterError, match="not on the chain"):
        resolve_point(chain, block=head.number + 10)
    with pytest.raises(RegisterError, match="not both"):
        resolve_point(chain, block=0, at=head.timestamp)
    with pytest.raises(StockSuiteError, match="after the chain head"):
        resolve_point(chain, at=head.timestamp + 3600)
    with pytest.raises(RegisterError, match=r"block 1 is before the records begin \(block 2,"):
        resolve_point(chain, block=1, start_block=2)


@settings(derandomize=True, database=None, max_examples=200)
@given(st.lists(st.integers(0, 10**30), max_size=8), st.integers(1, 10**20), st.integers(0, 36))
def test_shares_are_exact_and_add_up(raws, multiplier, decimals):
    shares = [to_shares(raw, multiplier, decimals) for raw in raws]
    for raw, value in zip(raws, shares, strict=True):
        assert Fraction(format(value, "f")) == Fraction(raw * multiplier, 10 ** (18 + decimals))
    total = sum((Fraction(format(value, "f")) for value in shares), start=Fraction(0))
    assert total == Fraction(format(to_shares(sum(raws), multiplier, decimals), "f"))


# ---------------------------------------------------------------------------------------------
# ape run register export


def test_export_command_writes_the_register_at_a_block(chain, project, registry, holdings, factory, investors,
                                                      write_records, tmp_path):  # fmt: skip
    root = write_records(ComplianceRegistry=registry, StockTokenFactory=factory, StockToken_AAPLx=holdings)
    block = chain.blocks.head.number
    holdings.transfer(investors["carol"], 30 * SHARE, sender=investors["alice"])
    out = tmp_path / "aapl.csv"
    proc = ape_run(root, "export", "AAPLx", "--block", str(block), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = register(chain, project, holdings, registry, block=block)
    assert rows == [h.row() for h in expected.holdings] and len(rows) == 2
    assert f"AAPLx at block {block} " in proc.stdout and "2 holder(s)" in proc.stdout
    assert "150 shares; equals totalSupply() at block" in proc.stdout

    shown = ape_run(root, "export", "AAPLx")  # no --out: a table on the console
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert investors["carol"].address in shown.stdout and "3 holder(s)" in shown.stdout


def test_export_command_names_an_unknown_ticker_or_missing_records(registry, token, write_records, tmp_path):
    root = write_records(ComplianceRegistry=registry, StockToken_AAPLx=token)
    assert_one_line_error(ape_run(root, "export", "MSFTx"), "unknown ticker 'MSFTx'", "known: AAPLx")
    assert_one_line_error(ape_run(tmp_path / "none", "export", "AAPLx"), "ComplianceRegistry.json", "deploy first")
