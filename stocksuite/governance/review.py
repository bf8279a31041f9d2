"""What a Safe transaction does, rebuilt from its fields: nothing is signed or sent blind.

A Safe transaction file says ``to``, ``value``, ``data`` and ``operation``; anything else in it
(its free-text description) proves nothing, and a changed field cannot be noticed by reading the
description. :func:`review` decodes the call with the ABIs of the network's deployment records
(the Safe's and the timelock's come from their npm artifacts), one level further for a timelock
``schedule``/``execute`` (the call it schedules) and for each call of a Safe
``MultiSendCallOnly`` batch, recomputes the ``safeTxHash`` (checked against the Safe's own
``getTransactionHash``) and checks that every signature in the file recovers to its owner for
that hash (a field changed after an owner signed shows up here). It refuses:

- an operation other than CALL, but a DELEGATECALL to the ``MultiSendCallOnly`` of the records
  whose code on chain is the Safe v1.4.1 artifact's (a DELEGATECALL runs foreign code with the
  Safe's own storage and authority: the attack that emptied an exchange's Safe in February 2025);
  inside a batch, any DELEGATECALL;
- a call to the Safe itself (owners, threshold, modules, guard, fallback handler), at any level,
  unless ``allow_self_call``;
- a call to an address the records do not know, unless it is in ``allow_targets``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from eth_utils import keccak, to_checksum_address

from stocksuite.governance.proposals import GovernanceError, SafeTx, container

CALL, DELEGATECALL = 0, 1
TIMELOCK_SINGLE = ("schedule", "execute")  # (target, value, data, predecessor, salt[, delay])
TIMELOCK_BATCH = ("scheduleBatch", "executeBatch")  # (targets, values, payloads, predecessor, salt[, delay])
MULTISEND = "MultiSendCallOnly"


class SafeTxRefused(GovernanceError):
    """The Safe transaction does something the tooling does not sign or send without a flag."""


@dataclass(frozen=True)
class Known:
    """One contract of the records: its record name and ABI."""

    name: str
    contract_type: Any

    def method(self, data: bytes) -> Any | None:
        return next((m for m in self.contract_type.methods if keccak(text=m.selector)[:4] == data[:4]), None)


@dataclass
class KnownContracts:
    """The contracts a Safe transaction may call, by address: the network's records."""

    by_address: dict[str, Known] = field(default_factory=dict)

    @classmethod
    def from_records(cls, records: Any) -> KnownContracts:
        from ethpm_types import ContractType

        known = cls()
        for name, record in records.all().items():
            contract_type = ContractType(contractName=record.get("contractName") or name, abi=record["abi"])
            known.by_address.setdefault(str(record["address"]).lower(), Known(name, contract_type))
        return known

    @classmethod
    def of(cls, **contracts: Any) -> KnownContracts:
        """From ape contract instances, by name (``Safe=safe, Timelock=timelock``)."""
        return cls({str(c.address).lower(): Known(name, c.contract_type) for name, c in contracts.items()})

    def get(self, address: str) -> Known | None:
        return self.by_address.get(address.lower())

    def label(self, address: str) -> str:
        known = self.get(address)
        return f"{known.name} {to_checksum_address(address)}" if known else f"unknown {to_checksum_address(address)}"


@dataclass(frozen=True)
class Call:
    """One decoded call (``inner``: the calls a timelock operation or a batch makes)."""

    operation: int
    to: str
    value: int
    target: str  # "ComplianceRegistry 0x..." or "unknown 0x..."
    function: str  # "setFrozen(wallets=[0x...], frozen=True)" or the raw selector and data
    inner: tuple[Call, ...] = ()
    data: bytes = b""

    def lines(self, depth: int = 0) -> list[str]:
        kind = "DELEGATECALL" if self.operation == DELEGATECALL else "CALL"
        value = f", sending {self.value} wei" if self.value else ""
        head = f"{'  ' * depth}{'- ' if depth else ''}{kind} {self.target}{value}: {self.function}"
        return [head, *(line for call in self.inner for line in call.lines(depth + 1))]

    def summary(self) -> str:
        """One line: the call, with what a timelock operation or batch does in brackets."""
        name = self.target.split(" ")[0]
        inner = "; ".join(c.summary() for c in self.inner)
        return f"{name}.{self.function}" + (f" [{inner}]" if inner else "")


@dataclass(frozen=True)
class Review:
    """A Safe transaction as the tooling shows it before a signature or an execution."""

    safe: str
    nonce: int
    safe_tx_hash: str
    call: Call
    signers: tuple[str, ...]
    note_differs: bool  # the file's description is not the decoded call's summary

    def lines(self) -> list[str]:
        lines = [f"Safe {self.safe}, transaction nonce {self.nonce}",
                 f"safeTxHash {self.safe_tx_hash} (recomputed from the fields; the Safe's getTransactionHash agrees)",
                 "decoded call:", *(f"  {line}" for line in self.call.lines()),
                 f"signed so far by: {', '.join(self.signers) or 'nobody'}"]  # fmt: skip
        if self.note_differs:
            lines.append(
                "note: the file's description does not match its calldata; ignored (the decoded call is what runs)"
            )
        return lines


def review(safe: Any, tx: SafeTx, known: KnownContracts, allow_self_call: bool = False,
           allow_targets: tuple[str, ...] = (), provider: Any = None) -> Review:  # fmt: skip
    """Decode ``tx``, check its hash and signatures, and refuse what the flags do not allow.

    ``provider`` (for the DELEGATECALL target's code) defaults to the connected one.
    """
    from stocksuite.governance.proposals import check_hash

    if tx.operation not in (CALL, DELEGATECALL):
        raise SafeTxRefused(f"operation {tx.operation} is neither CALL (0) nor DELEGATECALL (1): refused.")
    if str(tx.safe).lower() != str(safe.address).lower():
        raise SafeTxRefused(f"the file is for Safe {tx.safe}, not the recorded Safe {safe.address}.")
    check_hash(safe, tx)
    digest = "0x" + tx.digest().hex()
    if tx.safe_tx_hash and tx.safe_tx_hash.lower() != digest:
        raise SafeTxRefused(f"the file's fields hash to {digest}, not to the safeTxHash {tx.safe_tx_hash} it was "
                            "proposed with: it was changed since; get the proposal again.")  # fmt: skip
    for owner, signature in tx.signatures.items():
        if _recovers(tx, signature) != owner.lower():
            raise SafeTxRefused(f"the signature of {owner} is not over this transaction's safeTxHash {digest}: the file "
                                "was changed after it was signed (or the signature is forged); get the proposal again.")  # fmt: skip
    decoder = _Decoder(safe.address, known, allow_self_call, {a.lower() for a in allow_targets}, provider)
    call = decoder.top(tx.operation, tx.to, tx.value, bytes.fromhex(tx.data.removeprefix("0x")))
    differs = bool(tx.description) and tx.description != call.summary()
    return Review(safe=str(safe.address), nonce=tx.nonce, safe_tx_hash=digest, call=call, signers=tuple(tx.signatures),
                  note_differs=differs)  # fmt: skip


def decode_call(known: KnownContracts, safe: str, to: str, data: bytes, value: int = 0) -> Call:
    """One CALL decoded as :func:`review` shows it (a call the Safe or anyone else makes)."""
    return _Decoder(safe, known, False, set(), None).decode(CALL, to, value, data)


def _recovers(tx: SafeTx, signature: str) -> str:
    try:
        return tx.signer_of(signature).lower()
    except Exception:  # a malformed signature recovers to nobody
        return ""


@dataclass
class _Decoder:
    safe: str
    known: KnownContracts
    allow_self_call: bool
    allow_targets: set[str]
    provider: Any

    def top(self, operation: int, to: str, value: int, data: bytes) -> Call:
        if operation == DELEGATECALL:
            self._check_multisend(to)
            calls = self.batch(data)
            return Call(DELEGATECALL, to_checksum_address(to), value, self.known.label(to),
                        f"multiSend({len(calls)} calls)", calls, data)  # fmt: skip
        return self.decode(CALL, to, value, data, depth=0)

    def decode(self, operation: int, to: str, value: int, data: bytes, depth: int = 0) -> Call:
        to = to_checksum_address(to)
        known = self.known.get(to)
        if to.lower() == str(self.safe).lower() and not self.allow_self_call:
            shown = self._function(known, data)
            raise SafeTxRefused(f"the transaction calls the Safe itself ({shown}): owner, threshold, module, guard and "
                                "fallback-handler changes are refused without --allow-self-call.")  # fmt: skip
        if known is None and to.lower() not in self.allow_targets:
            raise SafeTxRefused(f"the transaction calls {to}, which the deployment records do not know "
                                f"({_raw(data)}): refused without --allow-target {to}.")  # fmt: skip
        inner: tuple[Call, ...] = ()
        method = known.method(data) if known and operation == CALL else None
        if method is not None and depth < 2 and self._is_timelock(known):
            inner = self._timelock_calls(method, data, depth)
        return Call(operation, to, value, self.known.label(to), self._function(known, data), inner, data)

    def batch(self, data: bytes) -> tuple[Call, ...]:
        """The calls of ``multiSend(bytes)``: each ``operation (1) | to (20) | value (32) | length (32) | data``."""
        from eth_abi import decode

        if data[:4] != keccak(text="multiSend(bytes)")[:4]:
            raise SafeTxRefused(f"the DELEGATECALL to {MULTISEND} is not multiSend(bytes) ({_raw(data)}): refused.")
        (packed,) = decode(["bytes"], data[4:])
        calls, offset = [], 0
        while offset < len(packed):
            if offset + 85 > len(packed):
                raise SafeTxRefused(f"the batch is cut short at byte {offset}: refused.")
            operation, to = packed[offset], "0x" + packed[offset + 1 : offset + 21].hex()
            value, length = (
                int.from_bytes(packed[offset + 21 : offset + 53]),
                int.from_bytes(packed[offset + 53 : offset + 85]),
            )
            inner = packed[offset + 85 : offset + 85 + length]
            if operation != CALL:
                raise SafeTxRefused(f"call {len(calls) + 1} of the batch is a DELEGATECALL to {to_checksum_address(to)}: "
                                    "refused (a batch may only CALL).")  # fmt: skip
            calls.append(self.decode(CALL, to, value, inner, depth=1))
            offset += 85 + length
        return tuple(calls)

    def _check_multisend(self, to: str) -> None:
        from ape import chain

        from stocksuite.chain.bytecode import runtime_matches

        known = self.known.get(to)
        if known is None or known.contract_type.name != MULTISEND:
            raise SafeTxRefused(f"the transaction is a DELEGATECALL to {self.known.label(to)}: refused (a DELEGATECALL "
                                f"runs foreign code as the Safe; only the recorded {MULTISEND} is accepted).")  # fmt: skip
        code = (self.provider or chain.provider).get_code(to_checksum_address(to))
        artifact = container(MULTISEND).contract_type.runtime_bytecode.bytecode
        if not runtime_matches(code, artifact):
            raise SafeTxRefused(f"the code at {to} (recorded as {known.name}) is not Safe's {MULTISEND} v1.4.1: "
                                "DELEGATECALL refused.")  # fmt: skip

    @cached_property
    def role_names(self) -> dict[bytes, str]:
        """Role ids (``keccak256("MINTER_ROLE")``, as OpenZeppelin's AccessControl defines them)
        of every ``*_ROLE`` constant in the known ABIs; the zero DEFAULT_ADMIN_ROLE is left out,
        as a zero salt or predecessor is the same word."""
        names = {m.name for known in self.known.by_address.values() for m in known.contract_type.view_methods
                 if m.name.endswith("_ROLE") and not m.inputs}  # fmt: skip
        return {keccak(text=name): name for name in names - {"DEFAULT_ADMIN_ROLE"}}

    @staticmethod
    def _is_timelock(known: Known) -> bool:
        return known.contract_type.name == "TimelockController"

    def _timelock_calls(self, method: Any, data: bytes, depth: int) -> tuple[Call, ...]:
        from eth_abi import decode

        values = decode([i.canonical_type for i in method.inputs], data[4:])
        if method.name in TIMELOCK_SINGLE:
            return (self.decode(CALL, values[0], values[1], values[2], depth + 1),)
        if method.name in TIMELOCK_BATCH:
            return tuple(self.decode(CALL, t, v, d, depth + 1) for t, v, d in zip(*values[:3], strict=True))
        return ()

    def _function(self, known: Known | None, data: bytes) -> str:
        from eth_abi import decode

        if not data:
            return "no calldata (a plain transfer)"
        method = known.method(data) if known else None
        if method is None:
            return _raw(data)
        try:
            values = decode([i.canonical_type for i in method.inputs], data[4:])
        except Exception as err:  # calldata that does not decode as its selector's ABI
            raise SafeTxRefused(f"the calldata for {method.name} does not decode ({err}): refused.") from err
        shown = ", ".join(f"{i.name or f'arg{n}'}={self._value(i.canonical_type, v)}"
                          for n, (i, v) in enumerate(zip(method.inputs, values, strict=True)))  # fmt: skip
        return f"{method.name}({shown})"

    def _value(self, abi_type: str, value: Any) -> str:
        if isinstance(value, (list, tuple)):
            item_type = abi_type[: abi_type.rindex("[")] if abi_type.endswith("]") else ""
            return "[" + ", ".join(self._value(item_type, v) for v in value) + "]"
        if abi_type == "address":
            known = self.known.get(value)
            return to_checksum_address(value) + (f" ({known.name})" if known else "")
        if isinstance(value, bytes):
            return self.role_names.get(value) or "0x" + value.hex()
        return repr(value) if isinstance(value, str) else str(value)


def _raw(data: bytes) -> str:
    return f"selector 0x{data[:4].hex()}, {len(data)} bytes of calldata not decoded" if data else "no calldata"


def multisend_data(calls: list[tuple[str, int, bytes]]) -> bytes:
    """``multiSend(bytes)`` calldata for ``(to, value, data)`` CALLs, packed as MultiSendCallOnly reads them."""
    from eth_abi import encode

    packed = b"".join(bytes([CALL]) + bytes.fromhex(to[2:]) + value.to_bytes(32) + len(data).to_bytes(32) + data
                      for to, value, data in calls)  # fmt: skip
    return keccak(text="multiSend(bytes)")[:4] + encode(["bytes"], [packed])
