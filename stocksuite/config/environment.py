"""The environment variables the tools read, as one typed model (read when asked, so a variable
set by a test or a wrapper is seen). An empty variable counts as unset.

Variables named by the user's configuration (an RPC's ``${ARBITRUM_RPC_URL}`` in
``ape-config.yaml``, ``APE_ACCOUNTS_<alias>_PASSPHRASE``) have names known only at run time:
:func:`is_set` and :func:`passphrase` read those.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from stocksuite.config.loading import ConfigError, one_line
from stocksuite.config.env import DEFAULTS, PROJECT_ROOT

Port = Annotated[int, Field(ge=1, le=65_535)]


class Environment(BaseSettings):
    """Every variable by its name; defaults (the ports, the compiler and npm folders) are
    :data:`stocksuite.config.env.DEFAULTS`, which ``make setup`` also writes into the virtualenv."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore", frozen=True)

    l2_port: Port = Field(int(DEFAULTS["L2_PORT"]), validation_alias="L2_PORT")
    """The local L2 (``arbitrum:devnet``) on 127.0.0.1."""
    fork_port: Port = Field(int(DEFAULTS["FORK_PORT"]), validation_alias="FORK_PORT")
    """The fork of the local L2 (``arbitrum:devnet-fork``)."""
    deployments: Path = Field(PROJECT_ROOT / "deployments", validation_alias="STOCKSUITE_DEPLOYMENTS")
    """The deployment records' root folder."""
    index_url: str | None = Field(None, validation_alias="STOCKSUITE_INDEX_URL")
    """The event index's store (``postgresql://...``); unset: SQLite in the records folder."""
    index_finality: str | None = Field(None, validation_alias="STOCKSUITE_INDEX_FINALITY")
    """safe, finalized, latest, a depth (12) or a tag less a depth (safe-12); unset: by chain."""
    solcx_binary_path: Path = Field(Path(DEFAULTS["SOLCX_BINARY_PATH"]), validation_alias="SOLCX_BINARY_PATH")
    """Where py-solc-x looks for ``solc-v<version>``."""
    solc: Literal["wasm"] | None = Field(None, validation_alias="STOCKSUITE_SOLC")
    """``wasm``: skip the native compiler download, use npm's solc."""
    node_modules: Path = Field(Path(DEFAULTS["NODE_MODULES"]), validation_alias="NODE_MODULES")
    """npm packages the contracts import."""
    anvil_bin: Path | None = Field(None, validation_alias="ANVIL_BIN")
    """An anvil executable; unset: npm's ``@foundry-rs/anvil``, then PATH."""
    ape_foundry_host: str | None = Field(None, validation_alias="APE_FOUNDRY_HOST")
    """ape-foundry's own override of a fork's node URL."""


def environment() -> Environment:
    """The variables as they are now; a bad one is one :class:`ConfigError` line naming it."""
    try:
        return Environment()
    except ValidationError as err:
        raise ConfigError(one_line(err, Environment, "environment")) from None


def is_set(name: str) -> bool:
    """Whether a variable named at run time (e.g. by ``ape-config.yaml``) is set."""
    return name in os.environ


def passphrase(alias: str) -> tuple[str, str | None]:
    """``APE_ACCOUNTS_<alias>_PASSPHRASE`` and its value (None: unset or empty)."""
    variable = f"APE_ACCOUNTS_{alias}_PASSPHRASE"
    return variable, os.environ.get(variable) or None
