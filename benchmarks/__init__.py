"""Benchmarks: gas from transaction receipts (``gas.json``), runtime code sizes on chain
(``sizes.json``) and wall time (``timing.json``).

Each module here defines functions decorated with :func:`gas`, :func:`size` or :func:`timing`;
``make bench`` (``python -m benchmarks``) runs them all on a private local L2 and rewrites the files.
Gas targets are read by review and release checks from these files, never asserted in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

GAS: dict[str, Callable[..., dict[str, int]]] = {}
TIMING: dict[str, Callable[..., dict[str, float]]] = {}
SIZES: dict[str, Callable[..., dict[str, int]]] = {}


def gas(fn: Callable[..., dict[str, int]]) -> Callable[..., dict[str, int]]:
    """Register a function returning ``{figure name: gas used}`` from receipts."""
    GAS[f"{fn.__module__}.{fn.__name__}"] = fn
    return fn


def size(fn: Callable[..., dict[str, int]]) -> Callable[..., dict[str, int]]:
    """Register a function returning ``{contract name: runtime bytecode bytes}``."""
    SIZES[f"{fn.__module__}.{fn.__name__}"] = fn
    return fn


def timing(fn: Callable[..., dict[str, float]]) -> Callable[..., dict[str, float]]:
    """Register a function returning ``{figure name: seconds}``."""
    TIMING[f"{fn.__module__}.{fn.__name__}"] = fn
    return fn


def gas_used(receipt: Any) -> int:
    return int(receipt.gas_used)


def wallets(count: int, salt: str) -> list[str]:
    """Reproducible addresses (gas depends on calldata bytes, so snapshots must not be random)."""
    from eth_account import Account
    from eth_utils import keccak

    return [Account.from_key(keccak(text=f"{salt}:{i}")).address for i in range(count)]


def deploy_family(project: Any, admin: Any) -> tuple[Any, Any, Any, Any]:
    """Registry, a reserve feed with ample shares, the token factory and corporate actions, all
    administered (and operated) by `admin`, for benchmarks that measure one thing each."""
    from stocksuite.deploy.suite import (
        SHARE_FEED_DECIMALS,
        deploy_corporate_actions,
        deploy_registry,
        deploy_token_family,
    )

    registry = deploy_registry(project, admin, admin.address)
    registry.grantRole(registry.COMPLIANCE_OFFICER_ROLE(), admin, sender=admin)
    feed = admin.deploy(project.ManualFeed, SHARE_FEED_DECIMALS, "shares in custody", admin)
    feed.postAnswer(10**12 * 10**SHARE_FEED_DECIMALS, sender=admin)
    _, factory = deploy_token_family(project, admin, registry.address, admin.address)
    factory.grantRole(factory.TOKEN_DEPLOYER_ROLE(), admin, sender=admin)
    actions = deploy_corporate_actions(project, admin, registry.address, admin.address)
    actions.grantRole(actions.ACTIONS_OFFICER_ROLE(), admin, sender=admin)
    return registry, feed, factory, actions
