"""File ingest on SQLite and PostgreSQL: every format, quarantine, idempotency, resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from accord.cli.ingest import ingest as ingest_command
from accord.store import Store, open_store
from accord.verify.ingest import ingest_file


def record(i: int, **change: Any) -> dict[str, Any]:
    base = {
        "id": f"obs-{i}",
        "source_id": f"drone-{i % 7}",
        "source_type": "drone",
        "observed_at": f"2025-06-01T{i % 24:02d}:{i % 60:02d}:00Z",
        "lon": 37.0 + (i % 100) / 100,
        "lat": 48.0,
        "uncertainty_m": 50.0,
        "kind": "armour",
        "count": 1 + i % 5,
        "side": "RU",
        "side_confidence": 0.8,
    }
    return base | change


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def store(database_url: str) -> Any:
    with open_store(database_url) as opened:
        yield opened


def test_jsonl_good_and_bad_lines(store: Store, tmp_path: Path) -> None:
    lines = [
        json.dumps(record(1)),
        "{not json",
        json.dumps(record(2, observed_at="2025-06-01T03:00:00")),
        "",
        json.dumps(record(3)),
        json.dumps(record(4))[:-1] + ', "remarks": "\x00"}',
    ]
    summary = ingest_file(store, write_jsonl(tmp_path / "a.jsonl", lines))
    assert (summary.accepted, summary.quarantined) == (2, 3)
    assert store.observation_ids() == ["obs-1", "obs-3"]
    bad = {q.position: q for q in store.quarantined()}
    assert set(bad) == {2, 3, 6}
    assert "\\u0000" in bad[6].raw and "Invalid control character" in bad[6].reason
    assert bad[2].reason.startswith("not valid JSON") and bad[2].raw == "{not json"
    assert bad[3].detail == "line 3" and "observed_at: time has no timezone" in bad[3].reason
    assert bad[3].source == str(tmp_path / "a.jsonl")


def test_sending_twice_stores_once_and_a_reused_id_is_quarantined(
    store: Store, tmp_path: Path
) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", [json.dumps(record(i)) for i in range(5)])
    ingest_file(store, first)
    again = [json.dumps(record(i)) for i in (0, 1, 9, 9)] + [json.dumps(record(9, count=7))]
    summary = ingest_file(store, write_jsonl(tmp_path / "b.jsonl", again))
    assert (summary.accepted, summary.duplicates, summary.quarantined) == (1, 3, 1)
    changed = write_jsonl(tmp_path / "c.jsonl", [json.dumps(record(4, count=99))])
    assert ingest_file(store, changed).quarantined == 1
    assert sorted(store.observation_ids()) == sorted(f"obs-{i}" for i in (0, 1, 2, 3, 4, 9))
    reasons = [q.reason for q in store.quarantined()]
    assert reasons == [
        "id 'obs-9' conflicts: the same id came earlier, at line 3, with different content",
        "id 'obs-4' conflicts: an observation with this id is already stored with different "
        "content",
    ]


def test_csv_with_nested_columns(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "patrol.csv"
    path.write_text(
        "id,source_id,source_type,observed_at,lon,lat,uncertainty_m,kind,count,"
        "firing.category,firing.bearing_deg,side,side_confidence\n"
        "p-1,patrol-3,patrol,2025-06-01T10:00:00Z,37.5,48.1,200,firing,12,"
        "bursts_and_shots,270,,\n"
        "p-2,patrol-3,patrol,2025-06-01T10:05:00Z,37.5,48.1,200,armour,-2,,,UA,0.9\n"
        "p-3,patrol-3,patrol\n",
        encoding="utf-8",
    )
    summary = ingest_file(store, path)
    assert summary.accepted == 1
    stored = json.loads(store.records(["p-1"])["p-1"])
    assert stored["firing"] == {"category": "bursts_and_shots", "bearing_deg": 270.0}
    bad = {q.position: q.reason for q in store.quarantined()}
    assert bad[3].startswith("count: Input should be greater than or equal to 0")
    assert bad[4] == "3 cells where the header has 13"


def test_geojson_feature_collection(store: Store, tmp_path: Path) -> None:
    def feature(i: int, geometry: Any) -> dict[str, Any]:
        properties = {k: v for k, v in record(i).items() if k not in ("lon", "lat")}
        return {"type": "Feature", "geometry": geometry, "properties": properties}

    point = {"type": "Point", "coordinates": [37.7, 48.3]}
    line = {"type": "LineString", "coordinates": [[37, 48], [38, 48]]}
    collection = {"type": "FeatureCollection", "features": [feature(1, point), feature(2, line)]}
    path = tmp_path / "drone.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    summary = ingest_file(store, path)
    assert summary.accepted == 1
    assert json.loads(store.records(["obs-1"])["obs-1"])["lon"] == 37.7
    [bad] = store.quarantined()
    assert (bad.detail, bad.reason) == (
        "feature 2",
        "Feature geometry must be a Point, not LineString",
    )


def test_sensorthings_observations(store: Store, tmp_path: Path) -> None:
    datastream = {
        "@iot.id": 7,
        "name": "acoustic array 7",
        "properties": {"source_type": "acoustic"},
        "ObservedProperty": {"name": "firing"},
    }
    entity = {
        "@iot.id": 101,
        "phenomenonTime": "2025-06-01T03:00:00Z/2025-06-01T03:00:05Z",
        "resultTime": "2025-06-01T03:00:06Z",
        "result": {"count": 2, "firing": {"category": "muzzle_flash", "bearing_deg": 10}},
        "parameters": {"uncertainty_m": 1500},
        "Datastream": datastream,
        "FeatureOfInterest": {
            "name": "array 7 fix",
            "encodingType": "application/geo+json",
            "feature": {"type": "Point", "coordinates": [37.9, 47.9]},
        },
    }
    count_only = entity | {"@iot.id": 102, "result": 4, "FeatureOfInterest": None}
    no_time = {"@iot.id": 103, "result": 1, "phenomenonTime": None, "Datastream": datastream}
    path = tmp_path / "sta.json"
    path.write_text(json.dumps({"value": [entity, count_only, no_time]}), encoding="utf-8")
    summary = ingest_file(store, path)
    assert summary.accepted == 1
    stored = json.loads(store.records(["sta:7:101"])["sta:7:101"])
    assert stored["source_id"] == "acoustic array 7" and stored["source_type"] == "acoustic"
    assert stored["observed_at"] == "2025-06-01T03:00:00Z"
    assert (stored["lon"], stored["lat"], stored["uncertainty_m"]) == (37.9, 47.9, 1500.0)
    assert stored["kind"] == "firing" and stored["count"] == 2
    bad = {q.position: q.reason for q in store.quarantined()}
    assert bad[2] == "record: source_type acoustic needs lon and lat"
    assert bad[3] == "no time: phenomenonTime or resultTime is required"


def test_a_restarted_file_resumes_after_its_checkpoint(store: Store, tmp_path: Path) -> None:
    lines = [json.dumps(record(i)) for i in range(1, 11)] + ["oops"]
    path = write_jsonl(tmp_path / "a.jsonl", lines)
    ingest_file(store, path, batch_size=4)
    again = ingest_file(store, path, batch_size=4)
    assert (again.resumed_after, again.records) == (11, 0)
    from_start = ingest_file(store, path, batch_size=4, resume=False)
    assert (from_start.accepted, from_start.duplicates, from_start.quarantined) == (0, 10, 1)
    assert len(store.quarantined()) == 1
    assert [(b.first_position, b.last_position) for b in store.batches()][:3] == [
        (1, 4),
        (5, 8),
        (9, 11),
    ]


def test_cli_reports_each_commit_and_the_rejects(database_url: str, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [json.dumps(record(1)), json.dumps(record(2))[:-1]])
    cli = typer.Typer()
    cli.command()(ingest_command)
    result = CliRunner().invoke(cli, [str(path), "--database", database_url])
    assert result.exit_code == 0, result.output
    assert f"committed {path} 1-2: 1 accepted, 0 duplicates, 1 quarantined" in result.output
    assert "line 2: not valid JSON" in result.output
    with open_store(database_url) as store:
        assert store.counts() == {"observations": 1, "quarantine": 1, "ingest_batches": 1}
