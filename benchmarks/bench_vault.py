"""Redemption vault gas: a request, a fill per request in a batch of 50, a claim, an ERC-7887
cancel request (cancelRedeemRequest) and the claim of a settled cancel (claimCancelRedeemRequest)."""

from __future__ import annotations

from benchmarks import deploy_family, gas, gas_used, wallets
from stocksuite.config.records import InvestorClass, InvestorRecord
from stocksuite.deploy.suite import TickerConfig, create_token

YEAR = 365 * 24 * 3600
SHARE = 10**18
USD = 10**6


@gas
def redemption_vault(accounts, project) -> dict[str, int]:
    from ape import accounts as ape_accounts
    from ape import chain

    admin = accounts[0]
    registry, feed, factory, _ = deploy_family(project, admin)
    token = create_token(project, factory, TickerConfig(name="Vault Bench", symbol="VLTx", underlying_ticker="VLT",
                                                        isin="US0000000003"), feed.address, admin.address, admin)  # fmt: skip
    usd = admin.deploy(project.MockUSD, admin)
    price = admin.deploy(project.ManualFeed, 8, "VLT / USD", admin)
    price.postAnswer(200 * 10**8, sender=admin)
    sequencer = admin.deploy(project.ManualFeed, 0, "sequencer", admin)
    up_since = chain.blocks.head.timestamp - 7_200
    sequencer.postAnswerAt(0, up_since, up_since, sender=admin)
    vault = admin.deploy(project.RedemptionVault, token, usd, admin)
    vault.setPriceGuard(price, 3_600, 200, sequencer, 3_600, sender=admin)
    vault.setFees(50, admin, admin, sender=admin)
    vault.grantRole(vault.FULFILLER_ROLE(), admin, sender=admin)
    for role in (token.MINTER_ROLE(), token.BURNER_ROLE()):
        token.grantRole(role, vault, sender=admin)
    token.grantRole(token.MINTER_ROLE(), admin, sender=admin)

    holders = [ape_accounts.test_accounts[i] for i in range(1, 3)]
    others = wallets(49, "vault-holders")
    expiry = chain.pending_timestamp + YEAR
    everyone = [h.address for h in holders] + others + [vault.address]
    records = [InvestorRecord(276, InvestorClass.RETAIL, expiry, investor_id=i + 1,
                              contract_account=(w == vault.address)).pack() for i, w in enumerate(everyone)]  # fmt: skip
    registry.setInvestors(everyone, records, sender=admin)
    token.mintBatch([h.address for h in holders], [100 * SHARE] * 2, sender=admin)

    # 50 pending requests. The measured request is the second holder's (the vault's balance slot
    # already in use, as for every request but the first). The other 48 are controlled by their
    # own registered wallets, with tokens from holders[0].
    token.approve(vault, 10 * SHARE, sender=holders[0])
    vault.requestRedeem(10 * SHARE, holders[0], holders[0], sender=holders[0])
    token.approve(vault, 10 * SHARE, sender=holders[1])
    request = vault.requestRedeem(10 * SHARE, holders[1], holders[1], sender=holders[1])
    token.mint(holders[0], 48 * SHARE, sender=admin)
    token.approve(vault, 48 * SHARE, sender=holders[0])
    for other in others[:48]:
        vault.requestRedeem(SHARE, other, holders[0], sender=holders[0])
    usd.mint(admin, 10**7 * USD, sender=admin)
    usd.approve(vault, 2**256 - 1, sender=admin)
    fills = [(holders[0].address, 10 * SHARE), (holders[1].address, 10 * SHARE)] + [(o, SHARE) for o in others[:48]]
    fill = vault.fulfillRedeem(fills, 200 * USD, sender=admin)
    claim = vault.redeem(10 * SHARE, holders[1], holders[1], sender=holders[1])
    # The same holder requests again, asks to cancel, the operator settles, the holder pulls.
    token.approve(vault, 5 * SHARE, sender=holders[1])
    vault.requestRedeem(5 * SHARE, holders[1], holders[1], sender=holders[1])
    cancel = vault.cancelRedeemRequest(0, holders[1], sender=holders[1])
    vault.fulfillCancelRedeem([holders[1].address], sender=admin)
    claim_cancel = vault.claimCancelRedeemRequest(0, holders[1], holders[1], sender=holders[1])
    return {
        "vault_request_redeem": gas_used(request),
        "vault_fill_per_request_batch50": gas_used(fill) // 50,
        "vault_claim": gas_used(claim),
        "vault_cancel_request": gas_used(cancel),
        "vault_claim_cancel": gas_used(claim_cancel),
    }
