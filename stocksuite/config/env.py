"""Environment defaults for every Python process of the project's virtualenv.

``make setup`` writes a ``.pth`` file into the venv that calls :func:`apply_defaults` at
interpreter start, so ``ape``, ``pytest`` and ``slither`` run from ``.venv/bin`` find the
project's compiler and the local L2 ports without any shell setup. Values already in the
environment win.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

ARBITRUM_LOCAL_CHAIN_ID = 412346
"""Chain id of Arbitrum's local dev node (nitro-testnode), so tools treat us as Arbitrum."""

DEFAULTS = {
    # Where py-solc-x looks for `solc-v<version>` (see stocksuite.dev.toolchain).
    "SOLCX_BINARY_PATH": str(PROJECT_ROOT / ".solcx"),
    # The local L2 (`arbitrum:devnet`) and its fork (`arbitrum:devnet-fork`), used in ape-config.
    "L2_PORT": "8545",
    "FORK_PORT": "8546",
    # npm packages imported by the contracts (absolute: ape compiles in a temporary copy).
    "NODE_MODULES": str(PROJECT_ROOT / "node_modules"),
}


def apply_defaults() -> None:
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    node_bin = str(PROJECT_ROOT / "node_modules" / ".bin")
    path = os.environ.get("PATH", "")
    if node_bin not in path.split(os.pathsep):
        # ape-foundry's fork provider looks for `anvil` on PATH.
        os.environ["PATH"] = os.pathsep.join([path, node_bin]) if path else node_bin


def pth_line() -> str:
    """One line of Python for a ``.pth`` file: the same defaults, with no import of this package
    (``.pth`` files run in name order, possibly before the editable install is importable)."""
    node_bin = str(PROJECT_ROOT / "node_modules" / ".bin")
    return (
        f"import os; [os.environ.setdefault(k, v) for k, v in {DEFAULTS!r}.items()]; "
        f"os.environ['PATH'] = os.environ.get('PATH', '') + "
        f"('' if {node_bin!r} in os.environ.get('PATH', '') else os.pathsep + {node_bin!r})\n"
    )


def write_pth(site_packages: Path) -> Path:
    """Install :func:`pth_line` into a virtualenv's site-packages."""
    target = site_packages / "stocksuite-env.pth"
    target.write_text(pth_line())
    return target
