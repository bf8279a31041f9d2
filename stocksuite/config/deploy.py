"""The deploy YAML (``config/tickers.yaml``), every level: unknown keys and loose types are refused.

The defaults of the file live here and only here.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from stocksuite.config.records import InvestorClass, parse_jurisdiction

GOVERNANCE_NAMES = ("safe", "timelock")  # role values that name the governance contracts


class Strict(BaseModel):
    """No unknown keys, no coercion (``"false"`` is not a bool, ``25.9`` not an int)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _jurisdiction(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"got {value} (a boolean): YAML reads unquoted NO, YES, ON, OFF as true/false; quote the "
                         "code ('NO')")  # fmt: skip
    if not isinstance(value, (str, int)):
        raise ValueError(f"expected an ISO 3166-1 code such as DE, DEU or 276, got {value!r}")
    return parse_jurisdiction(str(value))


def _investor_class(value: Any) -> int:
    if not isinstance(value, str):
        raise ValueError(f"expected an investor class name, got {value!r}")
    return int(InvestorClass.parse(value))


Text = Annotated[str, Field(min_length=1)]
Count = Annotated[int, Field(ge=0)]
Jurisdiction = Annotated[int, BeforeValidator(_jurisdiction)]
InvestorClassLevel = Annotated[int, BeforeValidator(_investor_class)]


class SafeSpec(Strict):
    """The issuer's Safe: an existing one (``safe: 0xSafe``) or one to deploy (owners, threshold)."""

    address: Text | None = None
    """An existing Safe (any network); the YAML may give it as ``safe: 0x...``."""
    owners: list[Text] = []
    """Owners of a Safe to deploy (local L2 only)."""
    threshold: int = 0
    """Signatures a Safe to deploy needs, between 1 and the number of owners."""

    @model_validator(mode="before")
    @classmethod
    def _address_alone(cls, data: Any) -> Any:
        return {"address": data} if isinstance(data, str) else data

    @field_validator("owners")
    @classmethod
    def _distinct(cls, owners: list[str]) -> list[str]:
        if len(set(owners)) != len(owners):
            raise ValueError("an owner is listed twice")
        return owners

    @field_validator("threshold")
    @classmethod
    def _within_owners(cls, threshold: int, info: ValidationInfo) -> int:
        owners = info.data.get("owners", ())
        if not 1 <= threshold <= len(owners):
            raise ValueError(f"{threshold} is not between 1 and {len(owners)} owners")
        return threshold

    @model_validator(mode="after")
    def _one_kind(self) -> SafeSpec:
        if self.address is None and not self.owners:
            raise ValueError("give the Safe's address, or owners and threshold to deploy one")
        if self.address is not None and (self.owners or self.threshold):
            raise ValueError("give either the Safe's address or owners and threshold, not both")
        if self.owners and not self.threshold:
            raise ValueError("missing key 'threshold'")
        return self


class TimelockSpec(Strict):
    min_delay: Count
    """Seconds between a proposal and its execution."""


class GovernanceSpec(Strict):
    safe: SafeSpec | None = None
    timelock: TimelockSpec | None = None
    """Holds the admin roles; needs ``safe`` (the Safe proposes timelock operations)."""

    @model_validator(mode="after")
    def _timelock_needs_safe(self) -> GovernanceSpec:
        if self.timelock is not None and self.safe is None:
            raise ValueError("timelock: needs governance.safe (the Safe proposes timelock operations)")
        return self


class RolesSpec(Strict):
    """Role holders: an address, ``test:N`` (local test account N), or ``safe`` / ``timelock``."""

    admin: Text
    compliance_officer: Text
    upgrader: Text
    minter: Text
    burner: Text
    agent: Text
    pauser: Text
    token_compliance: Text
    corporate_actions: Text
    paying_agent: Text
    redemption_operator: Text
    vault_agent: Text
    fee_recipient: Text
    treasury: Text


class PolicySpec(Strict):
    min_investor_class: InvestorClassLevel = int(InvestorClass.NONE)
    """none, retail, professional, accredited, qualified_purchaser."""
    block_us_persons: bool = True
    holding_cap: Count = 0
    """Raw tokens per wallet; 0: no cap."""
    blocked_jurisdictions: list[Jurisdiction] = []
    """ISO 3166-1 codes (DE, DEU or 276)."""


class VaultSpec(Strict):
    """The ticker's ERC-7540 redemption/subscription vault."""

    price_feed: Text
    """``local`` (a ManualFeed on the local L2) or the Chainlink feed's address."""
    initial_price_usd: Count = 0
    """The local price feed's first answer, whole dollars per share."""
    price_max_age: Count = 3_600
    band_bps: Count = 200
    """Fills within this many basis points of the feed."""
    fee_bps: Count = 25


class TickerSpec(Strict):
    name: Text
    symbol: Text
    underlying_ticker: Text
    isin: str = ""
    cusip: str = ""
    decimals: Count = 18
    issuer_name: str = ""
    terms_uri: str = ""
    reserve_feed: Text
    """``local`` (a ManualFeed on the local L2) or the proof-of-reserve feed's address."""
    initial_reserve_shares: Count = 0
    reserve_max_age: Count = 24 * 3600
    vault: VaultSpec | None = None
    policy: PolicySpec = PolicySpec()

    @model_validator(mode="after")
    def _identified(self) -> TickerSpec:
        if not (self.isin or self.cusip):
            raise ValueError("give an isin or a cusip")
        return self


class DeployFile(Strict):
    """The whole deploy YAML."""

    governance: GovernanceSpec = GovernanceSpec()
    roles: RolesSpec
    stablecoin: Text = "local"
    """``local`` (MockUSD on the local L2) or the 6-decimal stablecoin's address."""
    sequencer_feed: Text = "local"
    """Chainlink L2 sequencer uptime feed, or ``local``."""
    sequencer_grace_period: Count = 3_600
    tickers: list[TickerSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> DeployFile:
        configured = {"safe": self.governance.safe is not None, "timelock": self.governance.timelock is not None}
        for key, value in self.roles.model_dump().items():
            if value in GOVERNANCE_NAMES and not configured[value]:
                raise ValueError(f"roles.{key} is '{value}' but governance.{value} is not configured")
        first: dict[str, int] = {}
        for i, ticker in enumerate(self.tickers):
            if ticker.symbol in first:
                raise ValueError(f"tickers[{i}]: duplicate symbol {ticker.symbol} "
                                 f"(first at tickers[{first[ticker.symbol]}])")  # fmt: skip
            first[ticker.symbol] = i
        return self
