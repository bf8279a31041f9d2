"""Corporate actions off-chain: record-time snapshots, dividend entitlements, verification.

Entitlements are computed from chain data only (Transfer logs, the token's multiplier and the
registry's records as of the record block), committed on-chain as a Merkle root, and the
withholding table and exclusions are emitted with the declaration, so anyone can recompute
the root with :func:`verify_dividend`.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from stocksuite.config.errors import StockSuiteError
from stocksuite.chain.index.reader import NODE, EventSource
from stocksuite.corporate.merkle import StandardMerkleTree
from stocksuite.config.records import CONTRACT_ACCOUNT, InvestorRecord
from stocksuite.chain.register import rebuild_registry

LEAF_TYPES = ("uint256", "address", "uint256", "uint256")  # index, account, net, withholding
MULTIPLIER_ONE = 10**18
BPS = 10_000
ZERO = "0x0000000000000000000000000000000000000000"
KINDS = {"SPLF": 0, "SPLR": 1, "DVSE": 2, "DVCA": 3, "DRIP": 4, "CHAN": 5}
CONTRACT_ACCOUNT_REASON = "contract account: cannot pass a dividend on (e.g. an AMM pair)"
TERMS_FIELDS = (
    "token",
    "stablecoin",
    "amountPerShare",
    "recordTime",
    "paymentTime",
    "claimExpiry",
    "merkleRoot",
    "leafCount",
    "totalNet",
    "totalWithholding",
    "taxAccount",
    "uri",
)  # ICorporateActions.DividendTerms


class CorporateActionError(StockSuiteError):
    """A corporate action was refused before any transaction."""


@dataclass(frozen=True)
class WithholdingTable:
    default_bps: int
    rates: dict[int, int] = field(default_factory=dict)  # jurisdiction -> bps

    def __post_init__(self) -> None:
        for bps in (self.default_bps, *self.rates.values()):
            if not 0 <= bps <= BPS:
                raise CorporateActionError(f"withholding rate {bps} bps is not between 0 and 10000")

    def rate(self, jurisdiction: int) -> int:
        return self.rates.get(jurisdiction, self.default_bps)


@dataclass(frozen=True)
class Snapshot:
    record_time: int
    block: int
    multiplier: int
    balances: dict[str, int]  # raw, holders with a non-zero balance
    records: dict[str, int]  # packed registry records as of the block


@dataclass(frozen=True)
class Entitlement:
    index: int
    account: str
    raw_balance: int
    shares: int  # token decimals
    jurisdiction: int
    rate_bps: int
    gross: int
    withholding: int
    net: int


@dataclass(frozen=True)
class Exclusion:
    """A holder at the record time given no entitlement, with what it held and why."""

    account: str
    raw_balance: int
    shares: int  # token decimals
    reason: str


@dataclass
class Distribution:
    entitlements: list[Entitlement]
    tree: StandardMerkleTree
    excluded: frozenset[str] = frozenset()  # published with the declaration (vaults included)
    exclusions: list[Exclusion] = field(default_factory=list)  # the excluded that held tokens

    @property
    def root(self) -> bytes:
        return self.tree.root

    @property
    def total_net(self) -> int:
        return sum(e.net for e in self.entitlements)

    @property
    def total_withholding(self) -> int:
        return sum(e.withholding for e in self.entitlements)

    def proof(self, index: int) -> list[bytes]:
        return self.tree.proof(index)

    def terms(self, token: str, stablecoin: str, amount_per_share: int, record_time: int, payment_time: int,
              claim_expiry: int, tax_account: str, uri: str) -> tuple[Any, ...]:  # fmt: skip
        """The `DividendTerms` tuple declaring this distribution (field order: TERMS_FIELDS)."""
        return (token, stablecoin, amount_per_share, record_time, payment_time, claim_expiry, self.root,
                len(self.entitlements), self.total_net, self.total_withholding, tax_account, uri)  # fmt: skip

    def write_csv(self, path: Path) -> None:
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["index", "account", "raw_balance", "shares", "jurisdiction", "rate_bps",
                             "gross", "withholding", "net"])  # fmt: skip
            for e in self.entitlements:
                writer.writerow([e.index, e.account, e.raw_balance, e.shares, e.jurisdiction, e.rate_bps,
                                 e.gross, e.withholding, e.net])  # fmt: skip

    def write_json(self, path: Path) -> None:
        """Entitlements with proofs: what holders and the paying agent claim with."""
        data = {
            "root": "0x" + self.root.hex(),
            "leafEncoding": list(LEAF_TYPES),
            "entitlements": [{**asdict(e), "proof": ["0x" + p.hex() for p in self.proof(e.index)]}
                             for e in self.entitlements],
            "excluded": sorted(self.excluded, key=str.lower),
            "exclusions": [asdict(x) for x in self.exclusions],
        }  # fmt: skip
        path.write_text(json.dumps(data, indent=2) + "\n")


def record_block(chain: Any, record_time: int) -> int:
    """The last block whose timestamp is at or before ``record_time``."""
    head = chain.blocks.head
    if record_time > head.timestamp:
        raise CorporateActionError(
            f"record time {record_time} is after the chain head ({head.timestamp}): a snapshot "
            "needs a record time that has passed."
        )
    low, high = 0, head.number
    if chain.blocks[0].timestamp > record_time:
        raise CorporateActionError(f"record time {record_time} is before the chain's first block.")
    while low < high:
        mid = (low + high + 1) // 2
        if chain.blocks[mid].timestamp <= record_time:
            low = mid
        else:
            high = mid - 1
    return low


def transfer_flows(token: Any, block: int, start_block: int = 0, events: EventSource = NODE) -> dict[str, int]:
    """Net raw amount each address received from ``start_block`` to ``block``, replayed from
    Transfer logs alone. Their sum is what was minted less what was burned; a negative entry
    means the logs before ``start_block`` are missing."""
    flows: dict[str, int] = {}
    for log in events.events(token, ("Transfer",), start_block, block):
        args = log.args
        value = int(args["value"])
        if args["from"] != ZERO:
            flows[args["from"]] = flows.get(args["from"], 0) - value
        if args["to"] != ZERO:
            flows[args["to"]] = flows.get(args["to"], 0) + value
    return flows


def balances_at(token: Any, block: int, start_block: int = 0, events: EventSource = NODE) -> dict[str, int]:
    """Raw balances at ``block``, replayed from Transfer logs alone."""
    return {holder: raw for holder, raw in transfer_flows(token, block, start_block, events).items() if raw > 0}


def vault_holdings_at(vault: Any, block: int, start_block: int = 0, events: EventSource = NODE) -> dict[str, int]:
    """Raw tokens a redemption vault holds for each controller at ``block``: pending and
    cancelled-but-unclaimed redemptions and filled-but-unclaimed subscriptions, replayed from the
    vault's events (an agent's position move carries them to the new controller)."""
    held: dict[str, int] = {}

    def add(controller: str, amount: int) -> None:
        held[controller] = held.get(controller, 0) + amount

    names = ("RedeemRequest", "RedeemFulfilled", "CancelRedeemClaim", "PositionTransferred", "DepositFulfilled",
             "Deposit")  # fmt: skip
    for log in events.events(vault, names, start_block, block):
        args = log.args
        if log.name == "RedeemRequest":
            add(args["controller"], int(args["shares"]))
        elif log.name in ("RedeemFulfilled", "CancelRedeemClaim"):  # a settled cancel stays until claimed
            add(args["controller"], -int(args["shares"]))
        elif log.name == "PositionTransferred":
            add(args["from"], -int(args["tokens"]))
            add(args["to"], int(args["tokens"]))
        elif log.name == "DepositFulfilled":
            add(args["controller"], int(args["shares"]))
        else:  # Deposit, a claim: the first argument is the controller
            add(args["sender"], -int(args["shares"]))
    return {c: amount for c, amount in held.items() if amount > 0}


def attribute_vault(balances: dict[str, int], vault: Any, block: int, start_block: int = 0,
                    events: EventSource = NODE) -> dict[str, int]:  # fmt: skip
    """Move a vault's balance to the controllers it holds tokens for (the requester is entitled,
    not the vault). Refuses when the vault's events do not explain its balance."""
    result = dict(balances)
    held = result.pop(vault.address, 0)
    per_controller = vault_holdings_at(vault, block, start_block, events)
    if sum(per_controller.values()) != held:
        raise CorporateActionError(f"vault {vault.address} holds {held} raw tokens at block {block}, its requests "
                                   f"explain {sum(per_controller.values())}: reconcile it first.")  # fmt: skip
    for controller, amount in per_controller.items():
        result[controller] = result.get(controller, 0) + amount
    return result


def take_snapshot(chain: Any, token: Any, registry: Any, record_time: int, start_block: int = 0,
                  vaults: tuple[Any, ...] = (), events: EventSource = NODE) -> Snapshot:  # fmt: skip
    """Balances at the record time; tokens held by ``vaults`` count for their requesters.
    ``events``: where the history is read (the event index, by the tools)."""
    block = record_block(chain, record_time)
    multiplier = int(token.uiMultiplierAt(record_time, block_id=block))
    balances = balances_at(token, block, start_block, events)
    for vault in vaults:
        balances = attribute_vault(balances, vault, block, start_block, events)
    return Snapshot(
        record_time=record_time,
        block=block,
        multiplier=multiplier,
        balances=balances,
        records=rebuild_registry(registry, start_block=start_block, stop_block=block, events=events),
    )


def redemption_vaults_among(addresses: Any, token: Any, project: Any, chain: Any) -> tuple[Any, ...]:
    """The addresses that are redemption vaults of ``token`` (their `share()` is the token)."""
    vaults = []
    for address in addresses:
        if chain.provider.get_code(address) in (b"", "0x", None):
            continue
        try:
            candidate = project.RedemptionVault.at(address)
            if candidate.share() == token.address:
                vaults.append(candidate)
        except Exception:  # not a vault: no share() function  # noqa: BLE001
            continue
    return tuple(vaults)


def contract_accounts_to_exclude(snapshot: Snapshot, include: frozenset[str] = frozenset()) -> frozenset[str]:
    """Holders at the record time whose registry record (as of the record block) flags a contract
    account, but for ``include`` (e.g. an omnibus custodian that passes dividends on): a cash
    dividend credited to an AMM pair goes to whoever calls its `skim` first. The suite's vaults
    are no longer among the holders here: their tokens count for their requesters
    (:func:`attribute_vault`). Refuses an ``include`` that is no such holder (a mistyped address)."""
    flagged = frozenset(a for a in snapshot.balances if snapshot.records.get(a, 0) & CONTRACT_ACCOUNT)
    unknown = sorted(include - flagged)
    if unknown:
        raise CorporateActionError(f"{unknown[0]} is not a contract account holding the token at the record time "
                                   f"(block {snapshot.block}): nothing to include")  # fmt: skip
    return flagged - include


def compute_entitlements(snapshot: Snapshot, amount_per_share: int, token_decimals: int, table: WithholdingTable,
                         excluded: frozenset[str] = frozenset(),
                         reasons: dict[str, str] | None = None) -> Distribution:  # fmt: skip
    """Shares at the record time (raw x multiplier), gross, withholding by jurisdiction, net.
    ``excluded`` holders get nothing and are listed with their holding and ``reasons[account]``."""
    entitlements: list[Entitlement] = []
    exclusions: list[Exclusion] = []
    for account in sorted(snapshot.balances, key=str.lower):
        raw = snapshot.balances[account]
        shares = raw * snapshot.multiplier // MULTIPLIER_ONE
        if account in excluded:
            exclusions.append(Exclusion(account, raw, shares, (reasons or {}).get(account, "excluded")))
            continue
        gross = shares * amount_per_share // 10**token_decimals
        if gross == 0:
            continue
        record = snapshot.records.get(account, 0)
        jurisdiction = InvestorRecord.unpack(record).jurisdiction if record else 0
        rate = table.rate(jurisdiction)
        withholding = gross * rate // BPS
        entitlements.append(Entitlement(len(entitlements), account, raw, shares, jurisdiction, rate, gross,
                                        withholding, gross - withholding))  # fmt: skip
    if not entitlements:
        raise CorporateActionError("nobody is entitled: no holder at the record time, or a zero amount.")
    values = [(e.index, e.account, e.net, e.withholding) for e in entitlements]
    return Distribution(entitlements, StandardMerkleTree.of(values, LEAF_TYPES), frozenset(excluded), exclusions)


def parse_ratio(text: str) -> tuple[int, int]:
    """``3:2`` or ``3-for-2`` -> (3, 2); refuses zero."""
    cleaned = text.lower().replace("-for-", ":").replace("for", ":").replace("/", ":")
    parts = [p.strip() for p in cleaned.split(":")]
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise CorporateActionError(f"ratio {text!r} is not NEW:OLD such as 3:2 or 1:10")
    numerator, denominator = int(parts[0]), int(parts[1])
    if numerator == 0 or denominator == 0:
        raise CorporateActionError(f"ratio {text!r} has a zero side")
    if numerator == denominator:
        raise CorporateActionError(f"ratio {text!r} changes nothing")
    return numerator, denominator


def dividend_terms_from_chain(actions: Any, dividend_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The declared terms and withholding table of a dividend, from its events."""
    declared = [log for log in actions.DividendDeclared.query("*").itertuples()
                if int(log.event_arguments["id"]) == dividend_id]  # fmt: skip
    tables = [log for log in actions.DividendWithholdingTable.query("*").itertuples()
              if int(log.event_arguments["id"]) == dividend_id]  # fmt: skip
    if not declared or not tables:
        raise CorporateActionError(f"no dividend {dividend_id} declared on {actions.address}")
    arguments = dict(declared[0].event_arguments)
    terms = arguments["terms"]
    if not isinstance(terms, dict):
        terms = dict(zip(TERMS_FIELDS, terms, strict=True))
    arguments["terms"] = terms
    return arguments, tables[0].event_arguments


def declaration_differences(terms: dict[str, Any], distribution: Distribution) -> list[str]:
    """What a declaration states that the recomputed distribution does not: the root, the leaf
    count (claims beyond it are refused) and the totals (what was funded)."""
    root = terms["merkleRoot"]
    onchain = bytes(root) if not isinstance(root, str) else bytes.fromhex(root.removeprefix("0x"))
    checks = [("merkleRoot", "0x" + onchain.hex(), "0x" + distribution.root.hex()),
              ("leafCount", int(terms["leafCount"]), len(distribution.entitlements)),
              ("totalNet", int(terms["totalNet"]), distribution.total_net),
              ("totalWithholding", int(terms["totalWithholding"]), distribution.total_withholding)]  # fmt: skip
    return [f"{what} is {declared} on chain, {recomputed} recomputed" for what, declared, recomputed in checks
            if declared != recomputed]  # fmt: skip


def verify_dividend(chain: Any, actions: Any, registry: Any, dividend_id: int, project: Any, start_block: int = 0,
                    events: EventSource = NODE) -> tuple[bool, Distribution, list[str]]:  # fmt: skip
    """Recompute a declared dividend's entitlements from chain data: (whether the declaration
    matches, the recomputed distribution, what differs)."""
    declared, table_event = dividend_terms_from_chain(actions, dividend_id)
    terms = declared["terms"]
    token = project.StockToken.at(terms["token"])
    table = WithholdingTable(
        default_bps=int(table_event["defaultBps"]),
        rates=dict(zip(map(int, table_event["jurisdictions"]), map(int, table_event["bps"]), strict=True)),
    )
    excluded = frozenset(table_event["excluded"])
    vaults = redemption_vaults_among(sorted(excluded), token, project, chain)
    snapshot = take_snapshot(chain, token, registry, int(terms["recordTime"]), start_block, vaults, events)
    distribution = compute_entitlements(snapshot, int(terms["amountPerShare"]), int(token.decimals()), table,
                                        excluded)  # fmt: skip
    differences = declaration_differences(terms, distribution)
    return not differences, distribution, differences
