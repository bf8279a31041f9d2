"""Corporate actions gas: a split at 10 and at 5,000 holders (equal), dividend declare and claim."""

from __future__ import annotations

from benchmarks import deploy_family, gas, gas_used, wallets
from stocksuite.corporate.entitlements import KINDS, WithholdingTable, compute_entitlements, take_snapshot
from stocksuite.config.records import InvestorClass, InvestorRecord
from stocksuite.deploy.suite import TickerConfig, create_token

YEAR = 365 * 24 * 3600
DAY = 24 * 3600


def _ticker_with_holders(project, admin, registry, feed, factory, actions, symbol: str, holders: int):
    from ape import chain

    token = create_token(project, factory, TickerConfig(name=symbol, symbol=symbol, underlying_ticker=symbol,
                                                        isin="US0000000002"), feed.address, admin.address, admin)  # fmt: skip
    token.grantRole(token.MINTER_ROLE(), admin, sender=admin)
    token.grantRole(token.CORPORATE_ACTIONS_ROLE(), actions, sender=admin)
    expiry = chain.pending_timestamp + YEAR
    holder_wallets = wallets(holders, f"{symbol}-holders")
    for i in range(0, holders, 250):
        batch = holder_wallets[i : i + 250]
        records = [InvestorRecord(276, InvestorClass.RETAIL, expiry, investor_id=i + j + 1).pack()
                   for j in range(len(batch))]  # fmt: skip
        registry.setInvestors(batch, records, sender=admin)
        token.mintBatch(batch, [10**18] * len(batch), sender=admin)
    return token, holder_wallets


@gas
def splits_and_dividends(accounts, project) -> dict[str, int]:
    from ape import chain

    admin, tax = accounts[0], accounts[1]
    registry, feed, factory, actions = deploy_family(project, admin)
    figures = {}
    for holders in (10, 5_000):
        token, _ = _ticker_with_holders(project, admin, registry, feed, factory, actions, f"H{holders}", holders)
        receipt = actions.announceRatio(KINDS["SPLF"], token, 3, 1, chain.blocks.head.timestamp + DAY, sender=admin)
        figures[f"split_{holders}_holders"] = gas_used(receipt)

    # A cash dividend over the 10-holder ticker's twin with fresh holders.
    token, _ = _ticker_with_holders(project, admin, registry, feed, factory, actions, "DIV", 10)
    usd = admin.deploy(project.MockUSD, admin)
    record_time = chain.blocks.head.timestamp + 1
    chain.mine(timestamp=record_time)
    chain.mine(timestamp=record_time + 1)
    distribution = compute_entitlements(take_snapshot(chain, token, registry, record_time), 240_000, 18,
                                        WithholdingTable(3_000, {276: 1_500}))  # fmt: skip
    total = distribution.total_net + distribution.total_withholding
    usd.mint(admin, total, sender=admin)
    usd.approve(actions, total, sender=admin)
    now = chain.blocks.head.timestamp
    terms = distribution.terms(
        token.address, usd.address, 240_000, record_time, now + 10, now + YEAR, tax.address, "ipfs://bench"
    )
    declare = actions.declareDividend(terms, [276], [1_500], 3_000, [], sender=admin)
    dividend_id = declare.events.filter(actions.DividendDeclared)[0].id
    chain.mine(timestamp=now + 11)
    claims = []
    for e in distribution.entitlements[:2]:  # the second claim is the typical one (bitmap word in use)
        claims.append(actions.claim(dividend_id, e.index, e.account, e.net, e.withholding,
                                    distribution.proof(e.index), sender=admin))  # fmt: skip
    figures["dividend_declare"] = gas_used(declare)
    figures["dividend_claim"] = gas_used(claims[1])
    figures["dividend_claim_first"] = gas_used(claims[0])
    return figures
