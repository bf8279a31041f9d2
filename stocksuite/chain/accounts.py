"""Which account signs: an ape keyfile alias on real networks, ``test:N`` on the local L2."""

from __future__ import annotations

import sys
from typing import Any

from stocksuite.config.environment import passphrase as passphrase_variable
from stocksuite.config.errors import StockSuiteError

ZERO_ADDRESS = "0x" + "00" * 20
"""The zero address: ERC-20's `from` of a mint and `to` of a burn, and Safe's 'none'."""
from stocksuite.config.env import ARBITRUM_LOCAL_CHAIN_ID


class AccountError(StockSuiteError):
    """No usable signer."""


def is_local_chain(chain_id: int) -> bool:
    return chain_id in (ARBITRUM_LOCAL_CHAIN_ID, 31337, 1337)


def resolve_address(value: str, chain_id: int) -> str:
    """An address from config: ``0x...`` or, on the local L2 only, ``test:N``."""
    text = str(value).strip()
    if text.lower().startswith("test:"):
        return resolve_account(text, chain_id).address
    from eth_utils import is_address, to_checksum_address

    if not is_address(text):
        raise AccountError(f"{value!r} is not an address (or test:N on the local L2)")
    return to_checksum_address(text)


def resolve_account(alias: str | None, chain_id: int, default_test_index: int = 0) -> Any:
    """The signer for ``alias``: ``test:N`` (local only), an ape keyfile alias, or the local default.

    A keyfile account is unlocked before anything is sent: with ``APE_ACCOUNTS_<alias>_PASSPHRASE``
    (ape's own variable) for automation, which also lets it sign without a prompt per
    transaction; else by ape's prompt on a terminal. Without either, one clear error. The
    passphrase and the key are never logged.
    """
    from ape import accounts

    if alias is None:
        if is_local_chain(chain_id):
            return accounts.test_accounts[default_test_index]
        raise AccountError("no signer: pass --account <ape account alias> (see `ape accounts list`).")
    if alias.lower().startswith("test:"):
        if not is_local_chain(chain_id):
            raise AccountError(f"{alias} is a local test account; chain {chain_id} is not the local L2.")
        index = alias.split(":", 1)[1]
        if not index.isdigit() or int(index) >= len(accounts.test_accounts):
            raise AccountError(f"{alias}: no such test account (0..{len(accounts.test_accounts) - 1}).")
        return accounts.test_accounts[int(index)]
    account = _keyfile(alias)
    _unlock(account, alias)
    return account


def account_address(alias: str | None, chain_id: int) -> str:
    """The address ``alias`` signs with, without unlocking anything (keyfiles store it)."""
    if alias is None or alias.lower().startswith("test:"):
        return resolve_account(alias, chain_id).address
    return _keyfile(alias).address


def _keyfile(alias: str) -> Any:
    from ape import accounts

    try:
        return accounts.load(alias)
    except Exception as err:  # ape raises its own error types per plugin
        raise AccountError(f"no ape account named {alias!r}: create it with `ape accounts import {alias}`.") from err


def _unlock(account: Any, alias: str) -> None:
    if not hasattr(account, "set_autosign"):
        return  # not a keyfile (a hardware wallet plugin asks on its device)
    variable, passphrase = passphrase_variable(alias)
    if passphrase:
        try:
            account.set_autosign(True, passphrase=passphrase)
        except Exception as err:  # eth-keyfile raises ValueError, ape its own InvalidPasswordError
            raise AccountError(f"{variable} does not unlock account {alias!r} (wrong passphrase?).") from err
    elif not sys.stdin.isatty():
        raise AccountError(f"account {alias!r} is locked and there is no terminal to ask for its passphrase: "
                           f"set {variable} (from your secret store), or run interactively.")  # fmt: skip
