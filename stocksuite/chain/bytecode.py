"""Comparing compiled code across machines: the hash of bytecode without its CBOR metadata.

solc appends a CBOR block (the IPFS hash of the metadata JSON, then the compiler version) to
every contract's code, and to each contract it embeds (a factory's proxies). The metadata
names source files by path, and imports resolve to the absolute ``node_modules`` of the
machine that compiled, so the same sources give different bytes on two machines. Deployment
records therefore store ``codeHash``: keccak-256 of the creation bytecode with every metadata
block removed, which changes only when the code does.
"""

from __future__ import annotations

import re

from eth_utils import keccak

# a2 64 "ipfs" 58 22 <34-byte multihash> 64 "solc" 43 <3-byte version> 00 33 (block length 51)
_METADATA = re.compile(r"a264697066735822[0-9a-f]{68}64736f6c6343[0-9a-f]{6}0033")


def strip_metadata(bytecode: str | bytes) -> bytes:
    text = bytecode.hex() if isinstance(bytecode, (bytes, bytearray)) else bytecode.lower().removeprefix("0x")
    return bytes.fromhex(_METADATA.sub("", text))


def code_hash(bytecode: str | bytes) -> str:
    """``0x``-keccak of ``bytecode`` without metadata blocks."""
    return "0x" + keccak(strip_metadata(bytecode)).hex()


def creation_code_hash(contract_type: object) -> str | None:
    """:func:`code_hash` of an ethpm ``ContractType``'s creation bytecode (None if it has none)."""
    deployment = getattr(contract_type, "deployment_bytecode", None)
    code = getattr(deployment, "bytecode", None)
    return code_hash(code) if code else None


PUSH1, PUSH32 = 0x60, 0x7F
_IMMUTABLE_PLACEHOLDER = bytes(32)


def runtime_matches(deployed: str | bytes, built: str | bytes) -> bool:
    """True when ``deployed`` (code read from the chain) is ``built`` (a build's runtime bytecode)
    up to metadata blocks and the values of immutables."""
    code, reference = strip_metadata(deployed), strip_metadata(built)
    if len(code) != len(reference) or not reference:
        return False
    start = 0
    for placeholder in _immutable_operands(reference):
        if code[start:placeholder] != reference[start:placeholder]:
            return False
        start = placeholder + 32
    return code[start:] == reference[start:]


def _immutable_operands(code: bytes) -> list[int]:
    """Offsets of the 32-byte operands of ``PUSH32 0`` instructions: solc's immutable placeholders."""
    offsets, position = [], 0
    while position < len(code):
        opcode = code[position]
        size = opcode - PUSH1 + 1 if PUSH1 <= opcode <= PUSH32 else 0
        if opcode == PUSH32 and code[position + 1 : position + 33] == _IMMUTABLE_PLACEHOLDER:
            offsets.append(position + 1)
        position += 1 + size
    return offsets
