"""Stateful property test of the vault: random redemption and subscription requests, ERC-7887
asynchronous cancels and their settlement, partial fills at moving prices, claims, pauses,
freezes and unfreezes of controllers mid-flight, and the agent's seizures, against a model.

Invariants: the vault holds at least the stablecoin it owes (claimable proceeds + pending
subscriptions + claimable cancelled subscriptions); the tokens it holds are exactly pending
redemptions + claimable cancelled redemptions + unclaimed subscribed shares; per controller,
locked (pending + cancelled, unclaimed) + burned + returned == requested, and the same for
subscription money; nothing is paid twice (paid + claimable == net filled, claims beyond the
claimable revert); supply falls by exactly what fills burned and rises by what they minted.
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

from tests.conftest import kyc_record
from tests.vault.conftest import SHARE, USD


@pytest.mark.slow
def test_vault_state_machine(chain, token, vault, usd, holders, fulfiller, feeds, deployer, roles, investors,
                             registry, accounts, vault_agent):  # fmt: skip
    issuer = accounts[15]  # the issuer's wallet seizures go to
    registry.setInvestors([issuer.address], [kyc_record(chain, investor_id=999)], sender=roles["officer"])
    wallets = {"alice": investors["alice"], "bob": investors["bob"], "issuer": issuer}
    names = list(wallets)
    holders_ = ["alice", "bob"]
    for name in holders_:
        usd.mint(wallets[name], 1_000_000 * USD, sender=deployer)
        usd.approve(vault, 2**256 - 1, sender=wallets[name])
    executed: list[str] = []

    class Machine(RuleBasedStateMachine):
        @initialize(share=st.integers(1, 100), subscribe=st.booleans(), then=st.sampled_from([2, 1, 0]))
        def start(self, share, subscribe, then):
            self.snapshot = chain.snapshot()
            self.requested = dict.fromkeys(names, 0)  # shares locked by requests (moved by seizures)
            self.returned = dict.fromkeys(names, 0)  # shares given back by cancel claims
            self.burned = dict.fromkeys(names, 0)
            self.deposited = dict.fromkeys(names, 0)  # subscription money locked (moved by seizures)
            self.deposit_filled = dict.fromkeys(names, 0)
            self.deposit_returned = dict.fromkeys(names, 0)
            self.net_filled = 0  # redemption proceeds made claimable
            self.paid = 0  # redemption proceeds claimed
            self.supply = token.totalSupply()
            self.price = 200 * USD
            self.paused = (False, False)
            self.frozen = set()
            # Every example opens with a request and its asynchronous cancel (settled and claimed
            # as `then` says) and a seizure: which rules run next depends on chain state read in
            # preconditions, so these paths are not left to the seed.
            self.request("alice", share, subscribe)
            if self._cancellable("alice"):
                self.cancel("alice", False, then)
            self.request("bob", share, not subscribe)
            self.seize("bob")

        def teardown(self):
            chain.restore(self.snapshot)

        def _locked(self, name):
            holder = wallets[name]
            return vault.pendingRedeemRequest(0, holder) + vault.claimableCancelRedeemRequest(0, holder)

        def _locked_money(self, name):
            holder = wallets[name]
            return vault.pendingDepositRequest(0, holder) + vault.claimableCancelDepositRequest(0, holder)

        @rule(name=st.sampled_from(holders_), share=st.integers(1, 100), subscribe=st.booleans())
        def request(self, name, share, subscribe):
            holder = wallets[name]
            if subscribe:
                amount, call, flag = 50 * USD * share, vault.requestDeposit, vault.pendingCancelDepositRequest
            else:
                amount, call, flag = token.balanceOf(holder) * share // 100, vault.requestRedeem, \
                    vault.pendingCancelRedeemRequest  # fmt: skip
                token.approve(vault, amount, sender=holder)
            if amount == 0:
                return
            expected = (vault.RequestsPaused if self.paused[0] else vault.ControllerRestricted if name in self.frozen
                        else vault.CancelPending if flag(0, holder) else None)  # fmt: skip
            if expected is not None:
                with ape.reverts(expected):
                    call(amount, holder, holder, sender=holder)
                return
            call(amount, holder, holder, sender=holder)
            if subscribe:
                self.deposited[name] += amount
            else:
                self.requested[name] += amount
            executed.append("request")

        def _cancellable(self, name):
            """The sides (True: redemption) with something pending and no cancel waiting."""
            holder = wallets[name]
            return [redeem for redeem, pending, flag in (
                (True, vault.pendingRedeemRequest(0, holder), vault.pendingCancelRedeemRequest(0, holder)),
                (False, vault.pendingDepositRequest(0, holder), vault.pendingCancelDepositRequest(0, holder)))
                if pending and not flag]  # fmt: skip

        @precondition(lambda self: any(self._cancellable(n) for n in names))
        @rule(name=st.sampled_from(names), second=st.booleans(), then=st.sampled_from([2, 1, 0]))
        def cancel(self, name, second, then):
            """A cancel request; ``then`` 1: the operator settles right away, 2: and the holder claims."""
            holder = wallets[name]
            sides = self._cancellable(name)
            if not sides:  # a refused cancel: nothing pending, or one already waiting
                redeem = second
                flag = (vault.pendingCancelRedeemRequest if redeem else vault.pendingCancelDepositRequest)(0, holder)
                expected = (vault.ControllerRestricted if name in self.frozen else vault.CancelPending if flag
                            else vault.NothingToCancel)  # fmt: skip
                with ape.reverts(expected):
                    (vault.cancelRedeemRequest if redeem else vault.cancelDepositRequest)(0, holder, sender=holder)
                return
            redeem = sides[-1] if second else sides[0]
            call = vault.cancelRedeemRequest if redeem else vault.cancelDepositRequest
            if name in self.frozen:
                with ape.reverts(vault.ControllerRestricted):
                    call(0, holder, sender=holder)
                return
            call(0, holder, sender=holder)  # nothing comes back yet: the cancel is only Pending
            assert (vault.pendingCancelRedeemRequest if redeem else vault.pendingCancelDepositRequest)(0, holder)
            executed.append("cancel")
            if then:
                self.settle_cancels()
            if then == 2:
                self.claim_cancel(name)

        @precondition(lambda self: any(vault.pendingCancelRedeemRequest(0, w) or vault.pendingCancelDepositRequest(0, w)
                                       for w in wallets.values()))  # fmt: skip
        @rule()
        def settle_cancels(self):
            everyone = [w.address for w in wallets.values()]
            vault.fulfillCancelRedeem(everyone, sender=fulfiller)
            vault.fulfillCancelDeposit(everyone, sender=fulfiller)
            for holder in wallets.values():
                assert not vault.pendingCancelRedeemRequest(0, holder)
                assert not vault.pendingCancelDepositRequest(0, holder)
            executed.append("settle")

        @precondition(lambda self: any(vault.claimableCancelRedeemRequest(0, w) or vault.claimableCancelDepositRequest(0, w)
                                       for w in wallets.values()))  # fmt: skip
        @rule(name=st.sampled_from(names))
        def claim_cancel(self, name):
            holder = wallets[name]
            shares, assets = (
                vault.claimableCancelRedeemRequest(0, holder),
                vault.claimableCancelDepositRequest(0, holder),
            )
            if name in self.frozen:  # refused before anything else
                with ape.reverts(vault.ControllerRestricted):
                    vault.claimCancelRedeemRequest(0, holder, holder, sender=holder)
                return
            for amount, call, returned in ((shares, vault.claimCancelRedeemRequest, self.returned),
                                           (assets, vault.claimCancelDepositRequest, self.deposit_returned)):  # fmt: skip
                if amount == 0:
                    with ape.reverts(vault.NothingToClaim):
                        call(0, holder, holder, sender=holder)
                    continue
                call(0, holder, holder, sender=holder)
                returned[name] += amount
                executed.append("claim_cancel")

        def _pending(self, name, subscribe):
            holder = wallets[name]
            return vault.pendingDepositRequest(0, holder) if subscribe else vault.pendingRedeemRequest(0, holder)

        @precondition(lambda self: any(self._pending(n, False) or self._pending(n, True) for n in names))
        @rule(pick=st.integers(0, 5), share=st.integers(1, 120), move_bps=st.integers(-150, 150),
              claim_share=st.integers(0, 100), other=st.booleans())  # fmt: skip
        def fill(self, pick, share, move_bps, claim_share, other):
            """A fill for a controller with something pending (or, with ``other``, one with nothing)."""
            candidates = [(n, sub) for n in names for sub in (False, True) if bool(self._pending(n, sub)) != other]
            if not candidates:
                return
            name, subscribe = candidates[pick % len(candidates)]
            holder = wallets[name]
            pending = self._pending(name, subscribe)
            amount = max(pending * share // 100, 1)  # above 100: more than pending, filled to what is there
            price = self.price * (10_000 + move_bps) // 10_000  # inside the 2% band
            call = vault.fulfillDeposit if subscribe else vault.fulfillRedeem
            if self.paused[1]:
                with ape.reverts(vault.FillsPaused):
                    call([(holder.address, amount)], price, sender=fulfiller)
                return
            receipt = call([(holder.address, amount)], price, sender=fulfiller)  # never reverts for the holder's state
            filled = min(amount, pending) if name not in self.frozen else 0
            if not subscribe and token.toUIAmount(filled) * price // SHARE == 0:
                filled = 0  # proceeds that round to $0 are not filled: the shares stay pending
            if filled < amount:
                event = receipt.events.filter(vault.FillShortfall)[0]
                assert (event.requested, event.filled) == (amount, filled)
            if filled == 0:
                return
            if subscribe:
                self.deposit_filled[name] += filled
                self.supply += receipt.events.filter(vault.DepositFulfilled)[0].shares
            else:
                self.burned[name] += filled
                self.supply -= filled
                self.net_filled += receipt.events.filter(vault.RedeemFulfilled)[0].assets
            executed.append("fill")
            if claim_share and not subscribe:  # the holder claims part of what is claimable straight away
                self._claim(name, claim_share)

        @precondition(lambda self: any(vault.maxRedeem(wallets[n]) > 0 for n in names))
        @rule(name=st.sampled_from(names), share=st.integers(1, 100))
        def claim(self, name, share):
            self._claim(name, share)

        def _claim(self, name, share, subscribe=False):
            holder = wallets[name]
            claimable = (vault.maxDeposit if subscribe else vault.maxRedeem)(holder)
            amount = claimable * share // 100
            if amount == 0:
                return
            call = vault.deposit if subscribe else vault.redeem
            if name in self.frozen:
                with ape.reverts(vault.ControllerRestricted):
                    call(amount, holder, holder, sender=holder)
                return
            received, counterpart = (token, vault.maxMint) if subscribe else (usd, vault.maxWithdraw)
            before, expected = received.balanceOf(holder), counterpart(holder) * amount // claimable
            call(amount, holder, holder, sender=holder)
            assert received.balanceOf(holder) - before == expected
            if not subscribe:
                self.paid += expected
            executed.append("claim_subscription" if subscribe else "claim")

        @rule(name=st.sampled_from(names), share=st.integers(1, 100))
        def claim_subscription(self, name, share):
            self._claim(name, share, subscribe=True)

        @rule(name=st.sampled_from(names))
        def over_claim(self, name):
            holder = wallets[name]
            with ape.reverts(vault.ExceedsClaimable):
                vault.redeem(vault.maxRedeem(holder) + 1, holder, holder, sender=holder)

        @rule(name=st.sampled_from(holders_))
        def freeze_or_unfreeze(self, name):
            frozen = name not in self.frozen
            registry.setFrozen([wallets[name].address], frozen, sender=roles["officer"])
            (self.frozen.add if frozen else self.frozen.discard)(name)
            executed.append("freeze" if frozen else "unfreeze")

        @rule(name=st.sampled_from(holders_))
        def seize(self, name):
            holder = wallets[name]
            moved = (self._locked(name), self._locked_money(name))
            if not any(vault.pendingRedeemRequest(0, holder) or vault.maxRedeem(holder) or vault.maxDeposit(holder)
                       or x for x in moved):  # fmt: skip
                with ape.reverts(vault.EmptyPosition):
                    vault.seizePosition(holder, issuer, "court order", sender=vault_agent)
                return
            vault.seizePosition(holder, issuer, "court order", sender=vault_agent)
            self.requested[name] -= moved[0]
            self.requested["issuer"] += moved[0]
            self.deposited[name] -= moved[1]
            self.deposited["issuer"] += moved[1]
            assert self._locked(name) == 0 and self._locked_money(name) == 0
            executed.append("seize")

        @rule(state=st.sampled_from([(False, False)] * 3 + [(True, False), (False, True), (True, True)]))
        def pause(self, state):
            requests, fills = state
            vault.setPaused(requests, fills, sender=roles["pauser"])
            self.paused = (requests, fills)

        @invariant()
        def solvent(self):
            owed = (vault.totalClaimableAssets() + vault.totalPendingDepositAssets()
                    + vault.totalClaimableCancelDepositAssets())  # fmt: skip
            assert usd.balanceOf(vault) >= owed

        @invariant()
        def shares_and_money_accounted(self):
            if not hasattr(self, "requested"):
                return
            for name in names:
                assert self._locked(name) + self.burned[name] + self.returned[name] == self.requested[name], name
                money = self._locked_money(name) + self.deposit_filled[name] + self.deposit_returned[name]
                assert money == self.deposited[name], name
            assert token.balanceOf(vault) == (vault.totalPendingRedeemShares() + vault.totalClaimableCancelRedeemShares()
                                              + vault.totalClaimableShares())  # fmt: skip
            assert token.totalSupply() == self.supply
            assert self.paid + vault.totalClaimableAssets() == self.net_filled  # nothing paid twice

    run_state_machine_as_test(Machine, settings=settings(
        max_examples=6, stateful_step_count=20, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    ))  # fmt: skip
    wanted = {"request", "cancel", "settle", "claim_cancel", "seize", "fill", "claim", "freeze"}
    assert len(executed) >= 40 and wanted <= set(executed), sorted(set(executed))
