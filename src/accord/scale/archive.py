"""The observation archive: Parquet files partitioned by day and sector, GeoParquet 1.0.

Years of observations do not belong in the operational database, and a
replay on a cluster needs them where every worker can read them in pieces.
The archive is a Hive-partitioned folder (local, or any URL pyarrow's file
systems or fsspec open: s3://, gs://, ...):

    ARCHIVE/day=2025-06-01/sector=S03/part-00000-0.parquet

`day` is the UTC date of the observation, `sector` the 50 km stretch of the
main line of contact it lies in, as verification names sectors (`off-line`
beyond their reach, `none` for declarations without a location). Each file
holds the observation columns verification reads, the canonical JSON record
(so an import stores exactly what was ingested), and a WKB point in
`geometry` described by the GeoParquet `geo` key, so GIS tools read the
archive as points in OGC:CRS84 (lon/lat on WGS 84).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from numba import njit
from numpy.typing import NDArray
from sqlalchemy import select

from accord.agreement.vocabulary import KIND_CODES, KIND_NAMES
from accord.ops import Sectors
from accord.store import Store, load_columns
from accord.store.columns import Batch, ObservationColumns, ObservationDetails, load_details
from accord.store.schema import StoredObservation as Obs
from accord.store.store import PendingBatch
from accord.verify.ingest import observation_row
from accord.verify.observation import Observation

GEOPARQUET_VERSION = "1.0.0"
NO_LOCATION = "none"
EXPORT_CHUNK = 200_000
_NS_PER_DAY = 86_400 * 10**9
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Columns with few distinct values, read back dictionary-encoded (fast to turn into codes).
_DICTIONARY = (
    "source_id",
    "source_type",
    "kind",
    "firing_category",
    "side",
    "notice_subject",
    "notice_party",
    "notice_zone",
)
# Rows a file's row group gathers before it is written: a batch split by day and sector
# hands the writer slivers of a few thousand rows, and a file of many small row groups
# read three times slower than one of a single group in the replay benchmark.
ROW_GROUP_ROWS = (1 << 16, 1 << 20)

SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("observation_id", pa.string()),
        ("source_id", pa.string()),
        ("source_type", pa.string()),
        ("observed_at", pa.timestamp("us", tz="UTC")),
        ("lon", pa.float64()),
        ("lat", pa.float64()),
        ("uncertainty_m", pa.float64()),
        ("kind", pa.string()),
        ("count", pa.int64()),
        ("firing_category", pa.string()),
        ("side", pa.string()),
        ("side_confidence", pa.float64()),
        ("bearing_deg", pa.float64()),
        ("distance_min_m", pa.float64()),
        ("distance_max_m", pa.float64()),
        ("notice_subject", pa.string()),
        ("notice_party", pa.string()),
        ("notice_zone", pa.string()),
        ("notice_start", pa.timestamp("us", tz="UTC")),
        ("notice_end", pa.timestamp("us", tz="UTC")),
        ("notice_radius_km", pa.float64()),
        ("record", pa.string()),  # canonical JSON as stored; null when written from columns
        ("geometry", pa.binary()),  # WKB point, null without a location
    ]
)
PARTITIONING = ds.partitioning(
    pa.schema([("day", pa.string()), ("sector", pa.string())]), flavor="hive"
)


class ArchiveError(ValueError):
    """An archive that cannot be read or written as asked."""


def geo_metadata() -> dict[str, Any]:
    """The GeoParquet 1.0 `geo` key: one WKB point column; no `crs` means OGC:CRS84."""
    return {
        "version": GEOPARQUET_VERSION,
        "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}},
    }


def wkb_points(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> pa.Array:
    """Little-endian WKB points (21 bytes each), built in one pass; null where lon is NaN."""
    n = len(lon)
    packed = np.empty(n, dtype=[("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])
    packed["order"], packed["type"], packed["x"], packed["y"] = 1, 1, lon, lat
    offsets = pa.py_buffer((np.arange(n + 1, dtype=np.int32) * packed.itemsize).tobytes())
    valid = pa.array(np.isfinite(lon) & np.isfinite(lat))
    points = pa.Array.from_buffers(pa.binary(), n, [None, offsets, pa.py_buffer(packed.tobytes())])
    return pc.if_else(valid, points, pa.scalar(None, pa.binary()))


def _text(values: NDArray[np.str_]) -> pa.Array:
    """Strings, "" read back as null (absent), as the store keeps them."""
    array = pa.array(values.astype(object), pa.string())
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def _times(ns: NDArray[np.int64]) -> pa.Array:
    us = ns // 1000
    return pa.array(us, pa.timestamp("us", tz="UTC"), mask=ns < 0)


def to_table(batch: Batch, seq: NDArray[np.int64], records: list[str | None] | None) -> pa.Table:
    """A batch as an archive table (without the partition columns)."""
    cols, det = batch.columns, batch.details
    n = len(cols)
    columns = {
        "seq": pa.array(seq, pa.int64()),
        "observation_id": pa.array(cols.observation_id.astype(object), pa.string()),
        "source_id": pa.array(cols.source_id.astype(object), pa.string()),
        "source_type": pa.array(cols.source_type.astype(object), pa.string()),
        "observed_at": _times(cols.time_ns),
        "lon": pa.array(cols.lon, from_pandas=True),
        "lat": pa.array(cols.lat, from_pandas=True),
        "uncertainty_m": pa.array(cols.uncertainty_m, from_pandas=True),
        "kind": pa.array(np.array(KIND_NAMES, dtype=object)[cols.kind], pa.string()),
        "count": pa.array(cols.count, pa.int64()),
        "firing_category": _text(cols.firing_category),
        "side": _text(cols.side),
        "side_confidence": pa.array(cols.side_confidence, from_pandas=True),
        "bearing_deg": pa.array(det.bearing_deg, from_pandas=True),
        "distance_min_m": pa.array(det.distance_min_m, from_pandas=True),
        "distance_max_m": pa.array(det.distance_max_m, from_pandas=True),
        "notice_subject": _text(det.notice_subject),
        "notice_party": _text(det.notice_party),
        "notice_zone": _text(det.notice_zone),
        "notice_start": _times(det.notice_start_ns),
        "notice_end": _times(det.notice_end_ns),
        "notice_radius_km": pa.array(det.notice_radius_km, from_pandas=True),
        "record": pa.array(records if records is not None else [None] * n, pa.string()),
        "geometry": wkb_points(cols.lon, cols.lat),
    }
    metadata = {b"geo": json.dumps(geo_metadata()).encode()}
    return pa.table(columns, schema=SCHEMA.with_metadata(metadata))


def partition_keys(
    columns: ObservationColumns, sectors: Sectors
) -> tuple[NDArray[np.str_], NDArray[np.str_]]:
    """Each row's day (UTC date) and sector."""
    day = (columns.time_ns // _NS_PER_DAY).astype("datetime64[D]").astype(str)
    sector = np.full(len(columns), NO_LOCATION, dtype=object)
    located = np.isfinite(columns.lon) & np.isfinite(columns.lat)
    if located.any():
        sector[located] = sectors.of(columns.lon[located], columns.lat[located])
    return day, sector.astype(str)


def filesystem(url: str | Path) -> tuple[pafs.FileSystem, str]:
    """The file system and path of an archive: a local folder, or a URL pyarrow opens
    (s3://, gs://, hdfs://) or fsspec does (any protocol it has a package for)."""
    text = str(url)
    if "://" not in text:
        return pafs.LocalFileSystem(), str(Path(text).resolve())
    try:
        return pafs.FileSystem.from_uri(text)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        import fsspec

        fs, path = fsspec.core.url_to_fs(text)
        return pafs.PyFileSystem(pafs.FSSpecHandler(fs)), path


def write_batch(
    archive: str | Path,
    batch: Batch,
    seq: NDArray[np.int64],
    sectors: Sectors,
    *,
    part: int,
    records: list[str | None] | None = None,
) -> int:
    """Append one batch to the archive, split by day and sector; `part` numbers its files
    so later batches never overwrite earlier ones. Returns the rows written."""
    if not len(batch):
        return 0
    fs, root = filesystem(archive)
    day, sector = partition_keys(batch.columns, sectors)
    table = to_table(batch, seq, records)
    table = table.append_column("day", pa.array(day.astype(object), pa.string()))
    table = table.append_column("sector", pa.array(sector.astype(object), pa.string()))
    ds.write_dataset(
        table,
        root,
        filesystem=fs,
        format="parquet",
        partitioning=PARTITIONING,
        basename_template=f"part-{part:05d}-{{i}}.parquet",
        existing_data_behavior="overwrite_or_ignore",
        preserve_order=True,  # rows stay in seq order: reading need not sort them
        min_rows_per_group=ROW_GROUP_ROWS[0],
        max_rows_per_group=ROW_GROUP_ROWS[1],
        file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"),
    )
    return len(batch)


def export_store(
    store: Store, archive: str | Path, sectors: Sectors, *, chunk: int = EXPORT_CHUNK
) -> int:
    """Every stored observation into the archive, with its canonical record; returns rows."""
    fs, root = filesystem(archive)
    if fs.get_file_info(root).type != pafs.FileType.NotFound and _parquet_files(fs, root):
        raise ArchiveError(f"{archive} already holds an archive; export into a new or empty folder")
    after, part, rows = 0, 0, 0
    while True:
        columns = load_columns(store, after_seq=after, limit=chunk)
        if not len(columns):
            return rows
        first, last = int(columns.seq[0]), int(columns.seq[-1])
        query = select(Obs.seq, Obs.record).where(Obs.seq >= first, Obs.seq <= last)
        with store.engine.connect() as connection:
            stored = {seq: record for seq, record in connection.execute(query)}
        records: list[str | None] = [stored[s] for s in columns.seq.tolist()]
        batch = Batch(columns, load_details(store, columns))
        rows += write_batch(archive, batch, columns.seq, sectors, part=part, records=records)
        after, part = last, part + 1


@dataclass(frozen=True)
class Partition:
    """One day and sector of the archive: its files, read together."""

    day: str
    sector: str
    paths: tuple[str, ...]

    @property
    def name(self) -> str:
        """The partition's directory in the archive: `day=.../sector=...`."""
        return f"day={self.day}/sector={self.sector}"


def _parquet_files(fs: pafs.FileSystem, root: str) -> list[pafs.FileInfo]:
    selector = pafs.FileSelector(root, recursive=True, allow_not_found=True)
    return [
        f
        for f in fs.get_file_info(selector)
        if f.type == pafs.FileType.File and f.path.endswith(".parquet")
    ]


def partitions(archive: str | Path) -> list[Partition]:
    """The archive's partitions in replay order (day, then sector); raises if there are none."""
    fs, root = filesystem(archive)
    grouped: dict[tuple[str, str], list[str]] = {}
    for info in _parquet_files(fs, root):
        keys = dict(part.split("=", 1) for part in info.path[len(root) :].split("/") if "=" in part)
        if "day" not in keys or "sector" not in keys:
            raise ArchiveError(
                f"{info.path}: not under day=YYYY-MM-DD/sector=NAME; "
                "write archives with `accord archive export`"
            )
        grouped.setdefault((keys["day"], keys["sector"]), []).append(info.path)
    if not grouped:
        raise ArchiveError(f"{archive}: no Parquet files found; is this an accord archive?")
    return [Partition(d, s, tuple(sorted(p))) for (d, s), p in sorted(grouped.items())]


def read_table(
    archive: str | Path,
    partition: Partition,
    columns: list[str] | None = None,
    *,
    threads: bool = True,
) -> pa.Table:
    """One partition's rows in seq order; `threads=False` decodes on this thread only (a
    single-threaded Dask worker should not take every core for it)."""
    fs, _ = filesystem(archive)
    wanted = columns or [name for name in SCHEMA.names if name not in ("record", "geometry")]
    if "seq" not in wanted:
        wanted = ["seq", *wanted]
    dictionary = [c for c in _DICTIONARY if c in wanted]
    tables = []
    for path in partition.paths:
        with fs.open_input_file(path) as handle:
            parquet = pq.ParquetFile(handle, read_dictionary=dictionary)
            tables.append(parquet.read(columns=wanted, use_threads=threads))
    table = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
    seq = table.column("seq").to_numpy()
    return table if bool((seq[1:] > seq[:-1]).all()) else table.sort_by("seq")


@njit(cache=True)
def _widen(offsets: NDArray[np.int64], data: NDArray[np.uint8], width: int) -> NDArray[np.uint32]:
    """ASCII strings (Arrow's offsets and bytes) as rows of UCS-4 code points, 0-padded."""
    n = offsets.size - 1
    out = np.zeros((n, max(width, 1)), dtype=np.uint32)
    for i in range(n):
        for k in range(offsets[i + 1] - offsets[i]):
            out[i, k] = data[offsets[i] + k]
    return out


def _strings(column: pa.ChunkedArray) -> NDArray[np.str_]:
    """A string column as a NumPy unicode array, "" for null; dictionary columns convert
    their few distinct values once and take them by index. Written by hand for ASCII
    (ids nearly always are): pyarrow's own conversion makes a Python string per row,
    which took most of a replay's reading time; other text takes that path."""
    array = column.combine_chunks()
    if pa.types.is_dictionary(array.type):
        values = np.array([*array.dictionary.to_pylist(), ""], dtype=np.str_)
        indices = array.indices.fill_null(len(array.dictionary)).to_numpy(zero_copy_only=False)
        return values[indices]
    array = array.fill_null("").cast(pa.large_string())
    if not len(array) or not pc.all(pc.string_is_ascii(array)).as_py():
        return np.array(array.to_numpy(zero_copy_only=False), dtype=np.str_)
    _, offsets, data = array.buffers()
    start = np.frombuffer(offsets, dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    width = int(pc.max(pc.binary_length(array)).as_py())
    chars = _widen(start, np.frombuffer(data, dtype=np.uint8), width)
    return chars.view(f"<U{max(width, 1)}").reshape(len(array))


def _floats(column: pa.ChunkedArray) -> NDArray[np.float64]:
    return np.asarray(column.to_numpy(), dtype=np.float64)


def _ns(column: pa.ChunkedArray) -> NDArray[np.int64]:
    us = pc.fill_null(column.cast(pa.int64()), -1).to_numpy()
    return np.where(us < 0, -1, us * 1000).astype(np.int64)


def _kind_codes(column: pa.ChunkedArray, where: str) -> NDArray[np.int16]:
    array = column.combine_chunks()
    names = array.dictionary.to_pylist()
    unknown = sorted(set(names) - set(KIND_CODES))
    if unknown:
        raise ArchiveError(f"{where}: unknown kinds {unknown}; kinds are {', '.join(KIND_NAMES)}")
    codes = np.array([KIND_CODES[name] for name in names], dtype=np.int16)
    return codes[array.indices.to_numpy(zero_copy_only=False)]


def table_to_batch(table: pa.Table, where: str = "archive") -> tuple[Batch, NDArray[np.int64]]:
    """An archive table as the batch verification reads, and its seq column."""
    c = table.column
    columns = ObservationColumns(
        seq=c("seq").to_numpy(),
        observation_id=_strings(c("observation_id")),
        source_id=_strings(c("source_id")),
        source_type=_strings(c("source_type")),
        time_ns=_ns(c("observed_at")),
        lon=_floats(c("lon")),
        lat=_floats(c("lat")),
        uncertainty_m=_floats(c("uncertainty_m")),
        kind=_kind_codes(c("kind"), where),
        count=c("count").to_numpy(),
        firing_category=_strings(c("firing_category")),
        side=_strings(c("side")),
        side_confidence=_floats(c("side_confidence")),
    )
    details = ObservationDetails(
        bearing_deg=_floats(c("bearing_deg")),
        distance_min_m=_floats(c("distance_min_m")),
        distance_max_m=_floats(c("distance_max_m")),
        notice_subject=_strings(c("notice_subject")),
        notice_party=_strings(c("notice_party")),
        notice_zone=_strings(c("notice_zone")),
        notice_start_ns=_ns(c("notice_start")),
        notice_end_ns=_ns(c("notice_end")),
        notice_radius_km=_floats(c("notice_radius_km")),
    )
    return Batch(columns, details), columns.seq


def read_partition(archive: str | Path, partition: Partition, *, threads: bool = True) -> Batch:
    """One partition as a verification batch, rows in seq order."""
    table = read_table(archive, partition, threads=threads)
    batch, _ = table_to_batch(table, f"{archive}/{partition.name}")
    return batch


def import_archive(store: Store, archive: str | Path, *, chunk: int = 20_000) -> tuple[int, int]:
    """Every archived record into the store, partition by partition, through the same
    validation as ingest; ids already stored are duplicates. Returns (accepted, duplicates)."""
    accepted = duplicates = 0
    for partition in partitions(archive):
        table = read_table(archive, partition, ["seq", "observation_id", "record"])
        records = table.column("record").to_pylist()
        missing = [i for i, r in enumerate(records) if r is None]
        if missing:
            first = table.column("observation_id")[missing[0]].as_py()
            raise ArchiveError(
                f"{archive}/{partition.name}: {len(missing)} rows (first {first!r}) carry no "
                "canonical record (written from columns, not exported from a store); "
                "only exported archives can be imported"
            )
        for start in range(0, len(records), chunk):
            piece = records[start : start + chunk]
            pending = PendingBatch(
                source=f"{archive}/{partition.name}",
                fingerprint=None,
                first_position=start + 1,
                last_position=start + len(piece),
                records=len(piece),
                position_label="row",
            )
            for offset, text in enumerate(piece):
                observation = Observation.model_validate_json(text)
                pending.rows.append(observation_row(observation, text, start + offset + 1))
            outcome = store.commit_batch(pending)
            accepted += len(outcome.accepted_ids)
            duplicates += outcome.duplicates
    return accepted, duplicates


@dataclass(frozen=True)
class ArchiveStats:
    """What an archive holds, from its file footers and a few columns."""

    rows: int
    files: int
    bytes: int
    days: list[str]
    sectors: list[str]
    first: datetime | None
    last: datetime | None
    by_kind: dict[str, int]
    by_source_type: dict[str, int]
    partition_rows: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        """The archive's figures as JSON: rows, files, bytes and the spread of partition sizes."""
        sizes = sorted(self.partition_rows.values())
        return {
            "rows": self.rows,
            "files": self.files,
            "bytes": self.bytes,
            "partitions": len(self.partition_rows),
            "days": len(self.days),
            "first_day": self.days[0] if self.days else None,
            "last_day": self.days[-1] if self.days else None,
            "sectors": self.sectors,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "by_kind": self.by_kind,
            "by_source_type": self.by_source_type,
            "partition_rows_min": sizes[0] if sizes else 0,
            "partition_rows_median": sizes[len(sizes) // 2] if sizes else 0,
            "partition_rows_max": sizes[-1] if sizes else 0,
        }


def stats(archive: str | Path) -> ArchiveStats:
    """Rows, files, bytes, days, sectors, time span and counts by kind and source type."""
    fs, _ = filesystem(archive)
    parts = partitions(archive)
    rows = files = size = 0
    per_partition: dict[str, int] = {}
    kinds: dict[str, int] = {}
    types: dict[str, int] = {}
    first: int | None = None
    last: int | None = None
    for partition in parts:
        table = read_table(archive, partition, ["seq", "kind", "source_type", "observed_at"])
        per_partition[partition.name] = table.num_rows
        rows += table.num_rows
        files += len(partition.paths)
        size += sum(info.size or 0 for info in fs.get_file_info(list(partition.paths)))
        for name, into in (("kind", kinds), ("source_type", types)):
            for entry in pc.value_counts(table.column(name).combine_chunks()).to_pylist():
                key = str(entry["values"])
                into[key] = into.get(key, 0) + int(entry["counts"])
        times = pc.min_max(table.column("observed_at").cast(pa.int64())).as_py()
        if times["min"] is not None:
            first = times["min"] if first is None else min(first, times["min"])
            last = times["max"] if last is None else max(last, times["max"])
    return ArchiveStats(
        rows=rows,
        files=files,
        bytes=size,
        days=sorted({p.day for p in parts}),
        sectors=sorted({p.sector for p in parts}),
        first=None if first is None else _EPOCH + timedelta(microseconds=first),
        last=None if last is None else _EPOCH + timedelta(microseconds=last),
        by_kind=dict(sorted(kinds.items())),
        by_source_type=dict(sorted(types.items())),
        partition_rows=per_partition,
    )
