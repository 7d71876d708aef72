"""`accord tokens`: a secret printed once, usable at the API, then revoked for good."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accord.cli.main import app
from accord.service.app import create_app
from accord.service.settings import ServiceSettings
from accord.store import open_store

runner = CliRunner()


def test_create_use_list_and_revoke(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mission.db'}"
    made = runner.invoke(app, ["tokens", "create", "--role", "liaison", "--party", "UA",
                               "--name", "UA liaison", "-d", url])  # fmt: skip
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("acc_")
    with open_store(url) as store:
        client = TestClient(create_app(ServiceSettings(), store))
        me = client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
        assert me.status_code == 200 and me.json()["party"] == "UA"
        listed = runner.invoke(app, ["tokens", "list", "-d", url])
        assert "UA liaison" in listed.stdout and secret not in listed.stdout
        assert runner.invoke(app, ["tokens", "revoke", "1", "-d", url]).exit_code == 0
        refused = client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
        assert refused.status_code == 401


def test_a_liaison_needs_a_party(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mission.db'}"
    result = runner.invoke(app, ["tokens", "create", "--role", "liaison", "--name", "x", "-d", url])
    assert result.exit_code == 2
    assert "party" in result.stderr
    missing = runner.invoke(app, ["tokens", "revoke", "9", "-d", url])
    assert missing.exit_code == 2 and "9" in missing.stderr


def test_a_token_with_an_expiry_is_listed_as_expired_once_it_is(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from accord.store.service import ServiceToken

    url = f"sqlite:///{tmp_path / 'mission.db'}"
    made = runner.invoke(app, ["tokens", "create", "--role", "analyst", "--name", "temp",
                               "--expires-in", "90d", "-d", url])  # fmt: skip
    assert made.exit_code == 0, made.output
    soon = (datetime.now(UTC) + timedelta(days=90)).strftime("%Y-%m-%d")
    listed = runner.invoke(app, ["tokens", "list", "-d", url]).stdout
    assert soon in listed and "expired" not in listed
    with open_store(url) as store, store.engine.begin() as connection:
        past = datetime.now(UTC) - timedelta(days=1)
        connection.execute(update(ServiceToken).values(expires_at=past))
    assert "expired" in runner.invoke(app, ["tokens", "list", "-d", url]).stdout
    for wrong in ("90", "0d", "d", "9999999999d", "90y"):
        bad = runner.invoke(app, ["tokens", "create", "--role", "analyst", "--name", "x",
                                  "--expires-in", wrong, "-d", url])  # fmt: skip
        assert bad.exit_code == 2 and "--expires-in" in bad.stderr, wrong
