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


def test_files_keep_seq_order_in_one_row_group(archive: Path, tmp_path: Path) -> None:
    """A batch split by day and sector is written in seq order, a row group per file,
    so replay reads each file in one piece and need not sort it."""
    parts = archive_module.partitions(archive)
    batch, seq = archive_module.table_to_batch(
        pa.concat_tables(archive_module.read_table(archive, p) for p in parts)
    )
    again = tmp_path / "again"
    # The writer takes a big batch in slices of a few tens of thousands of rows, each
    # spread over every day and sector: 100,000 rows in two writes.
    rows = np.resize(np.argsort(seq), 100_000)
    for number, half in enumerate(np.array_split(np.arange(rows.size), 2)):
        archive_module.write_batch(
            again, _rows(batch, rows[half]), half.astype(np.int64) + 1, SECTORS, part=number
        )
    for part in archive_module.partitions(again):
        for path in part.paths:
            file = pq.ParquetFile(path)
            assert file.metadata.num_row_groups == 1
            written = file.read(columns=["seq"]).column("seq").to_numpy()
            assert (np.diff(written) > 0).all()
    shuffled = tmp_path / "shuffled"
    rows = np.random.default_rng(0).permutation(len(seq))
    archive_module.write_batch(shuffled, _rows(batch, rows), seq[rows], SECTORS, part=0)
    for part in archive_module.partitions(shuffled):  # read back in seq order regardless
        read = archive_module.read_table(shuffled, part).column("seq").to_numpy()
        assert (np.diff(read) > 0).all()


def _rows(batch, rows):  # type: ignore[no-untyped-def]
    from dataclasses import fields, replace

    from accord.store.columns import Batch

    columns = replace(
        batch.columns,
        **{f.name: getattr(batch.columns, f.name)[rows] for f in fields(batch.columns)},
    )
    details = replace(
        batch.details,
        **{f.name: getattr(batch.details, f.name)[rows] for f in fields(batch.details)},
    )
    return Batch(columns, details)


@pytest.mark.parametrize(
    "values",
    [
        ["obs-1", None, "", "a-much-longer-identifier-42"],
        ["ascii", "naïve-é", None, "Київ-7"],  # not ASCII: the general path
        [None, None],
        [],
    ],
)
def test_strings_read_as_unicode_with_empty_for_null(values: list[str | None]) -> None:
    column = pa.chunked_array([pa.array(values, pa.string()).slice(0), pa.array(["tail"])])
    got = archive_module._strings(column)
    assert got.dtype.kind == "U"
    assert got.tolist() == [v or "" for v in values] + ["tail"]
    sliced = pa.chunked_array([pa.array(["skip", *values], pa.string()).slice(1)])
    assert archive_module._strings(sliced).tolist() == [v or "" for v in values]
