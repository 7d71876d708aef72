"""A day of the ledger as one JSON document any party can check on its own.

The document holds the day's entries in order, the hash that precedes the
first of them, and the mission's signed statement of the day's root. Checking
it (`check_export`) is what docs/ledger.md describes step by step: recompute
each entry's hash from the previous one, the RFC 6962 root over the entries'
canonical JSON (each under its ledger version), and the Ed25519 signature over
the statement. Format 1 files, made before versions, hold version 1 entries.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from accord.ledger.chain import Entry, entry_hash
from accord.ledger.merkle import merkle_root
from accord.ledger.proofs import DaySeal, leaf_bytes, statement_signed

EXPORT_FORMAT = "accord-ledger-day/2"
EXPORT_FORMATS = (EXPORT_FORMAT, "accord-ledger-day/1")


def build_export(entries: Sequence[Entry], previous_hash: bytes, seal: DaySeal) -> dict[str, Any]:
    """A day's export document: its seal, the hash before it and its entries in order."""
    return {
        "format": EXPORT_FORMAT,
        **seal.to_json(),
        "previous_hash": previous_hash.hex(),
        "entries": [e.to_json() for e in entries],
    }


def check_export(document: dict[str, Any], public_key: bytes) -> list[str]:
    """The problems found in an exported day (empty when it all holds), against the
    mission key the checking party holds: the key inside the file proves nothing."""
    if document.get("format") not in EXPORT_FORMATS:
        return [f"format is {document.get('format')!r}, expected {EXPORT_FORMAT!r}"]
    problems: list[str] = []
    previous = bytes.fromhex(document["previous_hash"])
    leaves = []
    for data in document["entries"]:
        try:
            leaf = leaf_bytes(data)
        except ValueError as exc:
            problems.append(f"entry {data.get('seq')}: {exc}")
            leaf = b""
        leaves.append(leaf)
        if data["prev_hash"] != previous.hex():
            problems.append(f"entry {data['seq']}: does not link to the entry before it")
        if entry_hash(bytes.fromhex(data["prev_hash"]), leaf).hex() != data["hash"]:
            problems.append(f"entry {data['seq']}: its hash does not match its content")
        previous = bytes.fromhex(data["hash"])
    root = merkle_root(leaves)
    if root.hex() != document["root"] or len(leaves) != document["tree_size"]:
        problems.append(
            f"the {len(leaves)} entries give root {root.hex()}, but the day says "
            f"{document['tree_size']} entries with root {document['root']}"
        )
    statement = json.loads(document["statement"])
    if statement.get("root") != document["root"] or statement.get("day") != document["day"]:
        problems.append("the signed statement names another day or root")
    if statement.get("chain_head") != previous.hex():
        problems.append("the signed statement names another chain head than the last entry")
    if not statement_signed(
        document["statement"].encode("utf-8"), document["signature"], public_key
    ):
        problems.append("the mission's signature over the statement does not verify")
    return problems
