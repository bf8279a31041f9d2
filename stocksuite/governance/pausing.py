"""Pausing a ticker (every transfer, mint and burn) or its redemption vault (requests, fills).

The pauser sends it directly when its own account holds ``PAUSER_ROLE`` on the contract. When
the role sits with governance (``roles.pauser: safe`` or ``timelock`` in the deploy config), the
pause becomes a Safe transaction file, the same as ``ape run governance propose ...`` writes
(through the timelock when the timelock holds the role): owners then sign and execute it.
Anyone else is refused before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stocksuite.governance import proposals as gov
from stocksuite.config.errors import StockSuiteError
from stocksuite.governance.review import KnownContracts, decode_call, review

VAULT_PARTS = ("all", "requests", "fills")


class PauseError(StockSuiteError):
    """The pause cannot be sent or proposed; nothing was sent."""


@dataclass(frozen=True)
class PausePlan:
    """One pause or unpause call, and who may make it."""

    record: str  # StockToken_AAPLx or RedemptionVault_AAPLx
    contract: Any
    function: str
    args: tuple[Any, ...]
    holder: str  # "sender", "safe" or "timelock"

    @property
    def data(self) -> bytes:
        return gov.encode_call(self.contract, self.function, *self.args)


def plan_pause(ctx: Any, symbol: str, paused: bool, vault: str | None, sender: str) -> PausePlan:
    """The call that pauses (``paused``) or resumes ``symbol``'s token, or with ``vault`` (one of
    :data:`VAULT_PARTS`) its vault's requests and/or fills, and which holder of ``PAUSER_ROLE``
    makes it: ``sender`` itself, else the recorded Safe, else the recorded timelock."""
    verb = "paused" if paused else "running"
    if vault is None:
        contract, record = ctx.token(symbol), f"StockToken_{symbol}"
        if bool(contract.paused()) == paused:
            raise PauseError(f"{symbol} is already {verb}: nothing to send.")
        function, args = ("pause" if paused else "unpause"), ()
    else:
        if vault not in VAULT_PARTS:
            raise PauseError(f"--vault {vault!r}: expected one of {', '.join(VAULT_PARTS)}.")
        record = f"RedemptionVault_{symbol}"
        if not ctx.records.has(record):
            raise PauseError(f"{symbol} has no recorded vault ({record}).")
        contract = ctx.project.RedemptionVault.at(ctx.records.address(record))
        current = (bool(contract.requestsPaused()), bool(contract.fillsPaused()))
        wanted = (
            paused if vault in ("all", "requests") else current[0],
            paused if vault in ("all", "fills") else current[1],
        )
        if wanted == current:
            raise PauseError(f"{record}: {vault} already {verb}: nothing to send.")
        function, args = "setPaused", wanted
    role = contract.PAUSER_ROLE()
    candidates = [("sender", sender)] + [(key, ctx.records.address(name)) for key, name in
                                         (("safe", "Safe"), ("timelock", "Timelock")) if ctx.records.has(name)]  # fmt: skip
    holder = next((key for key, address in candidates if contract.hasRole(role, address)), None)
    if holder is None:
        raise PauseError(f"{sender} does not hold PAUSER_ROLE on {record} ({contract.address}), nor does the Safe or "
                         "the timelock: nothing sent (use the pauser's --account).")  # fmt: skip
    return PausePlan(record, contract, function, args, holder)


def describe(ctx: Any, plan: PausePlan) -> Any:
    """The call decoded from its calldata, as the governance tooling shows calls."""
    return decode_call(KnownContracts.from_records(ctx.records), _safe_address(ctx), plan.contract.address, plan.data)


def propose_pause(ctx: Any, plan: PausePlan) -> tuple[gov.SafeTx, Any]:
    """``plan`` as a Safe transaction (scheduled on the timelock when the timelock holds the role),
    with its review (what ``sign`` will show)."""
    safe, timelock = gov.governance_contracts(ctx.project, ctx.records)
    chain_id = ctx.chain.chain_id
    if plan.holder == "timelock":
        assert timelock is not None
        operation = gov.timelock_operation(timelock, plan.contract.address, plan.data)
        tx = gov.propose(safe, chain_id, timelock.address, gov.schedule_calldata(timelock, operation), "",
                         timelock=operation)  # fmt: skip
    else:
        tx = gov.propose(safe, chain_id, plan.contract.address, plan.data, "")
    reviewed = review(safe, tx, KnownContracts.from_records(ctx.records))
    tx.description = reviewed.call.summary()
    return tx, reviewed


def _safe_address(ctx: Any) -> str:
    return ctx.records.address("Safe") if ctx.records.has("Safe") else gov.ZERO_ADDRESS
