"""Reading observation files: JSON Lines, CSV, GeoJSON and SensorThings JSON.

Every reader yields `SourceRecord`s: one per line or feature, with its
position and its text as read, and either the decoded fields or why they
could not be read. Nothing here validates: a bad line becomes a record with an
error and the lines around it carry on. JSON Lines, GeoJSON text sequences and
CSV are read line by line (any size); a GeoJSON FeatureCollection or a
SensorThings document is read whole.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from accord import limits
from accord.limits import MAX_DEPTH, MAX_RECORD_BYTES, TooDeep
from accord.verify.ingest_sensorthings import SensorThingsError, from_sensorthings, is_sensorthings


class FileFormat(StrEnum):
    """The file formats observations are read from."""

    jsonl = "jsonl"  # one JSON object per line: observations, Features or SensorThings entities
    csv = "csv"  # a header row; dotted names (firing.category) fill nested fields
    json = "json"  # a GeoJSON FeatureCollection, a JSON array, or a SensorThings {"value": [...]}


ReadRecords = Callable[[Path, str, int], Iterator["SourceRecord"]]  # path, label, skip_to


@dataclass(frozen=True)
class Reader:
    """How one format is read: its reader, what a position counts (for messages and the
    quarantine) and the file suffixes that name it."""

    read: ReadRecords
    position: str
    suffixes: tuple[str, ...]


# Each format registers its reader with `reads`; a new format is a `FileFormat` member
# and one decorated function, with nothing else to edit.
READERS: dict[FileFormat, Reader] = {}


def reads(
    file_format: FileFormat, position: str, *suffixes: str
) -> Callable[[ReadRecords], ReadRecords]:
    """Register the decorated function as the reader of `file_format`."""

    def register(read: ReadRecords) -> ReadRecords:
        if file_format in READERS:
            raise ValueError(f"format {file_format} already has a reader")
        READERS[file_format] = Reader(read, position, suffixes)
        return read

    return register


def position_label(file_format: FileFormat) -> str:
    """What a position counts in this format: line, record."""
    return READERS[file_format].position


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record as read: where it was, its text, and its fields or the read error."""

    position: int
    detail: str
    raw: str
    fields: dict[str, Any] | None
    error: str | None = None


def detect_format(path: Path) -> FileFormat:
    """The format named by the file's suffix."""
    suffixes = {suffix: f for f, reader in READERS.items() for suffix in reader.suffixes}
    try:
        return suffixes[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(suffixes))
        raise ValueError(
            f"{path}: cannot tell the format from '{path.suffix}'; use one of {known} "
            "or pass --format"
        ) from None


def to_fields(value: Any) -> dict[str, Any]:
    """The observation fields of a decoded record in any accepted shape."""
    if not isinstance(value, dict):
        raise ValueError(f"a record must be a JSON object, not {type(value).__name__}")
    if value.get("type") == "Feature":
        return _feature_fields(value)
    if is_sensorthings(value):
        return from_sensorthings(value)
    return value


def decode(position: int, detail: str, raw: str, value: Any) -> SourceRecord:
    """A record from an already decoded value; mapping errors become the record's error."""
    try:
        return SourceRecord(position, detail, raw, to_fields(value))
    except (ValueError, SensorThingsError) as exc:
        return SourceRecord(position, detail, raw, None, str(exc))


def decode_json(position: int, detail: str, raw: str) -> SourceRecord:
    """A record from JSON text; too large or too deep is the record's error, not a crash."""
    if len(raw) > MAX_RECORD_BYTES:
        error = f"the record is {len(raw):,} characters; the limit is {MAX_RECORD_BYTES:,}"
        return SourceRecord(position, detail, raw, None, error)
    try:
        value = limits.loads(raw)
    except TooDeep as exc:
        return SourceRecord(
            position, detail, raw, None, f"not accepted: {exc} (at character {exc.offset + 1})"
        )
    except json.JSONDecodeError as exc:
        return SourceRecord(position, detail, raw, None, f"not valid JSON: {exc}")
    return decode(position, detail, raw, value)


def read_file(path: Path, file_format: FileFormat, skip_to: int = 0) -> Iterator[SourceRecord]:
    """The records of a file after position `skip_to` (a checkpoint)."""
    reader = READERS[file_format]
    yield from reader.read(path, reader.position, skip_to)


@reads(FileFormat.jsonl, "line", ".jsonl", ".ndjson", ".geojsonl", ".geojsons")
def _read_lines(path: Path, label: str, skip_to: int) -> Iterator[SourceRecord]:
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if number > skip_to and line.strip():
                yield line_record(number, label, line)


def line_record(number: int, label: str, line: str) -> SourceRecord:
    """One line of JSON Lines text (read with errors="surrogateescape") as a record."""
    text = line.rstrip("\r\n")
    detail = f"{label} {number}"
    if _has_surrogates(text):
        return SourceRecord(number, detail, _printable(text), None, "not UTF-8 text")
    return decode_json(number, detail, text)


@reads(FileFormat.csv, "line", ".csv")
def _read_csv(path: Path, label: str, skip_to: int) -> Iterator[SourceRecord]:
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return
        start = reader.line_num + 1
        for row in reader:
            number, start = start, reader.line_num + 1
            if number <= skip_to or not any(cell.strip() for cell in row):
                continue
            detail = f"{label} {number}"
            raw = json.dumps(dict(zip(header, row, strict=False)), ensure_ascii=False)
            if _has_surrogates(raw):
                yield SourceRecord(number, detail, _printable(raw), None, "not UTF-8 text")
            elif len(row) != len(header):
                error = f"{len(row)} cells where the header has {len(header)}"
                yield SourceRecord(number, detail, raw, None, error)
            else:
                yield decode(number, detail, raw, _nest(header, row))


def _nest(header: list[str], row: list[str]) -> dict[str, Any]:
    """CSV cells as fields: empty cells are absent, `a.b` columns fill object `a`."""
    fields: dict[str, Any] = {}
    for name, cell in zip(header, row, strict=True):
        if cell == "":
            continue
        target = fields
        *parents, leaf = name.strip().split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = cell
    return fields


@reads(FileFormat.json, "record", ".geojson", ".json")
def _read_document(path: Path, label: str, skip_to: int) -> Iterator[SourceRecord]:
    try:
        # A document wraps its records in two levels (collection, list).
        document = limits.loads(path.read_text(encoding="utf-8"), MAX_DEPTH + 2)
    except (json.JSONDecodeError, UnicodeDecodeError, TooDeep) as exc:
        raise ValueError(f"{path}: not a JSON document: {exc}") from None
    items = document
    if isinstance(document, dict):
        is_collection = document.get("type") == "FeatureCollection"
        items = document.get("features") if is_collection else document.get("value")
        label = "feature" if is_collection else label
    if not isinstance(items, list):
        raise ValueError(
            f"{path}: expected a GeoJSON FeatureCollection, a JSON array of records "
            'or a SensorThings response {"value": [...]}'
        )
    for number, item in enumerate(items, start=1):
        if number > skip_to:
            raw = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
            yield decode(number, f"{label} {number}", raw, item)


def _feature_fields(feature: dict[str, Any]) -> dict[str, Any]:
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise ValueError("Feature properties must be an object")
    fields = dict(properties)
    if "id" not in fields and feature.get("id") is not None:
        fields["id"] = str(feature["id"])
    geometry = feature.get("geometry")
    if geometry is not None:
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            kind = geometry.get("type") if isinstance(geometry, dict) else geometry
            raise ValueError(f"Feature geometry must be a Point, not {kind}")
        coordinates = geometry.get("coordinates")
        if not isinstance(coordinates, list) or len(coordinates) < 2:
            raise ValueError("Point coordinates must be [lon, lat]")
        fields["lon"], fields["lat"] = coordinates[0], coordinates[1]
    return fields


def _has_surrogates(text: str) -> bool:
    """True when the text holds bytes that were not UTF-8 (decoded as surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _printable(text: str) -> str:
    """Undecodable bytes as \\xNN, so the quarantine can still store the record."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
