"""Signatures on what sources submit and on what the mission publishes.

A source signs an observation by adding two fields to the record it sends:
`key_id` (a key registered to its `source_id`) and `signature`, the base64
Ed25519 signature of the RFC 8785 canonical JSON (`canonical.canonical_json`)
of the record's other fields. Signing the record as sent, not the stored form,
lets a source sign with any JCS library: it never has to reproduce our number
formatting. A signature over the version 1 form (sorted-key Python JSON, what
sources signed before) is still accepted: both forms are of the same record.

The mission signs each day's Merkle root: the signed bytes are the canonical
JSON of a short statement (`day_statement`), so a party checks the signature
with any Ed25519 implementation and the mission's published public key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from accord.ledger.canonical import canonical_json, legacy_json
from accord.ledger.keys import public_bytes, sign

SIGNATURE_FIELD = "signature"
KEY_FIELD = "key_id"
MISSION_OWNER = "mission"
MISSION_KEY_ENV = "ACCORD_MISSION_KEY"
DEFAULT_MISSION_KEY = "accord-mission-key.pem"
STATEMENT_FORMAT = "accord-day-root/1"


@dataclass(frozen=True, slots=True)
class Signed:
    """The signature a record carried and the exact bytes it must cover."""

    key_id: str
    signature: str
    message: bytes
    legacy_message: bytes | None = None  # the version 1 form, where it differs

    @property
    def message_sha256(self) -> str:
        """The hex SHA-256 of the signed bytes, which a refusal or a receipt can quote."""
        return hashlib.sha256(self.message).hexdigest()


def split_signature(fields: dict[str, Any]) -> tuple[dict[str, Any], Signed | None]:
    """The record without its signature fields, and the signature (None if unsigned).

    A record with only one of the two fields comes back as a `Signed` with the
    other empty, so admission refuses it instead of silently accepting it.
    """
    if SIGNATURE_FIELD not in fields and KEY_FIELD not in fields:
        return fields, None
    rest = {k: v for k, v in fields.items() if k not in (SIGNATURE_FIELD, KEY_FIELD)}
    key_id, signature = fields.get(KEY_FIELD), fields.get(SIGNATURE_FIELD)
    legacy = legacy_json(rest)
    try:
        message = canonical_json(rest)
    except ValueError:  # e.g. an integer beyond 2**53: only the old form can hold it
        message = legacy
    return rest, Signed(
        key_id if isinstance(key_id, str) else "",
        signature if isinstance(signature, str) else "",
        message,
        None if legacy == message else legacy,
    )


def sign_record(fields: dict[str, Any], key_id: str, key: Ed25519PrivateKey) -> dict[str, Any]:
    """The record a source sends: its fields plus `key_id` and `signature`."""
    unsigned = {k: v for k, v in fields.items() if k not in (SIGNATURE_FIELD, KEY_FIELD)}
    return unsigned | {KEY_FIELD: key_id, SIGNATURE_FIELD: sign(key, canonical_json(unsigned))}


def day_statement(
    day: dt.date,
    tree_size: int,
    root: bytes,
    first_seq: int | None,
    last_seq: int | None,
    chain_head: bytes,
) -> bytes:
    """The bytes the mission signs for a day: its root, size and place in the chain."""
    return canonical_json(
        {
            "format": STATEMENT_FORMAT,
            "day": day.isoformat(),
            "tree_size": tree_size,
            "root": root.hex(),
            "first_seq": first_seq,
            "last_seq": last_seq,
            "chain_head": chain_head.hex(),
        }
    )


def mission_key_path(path: str | Path | None = None) -> Path:
    """The key file: the one given, else $ACCORD_MISSION_KEY, else ./accord-mission-key.pem."""
    return Path(path or os.environ.get(MISSION_KEY_ENV) or DEFAULT_MISSION_KEY)


def load_or_create_mission_key(path: Path) -> Ed25519PrivateKey:
    """The mission's signing key; generated (and announced) when the file does not exist."""
    if path.exists():
        key = load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} holds a {type(key).__name__}, not an Ed25519 private key")
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    print(
        f"generated a new mission signing key in {path} (keep it secret, back it up; "
        f"set {MISSION_KEY_ENV} to use another); public key {public_bytes(key).hex()}",
        file=sys.stderr,
    )
    return key


def mission_key_id(key: Ed25519PrivateKey) -> str:
    """A stable id for the mission key: `mission-` and the start of its public key's hash."""
    return f"{MISSION_OWNER}-{hashlib.sha256(public_bytes(key)).hexdigest()[:16]}"
