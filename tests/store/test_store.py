"""The store on SQLite and PostgreSQL: migrations, durability settings, columns."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import accord.store as accord_store
from accord.agreement.vocabulary import KIND_CODES, KIND_NAMES
from accord.store import Store, load_columns, open_store
from accord.store.database import create_store_engine
from accord.store.schema import Base
from accord.verify.ingest import ingest_file


@pytest.fixture
def store(database_url: str) -> Any:
    with open_store(database_url) as opened:
        yield opened


def _ingest(store: Store, tmp_path: Path, records: list[dict[str, Any]]) -> None:
    path = tmp_path / f"batch-{len(store.batches())}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    ingest_file(store, path)


def _sighting(i: int, **change: Any) -> dict[str, Any]:
    return {
        "id": f"o{i}",
        "source_id": "radar-1",
        "source_type": "radar",
        "observed_at": f"2025-06-0{1 + i % 3}T12:00:00.000123Z",
        "lon": 36.5 + i,
        "lat": 47.5,
        "uncertainty_m": 250,
        "kind": "mlrs",
        "count": i + 1,
    } | change


def test_migrations_build_exactly_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "0014"
        )


def test_opening_again_keeps_the_data(database_url: str, tmp_path: Path) -> None:
    with open_store(database_url) as first:
        _ingest(first, tmp_path, [_sighting(1)])
    with open_store(database_url) as again:
        assert again.observation_ids() == ["o1"]
        [batch] = again.batches()
        assert batch.committed_at.tzinfo is not None
        assert abs((datetime.now(UTC) - batch.committed_at).total_seconds()) < 60


def test_sqlite_commits_are_durable(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'deep' / 'a.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    engine.dispose()


def test_the_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)
    assert accord_store.database_url() == "sqlite:///accord.db"
    monkeypatch.setenv("ACCORD_DATABASE_URL", "postgresql://u:p@127.0.0.1/x")
    assert accord_store.database_url() == "postgresql://u:p@127.0.0.1/x"
    assert accord_store.database_url("sqlite:///other.db") == "sqlite:///other.db"
    engine = create_store_engine()
    assert engine.url.drivername == "postgresql+psycopg"


def test_columns_of_stored_observations(store: Store, tmp_path: Path) -> None:
    notice = {
        "id": "n1",
        "source_id": "RU-mod",
        "source_type": "data_exchange",
        "observed_at": "2025-06-02T00:00:00Z",
        "kind": "artillery",
        "count": 40,
        "side": "RU",
        "side_confidence": 1.0,
        "notification": {"subject": "holdings", "party": "RU", "zone": "dmz"},
    }
    shot = _sighting(
        2, kind="firing", firing={"category": "explosion", "explosion": "airburst"}, side="UA"
    ) | {"side_confidence": 0.4}
    _ingest(store, tmp_path, [_sighting(0), notice, shot])
    columns = load_columns(store)
    assert len(columns) == 3
    assert list(columns.observation_id) == ["o0", "n1", "o2"]
    assert [KIND_NAMES[k] for k in columns.kind] == ["mlrs", "artillery", "firing"]
    assert list(columns.kind_mask("mlrs", "firing")) == [True, False, True]
    assert columns.time[0] == np.datetime64("2025-06-01T12:00:00.000123", "ns")
    assert columns.time_ns[1] == 1748822400 * 10**9
    assert np.isnan(columns.lon[1]) and columns.lon[2] == 38.5
    assert list(columns.side) == ["", "RU", "UA"]
    assert np.isnan(columns.side_confidence[0]) and columns.side_confidence[2] == 0.4
    assert list(columns.firing_category) == ["", "", "explosion"]
    assert list(columns.count) == [1, 40, 3]
    assert KIND_CODES["mlrs"] == columns.kind[0]


def test_columns_page_by_seq_and_filter_by_time(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, [_sighting(i) for i in range(6)])
    first = load_columns(store, limit=4)
    rest = load_columns(store, after_seq=int(first.seq[-1]))
    assert list(first.observation_id) + list(rest.observation_id) == [f"o{i}" for i in range(6)]
    june_2 = load_columns(
        store, start=datetime(2025, 6, 2, tzinfo=UTC), end=datetime(2025, 6, 3, tzinfo=UTC)
    )
    assert list(june_2.observation_id) == ["o1", "o4"]
    empty = load_columns(store, after_seq=int(rest.seq[-1]))
    assert len(empty) == 0 and empty.lon.dtype == np.float64
