"""Property: ERC-1404 and ERC-7943 answer exactly as the transfer hook decides."""

from __future__ import annotations

import pytest
from ape.exceptions import ContractLogicError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stocksuite.config.records import InvestorClass, InvestorRecord

JURISDICTIONS = (276, 250, 840)

party = st.fixed_dictionaries({
    "registered": st.booleans(),
    "verified": st.booleans(),
    "expires_soon": st.booleans(),
    "frozen": st.booleans(),
    "contract_account": st.booleans(),
    "us_person": st.booleans(),
    "jurisdiction": st.sampled_from(JURISDICTIONS),
    "investor_class": st.sampled_from(list(InvestorClass)),
})  # fmt: skip
policy = st.fixed_dictionaries({
    "min_class": st.integers(0, 4),
    "block_us": st.booleans(),
    "cap": st.sampled_from([0, 500, 1_200, 5_000]),
    "blocked": st.lists(st.sampled_from(JURISDICTIONS), unique=True, max_size=2),
})  # fmt: skip


def _record(p: dict, now: int) -> int:
    expiry = now + 5 if p["expires_soon"] else now + 10**8
    return InvestorRecord(p["jurisdiction"], p["investor_class"], expiry, verified=p["verified"],
                          frozen=p["frozen"], contract_account=p["contract_account"],
                          us_person=p["us_person"]).pack()  # fmt: skip


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sender=party, receiver=party, rules=policy, value=st.integers(0, 1_500),
       frozen_amount=st.sampled_from([0, 300, 1_000, 2_000]), paused=st.booleans())  # fmt: skip
def test_detect_and_can_transfer_agree_with_the_hook(
    chain, funded, registry, roles, investors, sender, receiver, rules, value, frozen_amount, paused
):
    alice, bob = investors["alice"], investors["bob"]
    with chain.isolate():
        now = chain.pending_timestamp
        for wallet, p in ((alice, sender), (bob, receiver)):
            if p["registered"]:
                registry.setInvestors([wallet.address], [_record(p, now)], sender=roles["officer"])
            else:
                registry.removeInvestors([wallet.address], sender=roles["officer"])
        funded.setPolicy(rules["min_class"], rules["block_us"], rules["cap"], rules["blocked"],
                         sender=roles["compliance"])  # fmt: skip
        funded.setFrozenTokens(alice, frozen_amount, sender=roles["agent"])
        if paused:
            funded.pause(sender=roles["pauser"])
        chain.pending_timestamp = now + 10  # "expires_soon" records are now expired
        chain.mine()

        code = funded.detectTransferRestriction(alice, bob, value)
        assert funded.canTransfer(alice, bob, value) == (code == 0)
        try:
            funded.transfer(bob, value, sender=alice)
        except ContractLogicError as err:
            assert code != 0, f"hook refused ({err}) what ERC-1404 allowed"
            inputs = getattr(err, "inputs", {})
            if "code" in inputs:
                assert inputs["code"] == code
            else:
                expected = {13: "ERC7943InsufficientUnfrozenBalance", 14: "ERC20InsufficientBalance"}[code]
                assert type(err).__name__ == expected
        else:
            assert code == 0, f"hook allowed what ERC-1404 refused with code {code}"
