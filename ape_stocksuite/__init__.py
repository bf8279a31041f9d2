"""ape plugin of this project: providers for the local Arbitrum-style L2's networks.

ape gives a custom network from ``ape-config.yaml`` only its configured default provider
(``node``) and gives its ``-fork`` twin none. Registering ape-foundry's providers here makes
``arbitrum:devnet:foundry`` (the test suite, with ``APE_FOUNDRY_HOST``) and
``arbitrum:devnet-fork`` (fork rehearsals: ape-foundry attaches to ``make fork`` on
``$FORK_PORT`` or starts a fork of ``arbitrum:devnet`` there itself) available.
ape loads this module because the distribution is named ``ape-stocksuite``.
"""

from ape import plugins


@plugins.register(plugins.ProviderPlugin)
def providers():
    from ape_foundry.provider import FoundryForkProvider, FoundryProvider

    yield "arbitrum", "devnet", FoundryProvider
    yield "arbitrum", "devnet-fork", FoundryForkProvider
