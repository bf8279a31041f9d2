"""Stateful property test of the vault: random redemption and subscription requests, cancels,
partial fills at moving prices, claims and pauses, against a model.

Invariants: the vault always holds at least the stablecoin it owes (claimable proceeds +
pending subscriptions); per controller, locked + burned + returned shares == requested; a
cancel returns exactly the pending lock; nothing is claimed twice (claims beyond the claimable
revert); supply falls by exactly what fills burned.
"""

from __future__ import annotations

import ape
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.vault.conftest import SHARE, USD


@pytest.mark.slow
def test_vault_state_machine(chain, token, vault, usd, holders, fulfiller, feeds, deployer, roles, investors):
    names = ["alice", "bob"]
    wallets = {n: investors[n] for n in names}
    executed: list[str] = []

    class Machine(RuleBasedStateMachine):
        @initialize()
        def start(self):
            self.snapshot = chain.snapshot()
            self.requested = dict.fromkeys(names, 0)
            self.returned = dict.fromkeys(names, 0)
            self.burned = dict.fromkeys(names, 0)
            self.supply = token.totalSupply()
            self.price = 200 * USD
            self.paused = (False, False)

        def teardown(self):
            chain.restore(self.snapshot)

        @rule(name=st.sampled_from(names), share=st.integers(1, 100))
        def request_redeem(self, name, share):
            holder = wallets[name]
            amount = token.balanceOf(holder) * share // 100
            if amount == 0:
                return
            token.approve(vault, amount, sender=holder)
            if self.paused[0]:
                with ape.reverts(vault.RequestsPaused):
                    vault.requestRedeem(amount, holder, holder, sender=holder)
                return
            vault.requestRedeem(amount, holder, holder, sender=holder)
            self.requested[name] += amount
            executed.append("request")

        @precondition(lambda self: any(vault.pendingRedeemRequest(0, wallets[n]) > 0 for n in names))
        @rule(name=st.sampled_from(names))
        def cancel(self, name):
            holder = wallets[name]
            pending = vault.pendingRedeemRequest(0, holder)
            if pending == 0:
                return
            before = token.balanceOf(holder)
            vault.cancelRedeemRequest(holder, sender=holder)
            assert token.balanceOf(holder) - before == pending  # exactly the lock
            self.returned[name] += pending
            executed.append("cancel")

        @rule(name=st.sampled_from(names), share=st.integers(1, 100), move_bps=st.integers(-150, 150),
              claim_share=st.integers(0, 100))  # fmt: skip
        def fill(self, name, share, move_bps, claim_share):
            holder = wallets[name]
            amount = vault.pendingRedeemRequest(0, holder) * share // 100
            if amount == 0:
                return
            price = self.price * (10_000 + move_bps) // 10_000  # inside the 2% band
            if self.paused[1]:
                with ape.reverts(vault.FillsPaused):
                    vault.fulfillRedeem([(holder.address, amount)], price, sender=fulfiller)
                return
            vault.fulfillRedeem([(holder.address, amount)], price, sender=fulfiller)
            self.burned[name] += amount
            self.supply -= amount
            executed.append("fill")
            if claim_share:  # the holder claims part of what is claimable straight away
                self._claim(name, claim_share)

        @precondition(lambda self: any(vault.maxRedeem(wallets[n]) > 0 for n in names))
        @rule(name=st.sampled_from(names), share=st.integers(1, 100))
        def claim(self, name, share):
            self._claim(name, share)

        def _claim(self, name, share):
            holder = wallets[name]
            claimable = vault.maxRedeem(holder)
            amount = claimable * share // 100
            if amount == 0:
                return
            before = usd.balanceOf(holder)
            assets_expected = vault.maxWithdraw(holder) * amount // claimable
            vault.redeem(amount, holder, holder, sender=holder)
            assert usd.balanceOf(holder) - before == assets_expected
            executed.append("claim")

        @rule(name=st.sampled_from(names))
        def over_claim(self, name):
            holder = wallets[name]
            with ape.reverts(vault.ExceedsClaimable):
                vault.redeem(vault.maxRedeem(holder) + 1, holder, holder, sender=holder)

        @rule(state=st.sampled_from([(False, False)] * 3 + [(True, False), (False, True), (True, True)]))
        def pause(self, state):
            requests, fills = state
            vault.setPaused(requests, fills, sender=roles["pauser"])
            self.paused = (requests, fills)

        @invariant()
        def solvent(self):
            owed = vault.totalClaimableAssets() + vault.totalPendingDepositAssets()
            assert usd.balanceOf(vault) >= owed

        @invariant()
        def shares_accounted(self):
            if not hasattr(self, "requested"):
                return
            for name in names:
                holder = wallets[name]
                locked = vault.pendingRedeemRequest(0, holder)
                assert locked + self.burned[name] + self.returned[name] == self.requested[name]
            assert token.balanceOf(vault) == vault.totalPendingRedeemShares() + vault.totalClaimableShares()
            assert token.totalSupply() == self.supply

    run_state_machine_as_test(Machine, settings=settings(
        max_examples=40, stateful_step_count=25, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    ))  # fmt: skip
    assert len(executed) >= 40 and {"request", "fill", "claim", "cancel"} <= set(executed), executed
