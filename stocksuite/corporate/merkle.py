"""OpenZeppelin StandardMerkleTree, in Python: same leaves, same tree, same root.

Leaf = keccak256(keccak256(abi.encode(values))); leaves sorted by hash; pairs hashed sorted;
the array layout of `@openzeppelin/merkle-tree`, so its JS tooling and `MerkleProof.verify`
agree with roots built here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import encode
from eth_utils import keccak


def leaf_hash(types: Sequence[str], values: Sequence[Any]) -> bytes:
    return keccak(keccak(encode(list(types), list(values))))


def _hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak(a + b if a < b else b + a)


@dataclass
class StandardMerkleTree:
    types: tuple[str, ...]
    values: list[tuple[Any, ...]]
    tree: list[bytes]
    _tree_index: dict[int, int]  # value index -> position in `tree`

    @classmethod
    def of(cls, values: Sequence[Sequence[Any]], types: Sequence[str]) -> StandardMerkleTree:
        if not values:
            raise ValueError("a Merkle tree needs at least one leaf")
        hashed = sorted(((leaf_hash(types, v), i) for i, v in enumerate(values)), key=lambda x: x[0])
        size = 2 * len(hashed) - 1
        tree: list[bytes] = [b""] * size
        tree_index: dict[int, int] = {}
        for position, (h, value_index) in enumerate(hashed):
            tree[size - 1 - position] = h
            tree_index[value_index] = size - 1 - position
        for i in range(size - 1 - len(hashed), -1, -1):
            tree[i] = _hash_pair(tree[2 * i + 1], tree[2 * i + 2])
        return cls(tuple(types), [tuple(v) for v in values], tree, tree_index)

    @property
    def root(self) -> bytes:
        return self.tree[0]

    def proof(self, value_index: int) -> list[bytes]:
        i = self._tree_index[value_index]
        proof = []
        while i > 0:
            proof.append(self.tree[i + 1 if i % 2 == 1 else i - 1])
            i = (i - 1) // 2
        return proof

    @staticmethod
    def verify(root: bytes, types: Sequence[str], value: Sequence[Any], proof: Sequence[bytes]) -> bool:
        node = leaf_hash(types, value)
        for sibling in proof:
            node = _hash_pair(node, sibling)
        return node == root
