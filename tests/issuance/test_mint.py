"""Minting through the issuance use case: exact shares, the token's own refusal, nothing sent on bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stocksuite.config.units import AmountError
from stocksuite.issuance.mint import IssuanceError, mint, plan_mint


def test_exact_shares_are_minted_at_the_multiplier_in_force(token, roles, investors):
    alice = investors["alice"].address
    before = token.balanceOf(alice)
    plan = plan_mint(token, alice, "1.5")
    assert plan.shares == Decimal("1.5") and plan.ui_amount == 15 * 10**17
    assert plan.raw == token.fromUIAmount(15 * 10**17)
    balance = mint(token, plan, sender=roles["minter"])
    assert token.balanceOf(alice) == before + plan.raw
    assert balance == Decimal(token.balanceOfUI(alice)) / 10**18


@pytest.mark.parametrize("shares", ["1e3", "nan", "-2", "0", "0.0000000000000000001"])
def test_a_bad_amount_is_refused_before_anything_is_sent(token, investors, shares):
    supply = token.totalSupply()
    with pytest.raises(AmountError):
        plan_mint(token, investors["alice"].address, shares)
    assert token.totalSupply() == supply


def test_a_receiver_the_rules_refuse_is_named_with_the_tokens_message(token, outsider):
    supply = token.totalSupply()
    with pytest.raises(IssuanceError, match=f"{outsider.address} cannot receive AAPLx: ") as refused:
        plan_mint(token, outsider.address, "1")
    code = token.detectTransferRestriction("0x" + "00" * 20, outsider.address, 1)
    assert str(refused.value).endswith(token.messageForTransferRestriction(code))
    assert token.totalSupply() == supply
