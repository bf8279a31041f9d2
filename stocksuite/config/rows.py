"""One row of each CSV the tools read: the investors file (whitelist sync), the executions file
(``redemption fill``) and the custodian statement (``reconcile``).

Cells arrive as text; each column's validator turns it into its exact type (Decimal for shares
and dollars, never float) or refuses it with a message naming the column and the value.
:func:`stocksuite.config.csvfiles.read_rows` reads the file and names the line.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from eth_utils import is_address, is_checksum_address, to_checksum_address
from pydantic import BeforeValidator, ValidationError, ValidationInfo, field_validator, model_validator

from stocksuite.config.deploy import Strict
from stocksuite.config.loading import describe
from stocksuite.config.records import InvestorClass, parse_jurisdiction

USD_DECIMALS = 6
_DECIMAL = re.compile(r"\d+(\.\d+)?")
_USD = re.compile(r"\d+(\.\d{1,6})?")
_TICKER = re.compile(r"[A-Z0-9][A-Z0-9.\-/]{0,11}")
_ISIN = re.compile(r"[A-Z]{2}[A-Z0-9]{9}[0-9]")
_AS_OF = re.compile(r"\d+|\d{4}-\d{2}-\d{2}([T ].+)?")


class CsvRow(Strict):
    """A row: surrounding spaces stripped, a blank optional cell is the column's default."""

    REQUIRED: ClassVar[tuple[str, ...]] = ()
    OPTIONAL: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _cells(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        cells = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return {k: v for k, v in cells.items() if not (k in cls.OPTIONAL and v == "")}


def validate_row(model: type[CsvRow], raw: dict[str, str], context: dict[str, Any] | None = None) -> Any:
    """``model`` from one CSV row; ValueError (the first problem, plus ``(and N more)``) if bad."""
    try:
        return model.model_validate(raw, context=context)
    except ValidationError as err:
        errors = err.errors(include_url=False)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ValueError(describe(errors[0], model, name_value_errors=False) + more) from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    return value


def _wallet(column: str) -> Any:
    def parse(value: Any) -> str:
        text = _text(value).strip()
        if not is_address(text) and not (text.startswith("0x") and len(text) == 42):
            raise ValueError(f"{column} {value!r} is not an address")
        if text != text.lower() and not is_checksum_address(text):
            raise ValueError(f"{column} {text} has a bad EIP-55 checksum")
        if int(text, 16) == 0:
            raise ValueError(f"{column} is the zero address")
        return str(to_checksum_address(text))

    return BeforeValidator(parse)


def _yes_no(column: str) -> Any:
    def parse(value: Any) -> bool:
        text = _text(value).strip().lower()
        if text in ("yes", "y", "true", "1"):
            return True
        if text in ("no", "n", "false", "0", ""):
            return False
        raise ValueError(f"{column} must be yes or no, not {value!r}")

    return BeforeValidator(parse)


def _jurisdiction(value: Any) -> int:
    return parse_jurisdiction(_text(value))


def _investor_class(value: Any) -> int:
    return int(InvestorClass.parse(_text(value)))


def _expiry(value: Any) -> int:
    text = _text(value).strip()
    if text.isdigit():
        return int(text)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"kyc_expiry {value!r} is not YYYY-MM-DD or unix seconds") from None
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())


def _investor_id(value: Any) -> int:
    text = _text(value)
    if not text.isdigit() or int(text) >= 2**64:
        raise ValueError(f"investor_id {text!r} is not a whole number below 2**64")
    return int(text)


def _lower(value: Any) -> str:
    return _text(value).lower()


def _decimal(column: str, pattern: re.Pattern[str], what: str, dollars: bool = False) -> Any:
    def parse(value: Any) -> Decimal:
        text = _text(value)
        text = text.removeprefix("$") if dollars else text
        if not pattern.fullmatch(text):
            raise ValueError(f"{column} {value!r} is not {what}")
        return Decimal(text)

    return BeforeValidator(parse)


class InvestorRow(CsvRow):
    """``wallet, jurisdiction, investor_class, kyc_expiry, status[, investor_id, us_person, contract_account]``.

    A ``removed`` row needs only its wallet; its other cells are not read. Validate with
    ``context={"now": unix_seconds}``: a KYC expiry must be in the future.
    """

    REQUIRED = ("wallet", "jurisdiction", "investor_class", "kyc_expiry", "status")
    OPTIONAL = ("investor_id", "us_person", "contract_account")
    STATUSES: ClassVar[tuple[str, ...]] = ("verified", "pending", "frozen", "removed")

    wallet: Annotated[str, _wallet("wallet")]
    """EIP-55 checksummed (all-lowercase is accepted, wrong mixed case is not)."""
    status: Annotated[Literal["verified", "pending", "frozen", "removed"], BeforeValidator(_lower)]
    jurisdiction: Annotated[int, BeforeValidator(_jurisdiction)] | None = None
    """ISO 3166-1 alpha-2, alpha-3 or numeric code (required unless removed)."""
    investor_class: Annotated[int, BeforeValidator(_investor_class)] | None = None
    kyc_expiry: int | None = None
    """``YYYY-MM-DD`` (00:00 UTC that day) or unix seconds; must be in the future."""
    investor_id: Annotated[int, BeforeValidator(_investor_id)] = 0
    """Links wallets of one investor; 0: not linked."""
    us_person: Annotated[bool, _yes_no("us_person")] | None = None
    """None: yes for US states and territories."""
    contract_account: Annotated[bool, _yes_no("contract_account")] = False
    """An issuer-approved vault, pool or omnibus wallet."""

    @model_validator(mode="before")
    @classmethod
    def _removed_needs_only_the_wallet(cls, data: Any) -> Any:
        if isinstance(data, dict) and str(data.get("status", "")).strip().lower() == "removed":
            return {"wallet": data.get("wallet"), "status": "removed"}
        return data

    @field_validator("status", mode="before")
    @classmethod
    def _known_status(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() not in cls.STATUSES:
            raise ValueError(f"status {value!r} is not one of {', '.join(cls.STATUSES)}")
        return value

    @field_validator("kyc_expiry", mode="before")
    @classmethod
    def _in_the_future(cls, value: Any, info: ValidationInfo) -> int:
        expiry = _expiry(value)
        now = (info.context or {}).get("now")
        if now is not None and expiry <= now:
            raise ValueError(f"kyc_expiry {value} has already passed")
        return expiry

    @model_validator(mode="after")
    def _listed_needs_every_column(self) -> InvestorRow:
        if self.status != "removed":
            for column in ("jurisdiction", "investor_class", "kyc_expiry"):
                if getattr(self, column) is None:
                    raise ValueError(f"{column} is required unless the status is removed")
        return self


class ExecutionRow(CsvRow):
    """``side,controller,amount,price``: one fill at an execution price.

    ``amount``: shares for ``redeem`` (``10.5``), dollars for ``subscribe`` (at most 6 decimals,
    ``$`` allowed); ``price``: dollars per share, at most 6 decimals (``$`` allowed).
    """

    REQUIRED = ("side", "controller", "amount", "price")

    side: Annotated[Literal["redeem", "subscribe"], BeforeValidator(_lower)]
    controller: Annotated[str, _wallet("controller")]
    amount: Annotated[Decimal, _decimal("amount", _DECIMAL, "a non-negative decimal such as 10 or 10.5", True)]
    price: Annotated[Decimal, _decimal("price", _USD, "a dollar amount with at most 6 decimals", True)]

    @model_validator(mode="before")
    @classmethod
    def _shares_are_not_dollars(cls, data: Any) -> Any:
        if isinstance(data, dict) and str(data.get("side", "")).strip().lower() == "redeem" \
                and str(data.get("amount", "")).strip().startswith("$"):  # fmt: skip
            raise ValueError(f"amount {data['amount'].strip()!r} is in dollars; a redeem amount is in shares")
        return data

    @field_validator("side", mode="before")
    @classmethod
    def _known_side(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() not in ("redeem", "subscribe"):
            raise ValueError(f"side {value!r} is not redeem or subscribe")
        return value

    @field_validator("price")
    @classmethod
    def _positive_price(cls, price: Decimal) -> Decimal:
        if price == 0:
            raise ValueError("price is zero")
        return price

    @model_validator(mode="after")
    def _dollars_in_cents(self) -> ExecutionRow:
        if self.side == "subscribe" and -self.amount.as_tuple().exponent > USD_DECIMALS:  # type: ignore[operator]
            raise ValueError(f"amount '{self.amount}' is not a dollar amount with at most 6 decimals")
        return self


def _ticker(value: Any) -> str:
    text = _text(value)
    if not _TICKER.fullmatch(text):
        raise ValueError(f"ticker {value!r} is not an upper-case ticker such as AAPL or BRK.B")
    return text


def isin_check_digit_ok(isin: str) -> bool:
    """ISO 6166: letters become 10..35, then the Luhn check over every digit."""
    digits = "".join(str(int(c, 36)) for c in isin)
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _isin(value: Any) -> str:
    text = _text(value)
    if not _ISIN.fullmatch(text) or not isin_check_digit_ok(text):
        raise ValueError(f"isin {value!r} is not an ISIN with a valid check digit")
    return text


def _as_of(value: Any) -> str:
    text = _text(value)
    if not _AS_OF.fullmatch(text):
        raise ValueError(f"as_of {value!r} is not an ISO 8601 date or time, or unix seconds")
    return text


class StatementRow(CsvRow):
    """``ticker,isin,shares,as_of``: one security in the custodian's statement."""

    REQUIRED = ("ticker", "isin", "shares", "as_of")

    ticker: Annotated[str, BeforeValidator(_ticker)]
    """The underlying's ticker (``AAPL``, ``BRK.B``)."""
    isin: Annotated[str, BeforeValidator(_isin)]
    """ISIN with a valid check digit; the row is matched to the token by it."""
    shares: Annotated[Decimal, _decimal("shares", _DECIMAL, "a non-negative decimal such as 150 or 150.25")]
    as_of: Annotated[str, BeforeValidator(_as_of)]
    """ISO 8601 date or time (UTC when no zone), or unix seconds; the reader turns it into a time."""


__all__ = ["CsvRow", "ExecutionRow", "InvestorRow", "StatementRow", "isin_check_digit_ok", "validate_row"]
