"""Benchmarks: gas from transaction receipts (``gas.json``) and wall time (``timing.json``).

Each module here defines functions decorated with :func:`gas` or :func:`timing`; ``make bench``
(``python -m benchmarks``) runs them all on a private local L2 and rewrites both files.
Gas targets are read by review and release checks from these files, never asserted in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

GAS: dict[str, Callable[..., dict[str, int]]] = {}
TIMING: dict[str, Callable[..., dict[str, float]]] = {}


def gas(fn: Callable[..., dict[str, int]]) -> Callable[..., dict[str, int]]:
    """Register a function returning ``{figure name: gas used}`` from receipts."""
    GAS[f"{fn.__module__}.{fn.__name__}"] = fn
    return fn


def timing(fn: Callable[..., dict[str, float]]) -> Callable[..., dict[str, float]]:
    """Register a function returning ``{figure name: seconds}``."""
    TIMING[f"{fn.__module__}.{fn.__name__}"] = fn
    return fn


def gas_used(receipt: Any) -> int:
    return int(receipt.gas_used)
