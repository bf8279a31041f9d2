"""Rehearse an operator script on a fork of its network, show what it changed, then run it for real.

``ape run rehearse --network arbitrum:devnet -- whitelist sync investors.csv``:

1. :func:`resolve_upstream` reads the network's RPC from ape's config (``node.<ecosystem>.
   <network>.uri``, e.g. ``$L2_PORT`` or ``$ARBITRUM_RPC_URL``, refused while unset) and checks
   it answers with the network's chain id; bad input stops here, before anything runs.
2. :func:`start_fork` starts anvil forking that RPC (:class:`stocksuite.dev.l2.LocalL2`) on a free
   port; :func:`run_script` runs ``ape run SCRIPT ARGS --network <network>-fork`` against it.
   ``APE_FOUNDRY_HOST`` points ape-foundry at this fork: ape-foundry gives that variable
   precedence over its ``host`` setting, so the script attaches to our fork whatever the caller's
   environment holds (the test session sets it to its own upstream chain, which is why plain
   ``--network arbitrum:devnet-fork`` runs in the tests unset it instead).
3. :func:`collect` reads every transaction mined on the fork after the fork block, decodes their
   logs with the ABIs of the network's deployment records and the ERC-1967 proxy events
   (:class:`stocksuite.chain.events.EventCatalog`, shared with the audit) and nets
   ERC-20 ``Transfer`` events into balance changes (:class:`RehearsalDiff`, plain data);
   :func:`render` prints it.
4. With ``--apply`` (confirmed), the same command runs against the upstream network.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from stocksuite.chain.accounts import ZERO_ADDRESS
from stocksuite.chain.deployments import FORK_SUFFIX, Deployments, ForkPoint, upstream_choice
from stocksuite.chain.events import DecodedLog, EventCatalog
from stocksuite.chain.networks import require_rpc
from stocksuite.config.environment import environment
from stocksuite.config.errors import L2Error, StockSuiteError
from stocksuite.dev.l2 import LocalL2, chain_id_at, free_port, rpc

ONE = 10**18  # ERC-8056: a uiMultiplier of 1e18 is one share per raw token


class RehearsalError(StockSuiteError):
    """The rehearsal cannot start: bad script, network or flags."""


class RehearsalFailed(StockSuiteError):
    """The script failed on the fork; nothing ran upstream."""

    def __init__(self, command: str, exit_code: int, network: str) -> None:
        super().__init__(f"`{command}` failed on the fork (exit code {exit_code}); nothing was run on {network}.")
        self.exit_code = exit_code


# ---------------------------------------------------------------------------------------------
# What to run, and where


def check_command(command: Sequence[str], scripts: Path) -> None:
    """``SCRIPT [ARGS...]`` names a script of ``scripts/`` other than this one, without ``--network``."""
    if not command:
        raise RehearsalError("name the script to rehearse: ape run rehearse [--network NETWORK] -- SCRIPT [ARGS...]")
    name = Path(command[0]).stem if command[0].endswith(".py") else command[0]
    known = sorted({p.stem for p in scripts.iterdir()
                    if not p.name.startswith("_") and (p.suffix == ".py" or p.is_dir())})  # fmt: skip
    if name == "rehearse":
        raise RehearsalError("rehearse cannot rehearse itself: name an operator script")
    if name not in known:
        others = ", ".join(k for k in known if k != "rehearse")
        raise RehearsalError(f"unknown script {command[0]!r} (known: {others})")
    if any(arg == "--network" or arg.startswith("--network=") for arg in command[1:]):
        raise RehearsalError("rehearse adds --network to the script itself: give it to rehearse, before the script")


def shown_uri(uri: str) -> str:
    """The RPC URI fit for output: a remote one loses its path and credentials (API keys live there)."""
    parts = urlsplit(uri)
    if parts.hostname in (None, "127.0.0.1", "localhost") or not (parts.path.strip("/") or parts.query):
        return uri
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/..."


@dataclass(frozen=True)
class Upstream:
    """The network a script is rehearsed for, and the RPC its fork starts from."""

    choice: str  # as given: ECOSYSTEM:NETWORK[:PROVIDER]
    fork_choice: str  # ECOSYSTEM:NETWORK-fork, where the script runs first
    uri: str
    chain_id: int

    @property
    def shown_uri(self) -> str:
        return shown_uri(self.uri)


def _configured_uri(provider: Any, choice: str) -> str:
    """The RPC URI ape would connect ``provider`` to, from configuration only.

    ape's own ``uri`` falls back to probing public RPCs (evmchains) when none is configured; a
    rehearsal must fork exactly the RPC the real run will use, so it insists on a configured one.
    """
    from ape.exceptions import ConfigError

    if provider.name == "foundry":  # ape-foundry's own precedence
        return str(environment().ape_foundry_host or provider.uri)
    if not hasattr(type(provider), "_configured_uri"):  # not a web3 provider: it names its own connection
        return str(provider.connection_str)
    try:
        uri = provider._configured_uri
    except ConfigError as err:  # e.g. `uri: not-a-url` (an unset variable was refused before)
        raise RehearsalError(f"{choice}: {err} (ape-config.yaml or the variable it names): fix the RPC URI") from None
    if not uri:
        ecosystem, network = choice.split(":")[:2]
        raise RehearsalError(f"no RPC URI configured for {choice}: set node.{ecosystem}.{network}.uri in "
                             "ape-config.yaml")  # fmt: skip
    return str(uri)


def resolve_upstream(choice: str) -> Upstream:
    """The network ``choice`` (not itself a fork) with a ``-fork`` twin and a reachable RPC of its chain id."""
    from ape import networks
    from ape.exceptions import NetworkError

    if len(choice.split(":")) not in (2, 3):
        raise RehearsalError(f"network {choice!r} is not ECOSYSTEM:NETWORK[:PROVIDER] (e.g. arbitrum:devnet)")
    if upstream := upstream_choice(choice):
        raise RehearsalError(f"{choice} is already a fork: give the network to rehearse for (e.g. {upstream})")
    ecosystem_name, network_name = choice.split(":")[:2]
    try:
        ecosystem = networks.get_ecosystem(ecosystem_name)
    except NetworkError:
        raise RehearsalError(f"unknown ecosystem {ecosystem_name!r} in {choice!r} (see `ape networks list`)") from None
    if network_name not in ecosystem.networks:
        known = ", ".join(name for name in ecosystem.networks if not name.endswith(FORK_SUFFIX))
        raise RehearsalError(f"unknown network {choice!r} ({ecosystem_name} has {known})")
    try:
        provider = networks.get_provider_from_choice(choice)
    except NetworkError as err:  # an unknown provider: ape's first line names the ones there are
        raise RehearsalError(f"{choice}: {str(err).splitlines()[0]}") from None
    network = provider.network
    fork_name = f"{network.name}{FORK_SUFFIX}"
    if fork_name not in network.ecosystem.networks:
        raise RehearsalError(f"{choice} has no fork network {network.ecosystem.name}:{fork_name} to rehearse on")
    require_rpc(provider)
    uri = _configured_uri(provider, choice)
    chain_id = chain_id_at(uri, timeout=10.0)
    if chain_id is None:
        raise RehearsalError(f"nothing answers at {shown_uri(uri)}, the RPC of {choice}: start it (make l2 for "
                             "the local L2) or fix its URI in ape-config.yaml; nothing was sent")  # fmt: skip
    if network.chain_id and chain_id != network.chain_id:
        raise RehearsalError(f"the RPC at {shown_uri(uri)} serves chain id {chain_id}, but {choice} is chain id "
                             f"{network.chain_id}; nothing was sent")  # fmt: skip
    return Upstream(choice, f"{network.ecosystem.name}:{fork_name}", uri, chain_id)


# ---------------------------------------------------------------------------------------------
# The fork, and the script on it


@dataclass
class Fork:
    """A running anvil fork of the upstream and the point it forked at."""

    node: LocalL2
    point: ForkPoint

    @property
    def block_number(self) -> int:
        if self.point.block_number is None:
            raise L2Error(f"{self.node.url} is not a fork (anvil_metadata names no fork block)")
        return self.point.block_number

    def env(self) -> dict[str, str]:
        """What points an ``ape run ... --network <network>-fork`` at this fork (see the module doc)."""
        return {"APE_FOUNDRY_HOST": self.node.url, "FORK_PORT": str(self.node.port)}


@contextmanager
def start_fork(upstream: Upstream) -> Iterator[Fork]:
    """anvil forking the upstream on a free port, stopped (and its state gone) on exit."""
    with LocalL2(port=free_port(), fork_url=upstream.uri) as node:
        yield Fork(node, ForkPoint.from_metadata(rpc(node.url, "anvil_metadata")))


def ape_command(command: Sequence[str], network: str) -> list[str]:
    """``ape run SCRIPT ARGS --network NETWORK`` with the ape of this environment."""
    beside = Path(sys.executable).parent / "ape"
    ape = str(beside) if beside.is_file() else shutil.which("ape") or "ape"
    return [ape, "run", *command, "--network", network]


def run_script(command: Sequence[str], network: str, env: dict[str, str] | None = None,
               echo: Callable[[str], None] = print) -> int:  # fmt: skip
    """Run the script with its output streamed as it comes (and its prompts answered by the user)."""
    args = ape_command(command, network)
    echo(f"$ {shlex.join(['ape', *args[1:]])}")
    return subprocess.run(args, env={**os.environ, **(env or {})}, check=False).returncode


# ---------------------------------------------------------------------------------------------
# What the script changed, as plain data


@dataclass(frozen=True)
class BalanceChange:
    """Net change of one holder's balance of one ERC-20, from the rehearsal's ``Transfer`` events."""

    token: str
    token_label: str
    holder: str
    holder_label: str | None
    raw: int
    decimals: int
    ui_multiplier: int | None  # StockToken (ERC-8056) after the script; None for other ERC-20s

    @property
    def is_stock(self) -> bool:
        return self.ui_multiplier is not None

    @property
    def amount(self) -> Decimal:
        """``raw`` in whole token units (``decimals``)."""
        return Decimal(self.raw).scaleb(-self.decimals)

    @property
    def shares(self) -> Decimal | None:
        """Shares = raw * uiMultiplier / 1e18, rounded toward zero like ``toUIAmount``."""
        if self.ui_multiplier is None:
            return None
        ui = abs(self.raw) * self.ui_multiplier // ONE
        return Decimal(ui if self.raw >= 0 else -ui).scaleb(-self.decimals)


@dataclass
class RehearsalDiff:
    """What a script did on the fork: blocks ``fork_block + 1 .. head_block`` of a fork of ``network``."""

    network: str
    fork_block: int
    head_block: int
    transactions: int = 0
    failed_transactions: int = 0
    gas_used: int = 0
    logs: list[DecodedLog] = field(default_factory=list)
    balances: list[BalanceChange] = field(default_factory=list)

    def events_by_contract(self) -> dict[str, list[DecodedLog]]:
        """Logs grouped by emitter (``Name (0x...)`` for recorded contracts), in order of first appearance."""
        groups: dict[str, list[DecodedLog]] = {}
        for log in self.logs:
            key = f"{log.contract} ({log.address})" if log.contract else log.address
            groups.setdefault(key, []).append(log)
        return groups


def _call(url: str, token: str, signature: str) -> bytes | None:
    """``token.signature()`` on the fork, or ``None`` when it reverts or does not exist."""
    from eth_utils import function_signature_to_4byte_selector

    data = "0x" + function_signature_to_4byte_selector(signature).hex()
    try:
        result = rpc(url, "eth_call", [{"to": token, "data": data}, "latest"])
    except L2Error:
        return None
    return bytes.fromhex(result[2:]) if result and result != "0x" else None


def _uint(raw: bytes | None) -> int | None:
    return int.from_bytes(raw[:32], "big") if raw and len(raw) >= 32 else None


def _symbol(raw: bytes | None) -> str | None:
    from eth_abi import decode

    try:
        return str(decode(["string"], raw)[0]) if raw else None
    except Exception:  # not an ABI string (some tokens return bytes32)
        return None


# keccak256("Transfer(address,address,uint256)"), ERC-20's and ERC-721's
TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"


def balance_changes(url: str, logs: Sequence[DecodedLog], names: dict[str, str]) -> list[BalanceChange]:
    """Net ERC-20 balance change per token and holder (mints and burns change the holder only).

    ERC-721 ``Transfer`` has the same topic but four topics, so it is left out. A token with
    ``uiMultiplier()`` (a StockToken) also gets shares, at its multiplier after the script.
    """
    from eth_utils import to_checksum_address

    net: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for log in logs:
        if log.topics[:1] != (TRANSFER_TOPIC,) or len(log.topics) != 3 or len(log.data) != 66:
            continue
        value = int(log.data, 16)
        sender, receiver = (to_checksum_address("0x" + t[-40:]) for t in log.topics[1:])
        net[log.address][sender] -= value
        net[log.address][receiver] += value
    changes: list[BalanceChange] = []
    for token, holders in net.items():
        decimals = _uint(_call(url, token, "decimals()"))
        multiplier = _uint(_call(url, token, "uiMultiplier()"))
        label = names.get(token) or _symbol(_call(url, token, "symbol()")) or token
        for holder, raw in holders.items():
            if raw and holder != ZERO_ADDRESS:
                changes.append(BalanceChange(token, label, holder, names.get(holder), raw,
                                             18 if decimals is None else decimals, multiplier))  # fmt: skip
    return changes


def collect(url: str, fork_block: int, records: Deployments, network: str) -> RehearsalDiff:
    """Everything mined on the fork at ``url`` after ``fork_block``, decoded with ``records``."""
    catalog = EventCatalog.from_records(records)
    head = int(rpc(url, "eth_blockNumber"), 16)
    diff = RehearsalDiff(network=network, fork_block=fork_block, head_block=head)
    for number in range(fork_block + 1, head + 1):
        block = rpc(url, "eth_getBlockByNumber", [hex(number), False])
        for tx_hash in block["transactions"]:
            receipt = rpc(url, "eth_getTransactionReceipt", [tx_hash])
            diff.transactions += 1
            diff.failed_transactions += int(receipt["status"], 16) == 0
            diff.gas_used += int(receipt["gasUsed"], 16)
            diff.logs.extend(catalog.decode(log) for log in receipt["logs"])
    diff.balances = balance_changes(url, diff.logs, catalog.names)
    return diff


# ---------------------------------------------------------------------------------------------
# Output


def _format_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    return str(value)


def _signed(value: Decimal | int | None) -> str:
    """``+10``, ``-2.5``, ``0``: a change with its sign, without trailing zeros."""
    if value is None:
        return ""
    text = f"{value:f}" if isinstance(value, Decimal) else str(value)
    if isinstance(value, Decimal) and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text.startswith("-") or text == "0" else f"+{text}"


def _holder(change: BalanceChange) -> str:
    return change.holder + (f" ({change.holder_label})" if change.holder_label else "")


def render(diff: RehearsalDiff, console: Any) -> None:
    """Print the diff with rich: events per contract, stock-token and other ERC-20 balance changes."""
    from rich.markup import escape
    from rich.table import Table

    console.print(f"\n[bold]Rehearsal on a fork of {escape(diff.network)}[/bold] at block {diff.fork_block}: "
                  f"{diff.transactions} transaction(s) ({diff.failed_transactions} failed), {diff.gas_used:,} gas, "
                  f"blocks {diff.fork_block + 1}..{diff.head_block}", highlight=False)  # fmt: skip
    if not diff.logs:
        console.print("No events: the script changed nothing that contracts log.")
    for contract, logs in diff.events_by_contract().items():
        table = Table(title=escape(contract), title_justify="left", caption=f"{len(logs)} event(s)",
                      caption_justify="left")  # fmt: skip
        table.add_column("event", no_wrap=True)
        table.add_column("arguments", overflow="fold", min_width=52)  # "name = 0x<40 hex>" on one line
        for log in logs:
            if log.event:
                lines = [f"{name} = {_format_value(value)}" for name, value in log.args.items()]
            else:
                lines = [*(f"topic{i} = {topic}" for i, topic in enumerate(log.topics)), f"data = {log.data}"]
            table.add_row(escape(log.event) if log.event else "[dim](not decoded)[/dim]", escape("\n".join(lines)))
        console.print(table)
    sections: list[tuple[str, tuple[str, str], Callable[[BalanceChange], tuple[Any, Any]], bool]] = [
        ("Stock token balance changes: raw units (balanceOf) and shares (raw × uiMultiplier / 1e18, multiplier "
         "after the script)", ("raw units", "shares"), lambda c: (c.raw, c.shares), True),
        ("Other ERC-20 balance changes (stablecoin): amount (raw / 10^decimals) and raw units",
         ("amount", "raw units"), lambda c: (c.amount, c.raw), False),
    ]  # fmt: skip
    for title, headers, figures, stock in sections:
        changes = [c for c in diff.balances if c.is_stock == stock]
        if not changes:
            continue
        table = Table(title=title, title_justify="left")
        table.add_column("token")
        table.add_column("holder", overflow="fold", min_width=42)  # a whole address on one line
        for header in headers:
            table.add_column(header, justify="right", overflow="fold")
        for change in changes:
            table.add_row(escape(change.token_label), escape(_holder(change)), *(_signed(v) for v in figures(change)))
        console.print(table)


# ---------------------------------------------------------------------------------------------
# The whole flow, as `ape run rehearse` runs it


def rehearse(upstream: Upstream, command: Sequence[str], echo: Callable[[str], None] = print) -> RehearsalDiff:
    """Run ``command`` on a fresh fork of ``upstream`` and return what it changed there.

    Raises :class:`RehearsalFailed` when the script exits non-zero; the fork is stopped either way.
    """
    with start_fork(upstream) as fork:
        echo(f"Forked {upstream.choice} ({upstream.shown_uri}) at block {fork.block_number} on {fork.node.url}")
        code = run_script(command, upstream.fork_choice, fork.env(), echo)
        if code != 0:
            raise RehearsalFailed(shlex.join(["ape", "run", *command]), code, upstream.choice)
        records = Deployments.open(upstream.fork_choice, upstream.chain_id, fork=fork.point)
        return collect(fork.node.url, fork.block_number, records, upstream.choice)


def rehearse_then_apply(network: str, command: Sequence[str], apply: bool, yes: bool, console: Any,
                        confirm: Callable[[str], bool], interactive: bool) -> int:  # fmt: skip
    """Check the input, rehearse, show the diff and, with ``apply``, run it for real; the exit code.

    ``apply`` without ``yes`` asks ``confirm``, and is refused up front when not ``interactive``
    (stdin is no terminal to answer on).
    """
    from rich.markup import escape

    check_command(command, Path.cwd() / "scripts")
    if apply and not yes and not interactive:
        raise RehearsalError("--apply asks for confirmation, but stdin is not a terminal: add --yes to run it "
                             "for real without asking")  # fmt: skip
    upstream = resolve_upstream(network)

    def echo(line: str) -> None:
        console.print(line, markup=False, highlight=False, soft_wrap=True)

    try:
        diff = rehearse(upstream, command, echo)
    except RehearsalFailed as failed:
        console.print(f"[bold red]Rehearsal failed:[/bold red] {escape(str(failed))}", highlight=False)
        return failed.exit_code
    render(diff, console)
    if not apply:
        console.print(f"\nRehearsal only: nothing was sent to {upstream.choice}. Add --apply to run it there.")
        return 0
    if not yes and not confirm(f"Run it on {upstream.choice} ({upstream.shown_uri}) for real?"):
        console.print(f"Not applied: nothing was sent to {upstream.choice}.")
        return 1
    console.print(f"\n[bold]Applying on {upstream.choice}[/bold]")
    return run_script(command, upstream.choice, echo=echo)
