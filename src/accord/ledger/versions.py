"""Moving the ledger to RFC 8785 without rewriting anything the mission signed.

Entries keep the ledger version they were hashed under, so every day root,
checkpoint and proof signed in the past still recomputes from the stored
entries. The re-hash adds, instead, one entry (kind `version`) that commits
to both forms of the version 1 entries: their chain head and RFC 6962 root as
stored, and the head and root the same entries give when hashed under RFC 8785
from the genesis hash. The mission signs that mapping, and the entry itself is
a version 2 entry of the chain, under the next day's seal. A party with only a
JCS library checks the old entries against the re-hashed head and root, and
every later entry links to the stored head the mapping names; a party holding
an old root checks it under version 1, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from accord.ledger.canonical import JCS, LEGACY, canonical_json
from accord.ledger.chain import GENESIS, Entry, entry_hash
from accord.ledger.merkle import merkle_root
from accord.ledger.proofs import statement_signed
from accord.ledger.trust import MissionKeys

REHASH_KIND = "version"
REHASH_FORMAT = "accord-ledger-rehash/1"
SIGNATURE_FIELDS = ("key_id", "signature")


def legacy_prefix(entries: Sequence[Entry]) -> list[Entry]:
    """The version 1 entries: a prefix of the chain, since versions never go back."""
    legacy = []
    for entry in entries:
        if entry.version != LEGACY:
            break
        legacy.append(entry)
    return legacy


def rehash_statement(legacy: Sequence[Entry]) -> dict[str, Any]:
    """What the mission signs: the version 1 entries' stored head and root, and the
    head and root the same entries give under RFC 8785 (ValueError naming an entry
    RFC 8785 cannot represent)."""
    rehashed: list[bytes] = []
    head = GENESIS
    for entry in legacy:
        try:
            leaf = replace(entry, version=JCS).leaf()
        except ValueError as exc:
            raise ValueError(
                f"entry {entry.seq} cannot be re-hashed under RFC 8785 ({exc}); it stays "
                "checkable under version 1"
            ) from None
        head = entry_hash(head, leaf)
        rehashed.append(leaf)
    return {
        "format": REHASH_FORMAT,
        "from_version": LEGACY,
        "to_version": JCS,
        "tree_size": len(legacy),
        "first_seq": legacy[0].seq if legacy else None,
        "last_seq": legacy[-1].seq if legacy else None,
        "legacy_head": legacy[-1].hash.hex() if legacy else GENESIS.hex(),
        "legacy_root": merkle_root([e.leaf() for e in legacy]).hex(),
        "rehashed_head": head.hex(),
        "rehashed_root": merkle_root(rehashed).hex(),
    }


def rehash_payload(statement: dict[str, Any], key_id: str, signature: str) -> dict[str, Any]:
    """The re-hash entry's payload: the signed statement with the key id and signature."""
    return statement | {"key_id": key_id, "signature": signature}


def rehashed_size(entries: Sequence[Entry]) -> int:
    """How many version 1 entries a re-hash entry already covers."""
    sizes = [e.payload.get("tree_size") for e in entries if e.kind == REHASH_KIND]
    return max((s for s in sizes if isinstance(s, int)), default=0)


def rehash_problems(
    entries: Sequence[Entry], keys: MissionKeys, stored_keys: dict[str, bytes]
) -> list[str]:
    """What is wrong with the chain's re-hash entries, given the whole chain from seq 0."""
    problems = []
    legacy = legacy_prefix(entries)
    for entry in entries:
        if entry.kind != REHASH_KIND:
            continue
        where = f"entry {entry.seq} (re-hash)"
        statement = {k: v for k, v in entry.payload.items() if k not in SIGNATURE_FIELDS}
        size = statement.get("tree_size")
        if not isinstance(size, int) or not 0 < size <= len(legacy) or size > entry.seq:
            problems.append(
                f"{where}: it covers {size!r} entries, but the chain holds {len(legacy)} "
                "of version 1 before it"
            )
            continue
        try:
            expected = rehash_statement(legacy[:size])
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if statement != expected:
            differ = sorted(
                k for k in expected.keys() | statement.keys() if statement.get(k) != expected.get(k)
            )
            problems.append(
                f"{where}: its {', '.join(differ)} differ from what entries 0..{size - 1} give"
            )
            continue
        key_id = str(entry.payload.get("key_id"))
        untrusted = keys.why_not(key_id, stored_keys.get(key_id))
        if untrusted is not None:
            problems.append(f"{where}: {untrusted}")
        elif not statement_signed(
            canonical_json(statement), str(entry.payload.get("signature")), keys.trusted[key_id]
        ):
            problems.append(f"{where}: the mission's signature over the mapping does not verify")
    return problems
