"""Inclusion proofs a third party checks without the database.

A proof carries the entry itself, its place in the day's RFC 6962 tree and
the audit path, and the mission's signed statement of the day's root. Checking
it needs only SHA-256, the canonical JSON rules of the entry's ledger version
(RFC 8785 since version 2) and, for the signature, Ed25519: `check_proof` does
exactly what docs/ledger.md tells a party to do with its own tools.

Format 2 documents name each entry's `version`; format 1 ones, made before
there were versions, hold only version 1 entries and are still checked.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from accord.ledger.canonical import LEGACY, canonical_bytes
from accord.ledger.chain import Entry, entry_hash
from accord.ledger.keys import unb64
from accord.ledger.merkle import InclusionProof, leaf_hash, root_from_proof

PROOF_FORMAT = "accord-inclusion-proof/2"
PROOF_FORMATS = (PROOF_FORMAT, "accord-inclusion-proof/1")
NOT_HASHED = ("prev_hash", "hash", "version")  # an exported entry's fields outside its leaf


@dataclass(frozen=True)
class DaySeal:
    """A closed day as published: root, size and the mission's signature over them."""

    day: dt.date
    tree_size: int
    root: bytes
    statement: bytes
    key_id: str
    public_key: bytes
    signature: str

    def to_json(self) -> dict[str, Any]:
        """The seal's fields as proof and export documents write them."""
        return {
            "day": self.day.isoformat(),
            "tree_size": self.tree_size,
            "root": self.root.hex(),
            "statement": self.statement.decode("utf-8"),
            "key_id": self.key_id,
            "public_key": self.public_key.hex(),
            "signature": self.signature,
        }


def entry_version(data: dict[str, Any]) -> int:
    """An exported entry's ledger version; entries exported before versions are 1."""
    version = data.get("version", LEGACY)
    if type(version) is not int:
        raise ValueError(f"entry {data.get('seq')}: version {version!r} is not a whole number")
    return version


def leaf_bytes(data: dict[str, Any]) -> bytes:
    """The Merkle leaf of an exported entry: the canonical JSON, under its version,
    of its fields without its hashes and version."""
    body = {k: v for k, v in data.items() if k not in NOT_HASHED}
    return canonical_bytes(body, entry_version(data))


def build_proof(entry: Entry, proof: InclusionProof, seal: DaySeal) -> dict[str, Any]:
    """The document that proves an entry is in its day's signed tree, checkable offline."""
    return {
        "format": PROOF_FORMAT,
        "entry": entry.to_json(),
        **proof.to_json(),
        **seal.to_json(),
    }


def statement_signed(statement: bytes, signature: str, public_key: bytes) -> bool:
    """Whether the signature over a statement is good under the public key."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(unb64(signature), statement)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass
class ProofCheck:
    """What checking a proof found; `ok` only when nothing failed."""

    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the proof held: no problem found."""
        return not self.problems


def check_proof(
    document: dict[str, Any], root_hex: str | None = None, public_key_hex: str | None = None
) -> ProofCheck:
    """Check a proof against a published root (`root_hex`) and/or the mission's key.

    With neither, the proof is only consistent with itself, which proves
    nothing; that is reported as a problem, not as success.
    """
    result = ProofCheck()
    if document.get("format") not in PROOF_FORMATS:
        result.problems.append(f"format is {document.get('format')!r}, expected {PROOF_FORMAT!r}")
        return result
    data = document["entry"]
    try:
        leaf = leaf_bytes(data)
    except ValueError as exc:
        result.problems.append(f"entry {data.get('seq')}: {exc}")
        return result
    if entry_hash(bytes.fromhex(data["prev_hash"]), leaf).hex() != data["hash"]:
        result.problems.append(f"entry {data['seq']}: its hash does not match its content")
    proof = InclusionProof.from_json(document)
    try:
        implied = root_from_proof(leaf_hash(leaf), proof)
    except ValueError as exc:
        result.problems.append(f"audit path: {exc}")
        return result
    claimed = bytes.fromhex(document["root"])
    if implied != claimed:
        result.problems.append(
            f"entry {data['seq']} is not in the tree whose root the proof names "
            f"(the path leads to {implied.hex()}, not {claimed.hex()})"
        )
    if root_hex is None and public_key_hex is None:
        result.problems.append(
            "nothing to check against: give the published root (--root) "
            "or the mission's public key (--public-key)"
        )
    if root_hex is not None:
        if implied.hex() == root_hex.lower():
            result.checked.append(f"entry {data['seq']} is in the tree with root {root_hex}")
        else:
            result.problems.append(
                f"entry {data['seq']} leads to root {implied.hex()}, not the published {root_hex}"
            )
    if public_key_hex is not None:
        _check_seal(document, bytes.fromhex(public_key_hex), result)
    return result


def _check_seal(document: dict[str, Any], public_key: bytes, result: ProofCheck) -> None:
    statement = document["statement"].encode("utf-8")
    if not statement_signed(statement, document["signature"], public_key):
        result.problems.append("the mission's signature over the day's statement does not verify")
        return
    said = json.loads(statement)
    if said.get("root") != document["root"] or said.get("tree_size") != document["tree_size"]:
        result.problems.append("the signed statement names another root or tree size")
        return
    result.checked.append(f"the mission signed root {said['root']} for {said['day']}")
