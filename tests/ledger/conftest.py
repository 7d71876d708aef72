"""A store with a ledger over several closed days, on each backend."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from accord import book
from accord.store import Store, open_store
from accord.store.ledger import Draft, append
from accord.verify.ingest import ingest_file

TODAY = dt.datetime.now(dt.UTC).date()
PAST_DAYS = [TODAY - dt.timedelta(days=n) for n in (3, 2, 1)]


def sighting(i: int, **change: Any) -> dict[str, Any]:
    return {
        "id": f"obs-{i}",
        "source_id": "radar-1",
        "source_type": "radar",
        "observed_at": "2025-06-01T12:00:00Z",
        "lon": 37.5,
        "lat": 47.9,
        "uncertainty_m": 250,
        "kind": "mlrs",
        "count": 1 + i % 5,
    } | change


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with open_store(database_url) as opened:
        yield opened


@pytest.fixture
def mission_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def sealed(store: Store, mission_key: Ed25519PrivateKey, tmp_path: Path) -> Store:
    """About 120 entries: three closed past days of mixed kinds, then today's ingest."""
    for d, day in enumerate(PAST_DAYS):
        for hour in range(0, 24, 3):
            at = dt.datetime.combine(day, dt.time(hour), dt.UTC)
            drafts = [
                Draft("note", f"RU/{day}/{hour}/{n}", {"index": 0.9 - n / 100, "day": str(day)})
                for n in range(d + 3)
            ]
            with book.writing(store) as connection:
                append(connection, drafts, now=at)
    for day in PAST_DAYS:
        book.close_day(store, day, mission_key)
    ingest_file(store, write_jsonl(tmp_path / "today.jsonl", [sighting(i) for i in range(12)]))
    return store
