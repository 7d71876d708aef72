"""The source registry and the monitoring period at ingest, on SQLite and PostgreSQL.

Before the registry, a record from a source id nobody deployed, from a sensor taken out
of service, or dated before the mission began was stored and could make an incident.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from accord import book
from accord.cli.main import app
from accord.store import Store, open_store
from accord.store.sources import (
    Source,
    list_sources,
    monitoring_start,
    register,
    set_monitoring_start,
    source_networks,
)
from accord.verify.ingest import ingest_file
from accord.verify.registry import read_registry, register_file

UTC = dt.UTC
REGISTRY = """\
- source_id: seis-07
  source_type: seismic
  network: mission-seismic
  operator: mission
  lon: 37.61
  lat: 48.02
- source_id: drone-1
  source_type: drone
  network: mission-drone
  operator: mission
- source_id: old-cam
  source_type: camera
  network: mission-camera
  operator: mission
  retired_at: 2025-06-01T12:00:00Z
- source_id: UA-mod
  source_type: notification
  network: UA-mod
  operator: UA
"""


def sighting(ident: str, source_id: str, source_type: str, at: str) -> dict[str, Any]:
    return {
        "id": ident,
        "source_id": source_id,
        "source_type": source_type,
        "observed_at": at,
        "lon": 37.6,
        "lat": 48.0,
        "uncertainty_m": 100.0,
        "kind": "armour",
    }


def notice(ident: str, sent: str, starts: str, ends: str) -> dict[str, Any]:
    return {
        "id": ident,
        "source_id": "UA-mod",
        "source_type": "notification",
        "observed_at": sent,
        "kind": "personnel",
        "count": 4500,
        "notification": {
            "subject": "exercise",
            "party": "UA",
            "starts_at": starts,
            "ends_at": ends,
            "zone": "band.UA-BY",
        },
    }


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def store(database_url: str) -> Any:
    with open_store(database_url) as opened:
        yield opened


@pytest.fixture
def registered(store: Store, tmp_path: Path) -> Store:
    path = tmp_path / "sources.yaml"
    path.write_text(REGISTRY, encoding="utf-8")
    done, read = register_file(store, path)
    assert (len(done.added), read.problems) == (4, ())
    return store


def reasons(store: Store) -> dict[int, str]:
    return {q.position: q.reason for q in store.quarantined()}


def test_a_record_dated_1900_is_quarantined_with_or_without_a_period(
    store: Store, tmp_path: Path
) -> None:
    path = write(tmp_path / "a.jsonl", [sighting("a", "drone-1", "drone", "1900-01-01T00:00:00Z")])
    summary = ingest_file(store, path)
    assert (summary.accepted, summary.quarantined) == (0, 1)
    assert "dated 1900-01-01T00:00:00+00:00, before the war" in reasons(store)[1]


def test_an_unknown_source_is_quarantined_and_named(registered: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.jsonl",
        [
            sighting("a", "seis-07", "seismic", "2025-06-01T03:00:00Z"),
            sighting("b", "seis-99", "seismic", "2025-06-01T03:00:00Z"),
        ],
    )
    summary = ingest_file(registered, path)
    assert (summary.accepted, summary.quarantined) == (1, 1)
    assert registered.observation_ids() == ["a"]
    assert reasons(registered)[2] == (
        "source 'seis-99' is not in the source registry (4 sources registered): register "
        "it before its observations, or correct the source_id"
    )


def test_a_retired_source_is_accepted_until_it_was_retired(
    registered: Store, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "a.jsonl",
        [
            sighting("before", "old-cam", "camera", "2025-06-01T11:59:59Z"),
            sighting("after", "old-cam", "camera", "2025-06-01T12:00:00Z"),
        ],
    )
    ingest_file(registered, path)
    assert registered.observation_ids() == ["before"]
    assert reasons(registered)[2] == (
        "source 'old-cam' was retired from the registry at 2025-06-01T12:00:00+00:00; "
        "this record is dated 2025-06-01T12:00:00+00:00"
    )


def test_a_source_of_another_type_than_registered_is_quarantined(
    registered: Store, tmp_path: Path
) -> None:
    path = write(tmp_path / "a.jsonl", [sighting("a", "drone-1", "camera", "2025-06-01T03:00Z")])
    ingest_file(registered, path)
    assert reasons(registered)[1] == (
        "source 'drone-1' is registered as drone (network mission-drone), but this record "
        "says camera"
    )


def test_without_a_registry_nothing_is_checked_and_ingest_says_so_once(
    database_url: str, tmp_path: Path
) -> None:
    first = write(tmp_path / "a.jsonl", [sighting("a", "anyone", "drone", "2025-06-01T03:00Z")])
    second = write(tmp_path / "b.jsonl", [sighting("b", "else", "radar", "2025-06-01T03:00Z")])
    result = CliRunner().invoke(app, ["ingest", str(first), str(second), "-d", database_url])
    assert result.exit_code == 0, result.output
    assert result.output.count("no source registry: sources are not checked") == 1
    with open_store(database_url) as store:
        assert store.observation_ids() == ["a", "b"]


def test_ingest_prints_the_registry_reason(database_url: str, tmp_path: Path) -> None:
    registry = tmp_path / "sources.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    path = write(tmp_path / "a.jsonl", [sighting("a", "ghost", "drone", "2025-06-01T03:00Z")])
    runner = CliRunner()
    assert (
        runner.invoke(app, ["sources", "register", str(registry), "-d", database_url]).exit_code
        == 0
    )
    result = runner.invoke(app, ["ingest", str(path), "-d", database_url])
    assert result.exit_code == 0, result.output
    assert "no source registry" not in result.output
    assert "line 1: source 'ghost' is not in the source registry" in result.output


def test_before_the_monitoring_period_is_quarantined_but_a_notice_for_it_is_not(
    registered: Store, tmp_path: Path
) -> None:
    with book.writing(registered) as connection:
        set_monitoring_start(connection, dt.datetime(2025, 6, 1, tzinfo=UTC))
    path = write(
        tmp_path / "a.jsonl",
        [
            sighting("early", "seis-07", "seismic", "2025-05-31T23:59:59Z"),
            sighting("in", "seis-07", "seismic", "2025-06-01T00:00:00Z"),
            # Sent a week ahead of an exercise inside the period: about the period.
            notice("ahead", "2025-05-25T09:00:00Z", "2025-06-03T00:00:00Z", "2025-06-05T00:00Z"),
            notice("stale", "2025-05-10T09:00:00Z", "2025-05-12T00:00:00Z", "2025-05-14T00:00Z"),
        ],
    )
    ingest_file(registered, path)
    assert registered.observation_ids() == ["in", "ahead"]
    assert reasons(registered) == {
        1: "dated 2025-05-31T23:59:59+00:00, before the monitoring period, which starts "
        "2025-06-01T00:00:00+00:00",
        4: "dated 2025-05-10T09:00:00+00:00 about activity ending 2025-05-14T00:00:00+00:00, "
        "before the monitoring period, which starts 2025-06-01T00:00:00+00:00",
    }


def test_the_period_is_set_shown_and_cleared_on_the_command_line(database_url: str) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["sources", "monitoring-start", "2025-06-01", "-d", database_url])
    assert bad.exit_code == 2 and "with an offset" in bad.output
    done = runner.invoke(
        app, ["sources", "monitoring-start", "2025-06-01T02:00:00+02:00", "-d", database_url]
    )
    assert "monitoring from 2025-06-01T00:00:00+00:00" in done.output
    with open_store(database_url) as store, store.engine.connect() as connection:
        assert monitoring_start(connection) == dt.datetime(2025, 6, 1, tzinfo=UTC)
    runner.invoke(app, ["sources", "monitoring-start", "none", "-d", database_url])
    shown = runner.invoke(app, ["sources", "monitoring-start", "-d", database_url])
    assert "no monitoring start" in shown.output


def test_one_bad_row_among_good_ones_is_named_and_the_rest_registered(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "sources.yaml"
    bad = "- source_id: seis-08\n  source_type: sesmic\n  network: mission-seismic\n"
    path.write_text(REGISTRY + bad + "  operator: mission\n", encoding="utf-8")
    done, read = register_file(store, path)
    assert len(done.added) == 4
    [problem] = read.problems
    assert str(problem).startswith(f"{path}, line 20: source_type: Input should be 'seismic'")
    assert "(got 'sesmic')" in str(problem)
    with store.engine.connect() as connection:
        assert [s.source_id for s in list_sources(connection)] == [
            "UA-mod",
            "drone-1",
            "old-cam",
            "seis-07",
        ]


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_csv_and_json_rows_are_positioned_too(tmp_path: Path, suffix: str) -> None:
    rows = [
        {"source_id": "a", "source_type": "radar", "network": "n", "operator": "mission"},
        {"source_id": "b", "source_type": "radar", "network": "n", "operator": "Mission"},
        {
            "source_id": "c",
            "source_type": "radar",
            "network": "n",
            "operator": "RU",
            "lon": "0",
            "lat": "0",
        },
        {"source_id": "a", "source_type": "radar", "network": "m", "operator": "mission"},
    ]
    path = tmp_path / f"sources{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(rows, indent=1), encoding="utf-8")
        where, first = ["record 2", "record 3", "record 4"], "record 1"
    else:
        header = "source_id,source_type,network,operator,lon,lat\n"
        lines = [",".join(str(r.get(k, "")) for k in header.strip().split(",")) for r in rows]
        path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
        where, first = ["line 3", "line 4", "line 5"], "line 2"
    read = read_registry(path)
    assert [s.source_id for s in read.sources] == ["a"]
    assert [p.detail for p in read.problems] == where
    operator, theatre, again = (p.message for p in read.problems)
    assert operator.startswith("operator: String should match pattern")
    assert "lies outside the theatre" in theatre
    assert again == f"source 'a' is given again (first at {first})"


def test_registry_changes_are_ledgered_and_checked(registered: Store, tmp_path: Path) -> None:
    with registered.engine.connect() as connection:
        entries = [e for e in book.load_entries(connection) if e.kind == "source"]
    assert sorted(e.ref for e in entries) == ["UA-mod", "drone-1", "old-cam", "seis-07"]
    seismic = next(e for e in entries if e.ref == "seis-07")
    assert seismic.payload["network"] == "mission-seismic" and seismic.payload["lon"] == 37.61
    path = tmp_path / "again.yaml"
    path.write_text(REGISTRY, encoding="utf-8")
    unchanged, _ = register_file(registered, path)  # the same file: nothing new to record
    path.write_text(REGISTRY.replace("network: mission-drone", "network: fleet-2"), "utf-8")
    moved, _ = register_file(registered, path)
    assert (unchanged.unchanged, moved.changed, moved.unchanged) == (4, ("drone-1",), 3)
    with registered.engine.connect() as connection:
        later = [e for e in book.load_entries(connection) if e.kind == "source"]
        assert len(later) == 5 and later[-1].payload["network"] == "fleet-2"
        assert book.verify(connection).ok
    with registered.engine.connect() as connection, connection.begin():
        connection.execute(text("UPDATE sources SET retired_at = NULL"))
        connection.execute(text("DELETE FROM sources WHERE source_id = 'UA-mod'"))
        problems = book.verify(connection).problems
        connection.rollback()
    assert any(p.startswith("source old-cam: retired_at is None, ledger entry") for p in problems)
    assert any(p.startswith("source UA-mod: in ledger entry") for p in problems)


def test_the_period_start_is_ledgered_like_any_setting(store: Store) -> None:
    with book.writing(store) as connection:
        set_monitoring_start(connection, dt.datetime(2025, 6, 1, tzinfo=UTC))
    with store.engine.connect() as connection:
        [entry] = book.load_entries(connection)
    assert (entry.kind, entry.ref, entry.payload) == (
        "setting",
        "monitoring_start",
        {"value": "2025-06-01T00:00:00+00:00"},
    )


def test_networks_of_registered_sources_only(store: Store) -> None:
    with book.writing(store) as connection:
        register(
            connection,
            [
                Source("seis-1", "seismic", "mission-seismic", "mission"),
                Source("seis-2", "seismic", "mission-seismic", "mission"),
                Source("UA-mod", "notification", "UA-mod", "UA"),
            ],
        )
        networks = source_networks(connection, ["seis-1", "seis-2", "UA-mod", "nobody"])
    assert networks == {
        "seis-1": "mission-seismic",
        "seis-2": "mission-seismic",
        "UA-mod": "UA-mod",
    }


def test_sources_list_as_json(registered: Store, database_url: str) -> None:
    result = CliRunner().invoke(app, ["sources", "list", "--json", "-d", database_url])
    assert result.exit_code == 0, result.output
    listed = {row["source_id"]: row for row in json.loads(result.output)}
    assert listed["old-cam"]["retired_at"] == "2025-06-01T12:00:00+00:00"
    assert listed["UA-mod"]["operator"] == "UA"
