"""Reconciliation of a ticker's supply with the reserve feed and a custodian statement; the
statement's validation; ``ape run register reconcile``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stocksuite.reports.cap_table import metadata_block, resolve_point
from stocksuite.corporate.operations import format_time
from stocksuite.reports.reconcile import StatementError, read_statement, reconcile
from tests.helpers import assert_one_line_error
from tests.tooling.conftest import SHARE, ape_run

HEADER = "ticker,isin,shares,as_of\n"
APPLE, MICROSOFT = "US0378331005", "US5949181045"
DAY = 24 * 3600


def write(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "statement.csv"
    path.write_text(header + body)
    return path


def statement_now(tmp_path, chain, shares="150", ticker="AAPL", isin=APPLE, as_of=None):
    as_of = format_time(chain.blocks.head.timestamp) if as_of is None else as_of
    return write(tmp_path, f"MSFT,{MICROSOFT},1000,{as_of}\n{ticker},{isin},{shares},{as_of}\n")


@pytest.fixture
def backed(holdings, reserve_feed, deployer):
    """150 shares issued, and the reserve feed attests 150 in custody."""
    reserve_feed.postAnswer(150 * 10**8, sender=deployer)
    return holdings


def check(chain, project, token, path, block=None, **options):
    return reconcile(token, project, resolve_point(chain, block), read_statement(path), path, **options)


def test_supply_equal_to_feed_and_statement_is_reconciled(chain, project, backed, reserve_feed, tmp_path):
    result = check(chain, project, backed, statement_now(tmp_path, chain))
    assert result.reconciled and result.differences == [] and result.notes == []
    assert result.supply == 150 and result.reserve.shares == 150 and result.statement.line == 3
    report = result.report()
    assert report[0].endswith("token supply 150 shares")
    assert report[1].startswith(f"  reserve feed {reserve_feed.address}: 150 shares, updated ")
    assert report[2].startswith(f"  custodian statement line 3: AAPL {APPLE} 150 shares as of ")
    assert report[-1] == "reconciled"


@pytest.mark.parametrize(
    ("statement_shares", "feed_shares", "difference"),
    [
        ("140", 150, "AAPLx: token supply 150 shares exceeds custodian statement 140 shares by 10"),
        ("160", 150, "AAPLx: custodian statement 160 shares exceeds token supply 150 shares by 10"),
        ("150.5", 150, "AAPLx: custodian statement 150.5 shares exceeds token supply 150 shares by 0.5"),
        ("150", 140, "AAPLx: token supply 150 shares exceeds reserve feed 140 shares by 10"),
        ("150", 1_000_000, "AAPLx: reserve feed 1,000,000 shares exceeds token supply 150 shares by 999,850"),
    ],
)
def test_each_difference_is_named(chain, project, backed, reserve_feed, deployer, tmp_path, statement_shares,
                                  feed_shares, difference):  # fmt: skip
    reserve_feed.postAnswer(feed_shares * 10**8, sender=deployer)
    result = check(chain, project, backed, statement_now(tmp_path, chain, shares=statement_shares))
    assert result.differences == [difference] and not result.reconciled
    assert result.report()[-2:] == [f"DIFFERENCE: {difference}", "NOT reconciled: 1 difference(s)"]


def test_custody_above_supply_can_be_allowed(chain, project, backed, reserve_feed, deployer, tmp_path):
    reserve_feed.postAnswer(1_000_000 * 10**8, sender=deployer)
    result = check(chain, project, backed, statement_now(tmp_path, chain, shares="160"), allow_surplus=True)
    assert result.reconciled
    assert result.notes == ["AAPLx: reserve feed 1,000,000 shares exceeds token supply 150 shares by 999,850",
                            "AAPLx: custodian statement 160 shares exceeds token supply 150 shares by 10"]  # fmt: skip
    short = check(chain, project, backed, statement_now(tmp_path, chain, shares="149"), allow_surplus=True)
    assert short.differences == ["AAPLx: token supply 150 shares exceeds custodian statement 149 shares by 1"]


def test_a_stale_feed_is_a_difference(chain, project, backed, tmp_path):
    updated = chain.blocks.head.timestamp
    chain.mine(timestamp=updated + DAY + 3600)
    result = check(chain, project, backed, statement_now(tmp_path, chain))
    assert result.differences == [
        f"AAPLx: the reserve feed's answer of {format_time(updated)} is stale at "
        f"{format_time(chain.blocks.head.timestamp)} (older than the token's reserve max age of 1d)"]  # fmt: skip


def test_a_statement_far_from_the_reconciliation_time_is_a_difference(chain, project, backed, tmp_path):
    now = chain.blocks.head.timestamp
    path = statement_now(tmp_path, chain, as_of=str(now - 3 * DAY))
    result = check(chain, project, backed, path)
    assert result.differences == [
        f"AAPLx: custodian statement as of {format_time(now - 3 * DAY)} is 3d from the reconciliation time "
        f"{format_time(now)} (tolerance 1d)"]  # fmt: skip
    assert check(chain, project, backed, path, as_of_tolerance=4 * DAY).reconciled


def test_a_statement_without_the_security_or_naming_another_ticker(chain, project, backed, tmp_path):
    path = write(tmp_path, f"MSFT,{MICROSOFT},150,{format_time(chain.blocks.head.timestamp)}\n")
    assert check(chain, project, backed, path).differences == [
        f"AAPLx: custodian statement {path} has no row for ISIN {APPLE}"
    ]
    wrong = check(chain, project, backed, statement_now(tmp_path, chain, ticker="AAPX"))
    assert wrong.differences == [
        f"AAPLx: custodian statement line 3 names ticker AAPX for ISIN {APPLE}, the token's underlying is AAPL"
    ]


def test_a_feed_without_a_valid_answer_is_a_difference(chain, project, backed, reserve_feed, deployer, tmp_path):
    reserve_feed.postAnswer(0, sender=deployer)
    result = check(chain, project, backed, statement_now(tmp_path, chain))
    assert result.differences == [f"AAPLx: the reserve feed {reserve_feed.address} has no valid answer at block "
                                  f"{chain.blocks.head.number}"]  # fmt: skip


def test_reconciliation_at_an_earlier_block_uses_the_supply_then(chain, project, token, roles, investors,
                                                                 tmp_path):  # fmt: skip
    token.mint(investors["alice"], 100 * SHARE, sender=roles["minter"])
    block = chain.blocks.head.number
    token.mint(investors["bob"], 50 * SHARE, sender=roles["minter"])
    path = statement_now(tmp_path, chain, shares="100")
    then = check(chain, project, token, path, block=block, allow_surplus=True)  # the module's feed attests 1m
    assert then.reconciled and then.supply == 100 and then.point.block == block
    assert check(chain, project, token, path, allow_surplus=True).differences == [
        "AAPLx: token supply 150 shares exceeds custodian statement 100 shares by 50"
    ]


def test_reconciliation_before_a_rename_uses_the_names_then(chain, project, backed, roles, tmp_path):
    before = chain.blocks.head.number
    at = chain.pending_timestamp + 5
    backed.scheduleNameChange(("Apple Renamed tokenized stock", "APLRx", "APLR"), at, sender=roles["corporate"])
    chain.mine(timestamp=at + 1)
    old = statement_now(tmp_path, chain, ticker="AAPL")
    then = check(chain, project, backed, old, block=before, as_of_tolerance=365 * DAY)
    assert then.reconciled and then.symbol == "AAPLx"
    now = check(chain, project, backed, old)
    assert now.symbol == "APLRx" and now.differences == [
        f"APLRx: custodian statement line 3 names ticker AAPL for ISIN {APPLE}, the token's underlying is APLR"
    ]
    assert check(chain, project, backed, statement_now(tmp_path, chain, ticker="APLR")).reconciled


def test_names_are_read_now_for_a_block_before_the_token(chain, project, deployer):
    before = chain.blocks.head.number
    token = deployer.deploy(project.PlainERC20, "Later", "LTR", 18)
    assert metadata_block(token, before) == "latest"  # no code there: its names are the current ones
    assert metadata_block(token, chain.blocks.head.number) == chain.blocks.head.number


# ---------------------------------------------------------------------------------------------
# The statement file


def test_statement_rows_are_parsed():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), f"AAPL,{APPLE},150.25,2026-03-31\nBRK.B,US0846707026,7,1774972800\n"
                                   f"MSFT,{MICROSOFT},0,2026-03-31T18:00:00+02:00\n")  # fmt: skip
        rows = read_statement(path)
    assert [(r.line, r.ticker, r.shares, r.as_of) for r in rows] == [
        (2, "AAPL", Decimal("150.25"), 1774915200), (3, "BRK.B", Decimal(7), 1774972800),
        (4, "MSFT", Decimal(0), 1774972800)]  # fmt: skip


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (f"aapl,{APPLE},150,2026-03-31", "ticker 'aapl' is not an upper-case ticker"),
        ("AAPL,US0378331006,150,2026-03-31", "isin 'US0378331006' is not an ISIN with a valid check digit"),
        ("AAPL,0378331005,150,2026-03-31", "is not an ISIN"),
        (f"AAPL,{APPLE},-150,2026-03-31", "shares '-150' is not a non-negative decimal"),
        (f"AAPL,{APPLE},1e3,2026-03-31", "shares '1e3'"),
        (f"AAPL,{APPLE},1,500,2026-03-31", "wrong number of fields"),
        (f"AAPL,{APPLE},150,31/03/2026", "as_of '31/03/2026' is not an ISO 8601 date or time"),
        (f"AAPL,{APPLE},150,now", "as_of 'now'"),
        (f"AAPL,{APPLE},150", "wrong number of fields"),
        (f"AAPL,{APPLE},150,2026-03-31\nAAPL,{APPLE},151,2026-03-31", "duplicate isin US0378331005 (first on line 3)"),
    ],
)
def test_a_bad_row_is_named_with_file_and_line(tmp_path, row, reason):
    path = write(tmp_path, f"MSFT,{MICROSOFT},1000,2026-03-31\n{row}\n")
    with pytest.raises(StatementError) as info:
        read_statement(path)
    (problem,) = info.value.problems
    assert problem.startswith(f"{path}:{row.count(chr(10)) + 3}: ") and reason in problem
    assert str(info.value).startswith("1 bad row(s), nothing reconciled:")


def test_a_statement_needs_its_columns(tmp_path):
    with pytest.raises(StatementError, match="missing column"):
        read_statement(write(tmp_path, f"AAPL,{APPLE},150\n", header="ticker,isin,shares\n"))
    with pytest.raises(StatementError, match="unknown column"):
        read_statement(write(tmp_path, "", header="ticker,isin,shares,as_of,account\n"))


# ---------------------------------------------------------------------------------------------
# ape run register reconcile


def test_reconcile_command_exits_zero_when_clean_and_one_on_a_difference(chain, backed, registry, write_records,
                                                                         tmp_path):  # fmt: skip
    root = write_records(ComplianceRegistry=registry, StockToken_AAPLx=backed)
    clean = ape_run(root, "reconcile", "AAPLx", "--statement", str(statement_now(tmp_path, chain)))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.rstrip().endswith("reconciled") and "token supply 150 shares" in clean.stdout

    short = ape_run(root, "reconcile", "AAPLx", "--statement", str(statement_now(tmp_path, chain, shares="140")))
    assert short.returncode == 1, short.stdout + short.stderr
    assert "DIFFERENCE: AAPLx: token supply 150 shares exceeds custodian statement 140 shares by 10" in short.stdout
    assert "Traceback" not in short.stdout + short.stderr


def test_reconcile_command_refuses_a_bad_statement_before_anything_else(tmp_path):
    path = write(tmp_path, f"AAPL,{APPLE},150,2026-03-31\nAAPL,{MICROSOFT},abc,2026-03-31\n")
    proc = ape_run(tmp_path / "none", "reconcile", "AAPLx", "--statement", str(path))  # no records needed
    assert_one_line_error(proc, "1 bad row(s), nothing reconciled")
    assert f"{path}:3: shares 'abc' is not a non-negative decimal" in proc.stderr
