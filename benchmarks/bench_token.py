"""Token and registry gas: the stock token against a plain OpenZeppelin ERC-20, same run."""

from __future__ import annotations

from benchmarks import deploy_family, gas, gas_used, wallets
from stocksuite.config.records import InvestorClass, InvestorRecord
from stocksuite.deploy.suite import TickerConfig, create_token

YEAR = 365 * 24 * 3600
BENCH_TICKER = TickerConfig(name="Bench Corp tokenized stock", symbol="BNCHx", underlying_ticker="BNCH",
                            isin="US0000000001")  # fmt: skip


@gas
def plain_erc20_transfer(accounts, project) -> dict[str, int]:
    """A transfer between two accounts that both already hold the token (warm balances)."""
    owner, alice, bob = accounts[0], accounts[1], accounts[2]
    token = owner.deploy(project.PlainERC20, "Plain", "PLN", 18)
    token.mint(alice, 10**21, sender=owner)
    token.mint(bob, 10**21, sender=owner)
    return {"erc20_transfer_plain": gas_used(token.transfer(bob, 10**18, sender=alice))}


@gas
def beacon_proxied_erc20_transfer(accounts, project) -> dict[str, int]:
    """The same transfer on a plain OpenZeppelin ERC-20 behind a beacon proxy, as the stock
    tokens are: what the proxy alone costs, so the stock token's extra over it is compliance."""
    owner, alice, bob = accounts[0], accounts[1], accounts[2]
    implementation = owner.deploy(project.PlainERC20Upgradeable)
    beacon = owner.deploy(project.PlainBeacon, implementation, owner)
    proxy = owner.deploy(project.PlainBeaconProxy, beacon, implementation.initialize.encode_input("Plain", "PLN"))
    token = project.PlainERC20Upgradeable.at(proxy.address)
    token.mint(alice, 10**21, sender=owner)
    token.mint(bob, 10**21, sender=owner)
    return {"erc20_transfer_beacon_proxied": gas_used(token.transfer(bob, 10**18, sender=alice))}


def _records(n: int, expiry: int, start_id: int = 1) -> list[int]:
    return [InvestorRecord(276, InvestorClass.RETAIL, expiry, investor_id=start_id + i).pack() for i in range(n)]


@gas
def stock_token(accounts, project) -> dict[str, int]:
    """The same transfer on a stock token (beacon proxy, whitelist hook), a new holder, a mint."""
    from ape import chain

    admin, alice, bob, carol = accounts[0], accounts[1], accounts[2], accounts[3]
    registry, feed, factory, _ = deploy_family(project, admin)
    token = create_token(project, factory, BENCH_TICKER, feed.address, admin.address, admin)
    token.grantRole(token.MINTER_ROLE(), admin, sender=admin)
    expiry = chain.pending_timestamp + YEAR
    registry.setInvestors([alice.address, bob.address, carol.address], _records(3, expiry), sender=admin)
    token.mint(alice, 10**21, sender=admin)
    mint = token.mint(bob, 10**21, sender=admin)
    existing = token.transfer(bob, 10**18, sender=alice)
    new_holder = token.transfer(carol, 10**18, sender=alice)

    onboard = registry.setInvestors(wallets(100, "onboard"), _records(100, expiry, start_id=1_000), sender=admin)
    return {
        "stock_mint": gas_used(mint),
        "stock_transfer_existing": gas_used(existing),
        "stock_transfer_new": gas_used(new_holder),
        "registry_onboard_per_investor_batch100": gas_used(onboard) // 100,
    }
