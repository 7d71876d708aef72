"""`accord ledger` end to end: keys, close-day, verify, proof and check-proof, export."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy import text
from typer.testing import CliRunner

from accord import book
from accord.cli.ledger import app
from accord.ledger.keys import public_bytes, sign
from accord.ledger.trust import make_checkpoint
from accord.store import Store

from .conftest import PAST_DAYS

runner = CliRunner()


def _said(output: str) -> str:
    """Terminal output without the box and line breaks an error panel adds."""
    return " ".join(output.replace("│", " ").split())


def test_keys_verify_proof_and_export(
    sealed: Store, database_url: str, mission_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    db = ["-d", database_url]
    source = public_bytes(Ed25519PrivateKey.generate()).hex()
    added = runner.invoke(app, ["keys", "add", "seis-07-a", "seis-07", source, *db])
    assert added.exit_code == 0, added.output
    revoked = runner.invoke(app, ["keys", "revoke", "seis-07-a", "--because", "stolen", *db])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    listing = runner.invoke(app, ["keys", "list", *db])
    assert "seis-07-a  seis-07" in listing.output and "mission-" in listing.output
    unknown = runner.invoke(app, ["keys", "revoke", "nope", "--because", "x", *db])
    assert unknown.exit_code == 2 and "no key 'nope' is registered" in unknown.output

    assert runner.invoke(app, ["verify", *db]).exit_code == 0
    proof = tmp_path / "proof.json"
    assert runner.invoke(app, ["proof", "7", "-o", str(proof), *db]).exit_code == 0
    root = json.loads(proof.read_text())["root"]
    checked = runner.invoke(app, ["check-proof", str(proof), "--root", root])
    assert checked.exit_code == 0 and "is in the tree" in checked.output
    public = public_bytes(mission_key).hex()
    signed = runner.invoke(app, ["check-proof", str(proof), "--public-key", public])
    assert signed.exit_code == 0 and "the mission signed root" in signed.output
    wrong = runner.invoke(app, ["check-proof", str(proof), "--root", "ab" * 32])
    assert wrong.exit_code == 1 and "not the published" in wrong.output

    exported = tmp_path / "day.json"
    day = str(PAST_DAYS[1])
    assert runner.invoke(app, ["export", "--day", day, "-o", str(exported), *db]).exit_code == 0
    assert (
        runner.invoke(app, ["check-export", str(exported), "--public-key", public]).exit_code == 0
    )

    with sealed.engine.begin() as connection:
        connection.execute(text("UPDATE ledger_entries SET ref = 'edited' WHERE seq = 9"))
    tampered = runner.invoke(app, ["verify", *db])
    assert tampered.exit_code == 1 and "entry 9 (position 9)" in tampered.output
    ranged = runner.invoke(app, ["verify", "--from", day, "--to", day, *db])
    assert ranged.exit_code == 0  # entry 9 lies on the first day, outside the range


def test_close_day_generates_the_mission_key_once(database_url: str, tmp_path: Path) -> None:
    key_file = tmp_path / "mission.pem"
    first = runner.invoke(app, ["close-day", "--mission-key", str(key_file), "-d", database_url])
    assert first.exit_code == 0 and "no finished day is open" in first.output
    assert "generated a new mission signing key" in first.output and key_file.exists()
    second = runner.invoke(app, ["close-day", "--mission-key", str(key_file), "-d", database_url])
    assert "generated" not in second.output


def test_a_mission_key_file_that_is_not_ed25519_is_refused(
    database_url: str, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

    key_file = tmp_path / "wrong.pem"
    key_file.write_bytes(
        generate_private_key(SECP256R1()).private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    result = runner.invoke(app, ["close-day", "--mission-key", str(key_file), "-d", database_url])
    assert result.exit_code == 2 and "not an Ed25519 private key" in result.output


def test_check_export_needs_a_key_the_party_holds(
    sealed: Store, database_url: str, mission_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    exported = tmp_path / "day.json"
    day = str(PAST_DAYS[0])
    assert (
        runner.invoke(
            app, ["export", "--day", day, "-o", str(exported), "-d", database_url]
        ).exit_code
        == 0
    )
    alone = runner.invoke(app, ["check-export", str(exported)])
    assert alone.exit_code == 2 and "a file's own key proves nothing" in _said(alone.output)
    pinned = hashlib.sha256(public_bytes(mission_key)).hexdigest()[:16]
    assert (
        runner.invoke(app, ["check-export", str(exported), "--fingerprint", pinned]).exit_code == 0
    )
    # A forger re-signs the day with a key of its own and puts that key in the file.
    forger = Ed25519PrivateKey.generate()
    document = json.loads(exported.read_text())
    document["public_key"] = public_bytes(forger).hex()
    document["signature"] = sign(forger, document["statement"].encode())
    exported.write_text(json.dumps(document))
    forged = runner.invoke(app, ["check-export", str(exported), "--fingerprint", pinned])
    assert forged.exit_code == 2 and f"not the {pinned} you pinned" in _said(forged.output)
    public = public_bytes(mission_key).hex()
    held = runner.invoke(app, ["check-export", str(exported), "--public-key", public])
    assert held.exit_code == 1 and "signature over the statement does not verify" in held.output


def test_checkpoint_consistency_and_check(
    sealed: Store, database_url: str, mission_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    key_file = tmp_path / "mission.pem"
    key_file.write_bytes(
        mission_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    db, key = ["-d", database_url], ["--mission-key", str(key_file)]
    public = public_bytes(mission_key).hex()
    held = tmp_path / "held.json"
    assert runner.invoke(app, ["checkpoint", "-o", str(held), *key, *db]).exit_code == 0
    size = json.loads(held.read_text())["statement"]["tree_size"]
    ok = runner.invoke(app, ["check", "--checkpoint", str(held), "--public-key", public, *db])
    assert ok.exit_code == 0 and f"checkpoint of {size} entries unchanged" in ok.output
    proof = tmp_path / "proof.json"
    made = runner.invoke(app, ["consistency", "--from", "30", "-o", str(proof), *key, *db])
    assert made.exit_code == 0, made.output
    old = tmp_path / "old.json"
    with sealed.engine.connect() as connection:
        old.write_text(json.dumps(make_checkpoint(book.load_entries(connection)[:30], mission_key)))
    offline = runner.invoke(
        app, ["check", "--checkpoint", str(old), "--proof", str(proof), "--public-key", public]
    )
    assert offline.exit_code == 0 and "the proof's log extends" in offline.output
    with sealed.engine.begin() as connection:
        connection.execute(text(f"DELETE FROM ledger_entries WHERE seq >= {size - 3}"))
    cut = runner.invoke(app, ["check", "--checkpoint", str(held), "--public-key", public, *db])
    assert cut.exit_code == 1 and f"truncated: the checkpoint covers {size} entries" in cut.output
    too_far = runner.invoke(app, ["consistency", "--from", "100000", *key, *db])
    assert too_far.exit_code == 2
    assert "no consistency proof from 100000 to " in _said(too_far.output)
