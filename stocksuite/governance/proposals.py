"""The issuer's governance: a Safe multisig and an OpenZeppelin TimelockController.

Both come from the audited build artifacts their npm packages ship (Safe v1.4.1 ``SafeL2``,
the variant Safe recommends on L2s because it emits an event per execution, and OpenZeppelin
Contracts 5.x ``TimelockController``); nothing is recompiled. The timelock holds every admin and
upgrader role; the Safe is its only proposer and canceller, and execution after the delay is
open to anyone, as in OpenZeppelin Governor deployments.

A Safe transaction is a JSON file that travels between owners: ``propose`` writes it, each
owner ``sign``s it (an EIP-712 signature over the Safe's ``SafeTx``, checked against
``getTransactionHash`` on chain), and anyone ``execute``s it once the threshold is met. The
``SafeTx`` message, its hash and the packed signatures are ape-safe's (its EIP-712 struct for the
Safe's version, ``get_safe_tx_hash``, ``encode_signatures``) and ape's ``MessageSignature``;
ape-safe's ``SafeAccount`` itself is not used: it keeps signatures in the Safe Transaction
Service (a mock on local networks) rather than in a file, and needs an ape-safe account alias
and the Safe's singleton among the deployments ape-safe knows. Signing
and executing take a :class:`stocksuite.governance.review.Review` of the transaction: its call decoded
from the fields (never from the file's description), refused when it is a DELEGATECALL other than
a Safe ``MultiSendCallOnly`` batch, a call to the Safe itself or to an address the records do not
know, unless explicitly allowed. Execution is simulated with the real operation first.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from stocksuite.chain.accounts import ZERO_ADDRESS
from stocksuite.config.environment import environment
from stocksuite.config.errors import StockSuiteError

ZERO_BYTES32 = b"\x00" * 32

ARTIFACTS = {
    "SafeL2": "@safe-global/safe-contracts/build/artifacts/contracts/SafeL2.sol/SafeL2.json",
    "SafeProxyFactory": "@safe-global/safe-contracts/build/artifacts/contracts/proxies/SafeProxyFactory.sol/SafeProxyFactory.json",
    "CompatibilityFallbackHandler": "@safe-global/safe-contracts/build/artifacts/contracts/handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json",
    "TimelockController": "@openzeppelin/contracts/build/contracts/TimelockController.json",
    "MultiSendCallOnly": "@safe-global/safe-contracts/build/artifacts/contracts/libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json",
}  # fmt: skip


class GovernanceError(StockSuiteError):
    """A Safe transaction or timelock operation cannot go ahead."""


@cache
def container(name: str) -> Any:
    """An ape contract container built from the npm package's build artifact."""
    from ape.contracts import ContractContainer
    from ethpm_types import ContractType

    node_modules = environment().node_modules
    path = node_modules / ARTIFACTS[name]
    if not path.is_file():
        raise GovernanceError(f"{path} is missing: run `make setup` (npm ci) first.")
    artifact = json.loads(path.read_text())
    contract_type = ContractType(
        contractName=name, sourceId=artifact["sourceName"], abi=artifact["abi"],
        deploymentBytecode={"bytecode": artifact["bytecode"]},
        runtimeBytecode={"bytecode": artifact["deployedBytecode"]},
    )  # fmt: skip
    return ContractContainer(contract_type)


def safe_at(address: str) -> Any:
    return container("SafeL2").at(address)


def timelock_at(address: str) -> Any:
    return container("TimelockController").at(address)


def safe_nonce(safe: Any) -> int:
    """The Safe's transaction nonce (``safe.nonce`` is the account nonce of the address in ape)."""
    return int(safe.call_view_method("nonce"))


def is_safe(address: str) -> bool:
    """True when ``address`` answers the Safe's ``getThreshold()`` (a Safe proxy or singleton)."""
    try:
        return safe_at(address).getThreshold() > 0
    except Exception:  # no code, or not a Safe: any call failure means "not a Safe"
        return False


def safe_setup_data(singleton: Any, owners: list[str], threshold: int, fallback_handler: str) -> bytes:
    """``Safe.setup`` calldata: owners and threshold, no module, no payment."""
    return encode_call(singleton, "setup", owners, threshold, ZERO_ADDRESS, b"", fallback_handler, ZERO_ADDRESS, 0,
                       ZERO_ADDRESS)  # fmt: skip


def encode_call(contract: Any, method: str, *args: Any) -> bytes:
    """Calldata for ``contract.method(*args)``, with ape's conversions (addresses, ints)."""
    return bytes(getattr(contract, method).encode_input(*args))


# ---------------------------------------------------------------------------------------------
# Safe transactions
# ---------------------------------------------------------------------------------------------


@cache
def _safe_version(chain_id: int, address: str) -> str:
    from packaging.version import InvalidVersion, Version

    try:
        reported = str(safe_at(address).VERSION())
        Version(reported.replace("+L2", ""))
    except InvalidVersion as err:
        raise GovernanceError(f"Safe {address} reports version {reported!r}, not a Safe version.") from err
    except Exception as err:  # no code, or no VERSION(): not a Safe on this chain
        raise GovernanceError(f"{address} answers no Safe VERSION() on chain {chain_id}: not a Safe.") from err
    return reported.replace("+L2", "")  # as ape-safe reads it: SafeL2 has the same transaction type


def safe_version(address: str) -> str:
    """The Safe's ``VERSION()`` without ``+L2`` (its EIP-712 types depend on it), once per chain and Safe."""
    from ape import chain

    return _safe_version(chain.chain_id, str(address))


@dataclass
class SafeTx:
    """One Safe transaction, as owners pass it around (JSON) until it is executed.

    The file only carries the fields; the transaction owners sign is ape-safe's own model of it
    (:meth:`safe_tx`: the ``SafeTx`` EIP-712 struct and domain of the Safe's version, as
    ``ape_safe`` builds them), hashed and its signatures packed by ape-safe as well."""

    safe: str
    chain_id: int
    to: str
    data: str  # 0x-hex calldata
    nonce: int
    value: int = 0
    operation: int = 0  # 0 = CALL, 1 = DELEGATECALL (accepted only to the recorded MultiSendCallOnly)
    description: str = ""  # the proposer's words: never shown as what the transaction does
    signatures: dict[str, str] = field(default_factory=dict)  # owner address -> 0x r|s|v
    timelock: dict[str, Any] | None = None  # the timelock operation this schedules, if any
    safe_tx_hash: str = ""  # as proposed: a file whose fields hash otherwise was changed since

    def safe_tx(self) -> Any:
        """ape-safe's ``SafeTx`` (an ``EIP712Message``) for these fields, no gas refund: the message owners sign.
        Its fields iterate in ``execTransaction``'s order (``getTransactionHash(*safe_tx)``)."""
        from eip712.common import create_safe_tx_def  # what ape-safe's SafeAccount.safe_tx_def calls

        version = safe_version(self.safe)
        try:
            definition = create_safe_tx_def(version=version, contract_address=self.safe, chain_id=self.chain_id)
        except ValueError as err:  # a version ape-safe has no SafeTx types for
            raise GovernanceError(f"Safe {self.safe} is version {version}: {err} (ape-safe's SafeTx types cover "
                                  "Safe 1.0.0 to 1.4.1).") from err  # fmt: skip
        return definition(to=self.to, value=self.value, data=bytes.fromhex(self.data.removeprefix("0x")),
                          operation=self.operation, nonce=self.nonce)  # fmt: skip

    def digest(self) -> bytes:
        """The ``safeTxHash`` owners sign (equals ``Safe.getTransactionHash``), by ape-safe."""
        from ape_safe.utils import get_safe_tx_hash

        return bytes.fromhex(get_safe_tx_hash(self.safe_tx()).removeprefix("0x"))

    def signer_of(self, signature: str) -> str:
        """The address ``signature`` (0x r|s|v, as stored) recovers to for this transaction."""
        from ape.types.signatures import MessageSignature, recover_signer

        return recover_signer(self.safe_tx().signable_message,
                              MessageSignature.from_rsv(bytes.fromhex(signature.removeprefix("0x"))))  # fmt: skip

    def packed_signatures(self) -> bytes:
        """The signatures as ``execTransaction`` takes them: ape-safe's encoding (ascending owner order)."""
        from ape.types.signatures import MessageSignature
        from ape_safe.utils import encode_signatures

        return bytes(encode_signatures({owner: MessageSignature.from_rsv(bytes.fromhex(sig.removeprefix("0x")))
                                        for owner, sig in self.signatures.items()}))  # fmt: skip

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> SafeTx:
        try:
            data = json.loads(path.read_text())
            return cls(**data)
        except OSError as err:
            raise GovernanceError(f"{path}: cannot read ({err.strerror})") from err
        except (ValueError, TypeError) as err:
            raise GovernanceError(f"{path}: not a Safe transaction file ({err})") from err


def propose(safe: Any, chain_id: int, to: str, data: bytes, description: str,
            timelock: dict[str, Any] | None = None) -> SafeTx:  # fmt: skip
    """A Safe transaction for the Safe's next nonce, checked against the Safe's own hash."""
    tx = SafeTx(safe=safe.address, chain_id=chain_id, to=to, data="0x" + data.hex(), nonce=int(safe_nonce(safe)),
                description=description, timelock=timelock)  # fmt: skip
    check_hash(safe, tx)
    tx.safe_tx_hash = "0x" + tx.digest().hex()
    return tx


def check_hash(safe: Any, tx: SafeTx) -> None:
    """ape-safe's hash of ``tx`` is the Safe contract's own ``getTransactionHash`` of its fields."""
    on_chain = bytes(safe.getTransactionHash(*tx.safe_tx()))
    if on_chain != tx.digest():
        raise GovernanceError(
            f"Safe {tx.safe} computes another hash for this transaction: wrong chain or not a Safe v1.3+."
        )


def _check_reviewed(tx: SafeTx, reviewed: Any) -> None:
    """``reviewed`` (a :class:`stocksuite.governance.review.Review`) is of ``tx`` as it is now."""
    if reviewed is None or reviewed.safe_tx_hash != "0x" + tx.digest().hex():
        raise GovernanceError(
            "the transaction changed since it was reviewed: review it again before signing or executing."
        )


def sign(safe: Any, tx: SafeTx, account: Any, reviewed: Any) -> str:
    """Add ``account``'s signature to the ``reviewed`` transaction; refuses non-owners and stale transactions.

    The account signs ape-safe's ``SafeTx`` message itself (as ape-safe's own signers do), and the
    signature is stored as ape encodes it (``MessageSignature.encode_rsv``: 65 bytes, r and s padded)."""
    _check_reviewed(tx, reviewed)
    owners = [str(o) for o in safe.getOwners()]
    if account.address not in owners:
        raise GovernanceError(f"{account.address} is not an owner of Safe {tx.safe} (owners: {', '.join(owners)}).")
    _check_fresh(safe, tx)
    check_hash(safe, tx)
    signature = account.sign_message(tx.safe_tx())
    if signature is None:
        raise GovernanceError(f"{account.address} declined to sign.")
    encoded = "0x" + signature.encode_rsv().hex()
    if tx.signer_of(encoded) != account.address:
        raise GovernanceError(f"the signature of {account.address} does not recover to it; nothing added.")
    tx.signatures[account.address] = encoded
    return encoded


def _check_fresh(safe: Any, tx: SafeTx) -> None:
    current = int(safe_nonce(safe))
    if tx.nonce != current:
        raise GovernanceError(
            f"Safe transaction nonce {tx.nonce} is {'already used' if tx.nonce < current else 'not next'} "
            f"(the Safe is at nonce {current}): propose it again."
        )


def valid_signers(safe: Any, tx: SafeTx) -> list[str]:
    owners = {str(o) for o in safe.getOwners()}
    return [owner for owner, sig in tx.signatures.items() if owner in owners and tx.signer_of(sig) == owner]


def execute(safe: Any, tx: SafeTx, sender: Any, provider: Any, reviewed: Any) -> Any:
    """``execTransaction`` of the ``reviewed`` transaction once enough owners signed.

    Simulated first with its real operation: the call from the Safe (a CALL), or the Safe's
    ``simulateAndRevert`` running the DELEGATECALL in the Safe's own context, so a revert names the
    target's custom error instead of the Safe's generic GS013; then ``execTransaction`` itself as
    an ``eth_call`` from ``sender`` with the collected signatures."""
    _check_reviewed(tx, reviewed)
    _check_fresh(safe, tx)
    threshold = int(safe.getThreshold())
    signers = valid_signers(safe, tx)
    if len(signers) < threshold:
        raise GovernanceError(
            f"{threshold} owner signatures needed, {len(signers)} valid "
            f"({', '.join(signers) or 'none'}): have more owners run `ape run governance sign`."
        )
    data = bytes.fromhex(tx.data[2:])
    if tx.operation == 0:
        simulate(provider, tx.safe, tx.to, data, tx.value)
    else:
        simulate_batch(provider, safe, tx.to, data, reviewed.call.inner)
    tx.signatures = {owner: tx.signatures[owner] for owner in signers}
    arguments = (*list(tx.safe_tx())[:-1], tx.packed_signatures())  # as ape-safe's create_execute_transaction: no nonce
    exec_call = encode_call(safe, "execTransaction", *arguments)
    simulate(provider, sender.address, tx.safe, exec_call)
    return safe.execTransaction(*arguments, sender=sender)


def simulate_batch(provider: Any, safe: Any, to: str, data: bytes, calls: Any) -> None:
    """Simulate a MultiSendCallOnly batch as the Safe runs it (a DELEGATECALL); it reverts
    without a reason, so the first of its ``calls`` (decoded) that fails alone is named."""
    try:
        simulate_delegatecall(provider, safe, to, data)
    except GovernanceError as err:
        for number, call in enumerate(calls, 1):
            try:
                simulate(provider, safe.address, call.to, call.data, call.value)
            except GovernanceError as failed:
                raise GovernanceError(f"call {number} of the batch ({call.summary()}): {failed}") from err
        raise


def simulate_delegatecall(provider: Any, safe: Any, to: str, data: bytes) -> None:
    """Run ``to``'s code with ``data`` as the Safe would (``StorageAccessible.simulateAndRevert``,
    which always reverts with ``success (32 bytes) | length (32) | return data``)."""
    from stocksuite.chain.reverts import decode_revert

    call = {"to": safe.address, "data": "0x" + encode_call(safe, "simulateAndRevert", to, data).hex()}
    try:  # web3 keeps the revert data whole; ape's provider error turns it into text
        provider.web3.eth.call(call, "latest")
    except Exception as err:  # the expected revert, in web3's own error type
        revert = getattr(err, "data", None)
        payload = bytes.fromhex(revert[2:]) if isinstance(revert, str) and revert.startswith("0x") else b""
        if len(payload) >= 64 and int.from_bytes(payload[:32]) == 1:
            return
        if len(payload) < 64:
            raise GovernanceError(f"cannot simulate the DELEGATECALL on Safe {safe.address}: {err}") from err
        detail = "0x" + payload[64:].hex()
        raise GovernanceError(f"the call would revert: {decode_revert(detail) or detail}") from err
    raise GovernanceError(
        f"Safe {safe.address} did not simulate the DELEGATECALL (no simulateAndRevert): not a Safe v1.3+."
    )


def simulate(provider: Any, sender: str, to: str, data: bytes, value: int = 0) -> None:
    """eth_call ``to`` as ``sender``; raises GovernanceError naming the revert."""
    from stocksuite.chain.reverts import decode_revert

    try:
        provider.make_request("eth_call", [{"from": sender, "to": to, "data": "0x" + data.hex(),
                                            "value": hex(value)}, "latest"])  # fmt: skip
    except Exception as err:  # providers raise their own error types for reverts
        payload = getattr(err, "revert_message", None) or getattr(err, "message", None) or str(err)
        detail = _revert_data(err) or ""
        raise GovernanceError(f"the call would revert: {decode_revert(detail) or payload}") from err


def _revert_data(err: Exception) -> str | None:
    """The revert data in a provider error: a ``data`` field, or anvil's "custom error 0x...: ..." text."""
    import re

    for candidate in (getattr(err, "data", None), getattr(err, "args", (None,))[0]):
        if isinstance(candidate, dict):
            candidate = candidate.get("data")
        if isinstance(candidate, str) and candidate.startswith("0x"):
            return candidate
    if match := re.search(r"custom error (0x[0-9a-fA-F]{8}):? ?([0-9a-fA-F]*)", str(err)):
        return match.group(1) + match.group(2)
    return None


# ---------------------------------------------------------------------------------------------
# Timelock operations
# ---------------------------------------------------------------------------------------------


def timelock_operation(timelock: Any, target: str, data: bytes, salt: bytes | None = None) -> dict[str, Any]:
    """A timelock operation (single call) with a fresh random salt, so the same call can be
    scheduled again later; ``id`` is the timelock's own ``hashOperation``."""
    salt = salt or secrets.token_bytes(32)
    op_id = bytes(timelock.hashOperation(target, 0, data, ZERO_BYTES32, salt))
    return {"timelock": timelock.address, "target": target, "data": "0x" + data.hex(), "salt": "0x" + salt.hex(),
            "id": "0x" + op_id.hex(), "delay": int(timelock.getMinDelay())}  # fmt: skip


def schedule_calldata(timelock: Any, operation: dict[str, Any]) -> bytes:
    return encode_call(timelock, "schedule", operation["target"], 0, bytes.fromhex(operation["data"][2:]),
                       ZERO_BYTES32, bytes.fromhex(operation["salt"][2:]), operation["delay"])  # fmt: skip


def scheduled_operation(timelock: Any, tx: SafeTx) -> dict[str, Any]:
    """The timelock operation ``tx`` schedules, rebuilt from its signed calldata; the file's own
    ``timelock`` field must agree with it (it is what ``release`` would run)."""
    from eth_abi import decode

    data = bytes.fromhex(tx.data[2:])
    if tx.to.lower() != timelock.address.lower() or data[:4] != bytes(timelock.schedule.encode_input(
            ZERO_ADDRESS, 0, b"", ZERO_BYTES32, ZERO_BYTES32, 0))[:4]:  # fmt: skip
        raise GovernanceError(f"the Safe transaction does not call schedule on the timelock {timelock.address}.")
    target, value, call, predecessor, salt, delay = decode(
        ["address", "uint256", "bytes", "bytes32", "bytes32", "uint256"], data[4:])  # fmt: skip
    if value or predecessor != ZERO_BYTES32:
        raise GovernanceError("the scheduled operation sends value or waits for a predecessor: release it by hand.")
    operation = timelock_operation(timelock, target, call, salt) | {"delay": int(delay)}
    recorded = tx.timelock or {}
    if any(
        str(recorded.get(key, "")).lower() != str(operation[key]).lower() for key in ("target", "data", "salt", "id")
    ):
        raise GovernanceError("the file's timelock operation is not the one its signed calldata schedules: the file "
                              "was changed; get the proposal again.")  # fmt: skip
    return operation


def release(timelock: Any, operation: dict[str, Any], sender: Any, provider: Any) -> Any:
    """Execute a scheduled operation once its delay has passed (anyone may)."""
    op_id = bytes.fromhex(operation["id"][2:])
    if timelock.isOperationDone(op_id):
        raise GovernanceError(f"timelock operation {operation['id']} was already executed.")
    if not timelock.isOperation(op_id):
        raise GovernanceError(
            f"timelock operation {operation['id']} was never scheduled: execute its Safe transaction first."
        )
    if not timelock.isOperationReady(op_id):
        ready_at = int(timelock.getTimestamp(op_id))
        raise GovernanceError(f"timelock operation {operation['id']} is not ready before timestamp {ready_at}.")
    data = bytes.fromhex(operation["data"][2:])
    simulate(provider, timelock.address, operation["target"], data)
    return timelock.execute(operation["target"], 0, data, ZERO_BYTES32, bytes.fromhex(operation["salt"][2:]),
                            sender=sender)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Calls from the command line
# ---------------------------------------------------------------------------------------------


def encode_from_text(contract: Any, function: str, texts: tuple[str, ...], chain_id: int) -> tuple[bytes, str]:
    """Calldata for ``function(texts...)`` on ``contract``, each argument parsed by its ABI type;
    returns it with a readable description. Role names (``MINTER_ROLE``) stand for their ids."""
    methods = [m for m in contract.contract_type.mutable_methods if m.name == function]
    if not methods:
        names = sorted({m.name for m in contract.contract_type.mutable_methods})
        raise GovernanceError(
            f"{contract.contract_type.name} has no function {function!r} (functions: {', '.join(names)})."
        )
    matching = [m for m in methods if len(m.inputs) == len(texts)]
    if not matching:
        signatures = "; ".join(m.signature for m in methods)
        raise GovernanceError(f"{function} takes {' or '.join(str(len(m.inputs)) for m in methods)} argument(s), "
                              f"got {len(texts)}: {signatures}")  # fmt: skip
    abi = matching[0]
    values = [_parse(i.canonical_type, text, chain_id, i.name or f"argument {n}") for n, (i, text) in
              enumerate(zip(abi.inputs, texts, strict=True))]  # fmt: skip
    data = encode_call(contract, function, *values)
    return data, f"{contract.contract_type.name}({contract.address}).{function}({', '.join(texts)})"


def _parse(abi_type: str, text: str, chain_id: int, name: str) -> Any:
    from stocksuite.chain.accounts import resolve_address

    try:
        if abi_type.endswith("]") or abi_type.startswith("("):
            return json.loads(text)
        if abi_type == "address":
            return resolve_address(text, chain_id)
        if abi_type == "bool":
            if text.lower() not in ("true", "false"):
                raise ValueError("expected true or false")
            return text.lower() == "true"
        if abi_type.startswith(("uint", "int")):
            return int(text.replace("_", ""), 0)
        if abi_type == "bytes32" and text.endswith("_ROLE"):
            from eth_utils import keccak

            return ZERO_BYTES32 if text == "DEFAULT_ADMIN_ROLE" else keccak(text=text)
        if abi_type.startswith("bytes"):
            return bytes.fromhex(text.removeprefix("0x"))
        return text
    except (ValueError, json.JSONDecodeError) as err:
        raise GovernanceError(f"{name} ({abi_type}): cannot read {text!r}: {err}") from err


def container_for(project: Any, contract_name: str) -> Any | None:
    """The container for a record's ``contractName``: a project contract or a governance artifact."""
    if contract_name in ARTIFACTS:
        return container(contract_name)
    try:
        return getattr(project, contract_name)
    except AttributeError:
        return None


def recorded_contract(project: Any, records: Any, name: str) -> Any:
    """The contract recorded as ``name`` in the network's records, with its ABI."""
    record = records.load(name)
    found = container_for(project, record.get("contractName", ""))
    if found is None:
        raise GovernanceError(f"record {name} names contract {record.get('contractName')!r}, unknown to this project.")
    return found.at(record["address"])


def governance_contracts(project: Any, records: Any) -> tuple[Any, Any | None]:
    """The recorded Safe and timelock (the timelock may be absent)."""
    if not records.has("Safe"):
        raise GovernanceError(f"no Safe in {records.folder}: deploy with a `governance.safe` in the config first.")
    safe = safe_at(records.address("Safe"))
    timelock = timelock_at(records.address("Timelock")) if records.has("Timelock") else None
    return safe, timelock
