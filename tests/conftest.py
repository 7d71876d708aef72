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
from sqlalchemy import create_engine, make_url, text
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
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def mqtt_url() -> str:
    """The test broker's URL."""
    return service_url("ACCORD_TEST_MQTT_URL")
