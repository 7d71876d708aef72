"""The PostgreSQL fixture's teardown: a test database always drops.

CI failed at random when `DROP DATABASE ... WITH (FORCE)` met an autovacuum
worker the test role may not signal; the teardown now ends only the role's own
sessions and lets a plain DROP make autovacuum exit.
"""

from __future__ import annotations

import uuid

from sqlalchemy import create_engine, make_url, text
from tests.conftest import drop_database, service_url


def test_drop_ends_sessions_a_test_left_open() -> None:
    server = make_url(service_url("ACCORD_TEST_POSTGRES_URL"))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"accord_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        forgotten = create_engine(server.set(database=name))
        leaked = forgotten.connect()
        leaked.execute(text("CREATE TABLE t AS SELECT generate_series(1, 1000) AS a"))
        # Left open inside a transaction, as a test that forgot to close its store would.
        drop_database(admin, name)
        leaked.invalidate()  # its server session is gone; do not hand it back to the pool
        forgotten.dispose()
        with admin.connect() as connection:
            left = connection.execute(
                text("SELECT count(*) FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar_one()
        assert left == 0
    finally:
        admin.dispose()
