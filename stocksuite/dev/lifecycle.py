"""The issuance lifecycle on the local L2, as `make demo` shows it to a new user.

Every step calls the same package functions the operator scripts use; nothing here is a
shortcut. Raw and UI (share) amounts are always printed side by side, labelled.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stocksuite.corporate.entitlements import WithholdingTable
from stocksuite.corporate.operations import Context, announce_ratio, chain_now, declare_dividend, pay_unclaimed
from stocksuite.deploy.deployer import SuiteDeployer, load_config, write_export
from stocksuite.chain.deployments import Deployments
from stocksuite.governance.proposals import governance_contracts
from stocksuite.dev.local_feeds import post_reserve
from stocksuite.redemption.vault import claim_all, read_executions, reconcile, request_redeem
from stocksuite.redemption.vault import fill as fill_executions
from stocksuite.chain.register import rebuild_registry
from stocksuite.deploy.suite import SHARE_FEED_DECIMALS
from stocksuite.dev.toolchain import PROJECT_ROOT
from stocksuite.compliance.whitelist import apply_plan, plan_sync, read_csv

CONFIG = PROJECT_ROOT / "config" / "tickers.yaml"
INVESTORS = PROJECT_ROOT / "config" / "investors.sample.csv"
WITHHOLDING = WithholdingTable(default_bps=3_000, rates={276: 1_500, 250: 1_500})
SHARE = 10**18
USD = 10**6


@dataclass
class Step:
    title: str
    lines: list[str] = field(default_factory=list)


def attested_shares(token: Any) -> int:
    """Shares the reserve feed attests, or 0 when the token refuses its answer (older than
    `reserve_max_age`, or than a split in force): then the custodian posts a fresh one."""
    from ape.exceptions import ContractLogicError

    try:
        return int(token.reserveShares())
    except ContractLogicError:
        return 0


def shares(token: Any, raw: int) -> str:
    return f"{token.toUIAmount(raw) / SHARE:,.4f} shares ({raw / SHARE:,.4f} raw)"


def run_lifecycle(project: Any, chain: Any, network_choice: str, accounts: list[Any],
                  report: Callable[[Step], None]) -> None:  # fmt: skip
    """Deploy, onboard, issue, trade, split, pay a dividend, redeem; report each step."""
    deployer, officer, minter = accounts[0], accounts[1], accounts[2]
    corporate, paying_agent, operator = accounts[7], accounts[9], accounts[17]
    alice, bob, us_investor, stranger = accounts[10], accounts[11], accounts[14], accounts[19]

    records = Deployments.open(network_choice, chain.chain_id)
    deployer_report = SuiteDeployer(project, chain, records, deployer, log=lambda _: None).deploy(load_config(CONFIG))
    export = write_export(records, network_choice)  # what `ape run deploy` leaves for integrators
    ctx = Context(project, chain, records)
    aapl = ctx.token("AAPLx")
    step = Step("1. Deploy the suite (config/tickers.yaml)")
    folder = records.folder
    shown = folder.relative_to(PROJECT_ROOT) if folder.is_relative_to(PROJECT_ROOT) else folder
    step.lines.append(f"{len(deployer_report.deployed)} contracts deployed, {len(deployer_report.reused)} reused, "
                      f"records in {shown}/")  # fmt: skip
    shown_export = export.relative_to(PROJECT_ROOT) if export.is_relative_to(PROJECT_ROOT) else export
    step.lines.append(f"export for integrators (addresses and ABIs): {shown_export}")
    for symbol in ("AAPLx", "TSLAx", "SPCXx"):
        step.lines.append(f"{symbol}: {ctx.token(symbol).address}")
    safe, timelock = governance_contracts(project, records)
    admins = all(c.hasRole(c.DEFAULT_ADMIN_ROLE(), timelock) and not c.hasRole(c.DEFAULT_ADMIN_ROLE(), deployer)
                 for c in (ctx.registry, ctx.actions, *(ctx.token(s) for s in ("AAPLx", "TSLAx", "SPCXx"))))  # fmt: skip
    step.lines.append(f"governance: Safe {safe.getThreshold()}-of-{len(safe.getOwners())} at {safe.address} proposes; "
                      f"Timelock ({timelock.getMinDelay() // 3600} h delay) at {timelock.address} is admin: "
                      f"{'yes, everywhere; the deployer holds no admin role' if admins else 'NO'}")  # fmt: skip
    report(step)

    rows = read_csv(INVESTORS, now=chain.blocks.head.timestamp)
    plan = plan_sync(rows, rebuild_registry(ctx.registry, start_block=ctx.start_block()))
    apply_plan(ctx.registry, plan, officer)
    report(Step("2. Onboard investors (config/investors.sample.csv)", [f"{len(rows)} rows: {plan.summary()}"]))

    # The issuer buys the shares first; the custodian attests them on the proof-of-reserve feed.
    needed = aapl.totalSupplyUI() + aapl.toUIAmount(150 * SHARE)
    if attested_shares(aapl) < needed:
        post_reserve(ctx, "AAPLx", needed * 10**SHARE_FEED_DECIMALS // SHARE, deployer)
    aapl.mint(alice, 100 * SHARE, sender=minter)
    aapl.mint(bob, 50 * SHARE, sender=minter)
    reserve = aapl.reserveShares()
    report(Step("3. Mint against the attested reserve", [
        f"alice: {shares(aapl, aapl.balanceOf(alice))}", f"bob: {shares(aapl, aapl.balanceOf(bob))}",
        f"supply {aapl.totalSupplyUI() / SHARE:,.0f} shares <= custodian reserve {reserve / SHARE:,.0f}",
    ]))  # fmt: skip

    step = Step("4. Transfers: allowed and refused (ERC-1404)")
    aapl.transfer(bob, 10 * SHARE, sender=alice)
    step.lines.append(f"alice -> bob 10 shares: OK (bob now {shares(aapl, aapl.balanceOf(bob))})")
    for name, target in (("a US person", us_investor), ("an unregistered wallet", stranger)):
        code = aapl.detectTransferRestriction(alice, target, SHARE)
        step.lines.append(f"alice -> {name}: refused, code {code}: {aapl.messageForTransferRestriction(code)}")
    report(step)

    split_id = announce_ratio(ctx, "AAPLx", "SPLF", "3:1", chain_now(chain) + 5, corporate)
    _wait_until(chain, aapl.effectiveAt())
    report(Step(f"5. 3-for-1 split (action {split_id}): raw balances unchanged, shares tripled", [
        f"uiMultiplier {aapl.uiMultiplier() / 1e18:g}", f"alice: {shares(aapl, aapl.balanceOf(alice))}",
        f"bob: {shares(aapl, aapl.balanceOf(bob))}",
    ]))  # fmt: skip

    usd = ctx.stablecoin()
    usd.mint(corporate, 10_000 * USD, sender=deployer)
    record_time = chain.blocks.head.timestamp
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "aapl-dividend.json"
        dividend_id, distribution = declare_dividend(
            ctx, "AAPLx", 240_000, record_time, chain_now(chain) + 3, chain_now(chain) + 3_600, WITHHOLDING,
            accounts[16].address, frozenset(), out, corporate, approve=True)  # fmt: skip
        _wait_until(chain, chain_now(chain) + 4)
        paid = len(pay_unclaimed(ctx, dividend_id, out, paying_agent).paid)
    ctx.actions.remitWithholding(dividend_id, sender=corporate)
    report(
        Step(
            f"6. Cash dividend $0.24/share (action {dividend_id}), withholding by jurisdiction",
            [
                f"{e.account}: {e.shares / SHARE:,.0f} shares at record, gross ${e.gross / USD:,.2f}, "
                f"withheld ${e.withholding / USD:,.2f} ({e.rate_bps / 100:g}%), paid ${e.net / USD:,.2f}"
                for e in distribution.entitlements
            ]
            + [f"{paid} holders paid by the paying agent; tax remitted ${distribution.total_withholding / USD:,.2f}"],
        )
    )

    vault = project.RedemptionVault.at(records.address("RedemptionVault_AAPLx"))
    request_redeem(vault, aapl, bob, aapl.fromUIAmount(30 * SHARE))
    usd.mint(operator, 100_000 * USD, sender=deployer)
    price = int(project.ManualFeed.at(vault.priceFeed()).latestRoundData()[1]) // 100  # feed is 8 decimals
    with tempfile.TemporaryDirectory() as tmp:
        executions = Path(tmp) / "executions.csv"
        executions.write_text(f"side,controller,amount,price\nredeem,{bob.address},30,{price / USD:.2f}\n")
        rows_ = read_executions(executions, vault, aapl, project)
        usd.approve(vault, 10**12, sender=operator)
        fill_executions(vault, rows_, operator)
    received, _ = claim_all(vault, bob)
    problems = reconcile(vault, aapl, usd)
    report(Step("7. Redemption (ERC-7540): request, fill at the execution price, claim", [
        f"bob redeemed 30 shares at ${price / USD:,.2f}: received ${received / USD:,.2f} after fees",
        f"supply now {aapl.totalSupplyUI() / SHARE:,.0f} shares (redeemed tokens burned)",
        "vault reconciled" if not problems else f"reconciliation differences: {problems}",
    ]))  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        report(register_and_reconcile(project, chain, ctx, "AAPLx", deployer, Path(tmp)))


def register_and_reconcile(project: Any, chain: Any, ctx: Context, symbol: str, custodian: Any, tmp: Path) -> Step:
    """Export the register from logs (kept beside the records); the custodian attests its
    holding on the reserve feed and in a statement; reconcile supply, feed and statement."""
    from stocksuite.reports.cap_table import build_cap_table, exact_decimal, resolve_point
    from stocksuite.reports.reconcile import read_statement, reconcile

    token = ctx.token(symbol)
    in_custody = token.totalSupplyUI()  # the custodian's own count: bought on issue, tripled by the split
    post_reserve(ctx, symbol, in_custody * 10**SHARE_FEED_DECIMALS // SHARE, custodian)
    point = resolve_point(chain, start_block=ctx.start_block())
    table = build_cap_table(chain, project, token, ctx.registry, point, ctx.start_block())
    exported = ctx.records.folder / "registers" / f"{symbol}-block{point.block}.csv"
    exported.parent.mkdir(parents=True, exist_ok=True)
    table.write_csv(exported)
    statement = tmp / "custodian-statement.csv"
    info = token.securityInfo()
    statement.write_text(f"ticker,isin,shares,as_of\n{info.underlyingTicker},{info.isin},{exact_decimal(in_custody, 18):f},"
                         f"{point.timestamp}\n")  # fmt: skip
    result = reconcile(token, project, point, read_statement(statement), statement, ctx.start_block())
    lines = [table.summary(), f"register written to {exported}"]
    lines += [f"{h.holder}: {h.shares:,f} shares ({h.balance / SHARE:,f} raw)" for h in table.holdings]
    return Step(f"8. Register and reconciliation ({symbol})", lines + result.report())


def _wait_until(chain: Any, timestamp: int) -> None:
    """Let the local chain reach `timestamp`: wait for the wall clock (unless the chain's clock
    already runs ahead of it: a fork or a test chain), then mine a block at `timestamp` or later,
    so the next transaction is too. The block's time is set explicitly: anvil's own clock can lag
    the wall clock by a second or more (a fork's especially), which once left a claim one second
    before the payment time."""
    if chain.blocks.head.timestamp < int(time.time()):
        while chain_now(chain) < timestamp:
            time.sleep(0.5)
    at = max(timestamp, chain.blocks.head.timestamp + 1)
    chain.provider.make_request("evm_setNextBlockTimestamp", [at])
    chain.provider.make_request("evm_mine", [])
