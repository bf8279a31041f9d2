"""The deploy YAML's models: every level refuses unknown keys and loose types, in one line."""

from __future__ import annotations

import pytest

from stocksuite.deploy.config import ConfigError, SafePlan, VaultPlan, load_config
from tests.helpers import PROJECT_ROOT

CONFIG = PROJECT_ROOT / "config" / "tickers.yaml"


def _load_edited(tmp_path, old: str, new: str):
    text = CONFIG.read_text()
    assert old in text
    path = tmp_path / "suite.yaml"
    path.write_text(text.replace(old, new, 1))
    return path, load_config(path)


def _refused(tmp_path, old: str, new: str) -> str:
    with pytest.raises(ConfigError) as info:
        _load_edited(tmp_path, old, new)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{tmp_path / 'suite.yaml'}: ")
    return message.split(": ", 1)[1]


def test_the_shipped_config_loads_to_the_same_values():
    config = load_config(CONFIG)
    assert list(config.roles) == ["admin", "compliance_officer", "upgrader", "minter", "burner", "agent", "pauser",
                                  "token_compliance", "corporate_actions", "paying_agent", "redemption_operator",
                                  "vault_agent", "fee_recipient", "treasury"]  # fmt: skip
    assert config.roles["admin"] == "timelock" and config.roles["treasury"] == "test:0"
    assert config.governance.safe == SafePlan(None, ("test:20", "test:21", "test:22"), 2)
    assert config.governance.timelock_min_delay == 86_400
    assert (config.stablecoin, config.sequencer_feed, config.sequencer_grace_period) == ("local", "local", 3_600)
    aapl, tsla, spcx = config.tickers
    assert aapl.ticker.cusip == "037833100" and aapl.ticker.isin == "US0378331005"
    assert aapl.ticker.blocked_jurisdictions == (408, 364, 760, 192)  # KP, IR, SY, CU
    assert aapl.ticker.min_investor_class == 1 and aapl.ticker.block_us_persons is True
    assert aapl.vault == VaultPlan("local", 200, 3_600, 200, 25)
    assert (aapl.reserve_feed, aapl.initial_reserve_shares) == ("local", 1_000_000)
    # the defaults, written once in stocksuite.config.deploy
    assert tsla.vault == VaultPlan("local", 250, 3_600, 200, 25)
    assert (tsla.ticker.cusip, tsla.ticker.decimals, tsla.ticker.terms_uri, tsla.ticker.holding_cap) == ("", 18, "", 0)
    assert tsla.ticker.reserve_max_age == 24 * 3600 and tsla.ticker.blocked_jurisdictions == ()
    assert spcx.vault is None and spcx.ticker.min_investor_class == 3
    assert spcx.ticker.holding_cap == 10**21


def test_a_misspelled_policy_key_is_refused_not_ignored(tmp_path):
    message = _refused(tmp_path, "blocked_jurisdictions: [KP", "blocked_jurisdiction: [KP")
    assert message == ("tickers[0].policy.blocked_jurisdiction: unknown key; allowed: min_investor_class, "
                       "block_us_persons, holding_cap, blocked_jurisdictions")  # fmt: skip


def test_a_quoted_boolean_is_refused(tmp_path):
    message = _refused(tmp_path, "block_us_persons: true\n      blocked", 'block_us_persons: "false"\n      blocked')
    assert message == "tickers[0].policy.block_us_persons: expected true/false, got 'false' (a string)"


def test_a_fractional_fee_is_refused_not_truncated(tmp_path):
    message = _refused(tmp_path, "fee_bps: 25", "fee_bps: 25.9")
    assert message == "tickers[0].vault.fee_bps: expected a whole number, got 25.9 (a number)"


@pytest.mark.parametrize(
    ("old", "new", "path", "allowed"),
    [
        ("stablecoin: local", "stablecoin: local\nstable_coin: local", "stable_coin", "governance, roles, stablecoin"),
        ("  timelock:\n", "  timelok: 1\n  timelock:\n", "governance.timelok", "safe, timelock"),
        (
            "    threshold: 2",
            "    threshold: 2\n    treshold: 2",
            "governance.safe.treshold",
            "address, owners, threshold",
        ),
        ("    min_delay: 86400", "    min_delay: 86400\n    delay: 1", "governance.timelock.delay", "min_delay"),
        ("  treasury: test:0", "  treasury: test:0\n  auditor: test:3", "roles.auditor", "admin, compliance_officer"),
        ("    symbol: TSLAx", "    symbol: TSLAx\n    exchange: XNAS", "tickers[1].exchange", "name, symbol"),
        (
            "      fee_bps: 25",
            "      fee_bps: 25\n      fees: 1",
            "tickers[0].vault.fees",
            "price_feed, initial_price_usd",
        ),
        (
            "      holding_cap: 1000",
            "      holding_cap: 1\n      cap: 1000",
            "tickers[2].policy.cap",
            "min_investor_class, block_us_persons",
        ),
    ],
)
def test_unknown_keys_are_refused_at_every_level(tmp_path, old, new, path, allowed):
    message = _refused(tmp_path, old, new)
    assert message.startswith(f"{path}: unknown key; allowed: {allowed}")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("decimals: 18", "decimals: true", "tickers[0].decimals: expected a whole number, got True (a boolean)"),
        (
            "initial_price_usd: 200",
            "initial_price_usd: 200.5",
            "tickers[0].vault.initial_price_usd: expected a whole number, got 200.5 (a number)",
        ),
        (
            "initial_reserve_shares: 500000",
            "initial_reserve_shares: -1",
            "tickers[1].initial_reserve_shares: input should be greater than or equal to 0, got -1",
        ),
        ("  minter: test:2", "  minter: 0x1234", "roles.minter: expected a string, got 4660 (a number); quote it"),
        (
            "[KP, IR, SY, CU]",
            "[KP, NO]",
            "tickers[0].policy.blocked_jurisdictions[1]: got False (a boolean): YAML reads",
        ),
        ("[KP, IR, SY, CU]", "[KP, XX]", "tickers[0].policy.blocked_jurisdictions[1]: unknown jurisdiction 'XX'"),
        ("    symbol: TSLAx\n", "", "tickers[1]: missing key 'symbol'"),
        ("    isin: US88160R1014\n", "", "tickers[1]: give an isin or a cusip"),
        ("  - name: Tesla, Inc. tokenized stock", "  - name: ''", "tickers[1].name: must not be empty"),
        (
            "  safe:\n    owners: [test:20, test:21, test:22]\n    threshold: 2",
            "  safe: {}",
            "governance.safe: give the Safe's address, or owners and threshold to deploy one",
        ),
        ("    threshold: 2", "", "governance.safe: missing key 'threshold'"),
        ("roles:\n", "roles: []\nunused:\n", "unused: unknown key"),
        (
            "      price_feed: local            # Chainlink",
            "      price_fed: local",
            "tickers[0].vault.price_fed: unknown key; allowed: price_feed",
        ),
    ],
)
def test_bad_values_name_the_key_path_and_value(tmp_path, old, new, message):
    assert _refused(tmp_path, old, new).startswith(message)


def test_only_the_first_problem_is_shown_with_a_count(tmp_path):
    message = _refused(tmp_path, "initial_price_usd: 250", "initial_price_usd: 250.5\n      band_bps: '2'")
    assert message == "tickers[1].vault.initial_price_usd: expected a whole number, got 250.5 (a number) (and 1 more)"


def test_a_key_given_twice_is_refused_not_overridden(tmp_path):
    path = tmp_path / "suite.yaml"
    path.write_text(CONFIG.read_text().replace("      fee_bps: 25", "      fee_bps: 25\n      fee_bps: 40", 1))
    with pytest.raises(ConfigError, match=r"suite.yaml:\d+: key 'fee_bps' is given twice \(first on line \d+\)$"):
        load_config(path)


def test_an_existing_safe_is_given_by_its_address(tmp_path):
    _, config = _load_edited(tmp_path, "  safe:\n    owners: [test:20, test:21, test:22]\n    threshold: 2",
                             "  safe: '0x5afe00000000000000000000000000000000cafe'")  # fmt: skip
    assert config.governance.safe == SafePlan("0x5afe00000000000000000000000000000000cafe", (), 0)


def test_a_file_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "suite.yaml"
    path.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match=r"suite.yaml: expected a mapping with the keys governance, roles, .*a list"):
        load_config(path)
