"""RFC 6962 Merkle tree hashes, inclusion and consistency proofs (as restated in RFC 9162).

Written by hand rather than taken from a library: the point is that a party
can check a day's root and a proof with any RFC 6962 implementation of its
own, so the exact hashing (0x00 leaf and 0x01 node prefixes, the split at the
largest power of two below n) matters more than convenience, and the Python
Merkle libraries use their own proof formats and tree shapes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """The RFC 6962 hash of a leaf (prefix 0x00, so no leaf passes for a node)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The RFC 6962 hash of an inner node (prefix 0x01) over its two children."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly less than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes already computed; the empty tree is SHA-256('')."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    level = list(hashes)
    # Bottom-up pairing gives the same tree as RFC 6962's recursive split: an
    # odd node at the end of a level is carried up unchanged.
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """MTH over raw leaf data."""
    return root_from_leaf_hashes([leaf_hash(leaf) for leaf in leaves])


@dataclass(frozen=True)
class InclusionProof:
    """That leaf `index` is in a tree of `tree_size` leaves: the audit path."""

    index: int
    tree_size: int
    path: tuple[bytes, ...]

    def to_json(self) -> dict[str, object]:
        """The proof's fields as a proof document writes them."""
        return {
            "leaf_index": self.index,
            "tree_size": self.tree_size,
            "audit_path": [h.hex() for h in self.path],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> InclusionProof:
        """The proof from a proof document, refusing an audit path that is not a list."""
        path = data["audit_path"]
        if not isinstance(path, list):
            raise ValueError("audit_path must be a list of hex strings")
        return cls(
            index=int(str(data["leaf_index"])),
            tree_size=int(str(data["tree_size"])),
            path=tuple(bytes.fromhex(str(h)) for h in path),
        )


def inclusion_proof(hashes: Sequence[bytes], index: int) -> InclusionProof:
    """PATH(m, D[n]) over leaf hashes (RFC 6962 section 2.1.1)."""
    if not 0 <= index < len(hashes):
        raise IndexError(f"leaf {index} is not in a tree of {len(hashes)} leaves")
    path: list[bytes] = []
    lo, hi, m = 0, len(hashes), index
    # Walk down from the root, recording the sibling subtree at each split;
    # RFC 6962 lists them from the leaf upwards, hence the reverse at the end.
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            path.append(root_from_leaf_hashes(hashes[lo + k : hi]))
            hi = lo + k
        else:
            path.append(root_from_leaf_hashes(hashes[lo : lo + k]))
            lo, m = lo + k, m - k
    return InclusionProof(index, len(hashes), tuple(reversed(path)))


def root_from_proof(leaf: bytes, proof: InclusionProof) -> bytes:
    """The root an inclusion proof implies for a leaf hash (RFC 9162 2.1.3.2)."""
    if not 0 <= proof.index < proof.tree_size:
        raise ValueError(f"leaf index {proof.index} outside a tree of {proof.tree_size}")
    fn, sn = proof.index, proof.tree_size - 1
    result = leaf
    for sibling in proof.path:
        if sn == 0:
            raise ValueError("audit path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("audit path is shorter than the tree is deep")
    return result


def verify_inclusion(leaf: bytes, proof: InclusionProof, root: bytes) -> bool:
    """True when `leaf` (a leaf hash) is in the tree whose root is `root`."""
    try:
        return root_from_proof(leaf, proof) == root
    except ValueError:
        return False


def consistency_proof(hashes: Sequence[bytes], first: int) -> tuple[bytes, ...]:
    """PROOF(m, D[n]) (RFC 6962 section 2.1.2): that the tree of the first `first`
    leaves is a prefix of the tree of all of `hashes`, nothing before it rewritten."""
    if not 0 < first <= len(hashes):
        raise ValueError(f"no consistency proof from {first} leaves to {len(hashes)}")

    def sub(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
        n = len(leaves)
        if m == n:
            return [] if whole else [root_from_leaf_hashes(leaves)]
        k = _split(n)
        if m <= k:
            return [*sub(m, leaves[:k], whole), root_from_leaf_hashes(leaves[k:])]
        return [*sub(m - k, leaves[k:], False), root_from_leaf_hashes(leaves[:k])]

    return tuple(sub(first, hashes, True))


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]
) -> bool:
    """Whether `path` proves the tree of `first` leaves (root `first_root`) is a prefix
    of the tree of `second` leaves (root `second_root`) (RFC 9162 section 2.1.4.2)."""
    if not 0 < first <= second:
        return False
    if first == second:
        return not path and first_root == second_root
    nodes = list(path)
    if first & (first - 1) == 0:  # a power of two: the old root is a node of the new tree
        nodes.insert(0, first_root)
    if not nodes:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for node in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(node, fr), node_hash(node, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, node)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0
