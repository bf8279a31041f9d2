"""Reverts in words: a custom error of any project contract by name and arguments, and what to do next."""

from __future__ import annotations

_FRESH_RESERVE = ("have the custodian post a fresh reserve answer (on the local L2: ape run local_feeds reserve "
                  "TICKER SHARES), then retry")  # fmt: skip
REVERT_HINTS = {
    "StaleReserve": f": the reserve answer is older than the ticker's reserve_max_age; {_FRESH_RESERVE}",
    "ReserveBeforeMultiplierChange": (
        ": the reserve answer predates the split or reverse split in force, so it "
        f"counts the custodian's shares before it; {_FRESH_RESERVE}"
    ),  # fmt: skip
}


def revert_hint(detail: str) -> str:
    """What to do next about a decoded revert (``Name(args)``), or nothing."""
    return REVERT_HINTS.get(detail.split("(", 1)[0], "")


def decode_revert(data: str) -> str | None:
    """Name a custom error raised by another project contract (ape decodes only the callee's)."""
    from ape import project
    from eth_abi import decode
    from eth_utils import keccak

    text = data.strip()
    if not (text.startswith("0x") and len(text) >= 10):
        return None
    selector, payload = bytes.fromhex(text[2:10]), bytes.fromhex(text[10:])
    for contract_type in (project.manifest.contract_types or {}).values():
        for error in contract_type.errors:
            if keccak(text=error.selector)[:4] != selector:
                continue
            values = decode([i.canonical_type for i in error.inputs], payload)
            args = ", ".join(f"{i.name}={v}" for i, v in zip(error.inputs, values, strict=True))
            return f"{error.name}({args})"
    return None
