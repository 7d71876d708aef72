"""Session-wide service fixtures: a fresh database on SQLite and on PostgreSQL.

PostgreSQL and the MQTT broker come from scripts/services.sh, which exports
ACCORD_TEST_POSTGRES_URL and ACCORD_TEST_MQTT_URL. Without them a test that
needs one is skipped, except in CI (env CI set), where it fails: CI must never
pass without having run against both backends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from tests.support import missing


def service_url(variable: str) -> str:
    """The URL in `variable`, or skip (locally) / fail (in CI) when it is unset."""
    url = os.environ.get(variable)
    if url:
        return url
    missing(f"{variable} is not set; source scripts/services.sh first")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database for one test, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'accord.db'}"
        return
    server = make_url(service_url("ACCORD_TEST_POSTGRES_URL"))
    name = f"accord_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        # template0: nobody connects to it, so parallel runs never collide on template1.
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(admin, name)
        admin.dispose()


def drop_database(admin: Engine, name: str) -> None:
    """Drop a test database that a test may have left sessions open on.

    Not `WITH (FORCE)`: that signals every backend on the database, autovacuum
    workers included, and a role without pg_signal_backend may not signal
    those, so the drop failed whenever autovacuum happened to visit. A plain
    DROP makes autovacuum workers exit by itself; the test role's own sessions,
    which it may always end, are ended first.
    """
    with admin.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :name AND usename = current_user AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


@pytest.fixture
def mqtt_url() -> str:
    """The test broker's URL."""
    return service_url("ACCORD_TEST_MQTT_URL")
