"""The environment the tools read: one typed model, read when asked, a bad variable one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from stocksuite.config.environment import environment, is_set, passphrase
from stocksuite.config.loading import ConfigError
from stocksuite.config.env import DEFAULTS, PROJECT_ROOT
from stocksuite.chain.index.index import Finality

VARIABLES = ("L2_PORT", "FORK_PORT", "STOCKSUITE_DEPLOYMENTS", "STOCKSUITE_INDEX_URL", "STOCKSUITE_INDEX_FINALITY",
             "SOLCX_BINARY_PATH", "STOCKSUITE_SOLC", "NODE_MODULES", "ANVIL_BIN", "APE_FOUNDRY_HOST")  # fmt: skip


@pytest.fixture
def clean(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_are_the_env_defaults(clean):
    env = environment()
    assert (env.l2_port, env.fork_port) == (int(DEFAULTS["L2_PORT"]), int(DEFAULTS["FORK_PORT"])) == (8545, 8546)
    assert env.deployments == PROJECT_ROOT / "deployments"
    assert env.solcx_binary_path == Path(DEFAULTS["SOLCX_BINARY_PATH"])
    assert env.node_modules == PROJECT_ROOT / "node_modules"
    assert (env.index_url, env.index_finality, env.solc, env.anvil_bin, env.ape_foundry_host) == (None,) * 5


def test_values_are_read_when_asked_and_empty_is_unset(clean):
    clean.setenv("L2_PORT", "9545")
    clean.setenv("STOCKSUITE_DEPLOYMENTS", "/tmp/records")
    clean.setenv("STOCKSUITE_INDEX_URL", "")
    clean.setenv("STOCKSUITE_INDEX_FINALITY", "safe-12")
    env = environment()
    assert (env.l2_port, env.deployments, env.index_url) == (9545, Path("/tmp/records"), None)
    assert Finality.default(412346) == Finality("safe", 12)  # the index reads it through the model
    clean.delenv("STOCKSUITE_INDEX_FINALITY")
    assert Finality.default(412346) == Finality("latest", 0)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("L2_PORT", "85a45", "environment: L2_PORT: expected a whole number, got '85a45' (a string)"),
        ("FORK_PORT", "70000", "environment: FORK_PORT: input should be less than or equal to 65535, got '70000'"),
        ("STOCKSUITE_SOLC", "wsam", "environment: STOCKSUITE_SOLC: input should be 'wasm', got 'wsam'"),
    ],
)
def test_a_bad_variable_is_one_line_naming_it(clean, name, value, message):
    clean.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        environment()
    assert str(info.value) == message


def test_variables_named_at_run_time(clean):
    clean.delenv("ARBITRUM_RPC_URL", raising=False)
    assert not is_set("ARBITRUM_RPC_URL")
    clean.setenv("ARBITRUM_RPC_URL", "https://arb1.example.invalid")
    assert is_set("ARBITRUM_RPC_URL")
    clean.setenv("APE_ACCOUNTS_ops_PASSPHRASE", "")
    assert passphrase("ops") == ("APE_ACCOUNTS_ops_PASSPHRASE", None)
    clean.setenv("APE_ACCOUNTS_ops_PASSPHRASE", "s3cret")
    assert passphrase("ops") == ("APE_ACCOUNTS_ops_PASSPHRASE", "s3cret")
