"""100,000 records, one in ten malformed: every good one lands, every bad one is quarantined."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from accord.store import open_store
from accord.verify.ingest import ingest_file

RECORDS = 100_000


def good(i: int) -> dict[str, Any]:
    return {
        "id": f"r{i}",
        "source_id": f"seis-{i % 40}",
        "source_type": "seismic",
        "observed_at": f"2025-07-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
        "lon": 35.0 + (i % 1000) / 250,
        "lat": 47.0 + (i % 700) / 350,
        "uncertainty_m": 500.0,
        "kind": "firing",
        "count": 1 + i % 9,
        "firing": {"category": "explosion", "explosion": "undetermined"},
        "side": "RU" if i % 2 else "UA",
        "side_confidence": 0.5,
    }


def _without(field: str) -> Callable[[int], str]:
    return lambda i: json.dumps({k: v for k, v in good(i).items() if k != field})


def _changed(**change: Any) -> Callable[[int], str]:
    return lambda i: json.dumps(good(i) | change)


# Each kind of damage: how to write the line, and words its quarantine reason must hold.
DAMAGE: list[tuple[Callable[[int], str], str]] = [
    (lambda i: json.dumps(good(i))[:-7], "not valid JSON"),
    (_without("source_id"), "source_id: Field required"),
    (_changed(lat=123.4), "lat: Input should be less than or equal to 90"),
    (_changed(lon="thirty-seven"), "lon: Input should be a valid number"),
    (_changed(observed_at="2025-07-01T12:00:00"), "observed_at: time has no timezone"),
    (_changed(kind="tank"), "kind: Input should be"),
    (_changed(count=-3), "count: Input should be greater than or equal to 0"),
    (_changed(side_confidence=1.2), "side_confidence: Input should be less than or equal to 1"),
    (_changed(firing=None), "firing details are required"),
    (lambda i: json.dumps([good(i)]), "a record must be a JSON object, not list"),
    (_changed(observed_at="yesterday"), "observed_at: Input should be a valid datetime"),
    # Implausible, not malformed: each was once stored and made incidents.
    (_changed(count=True), "count: a number is needed here, not true"),
    (_changed(lon=0.0, lat=0.0), "lies outside the theatre"),
    (_changed(uncertainty_m=5e6), "uncertainty_m: Input should be less than or equal to 50000"),
    (_changed(observed_at="2099-01-01T00:00:00Z"), "observed_at: dated in the future"),
    (_changed(observed_at="1900-01-01T00:00:00Z"), "observed_at: dated 1900-01-01T00:00:00+00:00"),
]


def test_every_good_record_lands_and_every_bad_one_is_quarantined(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.jsonl"
    expected_bad: dict[int, str] = {}
    good_ids = []
    with path.open("w", encoding="utf-8") as handle:
        for i in range(RECORDS):
            line = i + 1
            if i % 10 == 9:
                write, reason = DAMAGE[(i // 10) % len(DAMAGE)]
                handle.write(write(i) + "\n")
                expected_bad[line] = reason
            else:
                handle.write(json.dumps(good(i)) + "\n")
                good_ids.append(f"r{i}")
    with open_store(database_url) as store:
        summary = ingest_file(store, path, batch_size=5_000)
        print(f"\n{database_url.split(':')[0]}: {summary.records_per_second:,.0f} records/s")
        assert (summary.accepted, summary.quarantined) == (90_000, 10_000)
        stored = store.observation_ids()
        assert len(stored) == len(set(stored)) and set(stored) == set(good_ids)
        quarantined = store.quarantined()
    assert len(quarantined) == len(expected_bad)
    for entry in quarantined:
        assert entry.detail == f"line {entry.position}"
        assert expected_bad[entry.position] in entry.reason, (entry.position, entry.reason)


def test_a_poison_line_is_quarantined_and_its_batch_stored(
    database_url: str, tmp_path: Path
) -> None:
    """A line nested 100,000 deep crashed the run with RecursionError before any of its
    batch was stored, and every re-run crashed again."""
    path = tmp_path / "poison.jsonl"
    lines = [json.dumps(good(0)), "[" * 100_000 + "]" * 100_000, json.dumps(good(1))]
    # A BOM (as some editors write) once got the first record quarantined.
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    with open_store(database_url) as store:
        summary = ingest_file(store, path)
        assert (summary.accepted, summary.quarantined) == (2, 1)
        assert sorted(store.observation_ids()) == ["r0", "r1"]
        [bad] = store.quarantined()
    assert (bad.detail, bad.reason) == (
        "line 2",
        "not accepted: nested deeper than 64 levels (at character 65)",
    )
