"""ape plugin of this project: providers for the local Arbitrum-style L2's networks.

ape gives a custom network from ``ape-config.yaml`` only its configured default provider
(``node``) and gives its ``-fork`` twin none. Registering ape-foundry's providers here makes
``arbitrum:devnet:foundry`` (the test suite, with ``APE_FOUNDRY_HOST``) and
``arbitrum:devnet-fork`` (fork rehearsals: ape-foundry attaches to ``make fork`` on
``$FORK_PORT`` or starts a fork of ``arbitrum:devnet`` there itself) available.
ape loads this module because the distribution is named ``ape-stocksuite``. It also turns off
ape's on-disk contract caches for the local L2, whose addresses repeat across chains (see
``_cache``).
"""

from ape import plugins

from ape_stocksuite._cache import install as _no_disk_cache_for_the_local_l2

_no_disk_cache_for_the_local_l2()


@plugins.register(plugins.ProviderPlugin)
def providers():
    from ape_foundry.provider import FoundryForkProvider, FoundryProvider

    yield "arbitrum", "devnet", FoundryProvider
    yield "arbitrum", "devnet-fork", FoundryForkProvider
