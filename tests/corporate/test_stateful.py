"""Stateful property test: random transfers, mints, burns, splits, reverse splits, stock and cash
dividends (some declared with a wrong tree that pays past its funding), holders frozen and
unfrozen mid-flight, claims (also by others, before a batch) and batch payouts that skip what they
cannot pay, checked against a model after every step.

Invariants: raw balances (and so each holder's fraction of supply) never change on a split;
UI amounts are raw x multiplier / 1e18 rounded down; entitlements equal balances at the record
time; no entitlement is paid twice; each dividend pays out (net + withheld) at most its own
funding, whatever its tree says; for every dividend paid + withheld + reclaimed == funded, and
the contract holds exactly what it still owes.
"""

from __future__ import annotations

import ape
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from hypothesis.stateful import precondition

from stocksuite.deploy.suite import SHARE_FEED_DECIMALS
from stocksuite.corporate.operations import chain_now
from stocksuite.corporate.entitlements import (
    KINDS,
    CorporateActionError,
    WithholdingTable,
    compute_entitlements,
    take_snapshot,
)

TABLE = WithholdingTable(default_bps=3_000, rates={276: 1_500})
ALREADY_CLAIMED, FROZEN, FUNDING_EXCEEDED = 1, 2, 3  # ICorporateActions.SkipReason
RATIOS = {"SPLF": [(2, 1), (3, 2), (5, 1)], "SPLR": [(1, 2), (2, 3), (1, 10)], "DVSE": [(105, 100), (11, 10)]}
YEAR = 365 * 24 * 3600


@pytest.mark.slow
def test_corporate_actions_state_machine(chain, funded, actions, usd, registry, roles, investors, deployer,
                                         tax_account, reserve_feed):  # fmt: skip
    names = ["alice", "bob", "carol"]
    executed: list[str] = []  # rule names, to prove the machine really ran
    wallets = {n: investors[n] for n in names}
    officer, minter, burner, agent = roles["corporate"], roles["minter"], roles["burner"], roles["agent"]
    by_address = {w.address: n for n, w in wallets.items()}

    class Machine(RuleBasedStateMachine):
        @initialize(kind=st.sampled_from(sorted(RATIOS)), pick=st.integers(0, 2))
        def start(self, kind, pick):
            self.snapshot = chain.snapshot()
            for n in names:  # whole shares, so dividends are not all rounded away
                funded.mint(wallets[n], 100 * 10**18, sender=minter)
            self.raw = {n: funded.balanceOf(wallets[n]) for n in names}
            self.multiplier = funded.uiMultiplier()
            self.dividends: dict[int, dict] = {}
            self.frozen: set[str] = set()
            self.declare_dividend(240_000, 1)  # one open from the start: claims and batches have work
            # A multiplier change in every example, whatever the rules drawn next: which rules can
            # run depends on chain state read in preconditions, so coverage is not left to the seed.
            self.ratio_action(kind, pick)

        def teardown(self):
            chain.restore(self.snapshot)

        def _log(self, name: str) -> None:
            executed.append(name)

        def _advance(self, seconds: int = 2):
            chain.mine(timestamp=chain.blocks.head.timestamp + seconds)

        @rule(sender=st.sampled_from(names), receiver=st.sampled_from(names), share=st.integers(0, 100))
        def transfer(self, sender, receiver, share):
            if self.frozen & {sender, receiver}:  # a frozen wallet neither sends nor receives
                return
            amount = self.raw[sender] * share // 100
            funded.transfer(wallets[receiver], amount, sender=wallets[sender])
            self._log("transfer")
            self.raw[sender] -= amount
            self.raw[receiver] += amount

        @rule(receiver=st.sampled_from(names), amount=st.integers(1, 10**20))
        def mint(self, receiver, amount):
            if receiver in self.frozen:
                return
            funded.mint(wallets[receiver], amount, sender=minter)
            self._log("mint")
            self.raw[receiver] += amount

        @rule(holder=st.sampled_from(names), share=st.integers(1, 100))
        def burn(self, holder, share):
            if holder in self.frozen:
                return
            amount = self.raw[holder] * share // 100
            funded.approve(burner, amount, sender=wallets[holder])
            funded.burnFrom(wallets[holder], amount, sender=burner)
            self._log("burn")
            self.raw[holder] -= amount

        @rule(kind=st.sampled_from(sorted(RATIOS)), pick=st.integers(0, 2))
        def ratio_action(self, kind, pick):
            numerator, denominator = RATIOS[kind][pick % len(RATIOS[kind])]
            before = {n: funded.balanceOf(wallets[n]) for n in names}
            at = chain_now(chain) + 30  # later than any block this transaction can land in
            actions.announceRatio(KINDS[kind], funded, numerator, denominator, at, sender=officer)
            chain.mine(timestamp=at)
            # The custodian attests again after the change: the token refuses older answers.
            reserve_feed.postAnswer(10**12 * 10**SHARE_FEED_DECIMALS, sender=deployer)
            self.multiplier = self.multiplier * numerator // denominator
            self._log("ratio_action")
            assert {n: funded.balanceOf(wallets[n]) for n in names} == before  # raw untouched

        @rule(holder=st.sampled_from(names))
        def freeze_or_unfreeze(self, holder):
            frozen = holder not in self.frozen
            registry.setFrozen([wallets[holder].address], frozen, sender=roles["officer"])
            self._log("freeze")
            (self.frozen.add if frozen else self.frozen.discard)(holder)

        @rule(amount_per_share=st.integers(1, 5_000_000), slip=st.sampled_from([1, 1, 10]))
        def declare_dividend(self, amount_per_share, slip):
            """slip 10: the declared totals are a tenth of what the tree pays (a decimals slip)."""
            record_time = chain.blocks.head.timestamp + 1
            chain.mine(timestamp=record_time)
            self._advance(1)
            snapshot = take_snapshot(chain, funded, registry, record_time)
            # Entitlements come from the balances at the record time.
            assert snapshot.balances == {wallets[n].address: r for n, r in self.raw.items() if r > 0}
            assert snapshot.multiplier == self.multiplier
            try:
                distribution = compute_entitlements(snapshot, amount_per_share, 18, TABLE)
            except CorporateActionError:  # nobody entitled: everything burned
                assert not any(self.raw.values()) or self.multiplier * max(self.raw.values()) < 10**30
                return
            now = chain.blocks.head.timestamp
            terms = list(distribution.terms(funded.address, usd.address, amount_per_share, record_time, now + 1,
                                            now + 1_000, tax_account.address, ""))  # fmt: skip
            terms[8], terms[9] = terms[8] // slip, terms[9] // slip  # totalNet, totalWithholding
            total = terms[8] + terms[9]
            if total == 0:
                return
            usd.mint(officer, total, sender=deployer)
            usd.approve(actions, total, sender=officer)
            receipt = actions.declareDividend(tuple(terms), [276], [1_500], 3_000, [], sender=officer)
            dividend_id = receipt.events.filter(actions.DividendDeclared)[0].id
            self._log("declare_dividend")
            self.dividends[dividend_id] = {"d": distribution, "funded": total, "claimed": set(), "unclaimed": total,
                                           "reclaimed": 0, "expiry": now + 1_000}  # fmt: skip
            self._advance()

        def _open_ids(self) -> list[int]:
            now = chain.blocks.head.timestamp
            dividends = getattr(self, "dividends", {})
            return [i for i, v in dividends.items() if v["reclaimed"] == 0 and now < v["expiry"] - 5]

        def _open(self, data):
            return data.draw(st.sampled_from(self._open_ids()))

        def _expected(self, info, e) -> int:
            """0 when the model pays the entitlement (and records it), else the SkipReason."""
            if e.index in info["claimed"]:
                return ALREADY_CLAIMED
            if by_address[e.account] in self.frozen:
                return FROZEN
            if e.net + e.withholding > info["unclaimed"]:
                return FUNDING_EXCEEDED
            info["claimed"].add(e.index)
            info["unclaimed"] -= e.net + e.withholding
            return 0

        @precondition(lambda self: self._open_ids())
        @rule(data=st.data(), by_other=st.booleans(), batch=st.integers(0, 4), grief=st.booleans())
        def claim_then_batch(self, data, by_other, batch, grief):
            """A claim (by the holder, or by anyone for them), then maybe the paying agent's batch
            (with repeats; with `grief` it holds the leaf just claimed). Claims refuse what a batch
            skips: paid, frozen, past the dividend's funding."""
            dividend_id = self.touched = self._open(data)
            info = self.dividends[dividend_id]
            e = data.draw(st.sampled_from(info["d"].entitlements))
            args = (dividend_id, e.index, e.account, e.net, e.withholding, info["d"].proof(e.index))
            caller = investors["erin"] if by_other else officer
            expected = self._expected(info, e)
            if expected:
                error = {ALREADY_CLAIMED: actions.AlreadyClaimed, FROZEN: actions.ClaimantFrozen,
                         FUNDING_EXCEEDED: actions.DividendFundingExceeded}[expected]  # fmt: skip
                with ape.reverts(error):
                    actions.claim(*args, sender=caller)
                self._log(f"claim_refused_{expected}")
            else:
                actions.claim(*args, sender=caller)
                self._log("claim")
            if batch == 0:
                return
            leaves = ([e] if grief else []) + data.draw(st.lists(st.sampled_from(info["d"].entitlements),
                                                                 min_size=batch, max_size=batch))  # fmt: skip
            outcomes = [(leaf.index, self._expected(info, leaf)) for leaf in leaves]
            claims = [(x.index, x.account, x.net, x.withholding, info["d"].proof(x.index)) for x in leaves]
            receipt = actions.payBatch(dividend_id, claims, sender=agent)
            assert [x.index for x in receipt.events.filter(actions.DividendPaid)] == [i for i, r in outcomes if not r]
            skipped = [(x.index, x.reason) for x in receipt.events.filter(actions.DividendPaymentSkipped)]
            assert skipped == [(i, r) for i, r in outcomes if r]
            self._log("pay_batch")
            if skipped:
                self._log("pay_batch_skipping")

        @rule(data=st.data())
        def expire_and_reclaim(self, data):
            live = [i for i, v in self.dividends.items() if v["reclaimed"] == 0]
            if not live:
                return
            dividend_id = data.draw(st.sampled_from(live))
            info = self.dividends[dividend_id]
            if chain.blocks.head.timestamp < info["expiry"]:
                chain.mine(timestamp=info["expiry"])
            before = usd.balanceOf(officer)
            actions.reclaim(dividend_id, sender=officer)
            info["reclaimed"] = usd.balanceOf(officer) - before or -1  # -1: reclaimed nothing
            self._log("reclaim")

        @invariant()
        def raw_and_ui_amounts(self):
            if not hasattr(self, "raw"):
                return
            assert funded.uiMultiplier() == self.multiplier
            for n in names:
                raw = funded.balanceOf(wallets[n])
                assert raw == self.raw[n]
                assert funded.balanceOfUI(wallets[n]) == raw * self.multiplier // 10**18

        @invariant()
        def dividends_balance(self):
            if not hasattr(self, "dividends"):
                return
            owed = 0
            for dividend_id, info in self.dividends.items():
                state = actions.dividend(dividend_id)
                entitlements = {e.index: e for e in info["d"].entitlements}
                assert state.paid == sum(entitlements[i].net for i in info["claimed"])
                assert state.withheld == sum(entitlements[i].withholding for i in info["claimed"])
                assert state.paid + state.withheld <= state.funded  # its own funding, whatever the tree
                if dividend_id == getattr(self, "touched", None):  # no double payment: one bit per leaf
                    for e in info["d"].entitlements:
                        assert actions.isClaimed(dividend_id, e.index) == (e.index in info["claimed"])
                if info["reclaimed"]:
                    reclaimed = max(info["reclaimed"], 0)
                    assert state.paid + state.withheld + reclaimed == state.funded == info["funded"]
                else:
                    owed += state.funded - state.paid - state.remitted
            assert usd.balanceOf(actions) == owed

    Machine.TestCase.settings = settings(
        max_examples=8, stateful_step_count=15, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )  # fmt: skip
    run_state_machine_as_test(Machine, settings=Machine.TestCase.settings)
    print(f"state machine steps: {len(executed)} {sorted((n, executed.count(n)) for n in set(executed))}")
    assert len(executed) >= 20 and {"ratio_action", "declare_dividend", "claim", "freeze", "pay_batch",
                                    "pay_batch_skipping"} <= set(executed)  # fmt: skip
