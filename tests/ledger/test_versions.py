"""A store made before RFC 8785, migrated and re-hashed: every root signed before still
checks, new entries are JCS, and tampering is caught before and after the re-hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import jcs
import pytest
from alembic import command
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy import Connection, insert, text, update
from typer.testing import CliRunner

from accord import book
from accord.book import keeping
from accord.cli.ledger import app
from accord.ledger.canonical import LEGACY, canonical_json, legacy_json
from accord.ledger.chain import GENESIS, Entry, make_entry
from accord.ledger.export import check_export
from accord.ledger.keys import public_bytes
from accord.ledger.proofs import check_proof
from accord.ledger.trust import (
    check_against_checkpoint,
    check_consistency,
    consistency,
    make_checkpoint,
)
from accord.ledger.versions import REHASH_KIND
from accord.store import Store, open_store
from accord.store.database import _alembic_config, create_store_engine
from accord.store.ledger import ENTRIES, LedgerHead, to_us
from accord.verify.ingest import ingest_file

from .conftest import PAST_DAYS, sighting, write_jsonl

runner = CliRunner()

# Values whose version 1 bytes differ from their RFC 8785 bytes.
OLD_PAYLOADS = [
    {"index": 1.0},
    {"rate": 1e-07},
    {"n": 1e16, "z": -0.0},
    {"\ufb33": 1, "\U0001f600": 2},
]


def _legacy_chain() -> list[Entry]:
    """What the software before version 2 recorded: four entries on each past day."""
    entries: list[Entry] = []
    for day in PAST_DAYS:
        for hour, payload in enumerate(OLD_PAYLOADS):
            at = dt.datetime.combine(day, dt.time(6 + hour), dt.UTC)
            prev = entries[-1] if entries else None
            entries.append(make_entry(prev, "note", f"{day}/{hour}", payload, at, version=LEGACY))
    return entries


def _store_rows(connection: Connection, entries: list[Entry], with_version: bool) -> None:
    rows = []
    for e in entries:
        row: dict[str, Any] = {
            "seq": e.seq,
            "recorded_at_us": to_us(e.recorded_at),
            "kind": e.kind,
            "ref": e.ref,
            "payload": legacy_json(e.payload).decode(),
            "corrects": e.corrects,
            "prev_hash": e.prev_hash.hex(),
            "hash": e.hash.hex(),
        }
        rows.append(row | ({"version": LEGACY} if with_version else {}))
    table = (
        ENTRIES
        if with_version
        else text(
            "INSERT INTO ledger_entries (seq, recorded_at_us, kind, ref, payload, corrects, "
            "prev_hash, hash) VALUES (:seq, :recorded_at_us, :kind, :ref, :payload, :corrects, "
            ":prev_hash, :hash)"
        )
    )
    connection.execute(insert(table) if with_version else table, rows)
    last = entries[-1]
    connection.execute(
        update(LedgerHead)
        .where(LedgerHead.id == 1)
        .values(seq=last.seq, hash=last.hash.hex(), recorded_at_us=to_us(last.recorded_at))
    )


@pytest.fixture
def old_store(store: Store, mission_key: Ed25519PrivateKey) -> tuple[Store, dict[str, Any]]:
    """Version 1 entries over three sealed past days, a checkpoint a party kept of them,
    then today's ingest under version 2."""
    with book.writing(store) as connection:
        _store_rows(connection, _legacy_chain(), with_version=True)
        held = make_checkpoint(book.load_entries(connection), mission_key)
    for day in PAST_DAYS:
        book.close_day(store, day, mission_key)
    return store, held


def test_a_store_of_revision_0011_migrates_with_its_entries_as_version_1(
    tmp_path: Path, mission_key: Ed25519PrivateKey
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_store_engine(url)
    legacy = _legacy_chain()
    with engine.connect() as connection, connection.begin():
        command.upgrade(_alembic_config(connection), "0011")
        _store_rows(connection, legacy, with_version=False)
    engine.dispose()
    with open_store(url) as store:
        with store.engine.connect() as connection:
            versions = connection.execute(text("SELECT DISTINCT version FROM ledger_entries"))
            assert versions.scalars().all() == [LEGACY]
            assert book.load_entries(connection) == legacy
        for day in PAST_DAYS:
            book.close_day(store, day, mission_key)
        with store.engine.connect() as connection:
            result = book.verify(connection)
        assert result.ok, result.first_problem()
        assert result.not_rehashed == len(legacy) and result.days == 3


def test_old_roots_new_entries_and_the_rehash_all_verify(
    old_store: tuple[Store, dict[str, Any]], mission_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    store, held = old_store
    public = public_bytes(mission_key)
    ingest_file(store, write_jsonl(tmp_path / "today.jsonl", [sighting(i) for i in range(3)]))
    with store.engine.connect() as connection:
        before = book.verify(connection, public_key=public)
        assert before.ok, before.first_problem()
        assert before.not_rehashed == 12 and before.days == 3

    bridge = book.rehash(store, mission_key)
    assert bridge is not None and bridge.kind == REHASH_KIND
    assert book.rehash(store, mission_key) is None  # nothing left to do
    with store.engine.connect() as connection:
        after = book.verify(connection, public_key=public)
        entries = book.load_entries(connection)
    assert after.ok, after.first_problem()
    assert after.not_rehashed == 0 and after.days == 3
    assert [e.version for e in entries] == [1] * 12 + [2] * (len(entries) - 12)

    # Every root signed before the re-hash still checks: the checkpoint a party kept,
    # a consistency proof from it to today, each old day's export and proof.
    assert check_against_checkpoint(entries, held, public) == []
    assert check_consistency(held, consistency(entries, 12, mission_key), public) == []
    export = json.loads(json.dumps(book.export_day(store, PAST_DAYS[0])))
    assert check_export(export, public) == []
    assert {e["version"] for e in export["entries"]} == {1}
    proof = book.prove(store, "0")
    assert check_proof(proof, root_hex=export["root"], public_key_hex=public.hex()).ok

    # A party with only a JCS library re-derives the mapping from the old entries.
    head, said = GENESIS, bridge.payload
    for data in export["entries"] + [e.to_json() for e in entries[4:12]]:
        body = {k: v for k, v in data.items() if k not in ("prev_hash", "hash", "version")}
        head = hashlib.sha256(head + jcs.canonicalize(body)).digest()
    assert head.hex() == said["rehashed_head"]
    assert said["legacy_head"] == entries[11].hash.hex() == entries[12].prev_hash.hex()
    # ...and every new entry with JCS alone.
    for entry in entries[12:]:
        body = {
            k: v for k, v in entry.to_json().items() if k not in ("prev_hash", "hash", "version")
        }
        assert hashlib.sha256(entry.prev_hash + jcs.canonicalize(body)).digest() == entry.hash


_set_payload = text("UPDATE ledger_entries SET payload = :p WHERE seq = 0")


def test_tampering_is_caught_after_the_rehash(
    old_store: tuple[Store, dict[str, Any]], mission_key: Ed25519PrivateKey
) -> None:
    store, _ = old_store
    bridge = book.rehash(store, mission_key)
    assert bridge is not None
    with book.writing(store) as connection:
        # An old entry rewritten in its RFC 8785 form: same value, other bytes.
        connection.execute(_set_payload, {"p": '{"index":1}'})
    with store.engine.connect() as connection:
        result = book.verify(connection)
    assert not result.ok and result.named == 0
    with book.writing(store) as connection:
        connection.execute(_set_payload, {"p": '{"index":1.0}'})
        # Claiming the new version for an old entry breaks its hash and the order.
        connection.execute(text("UPDATE ledger_entries SET version = 2 WHERE seq = 5"))
    with store.engine.connect() as connection:
        result = book.verify(connection)
    assert not result.ok and result.named == 5, result.first_problem()


def test_a_forged_mapping_is_caught(
    old_store: tuple[Store, dict[str, Any]], mission_key: Ed25519PrivateKey
) -> None:
    store, _ = old_store
    bridge = book.rehash(store, mission_key)
    assert bridge is not None
    with store.engine.connect() as connection:
        last = book.load_entries(connection)[-1]
    forged = make_entry(
        last,
        REHASH_KIND,
        bridge.ref,
        bridge.payload | {"rehashed_head": "00" * 32},
        last.recorded_at,
    )
    with book.writing(store) as connection:
        connection.execute(
            insert(ENTRIES).values(
                seq=forged.seq,
                recorded_at_us=to_us(forged.recorded_at),
                kind=forged.kind,
                ref=forged.ref,
                payload=canonical_json(forged.payload).decode(),
                corrects=None,
                prev_hash=forged.prev_hash.hex(),
                hash=forged.hash.hex(),
                version=forged.version,
            )
        )
        connection.execute(
            update(LedgerHead)
            .where(LedgerHead.id == 1)
            .values(seq=forged.seq, hash=forged.hash.hex())
        )
    with store.engine.connect() as connection:
        result = book.verify(connection)
    assert any(
        f"entry {forged.seq} (re-hash): its rehashed_head differ" in p for p in result.problems
    )


def test_an_interrupted_rehash_leaves_the_store_as_it_was(
    old_store: tuple[Store, dict[str, Any]],
    mission_key: Ed25519PrivateKey,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, _ = old_store
    with store.engine.connect() as connection:
        before = [tuple(r) for r in connection.execute(text("SELECT * FROM ledger_entries"))]

    def crash(*_args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(keeping, "rehash_payload", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        book.rehash(store, mission_key)
    with store.engine.connect() as connection:
        assert [
            tuple(r) for r in connection.execute(text("SELECT * FROM ledger_entries"))
        ] == before
        assert book.verify(connection).not_rehashed == 12
    monkeypatch.undo()
    assert book.rehash(store, mission_key) is not None


def test_a_chain_that_does_not_verify_is_not_rehashed(
    old_store: tuple[Store, dict[str, Any]], mission_key: Ed25519PrivateKey
) -> None:
    store, _ = old_store
    with book.writing(store) as connection:
        connection.execute(text("UPDATE ledger_entries SET ref = 'forged' WHERE seq = 3"))
    with pytest.raises(book.LedgerError, match=r"entry 3 .*none was made"):
        book.rehash(store, mission_key)


def test_rehash_from_the_command_line(
    old_store: tuple[Store, dict[str, Any]],
    database_url: str,
    mission_key: Ed25519PrivateKey,
    tmp_path: Path,
) -> None:
    key_file = tmp_path / "mission.pem"
    key_file.write_bytes(
        mission_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    db = ["-d", database_url]
    before = runner.invoke(app, ["verify", *db])
    assert before.exit_code == 0 and "12 entries of ledger version 1 are not re-hashed" in (
        " ".join(before.output.split())
    )
    made = runner.invoke(app, ["rehash", "--mission-key", str(key_file), *db])
    assert made.exit_code == 0, made.output
    assert "entries 0..11 re-hashed" in " ".join(made.output.split())
    again = runner.invoke(app, ["rehash", "--mission-key", str(key_file), *db])
    assert again.exit_code == 0 and "nothing to re-hash" in again.output
    after = runner.invoke(app, ["verify", "--public-key", public_bytes(mission_key).hex(), *db])
    assert after.exit_code == 0 and "not re-hashed" not in after.output, after.output
