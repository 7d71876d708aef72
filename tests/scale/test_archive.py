"""Archive export, GeoParquet metadata, stats and import back into a store."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from accord.store import load_columns, open_store

from .conftest import SECTORS, require

pa = require("pyarrow")
pq = require("pyarrow.parquet")
archive_module = require("accord.scale.archive")


def test_partitions_are_days_and_sectors_with_geoparquet_points(archive: Path) -> None:
    parts = archive_module.partitions(archive)
    assert {p.day for p in parts} == {"2025-06-10", "2025-06-11", "2025-06-12"}
    assert {p.sector for p in parts} <= {"S01", "S02", "S03", "S04", "S05"}
    for part in parts:
        path = part.paths[0]
        assert f"day={part.day}/sector={part.sector}/" in path
        geo = json.loads(pq.read_schema(path).metadata[b"geo"])
        assert geo == {
            "version": "1.0.0",
            "primary_column": "geometry",
            "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}},
        }
        table = pq.read_table(path, columns=["lon", "lat", "observed_at", "geometry"])
        points = shapely.from_wkb(np.array(table.column("geometry").to_pylist(), dtype=object))
        assert np.array_equal(shapely.get_x(points), table.column("lon").to_numpy())
        assert np.array_equal(shapely.get_y(points), table.column("lat").to_numpy())
        days = table.column("observed_at").to_numpy().astype("datetime64[D]").astype(str)
        assert set(days) == {part.day}
        sectors = SECTORS.of(table.column("lon").to_numpy(), table.column("lat").to_numpy())
        assert set(sectors) == {part.sector}


def test_stats_count_every_row(archive: Path, source_store_url: str) -> None:
    summary = archive_module.stats(archive).as_dict()
    with open_store(source_store_url) as store:
        stored = store.counts()["observations"]
    assert summary["rows"] == stored == sum(summary["by_kind"].values())
    assert summary["days"] == 3 and summary["first_day"] == "2025-06-10"
    assert summary["partition_rows_min"] <= summary["partition_rows_median"]
    assert summary["bytes"] > 0 and summary["files"] >= summary["partitions"]


def _rows_by_id(store_url: str) -> dict[str, tuple]:
    with open_store(store_url) as store:
        columns = load_columns(store)
        records = store.records(columns.observation_id.tolist())
    names = ["source_id", "source_type", "time_ns", "lon", "lat", "kind", "count", "side"]
    return {
        str(ident): (records[str(ident)], *(getattr(columns, n)[i].item() for n in names))
        for i, ident in enumerate(columns.observation_id)
    }


def test_export_import_round_trip(archive: Path, source_store_url: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'imported.db'}"
    with open_store(url) as store:
        accepted, duplicates = archive_module.import_archive(store, archive, chunk=700)
        assert duplicates == 0
        again = archive_module.import_archive(store, archive)
    assert again == (0, accepted)  # ids make a second import harmless
    assert _rows_by_id(url) == _rows_by_id(source_store_url)
    # And out again: the same archive, partition by partition (seq aside).
    second = tmp_path / "second"
    with open_store(url) as store:
        archive_module.export_store(store, second, SECTORS)
    first_parts = archive_module.partitions(archive)
    second_parts = archive_module.partitions(second)
    assert [p.name for p in first_parts] == [p.name for p in second_parts]
    for one, two in zip(first_parts, second_parts, strict=True):
        names = [n for n in archive_module.SCHEMA.names if n != "seq"]
        left = archive_module.read_table(archive, one, names).drop(["seq"])
        right = archive_module.read_table(second, two, names).drop(["seq"])
        assert left.sort_by("observation_id").equals(right.sort_by("observation_id"))


def test_export_refuses_a_folder_holding_an_archive(archive: Path, source_store_url: str) -> None:
    with (
        open_store(source_store_url) as store,
        pytest.raises(archive_module.ArchiveError, match="already holds an archive"),
    ):
        archive_module.export_store(store, archive, SECTORS)


def test_import_needs_records(archive: Path, tmp_path: Path) -> None:
    part = archive_module.partitions(archive)[0]
    batch = archive_module.read_partition(archive, part)
    bare = tmp_path / "bare"
    archive_module.write_batch(bare, batch, batch.columns.seq, SECTORS, part=0)
    with (
        open_store(f"sqlite:///{tmp_path / 'x.db'}") as store,
        pytest.raises(archive_module.ArchiveError, match="carry no canonical record"),
    ):
        archive_module.import_archive(store, bare)


def test_not_an_archive(tmp_path: Path) -> None:
    with pytest.raises(archive_module.ArchiveError, match="no Parquet files"):
        archive_module.partitions(tmp_path)
