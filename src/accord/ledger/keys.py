"""Ed25519 keys of the sources and the mission: registry, signing, checking.

A key belongs to one source (a sensor, a drone, an observer team, a party's
liaison) or to the mission; it is valid over a period, can be rotated (the old
key stops, a new one starts) and revoked. A signature counts only if its key
was valid at the time the signed thing says it happened.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class Refusal(StrEnum):
    """Why a signed submission is refused; counted per reason."""

    unknown_key = "unknown_key"
    revoked_key = "revoked_key"
    key_not_valid_then = "key_not_valid_then"
    wrong_owner = "wrong_owner"
    bad_signature = "bad_signature"
    unsigned = "unsigned"
    reused_id = "reused_id"


class SignatureRefused(Exception):
    """A signature that does not count, with the reason it is counted under."""

    def __init__(self, reason: Refusal, detail: str):
        self.reason = reason
        super().__init__(f"{reason.value}: {detail}")


@dataclass(frozen=True)
class KeyRecord:
    """A registered public key: whose it is, and from when to when it is valid."""

    key_id: str
    owner: str
    public_key: bytes
    valid_from: dt.datetime
    valid_until: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    revoked_because: str | None = None
    replaced_by: str | None = None

    def valid_at(self, when: dt.datetime) -> bool:
        """Whether `when` lies in the key's period, from its start to its rotation; revocation is
        checked apart."""
        if when < self.valid_from:
            return False
        return self.valid_until is None or when < self.valid_until


def b64(data: bytes) -> str:
    """Bytes as the base64 text signatures and keys travel as."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Base64 text back to bytes, refusing anything that is not strict base64."""
    return base64.b64decode(text.encode("ascii"), validate=True)


def new_private_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte public key of a private key, as the registry holds it."""
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """Base64 Ed25519 signature of the message bytes."""
    return b64(key.sign(message))


class KeyRegistry:
    """The registered keys; an in-memory view the store loads and saves."""

    def __init__(self, records: list[KeyRecord] | None = None):
        self._records: dict[str, KeyRecord] = {r.key_id: r for r in records or []}

    def records(self) -> list[KeyRecord]:
        """Every registered key."""
        return list(self._records.values())

    def records_by_id(self) -> dict[str, KeyRecord]:
        """The registered keys by id."""
        return dict(self._records)

    def get(self, key_id: str) -> KeyRecord:
        """The key registered under `key_id`; an unknown id refuses the signature."""
        try:
            return self._records[key_id]
        except KeyError:
            raise SignatureRefused(
                Refusal.unknown_key, f"no key '{key_id}' is registered"
            ) from None

    def add(self, record: KeyRecord) -> KeyRecord:
        """Register a new key; an id already taken or a key that is not 32 bytes is refused."""
        if record.key_id in self._records:
            raise ValueError(f"key '{record.key_id}' is already registered")
        if len(record.public_key) != 32:
            raise ValueError("an Ed25519 public key is 32 bytes")
        self._records[record.key_id] = record
        return record

    def rotate(self, old_id: str, new: KeyRecord) -> KeyRecord:
        """End `old_id` where `new` starts; the new key must have the same owner."""
        old = self.get(old_id)
        if new.owner != old.owner:
            raise ValueError(f"key '{new.key_id}' belongs to {new.owner}, not {old.owner}")
        self.add(new)
        self._records[old_id] = replace(old, valid_until=new.valid_from, replaced_by=new.key_id)
        return new

    def revoke(self, key_id: str, when: dt.datetime, because: str) -> KeyRecord:
        """Revoked keys sign nothing from `when` on, even what claims an earlier time."""
        record = replace(self.get(key_id), revoked_at=when, revoked_because=because)
        self._records[key_id] = record
        return record

    def check(
        self, key_id: str, owner: str, message: bytes, signature: str, when: dt.datetime
    ) -> KeyRecord:
        """The key record when the signature is good; SignatureRefused saying why not."""
        record = self.get(key_id)
        if record.revoked_at is not None:
            raise SignatureRefused(
                Refusal.revoked_key,
                f"key '{key_id}' was revoked at {record.revoked_at.isoformat()}"
                + (f" ({record.revoked_because})" if record.revoked_because else ""),
            )
        if record.owner != owner:
            raise SignatureRefused(
                Refusal.wrong_owner, f"key '{key_id}' belongs to {record.owner}, not {owner}"
            )
        if not record.valid_at(when):
            raise SignatureRefused(
                Refusal.key_not_valid_then,
                f"key '{key_id}' is valid from {record.valid_from.isoformat()}"
                + (f" until {record.valid_until.isoformat()}" if record.valid_until else "")
                + f", not at {when.isoformat()}",
            )
        try:
            Ed25519PublicKey.from_public_bytes(record.public_key).verify(unb64(signature), message)
        except (InvalidSignature, ValueError):
            raise SignatureRefused(
                Refusal.bad_signature, f"the signature does not match key '{key_id}'"
            ) from None
        return record
