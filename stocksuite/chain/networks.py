"""Is a network's RPC configured? Checked before ape connects to it.

``ape-config.yaml`` names some RPCs by environment variable (``uri: ${ARBITRUM_RPC_URL}``).
ape expands the variables it finds set and leaves the others as written, then fails only when it
connects, with its own error (and, from a checkout holding its virtualenv, a traceback):
``ConfigError ... Invalid uri: ${ARBITRUM_RPC_URL}``. :func:`require_rpc` names the variable
instead, before any connection, fork or transaction.
"""

from __future__ import annotations

import re
from typing import Any

from stocksuite.config.environment import is_set
from stocksuite.config.errors import StockSuiteError

# The settings ape's web3 providers read an RPC from (ape_ethereum.provider.Web3Provider).
RPC_KEYS = ("uri", "url", "ipc_path", "http_uri", "ws_uri")
_VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")  # as os.path.expandvars, which ape uses


class NetworkConfigError(StockSuiteError):
    """The network's RPC names an environment variable that is not set."""


def unset_rpc_variables(provider: Any) -> list[str]:
    """The unset environment variables in ``provider``'s configured RPC settings, in order."""
    if provider is None:
        return []
    settings = provider.settings
    network = provider.network
    per_network = (settings.get(network.ecosystem.name) or {}).get(network.name) or {}
    found: list[str] = []
    for source in (settings, per_network):
        for key in RPC_KEYS:
            for match in _VARIABLE.finditer(str(source.get(key) or "")):
                name = match.group(1) or match.group(2)
                if not is_set(name) and name not in found:
                    found.append(name)
    return found


def require_rpc(provider: Any) -> None:
    """Refuse a network (or the network a fork starts from) whose RPC is an unset variable."""
    network = provider.network
    choice = f"{network.ecosystem.name}:{network.name}"
    if missing := unset_rpc_variables(provider):
        what = "the RPC endpoint of the network"
    elif network.is_fork and (missing := unset_rpc_variables(_upstream_provider(network))):
        what = f"the RPC endpoint of {network.ecosystem.name}:{network.upstream_network.name}, which it forks"
    else:
        return
    raise NetworkConfigError(f"{choice} needs {' and '.join(missing)} ({what}); set it and run again")


def _upstream_provider(network: Any) -> Any:
    from ape.exceptions import NetworkError

    try:
        return network.upstream_provider
    except NetworkError:  # no provider for the upstream: ape names that itself when it connects
        return None
