"""A party checks, through the API, that the mission's log still extends a checkpoint it
kept: the server gives only hashes (an RFC 6962 consistency proof), the party the rest."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from tests.service.conftest import Seeded, observation
from typer.testing import CliRunner

from accord import book
from accord.cli.ledger import app as ledger_cli
from accord.ledger.chain import Entry
from accord.ledger.keys import public_bytes
from accord.ledger.trust import check_consistency, make_checkpoint


def _entries(seeded: Seeded) -> list[Entry]:
    with seeded.store.engine.connect() as connection:
        return book.load_entries(connection)


def test_a_party_checks_a_consistency_proof_from_the_api(
    client: TestClient, seeded: Seeded, tmp_path: Path
) -> None:
    mission = Ed25519PrivateKey.generate()
    admin, liaison = seeded.headers("admin"), seeded.headers("liaison:UA")
    batch = [observation(i) for i in range(1, 6)]
    assert client.post("/api/observations/batch", json=batch, headers=admin).status_code == 200
    held = make_checkpoint(_entries(seeded), mission)  # what the party kept
    more = [observation(i) for i in range(6, 12)]
    assert client.post("/api/observations/batch", json=more, headers=admin).status_code == 200
    newer = make_checkpoint(_entries(seeded), mission)
    first, second = held["statement"]["tree_size"], newer["statement"]["tree_size"]
    answer = client.get(f"/api/ledger/consistency?first={first}&second={second}", headers=liaison)
    assert answer.status_code == 200, answer.text
    proof = answer.json()
    public = public_bytes(mission)
    assert check_consistency(held, proof, public, newer) == []
    # The same through the command line, with files only.
    files = {name: tmp_path / f"{name}.json" for name in ("held", "proof", "newer")}
    for name, document in (("held", held), ("proof", proof), ("newer", newer)):
        files[name].write_text(json.dumps(document), encoding="utf-8")
    args = ["check", "--checkpoint", str(files["held"]), "--proof", str(files["proof"])]
    args += ["--against", str(files["newer"]), "--public-key", public.hex()]
    checked = CliRunner().invoke(ledger_cli, args)
    assert checked.exit_code == 0 and "the proof's log extends" in checked.output
    # A proof bent by one byte, or one for another size, proves nothing.
    bent = proof | {"path": [proof["path"][0][::-1], *proof["path"][1:]]}
    assert check_consistency(held, bent, public, newer) != []
    short = client.get(
        f"/api/ledger/consistency?first={first}&second={second - 1}", headers=liaison
    )
    assert check_consistency(held, short.json(), public, newer) == [
        f"the proof runs to {second - 1} entries, the newer checkpoint covers {second}"
    ]


def test_a_size_past_the_log_is_a_400(client: TestClient, seeded: Seeded) -> None:
    size = len(_entries(seeded))
    answer = client.get(
        f"/api/ledger/consistency?first=1&second={size + 5}", headers=seeded.headers("analyst")
    )
    assert answer.status_code == 400 and "the log holds" in answer.json()["detail"]
    public = client.get("/api/ledger/consistency?first=1")
    assert public.status_code == 401
