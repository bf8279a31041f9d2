"""Whitelist sync: CSV validation, diff against the chain, batches, re-runs."""

from __future__ import annotations

import pytest

from stocksuite.config.records import InvestorClass, InvestorRecord
from stocksuite.chain.register import rebuild_registry
from stocksuite.compliance.whitelist import (
    DAY,
    CsvError,
    apply_plan,
    expiring_contract_accounts,
    plan_sync,
    read_csv,
    records_after,
)
from tests.helpers import PROJECT_ROOT, VENV_BIN, assert_one_line_error, run

HEADER = "wallet,jurisdiction,investor_class,kyc_expiry,status,investor_id,us_person,contract_account\n"
NOW = 1_800_000_000  # 2027-01-15


def write(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "investors.csv"
    path.write_text(header + body)
    return path


def test_rows_become_records(tmp_path):
    path = write(tmp_path, "0xBcd4042DE499D14e55001CcbB24a551F3b954096,DE,accredited,2030-01-01,verified,7,,\n"
                           "0x71bE63f3384f5fb98995898A86B02Fb2426c5788,USA,retail,1900000000,frozen,,,\n"
                           "0xfabb0ac9d68b0b445fb7357272ff202c5651694a,756,retail,2030-01-01,pending,,no,yes\n"
                           "0x1CBd3b2770909D4e10f157cABC84C7264073C9Ec,DE,retail,2030-01-01,removed,,,\n")  # fmt: skip
    rows = read_csv(path, now=NOW)
    first, us, vault, removed = rows
    assert first.record == InvestorRecord(276, InvestorClass.ACCREDITED, 1_893_456_000, investor_id=7)
    assert us.record.us_person and us.record.frozen and us.record.verified and us.record.jurisdiction == 840
    assert vault.wallet == "0xFABB0ac9d68B0B445fB7357272Ff202C5651694a"  # lowercase accepted, checksummed
    assert vault.record.contract_account and not vault.record.verified and vault.record.jurisdiction == 756
    assert removed.record is None


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("0xbcd4042DE499D14e55001CcbB24a551F3b954096,DE,retail,2030-01-01,verified,,,", "bad EIP-55 checksum"),
        ("0x1234,DE,retail,2030-01-01,verified,,,", "is not an address"),
        ("0xBcd4042DE499D14e55001CcbB24a551F3b954096,XX,retail,2030-01-01,verified,,,", "unknown jurisdiction 'XX'"),
        ("0xBcd4042DE499D14e55001CcbB24a551F3b954096,DE,whale,2030-01-01,verified,,,", "unknown investor class"),
        ("0xBcd4042DE499D14e55001CcbB24a551F3b954096,DE,retail,2020-01-01,verified,,,", "has already passed"),
        ("0xBcd4042DE499D14e55001CcbB24a551F3b954096,DE,retail,01/02/2030,verified,,,", "not YYYY-MM-DD"),
        ("0xBcd4042DE499D14e55001CcbB24a551F3b954096,DE,retail,2030-01-01,approved,,,", "status 'approved'"),
        ("0xBcd4042DE499D14e55001CcbB24a551F3b954096,DE,retail,2030-01-01,verified,-1,,", "investor_id"),
        ("0xBcd4042DE499D14e55001CcbB24a551F3b954096,DE,retail,2030-01-01,verified,,maybe,", "us_person"),
        ("0xBcd4042DE499D14e55001CcbB24a551F3b954096,DE,retail", "wrong number of fields"),
    ],
)
def test_bad_row_names_file_line_and_reason(tmp_path, row, reason):
    ok = "0x71bE63f3384f5fb98995898A86B02Fb2426c5788,DE,retail,2030-01-01,verified,,,\n"
    path = write(tmp_path, ok + row + "\n")
    with pytest.raises(CsvError) as info:
        read_csv(path, now=NOW)
    assert info.value.problems == [f"{path}:3: {info.value.problems[0].split(': ', 1)[1]}"]
    assert reason in info.value.problems[0]


def test_duplicate_wallet_and_all_problems_at_once(tmp_path):
    row = "0x71bE63f3384f5fb98995898A86B02Fb2426c5788,DE,retail,2030-01-01,verified,,,\n"
    path = write(tmp_path, row + row + row.replace("DE", "ZZ"))
    with pytest.raises(CsvError) as info:
        read_csv(path, now=NOW)
    assert [p.split(": ", 1)[0] for p in info.value.problems] == [f"{path}:3", f"{path}:4"]
    assert "duplicate wallet" in info.value.problems[0] and "(first on line 2)" in info.value.problems[0]


def test_missing_or_unknown_columns(tmp_path):
    with pytest.raises(CsvError, match="missing column"):
        read_csv(write(tmp_path, "", header="wallet,jurisdiction\n"), now=NOW)
    with pytest.raises(CsvError, match="unknown column"):
        read_csv(write(tmp_path, "", header=HEADER.strip() + ",nickname\n"), now=NOW)


def test_sync_sends_only_differences_and_a_rerun_sends_nothing(registry, roles, tmp_path, chain):
    wallets = [f"0x{i:040x}" for i in range(1, 251)]
    body = "".join(f"{w},DE,retail,2031-06-30,verified,{i},,\n" for i, w in enumerate(wallets, 1))
    rows = read_csv(write(tmp_path, body), now=chain.pending_timestamp)
    start = chain.blocks.head.number

    plan = plan_sync(rows, rebuild_registry(registry, start_block=start))
    assert len(plan.to_set) == 250
    # Interrupted after the first batch: the re-plan holds exactly the rest.
    first_batch = next(iter(plan.batches(100)))[1]
    registry.setInvestors([w for w, _ in first_batch], [r for _, r in first_batch], sender=roles["officer"])
    resumed = plan_sync(rows, rebuild_registry(registry, start_block=start))
    assert len(resumed.to_set) == 150 and resumed.unchanged == 100
    assert apply_plan(registry, resumed, roles["officer"], batch_size=100) == 2

    final = plan_sync(rows, rebuild_registry(registry, start_block=start))
    assert final.empty and final.unchanged == 250
    assert registry.recordOf(wallets[-1]) == rows[-1].record.pack()


def test_removal_rows_remove_and_are_idempotent(registry, roles, tmp_path, chain, investors):
    alice = investors["alice"].address
    registry.setInvestors([alice], [InvestorRecord(276, 1, chain.pending_timestamp + 10**6).pack()],
                          sender=roles["officer"])  # fmt: skip
    rows = read_csv(write(tmp_path, f"{alice},DE,retail,2031-01-01,removed,,,\n"), now=chain.pending_timestamp)
    plan = plan_sync(rows, {alice: registry.recordOf(alice)})
    assert plan.to_remove == [alice]
    apply_plan(registry, plan, roles["officer"])
    assert registry.recordOf(alice) == 0
    assert plan_sync(rows, {alice: 0}).empty


def test_script_refuses_a_bad_csv_before_sending(tmp_path):
    path = write(tmp_path, "0x71bE63f3384f5fb98995898A86B02Fb2426c5788,XX,retail,2030-01-01,verified,,,\n")
    proc = run([str(VENV_BIN / "ape"), "run", "whitelist", "sync", str(path), "--network", "arbitrum:devnet"],
               env={"STOCKSUITE_DEPLOYMENTS": str(tmp_path / "none")})  # fmt: skip
    assert_one_line_error(proc, "bad row")
    assert f"{path}:2: unknown jurisdiction 'XX'" in proc.stderr


def test_script_without_a_deployment_says_what_to_do(tmp_path):
    path = write(tmp_path, "0x71bE63f3384f5fb98995898A86B02Fb2426c5788,DE,retail,2030-01-01,verified,,,\n")
    proc = run([str(VENV_BIN / "ape"), "run", "whitelist", "sync", str(path), "--network", "arbitrum:devnet"],
               env={"STOCKSUITE_DEPLOYMENTS": str(tmp_path / "none")})  # fmt: skip
    assert_one_line_error(proc, "ComplianceRegistry.json", "deploy first")


def test_contract_accounts_about_to_expire_are_warned_about_in_the_csv_and_on_chain(tmp_path):
    def wallet(i: int) -> str:
        return f"0x{i:040x}"

    def day(n: int) -> str:
        return str(NOW + n * DAY)

    def on_chain(n: int, contract_account: bool = True) -> int:
        return InvestorRecord(276, InvestorClass.NONE, NOW + n * DAY, contract_account=contract_account).pack()

    body = (f"{wallet(1)},DE,none,{day(10)},verified,,,yes\n"  # a pool the CSV gives 10 more days
            f"{wallet(2)},DE,none,{day(400)},verified,,,yes\n"  # renewed by this sync
            f"{wallet(3)},DE,none,{day(5)},removed,,,yes\n"  # removed by this sync
            f"{wallet(4)},DE,retail,{day(5)},verified,,,\n"  # a person: their own KYC cycle
            f"{wallet(5)},DE,none,{day(5)},pending,,,yes\n")  # not verified: refused already  # fmt: skip
    current = {wallet(2): on_chain(3), wallet(3): on_chain(2), wallet(6): on_chain(20), wallet(7): on_chain(40)}
    plan = plan_sync(read_csv(write(tmp_path, body), now=NOW), current)
    warned = expiring_contract_accounts(records_after(plan, current), NOW, warn_days=30)
    assert [(w.wallet, w.kyc_expiry) for w in warned] == [(wallet(1), NOW + 10 * DAY), (wallet(6), NOW + 20 * DAY)]
    assert "passes in 10.0 days" in warned[0].message() and "re-approve it" in warned[0].message()
    assert [w.wallet for w in expiring_contract_accounts(records_after(plan, current), NOW, 15)] == [wallet(1)]
    expired = expiring_contract_accounts({wallet(6): on_chain(20)}, NOW + 21 * DAY, 0)[0]
    assert "passed" in expired.message()


def test_script_plans_from_the_event_index_and_a_rerun_sends_nothing(registry, write_records):
    """The sync reads the registry's history from the network's event index (caught up before it
    plans): the second run sees the first one's updates there and has nothing to send."""
    root = write_records(ComplianceRegistry=registry)
    sample = PROJECT_ROOT / "config" / "investors.sample.csv"
    command = [str(VENV_BIN / "ape"), "run", "whitelist", "sync", str(sample), "--network", "arbitrum:devnet"]
    env = {"STOCKSUITE_DEPLOYMENTS": str(root), "COLUMNS": "200"}
    first = run(command, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert (root / "arbitrum-devnet" / ".index.sqlite").is_file()
    again = run(command, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Plan: 0 to add or update, 0 to remove, 5 already in sync" in again.stdout, again.stdout
    assert "5 to add or update" in first.stdout, first.stdout
