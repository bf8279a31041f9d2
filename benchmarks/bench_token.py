"""Token transfer gas: the plain OpenZeppelin ERC-20 baseline, measured in the same run."""

from __future__ import annotations

from benchmarks import gas, gas_used


@gas
def plain_erc20_transfer(accounts, project) -> dict[str, int]:
    """A transfer between two accounts that both already hold the token (warm balances)."""
    owner, alice, bob = accounts[0], accounts[1], accounts[2]
    token = owner.deploy(project.PlainERC20, "Plain", "PLN", 18)
    token.mint(alice, 10**21, sender=owner)
    token.mint(bob, 10**21, sender=owner)
    return {"erc20_transfer_plain": gas_used(token.transfer(bob, 10**18, sender=alice))}
