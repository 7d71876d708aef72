"""The stored ledger: appended with ingest, verified, sealed by day, proved and exported."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import jcs
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import text

from accord import book
from accord.ledger.keys import public_bytes
from accord.ledger.proofs import check_proof
from accord.store import Store
from accord.verify.ingest import ingest_file

from .conftest import PAST_DAYS, sighting, write_jsonl


def _kinds(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as connection:
        return [
            tuple(r)
            for r in connection.execute(text("SELECT kind, ref FROM ledger_entries ORDER BY seq"))
        ]


def test_each_accepted_observation_is_one_entry_in_its_batch(store: Store, tmp_path: Path) -> None:
    records = [sighting(i) for i in range(5)] + [sighting(2), {"id": "bad"}, sighting(3, count=99)]
    summary = ingest_file(store, write_jsonl(tmp_path / "a.jsonl", records))
    assert (summary.accepted, summary.duplicates, summary.quarantined) == (5, 1, 2)
    assert _kinds(store) == [("observation", f"obs-{i}") for i in range(5)]
    ingest_file(store, write_jsonl(tmp_path / "b.jsonl", [sighting(4), sighting(5)]))
    assert [ref for _, ref in _kinds(store)] == [f"obs-{i}" for i in range(6)]
    with store.engine.connect() as connection:
        result = book.verify(connection)
        payload = json.loads(
            connection.execute(
                text("SELECT payload FROM ledger_entries WHERE seq = 0")
            ).scalar_one()
        )
        record = connection.execute(
            text("SELECT record FROM observations WHERE observation_id = 'obs-0'")
        ).scalar_one()
    assert result.ok and result.entries == 6
    assert payload["digest"] == hashlib.sha256(record.encode()).hexdigest()


def test_sealed_days_verify_and_ranges_start_mid_chain(sealed: Store) -> None:
    with sealed.engine.connect() as connection:
        whole = book.verify(connection)
        middle = book.verify(connection, PAST_DAYS[1], PAST_DAYS[1])
    assert whole.ok, whole.first_problem()
    assert whole.days == 3 and whole.entries > 100
    assert middle.ok and middle.days == 1 and middle.entries == 8 * 4


def test_a_proof_checks_against_the_published_root_without_the_database(
    sealed: Store, mission_key: Ed25519PrivateKey
) -> None:
    document = book.prove(sealed, "10")
    root = document["root"]
    public = public_bytes(mission_key).hex()
    assert check_proof(document, root_hex=root, public_key_hex=public).ok
    assert not check_proof(document).ok  # nothing to check against proves nothing
    wrong_root = check_proof(document, root_hex="00" * 32)
    assert not wrong_root.ok and "not the published" in wrong_root.problems[0]
    altered = json.loads(json.dumps(document))
    altered["entry"]["payload"]["index"] = 0.1
    assert not check_proof(altered, root_hex=root).ok
    other_key = public_bytes(Ed25519PrivateKey.generate()).hex()
    assert not check_proof(document, public_key_hex=other_key).ok


def test_every_entry_of_a_day_has_a_proof(sealed: Store) -> None:
    day = book.export_day(sealed, PAST_DAYS[2])
    for entry in day["entries"]:
        proof = book.prove(sealed, str(entry["seq"]))
        assert check_proof(proof, root_hex=day["root"]).ok


def test_an_export_verifies_with_nothing_but_hashlib_json_and_ed25519(
    sealed: Store, mission_key: Ed25519PrivateKey
) -> None:
    """An independent implementation of docs/ledger.md, as a party would write it."""
    document = json.loads(json.dumps(book.export_day(sealed, PAST_DAYS[0])))

    def canonical(value: object) -> bytes:
        # Another RFC 8785 implementation than the product's own.
        return jcs.canonicalize(value)

    def mth(leaves: list[bytes]) -> bytes:
        if len(leaves) == 1:
            return hashlib.sha256(b"\x00" + leaves[0]).digest()
        k = 1 << ((len(leaves) - 1).bit_length() - 1)
        return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()

    previous = document["previous_hash"]
    leaves = []
    for entry in document["entries"]:
        assert entry["version"] == 2
        leaf = canonical(
            {k: v for k, v in entry.items() if k not in ("prev_hash", "hash", "version")}
        )
        assert entry["prev_hash"] == previous
        assert hashlib.sha256(bytes.fromhex(previous) + leaf).hexdigest() == entry["hash"]
        previous = entry["hash"]
        leaves.append(leaf)
    assert mth(leaves).hex() == document["root"] and len(leaves) == document["tree_size"]
    statement = json.loads(document["statement"])
    assert statement["root"] == document["root"] and statement["chain_head"] == previous
    assert document["public_key"] == public_bytes(mission_key).hex()
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(document["public_key"])).verify(
        __import__("base64").b64decode(document["signature"]), document["statement"].encode()
    )


def test_a_closed_day_stays_closed_and_today_cannot_close(
    sealed: Store, mission_key: Ed25519PrivateKey
) -> None:
    for day, why in (
        (PAST_DAYS[0], "already closed"),
        (dt.datetime.now(dt.UTC).date(), "not over"),
    ):
        try:
            book.close_day(sealed, day, mission_key)
        except book.LedgerError as exc:
            assert why in str(exc)
        else:
            raise AssertionError(f"closing {day} again was allowed")


def test_an_unclosed_day_has_no_proof(sealed: Store) -> None:
    try:
        book.prove(sealed, "obs-3")
    except book.LedgerError as exc:
        assert "not closed yet" in str(exc)
    else:
        raise AssertionError("a proof without a published root was given")
