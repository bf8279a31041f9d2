"""The CSV row models: exact types from text, each bad cell named with its column and line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stocksuite.config.rows import ExecutionRow, InvestorRow, StatementRow, validate_row
from stocksuite.config.csvfiles import CsvError, read_rows
from stocksuite.reports.reconcile import StatementError, read_statement
from stocksuite.config.records import InvestorClass
from stocksuite.compliance.whitelist import read_csv
from tests.helpers import PROJECT_ROOT

NOW = 1_800_000_000  # 2027-01-15
ALICE = "0xBcd4042DE499D14e55001CcbB24a551F3b954096"
INVESTORS = "wallet,jurisdiction,investor_class,kyc_expiry,status,investor_id,us_person,contract_account\n"


def test_the_sample_investors_load_to_the_same_records():
    rows = read_csv(PROJECT_ROOT / "config" / "investors.sample.csv", now=NOW)
    assert [(r.line, r.wallet) for r in rows][:2] == [(2, ALICE), (3, "0x71bE63f3384f5fb98995898A86B02Fb2426c5788")]
    first, last = rows[0].record, rows[-1].record
    assert (first.jurisdiction, first.investor_class, first.kyc_expiry) == (276, InvestorClass.RETAIL, 1_893_456_000)
    assert first.investor_id == 1001
    assert first.verified and not first.frozen and not first.us_person and not first.contract_account
    assert (last.jurisdiction, last.investor_class, last.us_person) == (840, InvestorClass.ACCREDITED, True)


def test_the_example_statement_loads_to_exact_decimals():
    rows = read_statement(PROJECT_ROOT / "docs" / "examples" / "custodian-statement.csv")
    assert [(r.line, r.ticker, r.isin, r.shares, r.as_of) for r in rows] == [
        (2, "AAPL", "US0378331005", Decimal("150"), 1_774_987_200),
        (3, "TSLA", "US88160R1014", Decimal("0"), 1_774_987_200),
    ]


def test_the_example_executions_parse_to_exact_decimals():
    rows = read_rows(PROJECT_ROOT / "docs" / "examples" / "aapl-executions.csv", ExecutionRow.REQUIRED, (),
                     lambda raw, line: validate_row(ExecutionRow, raw))  # fmt: skip
    assert [(r.side, r.controller, r.amount, r.price) for r in rows] == [("redeem", ALICE, Decimal("40"),
                                                                          Decimal("201.50"))]  # fmt: skip


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"amount": "10.5"}, None),
        ({"side": " Subscribe ", "amount": "$100.25", "price": "$201.5"}, None),
        ({"amount": "1e3"}, "amount '1e3' is not a non-negative decimal such as 10 or 10.5"),
        ({"amount": "-1"}, "amount '-1' is not a non-negative decimal"),
        ({"amount": "$5"}, "amount '$5' is in dollars; a redeem amount is in shares"),
        ({"side": "subscribe", "amount": "1.1234567"}, "amount '1.1234567' is not a dollar amount with at most 6"),
        ({"price": "200.1234567"}, "price '200.1234567' is not a dollar amount with at most 6 decimals"),
        ({"price": "0"}, "price is zero"),
        ({"side": "swap"}, "side 'swap' is not redeem or subscribe"),
        ({"controller": ALICE[:-1] + "7"}, f"controller {ALICE[:-1]}7 has a bad EIP-55 checksum"),
        ({"side": "swap", "price": "x"}, "side 'swap' is not redeem or subscribe (and 1 more)"),
    ],
)
def test_an_execution_row(cells, message):
    raw = {"side": "redeem", "controller": ALICE, "amount": "1", "price": "200", **cells}
    if message is None:
        row = validate_row(ExecutionRow, raw)
        assert isinstance(row.amount, Decimal) and isinstance(row.price, Decimal)
        assert row.amount == Decimal(raw["amount"].lstrip("$")) and row.side in ("redeem", "subscribe")
    else:
        with pytest.raises(ValueError) as info:
            validate_row(ExecutionRow, raw)
        assert str(info.value).startswith(message)


def test_a_removed_investor_needs_only_its_wallet():
    row = validate_row(InvestorRow, {"wallet": ALICE.lower(), "jurisdiction": "", "investor_class": "x",
                                     "kyc_expiry": "", "status": " Removed "})  # fmt: skip
    assert (row.wallet, row.status, row.jurisdiction) == (ALICE, "removed", None)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (f"{ALICE},,retail,2030-01-01,verified,,,", "unknown jurisdiction ''"),
        (f"{ALICE},DE,retail,2030-01-01,verified,,,perhaps", "contract_account must be yes or no, not 'perhaps'"),
        (f"{ALICE},DE,retail,2026-01-01,verified,,,", "kyc_expiry 2026-01-01 has already passed"),
        (f"{ALICE},DE,retail,2030-01-01,verified,1.5,,", "investor_id '1.5' is not a whole number below 2**64"),
        (
            f"{ALICE},ZZ,rich,2030-01-01,verified,,,",
            "unknown jurisdiction 'ZZ' (use an ISO 3166-1 code such as DE, DEU or 276) (and 1 more)",
        ),  # fmt: skip
    ],
)
def test_an_investor_row_error_names_the_line_and_column(tmp_path, row, reason):
    path = tmp_path / "investors.csv"
    path.write_text(INVESTORS + "0x71bE63f3384f5fb98995898A86B02Fb2426c5788,,,,removed,,,\n" + row + "\n")
    with pytest.raises(CsvError) as info:
        read_csv(path, now=NOW)
    (problem,) = info.value.problems
    assert problem.startswith(f"{path}:3: {reason}")


def test_a_statement_row_error_names_the_line(tmp_path):
    path = tmp_path / "statement.csv"
    path.write_text("ticker,isin,shares,as_of\nAAPL,US0378331005,150,2026-03-31\nAAPL,US0378331005,1.5.0,2026-03-31\n")
    with pytest.raises(StatementError) as info:
        read_statement(path)
    assert info.value.problems == [f"{path}:3: shares '1.5.0' is not a non-negative decimal such as 150 or 150.25"]


def test_columns_come_from_the_models():
    from stocksuite.compliance import whitelist
    from stocksuite.reports import reconcile

    assert whitelist.REQUIRED_COLUMNS == ("wallet", "jurisdiction", "investor_class", "kyc_expiry", "status")
    assert whitelist.OPTIONAL_COLUMNS == ("investor_id", "us_person", "contract_account")
    assert reconcile.COLUMNS == tuple(StatementRow.model_fields) == StatementRow.REQUIRED
    assert set(InvestorRow.model_fields) == set(InvestorRow.REQUIRED + InvestorRow.OPTIONAL)
    assert ExecutionRow.REQUIRED == tuple(ExecutionRow.model_fields)
