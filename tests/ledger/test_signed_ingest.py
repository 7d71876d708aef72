"""Signed observations: good ones are accepted and recorded, every bad one refused and counted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from accord import book
from accord.ledger.keys import KeyRecord, public_bytes
from accord.ledger.signing import sign_record
from accord.store import Store
from accord.store.ledger import REQUIRE_SIGNATURES, refusal_counts, set_setting
from accord.verify.ingest import ingest_file

from .conftest import sighting, write_jsonl

START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def keys(store: Store) -> dict[str, Ed25519PrivateKey]:
    made = {name: Ed25519PrivateKey.generate() for name in ("k1", "k2", "other", "revoked")}
    for key_id, owner in (("k1", "radar-1"), ("other", "drone-9"), ("revoked", "radar-1")):
        record = KeyRecord(key_id, owner, public_bytes(made[key_id]), START)
        book.change_keys(store, "add", record)
    book.change_keys(store, "revoke", "revoked", START + dt.timedelta(days=30), "lost in the field")
    with book.writing(store) as connection:
        set_setting(connection, REQUIRE_SIGNATURES, "true")
    return made


def _refs(store: Store) -> set[str]:
    with store.engine.connect() as connection:
        query = text("SELECT ref FROM ledger_entries WHERE kind = 'observation'")
        return set(connection.execute(query).scalars())


def test_only_good_signatures_reach_the_store_and_the_ledger(
    store: Store, keys: dict[str, Ed25519PrivateKey], tmp_path: Path
) -> None:
    good = sign_record(sighting(1), "k1", keys["k1"])
    forged = sign_record(sighting(2), "k1", keys["other"])  # right key id, wrong private key
    tampered = sign_record(sighting(3), "k1", keys["k1"]) | {"count": 40}
    unknown = sign_record(sighting(4), "k9", keys["k1"])
    revoked = sign_record(sighting(5), "revoked", keys["revoked"])
    foreign = sign_record(sighting(6), "other", keys["other"])  # drone-9's key on radar-1
    unsigned = sighting(7)
    half = sighting(8) | {"key_id": "k1"}
    records = [good, forged, tampered, unknown, revoked, foreign, unsigned, half]
    summary = ingest_file(store, write_jsonl(tmp_path / "in.jsonl", records))
    assert (summary.accepted, summary.quarantined) == (1, 7)
    assert _refs(store) == {"obs-1"} and store.observation_ids() == ["obs-1"]
    reasons = {q.position: q.reason for q in store.quarantined()}
    assert reasons[2].startswith("refused (bad_signature: the signature does not match key 'k1'")
    assert reasons[3].startswith("refused (bad_signature")
    assert "no key 'k9' is registered" in reasons[4]
    assert "revoked_key: key 'revoked' was revoked" in reasons[5] and "lost in" in reasons[5]
    assert "wrong_owner: key 'other' belongs to drone-9, not radar-1" in reasons[6]
    assert "unsigned: this store requires signed observations" in reasons[7]
    assert "key_id and signature come together" in reasons[8]
    with store.engine.connect() as connection:
        counts = refusal_counts(connection)
        assert book.verify(connection).ok
    assert counts == {
        "bad_signature": 2,
        "unknown_key": 1,
        "revoked_key": 1,
        "wrong_owner": 1,
        "unsigned": 2,
    }


def test_a_replayed_id_is_refused_and_an_exact_resend_is_harmless(
    store: Store, keys: dict[str, Ed25519PrivateKey], tmp_path: Path
) -> None:
    first = sign_record(sighting(1), "k1", keys["k1"])
    ingest_file(store, write_jsonl(tmp_path / "a.jsonl", [first]))
    replay = sign_record(sighting(1, count=30), "k1", keys["k1"])  # same id, new content
    again = ingest_file(store, write_jsonl(tmp_path / "b.jsonl", [first, replay]))
    assert (again.accepted, again.duplicates, again.quarantined) == (0, 1, 1)
    with store.engine.connect() as connection:
        assert refusal_counts(connection) == {"reused_id": 1}
        n = connection.execute(text("SELECT count(*) FROM ledger_entries WHERE ref = 'obs-1'"))
        assert n.scalar_one() == 1


def test_a_rotated_key_signs_only_its_own_period(
    store: Store, keys: dict[str, Ed25519PrivateKey], tmp_path: Path
) -> None:
    switch = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    book.change_keys(
        store, "rotate", "k1", KeyRecord("k2", "radar-1", public_bytes(keys["k2"]), switch)
    )
    before = sighting(1, observed_at="2025-05-31T23:00:00Z")
    after = sighting(2, observed_at="2025-06-01T01:00:00Z")
    records = [
        sign_record(before, "k1", keys["k1"]),
        sign_record(after, "k1", keys["k1"]),
        sign_record(after | {"id": "obs-3"}, "k2", keys["k2"]),
    ]
    summary = ingest_file(store, write_jsonl(tmp_path / "r.jsonl", records))
    assert summary.accepted == 2
    assert _refs(store) == {"obs-1", "obs-3"}
    [refused] = store.quarantined()
    assert "key_not_valid_then" in refused.reason
    with store.engine.connect() as connection:
        kinds = connection.execute(
            text("SELECT ref FROM ledger_entries WHERE kind = 'key' ORDER BY seq")
        )
        assert list(kinds.scalars()) == ["k1", "other", "revoked", "revoked", "k2", "k1"]


def test_without_enforcement_unsigned_records_pass_but_a_bad_signature_never_does(
    store: Store, tmp_path: Path
) -> None:
    key = Ed25519PrivateKey.generate()
    forged = sign_record(sighting(2), "nobody", key)
    summary = ingest_file(store, write_jsonl(tmp_path / "d.jsonl", [sighting(1), forged]))
    assert (summary.accepted, summary.quarantined) == (1, 1)
    assert _refs(store) == {"obs-1"}
