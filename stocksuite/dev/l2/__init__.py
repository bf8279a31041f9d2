"""The local Arbitrum-style L2: anvil with Arbitrum's chain id and mock precompiles."""

from stocksuite.dev.l2.node import (
    ARB_GAS_INFO,
    ARB_SYS,
    ARBITRUM_LOCAL_CHAIN_ID,
    LocalL2,
    advance_time,
    chain_id_at,
    free_port,
    install_precompiles,
    rpc,
)

__all__ = [
    "ARB_GAS_INFO",
    "ARB_SYS",
    "ARBITRUM_LOCAL_CHAIN_ID",
    "LocalL2",
    "advance_time",
    "chain_id_at",
    "free_port",
    "install_precompiles",
    "rpc",
]
