"""No on-disk contract caches for the local Arbitrum-style L2.

ape keeps contract types, proxy info and creation receipts per address under
``~/.ape/<ecosystem>/<network>/`` for every network except ``local`` and forks. The local L2 is a
custom network (``arbitrum:devnet``), so ape treats it as live and keeps those files across
chains. A fresh local chain deploys the same addresses again (same deployer, same nonces) with
whatever the sources compile to now, and ape then *merges* the stale cached ABI into the new
one: records and the integrators' export get both versions of a function (web3 refuses such an
ABI), and calls can pick the stale one. This turns the disk cache off for the local L2, as ape
does for ``local``; the in-memory cache of each process stays.
"""

from __future__ import annotations

from typing import Any

LOCAL_NETWORKS = frozenset({("arbitrum", "devnet")})  # its -fork twin is never written by ape


def install() -> None:
    """Patch ape's cache so the local L2's networks neither read nor write the disk. Idempotent."""
    from ape.managers._contractscache import ApeDataCache

    original = ApeDataCache.__init__
    if getattr(original, "_stocksuite_local_l2", False):
        return

    def __init__(self: Any, base_data_folder: Any, ecosystem_key: str, network_key: str, *args: Any,
                 **kwargs: Any) -> None:  # fmt: skip
        original(self, base_data_folder, ecosystem_key, network_key, *args, **kwargs)
        if (ecosystem_key, network_key.removesuffix("-fork")) in LOCAL_NETWORKS:
            self._write_to_disk = False
            self._read_from_disk = False

    __init__._stocksuite_local_l2 = True  # type: ignore[attr-defined]
    ApeDataCache.__init__ = __init__  # type: ignore[method-assign]
