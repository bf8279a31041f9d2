"""The withholding YAML's model: exact whole basis points, ISO codes, no unknown keys."""

from __future__ import annotations

import pytest

from stocksuite.corporate.entitlements import CorporateActionError, WithholdingTable
from stocksuite.corporate.operations import load_withholding
from tests.helpers import PROJECT_ROOT


def test_the_shipped_table_loads_to_the_same_values():
    table = load_withholding(PROJECT_ROOT / "config" / "withholding.yaml")
    assert table == WithholdingTable(default_bps=3_000, rates={276: 1_500, 250: 1_500, 826: 1_500, 702: 1_500,
                                                               756: 1_500})  # fmt: skip


def test_numeric_and_alpha_3_codes_are_jurisdictions(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("default_bps: 0\nrates: {276: 1500, FRA: 1000}\n")
    assert load_withholding(path) == WithholdingTable(0, {276: 1_500, 250: 1_000})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("default_bps: 3000\nrate: {DE: 1500}\n", "rate: unknown key; allowed: default_bps, rates"),
        ("rates: {DE: 1500}\n", "missing key 'default_bps'"),
        ("default_bps: 3000.5\n", "default_bps: expected a whole number, got 3000.5 (a number)"),
        ("default_bps: '3000'\n", "default_bps: expected a whole number, got '3000' (a string)"),
        ("default_bps: 3000\nrates: {DE: 15.5}\n", "rates.DE: expected a whole number, got 15.5 (a number)"),
        ("default_bps: 3000\nrates: {DE: 10001}\n", "rates.DE: input should be less than or equal to 10000, got 10001"),
        ("default_bps: 3000\nrates: {XX: 1500}\n", "rates.XX: unknown jurisdiction 'XX'"),
        ("default_bps: 3000\nrates: {NO: 1500}\n", "rates: a key is false: YAML reads unquoted NO"),
        ("default_bps: 3000\nrates: {DE: 1500, DEU: 1000}\n", "rates: DE and DEU are the same jurisdiction"),
        ("default_bps: 3000\nrates: {DE: 1500, DE: 1000}\n", "key 'DE' is given twice (first on line 2)"),
        ("default_bps: 3000\nrates: [DE]\n", "rates: expected a mapping, got ['DE'] (a list)"),
    ],
)
def test_a_bad_table_is_one_line_naming_the_key(tmp_path, text, message):
    path = tmp_path / "w.yaml"
    path.write_text(text)
    with pytest.raises(CorporateActionError) as info:
        load_withholding(path)
    assert str(info.value).startswith(f"{path}") and message in str(info.value)
    assert "\n" not in str(info.value)
