"""Fork rehearsal: fork records, log decoding and balance diffs, and `ape run rehearse` end to end."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import ape
import pytest
from rich.console import Console

from stocksuite.chain.deployments import DeploymentError, Deployments, ForkPoint
from stocksuite.dev.l2 import LocalL2, free_port, rpc
from stocksuite.chain.networks import NetworkConfigError
from stocksuite.dev.rehearsal import (
    BalanceChange,
    RehearsalError,
    check_command,
    collect,
    render,
    rehearse_then_apply,
    resolve_upstream,
    shown_uri,
)
from tests.helpers import PROJECT_ROOT, VENV_BIN, assert_one_line_error, run
from tests.l2.test_fork import _receipt

CHAIN_ID = 412346
SCRIPTS = PROJECT_ROOT / "scripts"
SAMPLE_CSV = PROJECT_ROOT / "config" / "investors.sample.csv"
INVESTOR = "0xBcd4042DE499D14e55001CcbB24a551F3b954096"  # first row of the sample CSV (DE, retail)


def _record(folder: Path, name: str, block: int, address: str = "0x" + "11" * 20) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".chain").write_text(f"{CHAIN_ID}\n")
    (folder / f"{name}.json").write_text(json.dumps({"address": address, "abi": [], "blockNumber": block}))


def _names(records: Deployments) -> set[str]:
    return {p.stem for p in records.folder.glob("*.json")}


# ---------------------------------------------------------------------------------------------
# Records of a -fork network


def test_fork_records_start_from_upstream_and_stay_on_their_fork(tmp_path, project, deployer, chain):
    upstream = Deployments.open("arbitrum:devnet", CHAIN_ID, root=tmp_path)
    _record(upstream.folder, "ComplianceRegistry", block=5)
    _record(upstream.folder, "LaterThanTheFork", block=11)  # deployed upstream after the fork block

    first = ForkPoint("0xaaaa", block_number=10)
    fork = Deployments.open("arbitrum:devnet-fork:foundry", CHAIN_ID, root=tmp_path, fork=first)
    assert fork.folder == tmp_path / "arbitrum-devnet-fork"
    assert _names(fork) == {"ComplianceRegistry"}  # the later record names code the fork lacks

    token = deployer.deploy(project.PlainERC20, "Fork Only", "FO", 18)
    fork.save("ForkOnly", token, chain.provider.get_receipt(token.txn_hash), ["Fork Only", "FO", 18])
    assert "ForkOnly" not in _names(upstream)
    # Another process on the same fork (make fork, a rehearsal's later step) sees it ...
    assert "ForkOnly" in _names(Deployments.open("arbitrum:devnet-fork", CHAIN_ID, root=tmp_path, fork=first))
    # ... the next fork does not, and sees what upstream gained meanwhile.
    _record(upstream.folder, "StockToken_NEWx", block=12)
    nxt = Deployments.open("arbitrum:devnet-fork", CHAIN_ID, root=tmp_path, fork=ForkPoint("0xbbbb", 12))
    assert _names(nxt) == {"ComplianceRegistry", "LaterThanTheFork", "StockToken_NEWx"}
    assert not list(tmp_path.glob(".*-fork"))  # no staging folder left behind


def test_fork_records_refuse_upstream_records_of_another_chain(tmp_path):
    _record(tmp_path / "arbitrum-devnet", "ComplianceRegistry", block=1)
    (tmp_path / "arbitrum-devnet" / ".chain").write_text("42161\n")
    with pytest.raises(DeploymentError, match="chain id 42161"):
        Deployments.open("arbitrum:devnet-fork", CHAIN_ID, root=tmp_path, fork=ForkPoint("0xaaaa", 1))


def test_each_anvil_fork_has_its_own_identity(l2_url, chain):
    assert ForkPoint.of_connected_chain().block_number is None  # the session chain is no fork
    head = int(rpc(l2_url, "eth_blockNumber"), 16)
    points = []
    for _ in range(2):
        with LocalL2(port=free_port(), fork_url=l2_url) as fork:
            points.append(ForkPoint.from_metadata(rpc(fork.url, "anvil_metadata")))
    assert [p.block_number for p in points] == [head, head]
    assert points[0].instance_id != points[1].instance_id  # same upstream block, still two forks


# ---------------------------------------------------------------------------------------------
# Decoding and balance changes


def test_collect_decodes_logs_and_nets_transfers(tmp_path, project, deployer, accounts, l2_url, chain):
    usd = deployer.deploy(project.PlainERC20, "Rehearsal USD", "rUSD", 6)
    usd.mint(accounts[1], 1_000_000, sender=deployer)
    records = Deployments.open("arbitrum:devnet", CHAIN_ID, root=tmp_path)
    records.save("MockUSD", usd, chain.provider.get_receipt(usd.txn_hash), [])
    other_token = deployer.deploy(project.PlainERC20, "Unrecorded", "UNR", 18)  # ERC-20 events known by topic
    feed = deployer.deploy(project.ManualFeed, 8, "Unrecorded feed", deployer)  # events known nowhere
    holder, other = accounts[1].address, accounts[2].address
    word = lambda value: hex(value)[2:].rjust(64, "0")  # noqa: E731

    with LocalL2(port=free_port(), fork_url=l2_url) as fork:
        fork_block = int(rpc(fork.url, "eth_blockNumber"), 16)
        for sender, to, data in [
            (holder, usd.address, "0xa9059cbb" + word(int(other, 16)) + word(250_000)),  # transfer
            (holder, other_token.address, "0xa9059cbb" + word(int(other, 16)) + word(1)),  # reverts: holds none
            (holder, other_token.address, "0x095ea7b3" + word(int(other, 16)) + word(1)),  # approve
            (deployer.address, feed.address, _selector("postAnswer(int256)") + word(42)),
        ]:
            tx = rpc(fork.url, "eth_sendTransaction", [{"from": sender, "to": to, "data": data, "gas": hex(200_000)}])
            _receipt(fork.url, tx)
        diff = collect(fork.url, fork_block, records, "arbitrum:devnet")
    assert int(rpc(l2_url, "eth_blockNumber"), 16) == fork_block  # the fork's writes stayed there

    assert (diff.transactions, diff.failed_transactions) == (4, 1) and diff.gas_used > 21_000 * 4
    transfer, approval, answer = diff.logs
    assert (transfer.contract, transfer.event) == ("MockUSD", "Transfer")
    assert transfer.args == {"from": holder, "to": other, "value": 250_000}
    assert (approval.contract, approval.event, approval.args["value"]) == (None, "Approval", 1)
    assert (answer.address, answer.event, answer.args) == (feed.address, None, {})
    assert [(c.holder, c.raw, c.amount, c.is_stock) for c in diff.balances] == [
        (holder, -250_000, Decimal("-0.25"), False), (other, 250_000, Decimal("0.25"), False)]  # fmt: skip

    console = Console(record=True, width=200)
    render(diff, console)
    text = console.export_text()
    assert f"MockUSD ({usd.address})" in text and "value = 250000" in text
    assert "(not decoded)" in text and f"data = {answer.data}" in text and "Other ERC-20 balance changes" in text
    assert "-0.25" in text and "+250000" in text and "4 transaction(s) (1 failed)" in text


def test_collect_decodes_proxy_events_no_record_has(project, deployer, registry, factory, roles, l2_url,
                                                    write_records):  # fmt: skip
    # The factory's ABI has TokensUpgraded but not the beacon's ERC-1967 Upgraded, and the beacon has no record.
    records = Deployments.open("arbitrum:devnet", CHAIN_ID, root=write_records(StockTokenFactory=factory))
    upgraded = deployer.deploy(project.StockTokenV2Mock, registry)
    data = "0x" + bytes(factory.upgradeTokens.encode_input(upgraded.address)).hex()
    with LocalL2(port=free_port(), fork_url=l2_url) as fork:
        fork_block = int(rpc(fork.url, "eth_blockNumber"), 16)
        tx = rpc(fork.url, "eth_sendTransaction", [{"from": roles["upgrader"].address, "to": factory.address,
                                                    "data": data, "gas": hex(200_000)}])  # fmt: skip
        _receipt(fork.url, tx)
        diff = collect(fork.url, fork_block, records, "arbitrum:devnet")

    assert [(log.address, log.contract, log.event, log.args) for log in diff.logs] == [
        (factory.BEACON(), None, "Upgraded", {"implementation": upgraded.address}),
        (factory.address, "StockTokenFactory", "TokensUpgraded", {"implementation": upgraded.address})]  # fmt: skip
    console = Console(record=True, width=200)
    render(diff, console)
    assert f"implementation = {upgraded.address}" in console.export_text()
    assert "(not decoded)" not in console.export_text()


def test_stock_balance_change_counts_shares_at_the_multiplier():
    change = BalanceChange("0xT", "StockToken_AAPLx", "0xH", None, raw=-10**18 - 1, decimals=18,
                           ui_multiplier=3 * 10**18)  # fmt: skip
    assert change.is_stock and change.shares == Decimal("-3.000000000000000003")
    assert change.amount == Decimal("-1.000000000000000001")


# ---------------------------------------------------------------------------------------------
# Bad input stops before anything runs


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ((), "name the script to rehearse"),
        (("nosuch", "x"), "unknown script 'nosuch' (known: corporate, "),
        (("rehearse",), "cannot rehearse itself"),
        (("whitelist", "sync", "f.csv", "--network", "arbitrum:devnet"), "rehearse adds --network"),
    ],
)
def test_bad_commands_are_refused(command, message):
    with pytest.raises(RehearsalError, match=message.replace("(", r"\(")):
        check_command(command, SCRIPTS)


@pytest.mark.parametrize(
    ("network", "message"),
    [
        ("arbitrum", "is not ECOSYSTEM:NETWORK"),
        ("arbitrum:nope", "unknown network 'arbitrum:nope' (arbitrum has mainnet, sepolia, "),
        ("nochain:devnet", "unknown ecosystem 'nochain'"),
        ("arbitrum:devnet:nope", "arbitrum:devnet:nope: No provider named 'nope'"),
        ("arbitrum:devnet-fork", "already a fork: give the network to rehearse for (e.g. arbitrum:devnet)"),
    ],
)
def test_bad_networks_are_refused(network, message, networks):
    with pytest.raises(RehearsalError) as info:
        resolve_upstream(network)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_unset_rpc_variable_is_named(networks):
    if os.environ.get("ARBITRUM_RPC_URL"):
        pytest.skip("ARBITRUM_RPC_URL is set: arbitrum:mainnet has an RPC here")
    with pytest.raises(NetworkConfigError, match=r"^arbitrum:mainnet needs ARBITRUM_RPC_URL \(the RPC endpoint"):
        resolve_upstream("arbitrum:mainnet")


def test_apply_without_a_terminal_needs_yes():
    with pytest.raises(RehearsalError, match="add --yes"):
        rehearse_then_apply("arbitrum:devnet", ("whitelist", "sync", str(SAMPLE_CSV)), apply=True, yes=False,
                            console=Console(), confirm=lambda _: True, interactive=False)  # fmt: skip


def test_the_real_run_waits_for_a_yes(monkeypatch):
    import stocksuite.dev.rehearsal as rehearsal

    upstream = rehearsal.Upstream("arbitrum:devnet", "arbitrum:devnet-fork", "http://127.0.0.1:1", CHAIN_ID)
    runs: list[tuple[tuple[str, ...], str]] = []
    monkeypatch.setattr(rehearsal, "resolve_upstream", lambda network: upstream)
    monkeypatch.setattr(rehearsal, "rehearse", lambda *_: rehearsal.RehearsalDiff("arbitrum:devnet", 5, 5))
    monkeypatch.setattr(rehearsal, "run_script", lambda command, network, **_: runs.append((command, network)) or 0)
    command = ("whitelist", "sync", str(SAMPLE_CSV))
    questions: list[str] = []
    for answer, code in ((False, 1), (True, 0)):
        assert (
            rehearse_then_apply(
                "arbitrum:devnet",
                command,
                apply=True,
                yes=False,
                console=Console(),
                confirm=lambda q, a=answer: questions.append(q) or a,
                interactive=True,
            )
            == code
        )
    assert runs == [(command, "arbitrum:devnet")]  # only after the yes
    assert questions[0] == "Run it on arbitrum:devnet (http://127.0.0.1:1) for real?"


def test_remote_rpc_keys_are_not_shown():
    assert shown_uri("https://arb-mainnet.g.alchemy.com/v2/SECRET") == "https://arb-mainnet.g.alchemy.com/..."
    assert shown_uri("http://127.0.0.1:8545") == "http://127.0.0.1:8545"


# ---------------------------------------------------------------------------------------------
# `ape run rehearse` on a fresh local L2 with the suite deployed


@ape.fixture(scope="module", chain_isolation=False)
def own_l2_suite(tmp_path_factory):
    """A fresh local L2 of its own (not the session chain) with the suite of config/tickers.yaml
    deployed; its environment. ``chain_isolation=False`` tells ape that reverting the session
    chain leaves it intact."""
    records = tmp_path_factory.mktemp("deployments")
    with LocalL2(port=free_port()) as node:
        env = {"L2_PORT": str(node.port), "STOCKSUITE_DEPLOYMENTS": str(records), "COLUMNS": "200"}
        proc = _ape("run", "deploy", "config/tickers.yaml", "--network", "arbitrum:devnet", env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        yield node, env, records


def _ape(*args: str, env: dict[str, str]):
    return run([str(VENV_BIN / "ape"), *args], env={**env, "FORK_PORT": str(free_port())}, timeout=300)


def _rehearse(*args: str, env: dict[str, str]):
    return _ape("run", "rehearse", "--network", "arbitrum:devnet", *args, env=env)


def _height(node: LocalL2) -> int:
    return int(rpc(node.url, "eth_blockNumber"), 16)


def _call(node: LocalL2, to: str, selector: str, address: str) -> int:
    data = selector + address[2:].lower().rjust(64, "0")
    return int(rpc(node.url, "eth_call", [{"to": to, "data": data}, "latest"]), 16)


def _selector(signature: str) -> str:
    from eth_utils import function_signature_to_4byte_selector

    return "0x" + function_signature_to_4byte_selector(signature).hex()


def _address(records: Path, name: str) -> str:
    return json.loads((records / "arbitrum-devnet" / f"{name}.json").read_text())["address"]


@pytest.mark.slow
def test_rehearse_whitelist_sync_then_apply_it(own_l2_suite):
    node, env, records = own_l2_suite
    registry = _address(records, "ComplianceRegistry")
    record_of = _selector("recordOf(address)")
    before = _height(node)

    proc = _rehearse("--", "whitelist", "sync", str(SAMPLE_CSV), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "--network arbitrum:devnet-fork" in out and "Sent 1 transaction(s) for 5 change(s)" in out
    assert f"ComplianceRegistry ({registry})" in out and out.count("InvestorUpdated") == 5
    assert f"wallet = {INVESTOR}" in out and "1 transaction(s) (0 failed)" in out
    assert "nothing was sent to arbitrum:devnet" in out
    assert _height(node) == before and _call(node, registry, record_of, INVESTOR) == 0

    applied = _rehearse("--apply", "--yes", "--", "whitelist", "sync", str(SAMPLE_CSV), env=env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "Applying on arbitrum:devnet" in applied.stdout
    assert "$ ape run whitelist sync" in applied.stdout and applied.stdout.count("InvestorUpdated") == 5
    assert _call(node, registry, record_of, INVESTOR) != 0
    assert _height(node) > before


@pytest.mark.slow
def test_rehearse_mint_shows_raw_and_share_balance_changes(own_l2_suite):
    node, env, records = own_l2_suite
    assert _ape("run", "whitelist", "sync", str(SAMPLE_CSV), "--network", "arbitrum:devnet", env=env).returncode == 0
    token = _address(records, "StockToken_AAPLx")
    before = _height(node)

    proc = _rehearse("issuance", "mint", "AAPLx", INVESTOR, "10", env=env)  # no `--`: still the script's args
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert f"StockToken_AAPLx ({token})" in out and "Transfer" in out
    assert f"to = {INVESTOR}" in out and "value = 10000000000000000000" in out
    assert "Stock token balance changes: raw units (balanceOf) and shares" in out
    row = next(line for line in out.splitlines() if INVESTOR in line and "StockToken_AAPLx" in line)
    assert "+10000000000000000000" in row and row.rstrip(" │").endswith("+10")
    assert _height(node) == before and _call(node, token, _selector("balanceOf(address)"), INVESTOR) == 0


@pytest.mark.slow
def test_a_failing_script_stops_before_upstream(own_l2_suite, tmp_path):
    node, env, _ = own_l2_suite
    bad = tmp_path / "investors.csv"
    bad.write_text(SAMPLE_CSV.read_text().splitlines()[0] + "\n0x1234,DE,retail,2030-01-01,verified,,,\n")
    before = _height(node)
    proc = _rehearse("--apply", "--yes", "--", "whitelist", "sync", str(bad), env=env)
    assert proc.returncode != 0
    assert f"{bad}:2" in proc.stderr and "is not an address" in proc.stderr  # the script's own error
    assert "Rehearsal failed:" in proc.stdout and "nothing was run on arbitrum:devnet" in proc.stdout
    assert "Applying" not in proc.stdout and _height(node) == before


@pytest.mark.slow
def test_a_deploy_rehearsed_on_a_bare_l2_leaves_no_records_behind(tmp_path):
    with LocalL2(port=free_port()) as node:
        env = {"L2_PORT": str(node.port), "STOCKSUITE_DEPLOYMENTS": str(tmp_path), "COLUMNS": "200"}
        proc = _rehearse("--", "deploy", "config/tickers.yaml", env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        token = json.loads((tmp_path / "arbitrum-devnet-fork" / "StockToken_AAPLx.json").read_text())["address"]
        assert f"StockToken_AAPLx ({token})" in proc.stdout  # events decoded with the fork's own records
        assert not (tmp_path / "arbitrum-devnet").exists() and _height(node) == 0
        # The next fork starts from the (empty) upstream records, not from what the last one deployed.
        again = _rehearse("--", "whitelist", "sync", str(SAMPLE_CSV), env=env)
        assert again.returncode != 0 and "ComplianceRegistry.json" in again.stderr and "deploy first" in again.stderr
        assert not (tmp_path / "arbitrum-devnet-fork" / "StockToken_AAPLx.json").exists()


@pytest.mark.slow
def test_no_upstream_is_one_line_and_sends_nothing(own_l2_suite):
    _, env, _ = own_l2_suite
    proc = _rehearse("--", "whitelist", "sync", str(SAMPLE_CSV), env={**env, "L2_PORT": str(free_port())})
    assert_one_line_error(proc, "nothing answers at http://127.0.0.1:", "the RPC of arbitrum:devnet")
    assert "$ ape run" not in proc.stdout
