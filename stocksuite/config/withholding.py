"""The dividend withholding table (``config/withholding.yaml``): rates in basis points by jurisdiction."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from stocksuite.config.deploy import Jurisdiction, Strict
from stocksuite.config.records import parse_jurisdiction

Bps = Annotated[int, Field(ge=0, le=10_000)]


class WithholdingFile(Strict):
    """``{default_bps: 3000, rates: {DE: 1500, ...}}``."""

    default_bps: Bps
    """Unknown jurisdictions and countries without a treaty rate."""
    rates: dict[Jurisdiction, Bps] = {}
    """ISO 3166-1 code (DE, DEU or 276) -> basis points."""

    @model_validator(mode="before")
    @classmethod
    def _one_rate_per_jurisdiction(cls, data: Any) -> Any:
        rates = data.get("rates") if isinstance(data, dict) else None
        if isinstance(rates, dict):
            seen: dict[int, Any] = {}
            for key in rates:
                if isinstance(key, bool):
                    raise ValueError(f"rates: a key is {str(key).lower()}: YAML reads unquoted NO, YES, ON, OFF as "
                                     "true/false; quote the code ('NO')")  # fmt: skip
                try:
                    code = parse_jurisdiction(str(key)) if isinstance(key, (str, int)) else None
                except ValueError:
                    continue  # reported with its key path by the field itself
                if code is not None and code in seen:
                    raise ValueError(f"rates: {seen[code]} and {key} are the same jurisdiction")
                seen.setdefault(code, key) if code is not None else None
        return data
