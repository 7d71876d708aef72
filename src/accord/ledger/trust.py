"""Checking the ledger against what a party already holds, not the store's own word.

A store could be rewritten by whoever runs it: its key table and its seal rows
are data like any other. So the mission keys a seal may be signed with come
from the chain's own key entries, anchored on the public key the party was
given (or, without one, on the first mission key the chain registered, which
`ledger verify` then says), and a rotation is trusted only from a trusted key.
A checkpoint is a signed RFC 6962 root over the whole log at one size: a party
that kept one detects any rewrite or truncation of the entries before it, with
the store, or with a consistency proof and a later checkpoint alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from accord.ledger.canonical import canonical_json
from accord.ledger.chain import Entry
from accord.ledger.keys import public_bytes, sign
from accord.ledger.merkle import (
    consistency_proof,
    leaf_hash,
    root_from_leaf_hashes,
    verify_consistency,
)
from accord.ledger.proofs import statement_signed
from accord.ledger.signing import MISSION_OWNER, mission_key_id

CHECKPOINT_FORMAT = "accord-ledger-checkpoint/1"
CONSISTENCY_FORMAT = "accord-ledger-consistency/1"


def fingerprint(public_key: bytes) -> str:
    """The hex SHA-256 of a public key: what a party pins when it cannot hold the key."""
    return hashlib.sha256(public_key).hexdigest()


@dataclass
class MissionKeys:
    """The mission keys the chain vouches for, from an anchor the caller chose."""

    anchor: str  # how the first trusted key was chosen, for the report
    trusted: dict[str, bytes] = field(default_factory=dict)  # key id -> public key
    in_chain: dict[str, bytes] = field(default_factory=dict)  # every key entry's key

    def why_not(self, key_id: str, stored_public_key: bytes | None) -> str | None:
        """Why a seal signed with `key_id` is not to be trusted, or None."""
        if key_id not in self.in_chain:
            return f"signed with key {key_id}, which no key entry of the chain registers"
        if stored_public_key is not None and stored_public_key != self.in_chain[key_id]:
            return f"key {key_id} in the key table differs from the one its ledger entry holds"
        if key_id not in self.trusted:
            return f"signed with key {key_id}, which no rotation from {self.anchor} leads to"
        return None


def mission_keys(entries: Sequence[Entry], public_key: bytes | None) -> MissionKeys:
    """Trusted mission keys: the anchor and every key a trusted key was rotated to."""
    keys = MissionKeys(
        anchor=f"the key you gave ({fingerprint(public_key)[:16]})"
        if public_key is not None
        else "the first mission key the chain registered (no --public-key given)"
    )
    replaced: list[tuple[str, str]] = []
    for entry in entries:
        if entry.kind != "key":
            continue
        payload = entry.payload
        try:
            key = bytes.fromhex(str(payload.get("public_key")))
        except ValueError:
            continue
        keys.in_chain[entry.ref] = key
        if payload.get("owner") != MISSION_OWNER:
            continue
        first_seen = public_key is None and not keys.trusted
        if first_seen or key == public_key:
            keys.trusted[entry.ref] = key
        if payload.get("action") == "rotate" and payload.get("replaced_by"):
            replaced.append((entry.ref, str(payload["replaced_by"])))
    grew = True
    while grew:  # a chain of rotations, in any order of their entries
        grew = False
        for old, new in replaced:
            if old in keys.trusted and new not in keys.trusted and new in keys.in_chain:
                keys.trusted[new] = keys.in_chain[new]
                grew = True
    return keys


# --- checkpoints ------------------------------------------------------------------


def log_root(entries: Sequence[Entry]) -> bytes:
    """The RFC 6962 root over the whole log's entries in seq order."""
    return root_from_leaf_hashes([leaf_hash(e.leaf()) for e in entries])


def make_checkpoint(entries: Sequence[Entry], key: Ed25519PrivateKey) -> dict[str, Any]:
    """A signed statement of the log's size, root and head, for any party to keep."""
    statement = {
        "format": CHECKPOINT_FORMAT,
        "tree_size": len(entries),
        "root": log_root(entries).hex(),
        "head_hash": entries[-1].hash.hex() if entries else None,
        "signed_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    return {
        "statement": statement,
        "key_id": mission_key_id(key),
        "public_key": public_bytes(key).hex(),
        "signature": sign(key, canonical_json(statement)),
    }


def _signed_by(document: dict[str, Any], public_key: bytes) -> list[str]:
    statement = document.get("statement")
    if not isinstance(statement, dict) or statement.get("format") != CHECKPOINT_FORMAT:
        return [f"not a checkpoint: its statement's format is not {CHECKPOINT_FORMAT!r}"]
    if not statement_signed(canonical_json(statement), str(document.get("signature")), public_key):
        return ["the checkpoint's signature does not verify with the mission key you gave"]
    return []


def check_against_checkpoint(
    entries: Sequence[Entry], document: dict[str, Any], public_key: bytes
) -> list[str]:
    """What is wrong with a store's log, judged by a checkpoint a party holds."""
    problems = _signed_by(document, public_key)
    if problems:
        return problems
    statement = document["statement"]
    size = int(statement["tree_size"])
    if len(entries) < size:
        return [f"truncated: the checkpoint covers {size} entries, the store holds {len(entries)}"]
    root = log_root(entries[:size])
    if root.hex() != statement["root"]:
        return [
            f"rewritten: the store's first {size} entries give root {root.hex()}, the "
            f"checkpoint holds {statement['root']}; `accord ledger verify` names broken links"
        ]
    if size and entries[size - 1].hash.hex() != statement["head_hash"]:
        return [f"entry {size - 1}: its hash differs from the checkpoint's head"]
    return []


def consistency_path(entries: Sequence[Entry], first: int, second: int) -> dict[str, Any]:
    """The proof that the log of `first` entries is a prefix of the log of `second`
    (unsigned: a party checks it against two checkpoints it holds)."""
    if not 0 < first <= second <= len(entries):
        raise ValueError(
            f"no consistency proof from {first} to {second} entries: the log holds "
            f"{len(entries)}, and 0 < first <= second must hold"
        )
    hashes = [leaf_hash(e.leaf()) for e in entries[:second]]
    return {
        "format": CONSISTENCY_FORMAT,
        "first": first,
        "second": second,
        "first_root": root_from_leaf_hashes(hashes[:first]).hex(),
        "second_root": root_from_leaf_hashes(hashes).hex(),
        "path": [node.hex() for node in consistency_proof(hashes, first)],
    }


def consistency(entries: Sequence[Entry], first: int, key: Ed25519PrivateKey) -> dict[str, Any]:
    """A proof that the log of `first` entries is a prefix of today's, with a fresh
    checkpoint of today's log: all a party needs to check its old checkpoint."""
    return consistency_path(entries, first, len(entries)) | {
        "checkpoint": make_checkpoint(entries, key)
    }


def check_consistency(
    old: dict[str, Any],
    proof: dict[str, Any],
    public_key: bytes,
    newer: dict[str, Any] | None = None,
) -> list[str]:
    """Whether a later signed checkpoint (the proof's own, or `newer`, one the party
    holds) extends the one a party holds, without the store."""
    newer = newer if newer is not None else proof.get("checkpoint", {})
    problems = _signed_by(old, public_key) + _signed_by(newer, public_key)
    if problems:
        return problems
    before, after = old["statement"], newer["statement"]
    if "second" in proof and int(proof["second"]) != int(after["tree_size"]):
        return [
            f"the proof runs to {proof['second']} entries, the newer checkpoint covers "
            f"{after['tree_size']}"
        ]
    first, second = int(before["tree_size"]), int(after["tree_size"])
    if first > second:
        return [f"truncated: the new checkpoint covers {second} entries, yours {first}"]
    path = [bytes.fromhex(node) for node in proof.get("path", [])]
    if not verify_consistency(
        first, second, bytes.fromhex(before["root"]), bytes.fromhex(after["root"]), path
    ):
        return [
            f"the log of {second} entries does not extend your checkpoint of {first}: "
            "entries you hold were rewritten or removed"
        ]
    return []


def load_document(text: str, what: str) -> dict[str, Any]:
    """A checkpoint or proof file's JSON object, or a clear error."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the {what} is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise ValueError(f"the {what} is not a JSON object")
    return document
