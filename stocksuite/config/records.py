"""Investor records as the ComplianceRegistry packs them (``contracts/compliance/InvestorRecord.sol``).

Layout of the packed word, low bits first: flags (8), investor class (8), jurisdiction as
ISO 3166-1 numeric (16), KYC expiry in unix seconds (40), investor id (64).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

import pycountry

VERIFIED = 1 << 0
FROZEN = 1 << 1
CONTRACT_ACCOUNT = 1 << 2
US_PERSON = 1 << 3

# Residents of these are US persons (Regulation S): the states and the US territories.
US_JURISDICTIONS = frozenset({840, 16, 316, 580, 581, 630, 850})  # US AS GU MP UM PR VI


class InvestorClass(enum.IntEnum):
    NONE = 0
    RETAIL = 1
    PROFESSIONAL = 2
    ACCREDITED = 3
    QUALIFIED_PURCHASER = 4

    @classmethod
    def parse(cls, text: str) -> InvestorClass:
        key = text.strip().upper().replace("-", "_").replace(" ", "_")
        try:
            return cls[key]
        except KeyError:
            names = ", ".join(c.name.lower() for c in cls)
            raise ValueError(f"unknown investor class {text!r} (expected one of: {names})") from None


def parse_jurisdiction(text: str) -> int:
    """ISO 3166-1 alpha-2, alpha-3 or numeric code -> numeric code; ValueError if unknown."""
    value = text.strip()
    country = None
    if value.isdigit():
        country = pycountry.countries.get(numeric=value.zfill(3))
    elif len(value) == 2:
        country = pycountry.countries.get(alpha_2=value.upper())
    elif len(value) == 3:
        country = pycountry.countries.get(alpha_3=value.upper())
    if country is None:
        raise ValueError(f"unknown jurisdiction {text!r} (use an ISO 3166-1 code such as DE, DEU or 276)")
    return int(country.numeric)


def jurisdiction_code(numeric: int) -> str:
    """ISO 3166-1 numeric code -> alpha-2 (``276`` -> ``DE``); the number itself if unknown."""
    country = pycountry.countries.get(numeric=f"{numeric:03d}") if 0 < numeric <= 999 else None
    return country.alpha_2 if country is not None else str(numeric)


@dataclass(frozen=True)
class InvestorRecord:
    jurisdiction: int
    investor_class: InvestorClass
    kyc_expiry: int
    investor_id: int = 0
    verified: bool = True
    frozen: bool = False
    contract_account: bool = False
    us_person: bool = False

    @property
    def flags(self) -> int:
        return (
            (VERIFIED if self.verified else 0)
            | (FROZEN if self.frozen else 0)
            | (CONTRACT_ACCOUNT if self.contract_account else 0)
            | (US_PERSON if self.us_person else 0)
        )

    def pack(self) -> int:
        if not 0 < self.jurisdiction <= 999:
            raise ValueError(f"jurisdiction {self.jurisdiction} is not an ISO 3166-1 numeric code")
        if not 0 <= self.kyc_expiry < 2**40:
            raise ValueError(f"KYC expiry {self.kyc_expiry} does not fit 40 bits")
        if not 0 <= self.investor_id < 2**64:
            raise ValueError(f"investor id {self.investor_id} does not fit 64 bits")
        return (
            self.flags
            | int(self.investor_class) << 8
            | self.jurisdiction << 16
            | self.kyc_expiry << 32
            | self.investor_id << 72
        )

    def describe(self) -> str:
        """One line for reports: ``DE retail, KYC until 2027-01-15, id 7, frozen``."""
        expiry = dt.datetime.fromtimestamp(self.kyc_expiry, dt.timezone.utc).date().isoformat()
        marks = (
            ("not verified", not self.verified),
            ("frozen", self.frozen),
            ("contract account", self.contract_account),
            ("US person", self.us_person),
        )
        return ", ".join(
            [
                f"{jurisdiction_code(self.jurisdiction)} {self.investor_class.name.lower()}",
                f"KYC until {expiry}",
                f"id {self.investor_id}",
                *(name for name, on in marks if on),
            ]
        )

    @classmethod
    def unpack(cls, word: int) -> InvestorRecord:
        flags = word & 0xFF
        return cls(
            jurisdiction=(word >> 16) & 0xFFFF,
            investor_class=InvestorClass((word >> 8) & 0xFF),
            kyc_expiry=(word >> 32) & (2**40 - 1),
            investor_id=(word >> 72) & (2**64 - 1),
            verified=bool(flags & VERIFIED),
            frozen=bool(flags & FROZEN),
            contract_account=bool(flags & CONTRACT_ACCOUNT),
            us_person=bool(flags & US_PERSON),
        )
