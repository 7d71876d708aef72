"""RFC 6962 roots and inclusion proofs, against the recursive definition."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.ledger.merkle import (
    InclusionProof,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    node_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, written as the RFC states it."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaf_hash(leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def test_known_values() -> None:
    assert merkle_root([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert merkle_root([b""]).hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )


leaves = st.lists(st.binary(max_size=8), min_size=1, max_size=40)


@given(leaves)
def test_root_matches_recursive_definition(data: list[bytes]) -> None:
    assert merkle_root(data) == mth(data)


@settings(max_examples=60)
@given(leaves, st.data())
def test_every_proof_verifies_and_round_trips(data: list[bytes], draw: st.DataObject) -> None:
    hashes = [leaf_hash(d) for d in data]
    root = merkle_root(data)
    index = draw.draw(st.integers(0, len(data) - 1))
    proof = inclusion_proof(hashes, index)
    assert verify_inclusion(hashes[index], proof, root)
    assert verify_inclusion(hashes[index], InclusionProof.from_json(proof.to_json()), root)


@settings(max_examples=60)
@given(leaves, st.data())
def test_proof_fails_for_altered_leaf_wrong_index_or_root(
    data: list[bytes], draw: st.DataObject
) -> None:
    hashes = [leaf_hash(d) for d in data]
    root = merkle_root(data)
    index = draw.draw(st.integers(0, len(data) - 1))
    proof = inclusion_proof(hashes, index)
    assert not verify_inclusion(leaf_hash(data[index] + b"x"), proof, root)
    assert not verify_inclusion(hashes[index], proof, merkle_root([*data, b"more"]))
    if len(data) > 1:
        other = (index + 1) % len(data)
        moved = InclusionProof(other, proof.tree_size, proof.path)
        assert hashes[other] == hashes[index] or not verify_inclusion(hashes[index], moved, root)
    truncated = InclusionProof(index, proof.tree_size, proof.path[:-1])
    assert not proof.path or not verify_inclusion(hashes[index], truncated, root)


def test_consistency_proofs_hold_between_every_pair_of_sizes() -> None:
    hashes = [leaf_hash(f"entry {i}".encode()) for i in range(40)]
    for second in range(1, len(hashes) + 1):
        new_root = root_from_leaf_hashes(hashes[:second])
        for first in range(1, second + 1):
            old_root = root_from_leaf_hashes(hashes[:first])
            path = consistency_proof(hashes[:second], first)
            assert verify_consistency(first, second, old_root, new_root, path), (first, second)


def test_a_rewritten_prefix_fails_its_consistency_proof() -> None:
    hashes = [leaf_hash(f"entry {i}".encode()) for i in range(23)]
    for first in range(1, 23):
        old_root = root_from_leaf_hashes(hashes[:first])
        rewritten = [*hashes]
        rewritten[first - 1] = leaf_hash(b"rewritten")  # the last entry the old root covers
        path = consistency_proof(rewritten, first)
        assert not verify_consistency(first, 23, old_root, root_from_leaf_hashes(rewritten), path)
        # Nor does a proof for the honest tree vouch for a different new root.
        honest = consistency_proof(hashes, first)
        assert not verify_consistency(first, 23, old_root, root_from_leaf_hashes(rewritten), honest)
        if honest:
            bent = [honest[0][::-1], *honest[1:]]
            assert not verify_consistency(first, 23, old_root, root_from_leaf_hashes(hashes), bent)
