"""Opening the store: engines for SQLite and PostgreSQL, migrations on open.

SQLite runs in WAL mode with synchronous=FULL: a commit returns only after the
write-ahead log is on disk, so a batch reported as committed survives a crash
of the process or of the machine. (NORMAL would survive only the process.)
Write transactions begin IMMEDIATE so two writers queue on the busy timeout
instead of failing half-way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.engine import URL

DATABASE_URL_ENV = "ACCORD_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///accord.db"
SQLITE_BUSY_TIMEOUT_MS = 60_000
# Write transactions opt in with `connection.execution_options(**WRITE)`.
WRITE = {"accord_write": True}
BIGINT_MAX = 2**63 - 1  # the largest id or seq the store's integer keys hold
# Any constant works; it only has to be the same for every accord process.
_MIGRATION_LOCK = 0x6163636F7264


class StoreError(Exception):
    """The database could not be opened or is not an accord store."""


def database_url(url: str | None = None) -> str:
    """The URL to use: the one given, else $ACCORD_DATABASE_URL, else ./accord.db."""
    return url or os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL


def _normalise(url: str) -> URL:
    """Accept plain postgresql:// URLs; psycopg 3 is the driver installed."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_store_engine(url: str | None = None) -> Engine:
    """An engine set up for durable batch writes on either backend."""
    parsed = _normalise(database_url(url))
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    raise StoreError(
        f"unsupported database {parsed.render_as_string(hide_password=True)}: "
        "use sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB"
    )


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, start transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        writing = connection.get_execution_options().get("accord_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


def require_store(url: str | None = None) -> None:
    """Refuse a store that does not exist yet, for commands that only read one: opening
    would create an empty store, and a report from it says nothing happened."""
    parsed = _normalise(database_url(url))
    shown = parsed.render_as_string(hide_password=True)
    hint = "ingest observations first (accord ingest, accord run) or pass --database"
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not Path(parsed.database).exists():
            raise StoreError(f"no accord store at {parsed.database}: {hint}")
        return
    engine = create_store_engine(url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                raise StoreError(f"{shown} holds no accord store: {hint}")
    finally:
        engine.dispose()


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", "accord.store:migrations")
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision, one process at a time."""
    with engine.connect() as connection:
        connection = connection.execution_options(**WRITE)
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            command.upgrade(_alembic_config(connection), "head")
