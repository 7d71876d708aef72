"""The batch verification reads: stored observations as NumPy columns.

Each stage of verification is a function over a batch, not over one record at
a time. A `Batch` is the observations' core columns (`ObservationColumns`) and
the firing geometry and notifications only some rows carry
(`ObservationDetails`), aligned row by row. `load_columns` reads a slice of
the observations table straight into columns; `seq` lets a live consumer ask
for "everything after the last batch"; `batch_from_rows` makes the same batch
from rows that never reached a database. Kinds are coded by their position in
`MilitaryItem` (`KIND_CODES`), so codes are the same in every batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import and_, or_, select

from accord.agreement.vocabulary import KIND_CODES
from accord.columns import ABSENT, ColumnTable
from accord.store.schema import StoredObservation as Obs
from accord.store.store import Store

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
T = TypeVar("T", bound=ColumnTable)


def utc_to_us(moment: datetime) -> int:
    """Microseconds since the Unix epoch, exactly (the stored time unit)."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment} has no timezone; pass a UTC time")
    return (moment - _EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True)
class ObservationColumns(ColumnTable):
    """One batch of observations, column by column; row i is one observation."""

    seq: NDArray[np.int64]  # storage order; the high-water mark for the next batch
    observation_id: NDArray[np.str_]
    source_id: NDArray[np.str_]
    source_type: NDArray[np.str_]
    time_ns: NDArray[np.int64]  # observed time, ns since the Unix epoch, UTC
    lon: NDArray[np.float64]  # NaN for declarations without a location
    lat: NDArray[np.float64]
    uncertainty_m: NDArray[np.float64]
    kind: NDArray[np.int16]  # index into KIND_NAMES
    count: NDArray[np.int64]
    firing_category: NDArray[np.str_]  # "" unless kind is firing
    side: NDArray[np.str_]  # "" when not attributed
    side_confidence: NDArray[np.float64]  # NaN when not attributed

    @property
    def time(self) -> NDArray[np.datetime64]:
        """Observed times as datetime64[ns] (UTC)."""
        return self.time_ns.astype("datetime64[ns]")

    def kind_mask(self, *kinds: str) -> NDArray[np.bool_]:
        """Rows whose kind is one of `kinds` (MilitaryItem names)."""
        return np.isin(self.kind, [KIND_CODES[k] for k in kinds])


@dataclass(frozen=True)
class ObservationDetails(ColumnTable):
    """What `ObservationColumns` leaves out and verification needs, aligned row by row:
    the firing geometry and a party's notification. NaN, "" or -1 where absent."""

    bearing_deg: NDArray[np.float64]
    distance_min_m: NDArray[np.float64]
    distance_max_m: NDArray[np.float64]
    notice_subject: NDArray[np.str_]
    notice_party: NDArray[np.str_]
    notice_zone: NDArray[np.str_]
    notice_start_ns: NDArray[np.int64]
    notice_end_ns: NDArray[np.int64]
    notice_radius_km: NDArray[np.float64]  # the notified area around lon/lat


@dataclass(frozen=True)
class Batch:
    """A batch to verify: the stored columns and the details they leave out."""

    columns: ObservationColumns
    details: ObservationDetails

    def __len__(self) -> int:
        return len(self.columns)


# The stored column each batch column is read from, where the names differ; times are
# stored in microseconds (`_us`) and read as nanoseconds (`_ns`).
STORED_NAMES: dict[str, str] = {
    "time_ns": "observed_at_us",
    "notice_subject": "notification_subject",
    "notice_party": "notification_party",
    "notice_zone": "zone",
    "notice_start_ns": "starts_at_us",
    "notice_end_ns": "ends_at_us",
    "notice_radius_km": "radius_km",
}


def stored_name(column: str) -> str:
    """The observations table's column a batch column is read from."""
    return STORED_NAMES.get(column, column)


def from_stored(table: type[T], values: Mapping[str, Sequence[Any]]) -> T:
    """A column table from stored values by stored column name, None where absent:
    kinds become codes, microseconds nanoseconds, and None NaN, "" or -1."""
    columns: dict[str, NDArray[Any]] = {}
    for name, dtype in table.column_types().items():
        raw = values[stored_name(name)]
        if name == "kind":
            columns[name] = np.array([KIND_CODES[k] for k in raw], dtype=dtype)
            continue
        if dtype.kind != "f" and None in raw:  # NumPy reads None as NaN in a float column
            blank = ABSENT[dtype.kind]
            raw = [blank if v is None else v for v in raw]
        column = np.array(raw, dtype=dtype)
        if name.endswith("_ns"):
            column = np.where(column >= 0, column * 1000, column)
        columns[name] = column
    return table.from_columns(columns)


def batch_from_rows(rows: Sequence[Mapping[str, Any]]) -> Batch:
    """A batch from observation rows as the store writes them (`observation_row`, with
    its `seq`)."""
    tables = (ObservationColumns, ObservationDetails)
    names = [stored_name(n) for table in tables for n in table.column_types()]
    values = {name: [row[name] for row in rows] for name in names}
    return Batch(from_stored(ObservationColumns, values), from_stored(ObservationDetails, values))


def load_columns(
    store: Store,
    *,
    after_seq: int = 0,
    limit: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> ObservationColumns:
    """Observations with seq > after_seq (and start <= observed < end), in seq order."""
    names = [stored_name(n) for n in ObservationColumns.column_types()]
    query = select(*(getattr(Obs, n) for n in names))
    query = query.where(Obs.seq > after_seq).order_by(Obs.seq)
    if start is not None:
        query = query.where(Obs.observed_at_us >= utc_to_us(start))
    if end is not None:
        query = query.where(Obs.observed_at_us < utc_to_us(end))
    if limit is not None:
        query = query.limit(limit)
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    values = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return from_stored(ObservationColumns, dict(zip(names, values, strict=True)))


def load_details(store: Store, columns: ObservationColumns) -> ObservationDetails:
    """The details of a batch's rows; only firing and declaration rows carry any."""
    if not len(columns):
        return ObservationDetails.empty()
    names = ["seq", *(stored_name(n) for n in ObservationDetails.column_types())]
    first, last = int(columns.seq[0]), int(columns.seq[-1])
    query = select(*(getattr(Obs, n) for n in names)).where(
        and_(Obs.seq >= first, Obs.seq <= last),
        or_(Obs.bearing_deg.is_not(None), Obs.notification_subject.is_not(None)),
    )
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    seq = np.array([r[0] for r in rows], dtype=np.int64)
    at = np.searchsorted(columns.seq, seq)
    keep = (at < len(columns)) & (columns.seq[np.minimum(at, len(columns) - 1)] == seq)
    picked = [r for r, k in zip(rows, keep, strict=True) if k]
    values = list(zip(*picked, strict=True)) if picked else [() for _ in names]
    details = from_stored(ObservationDetails, dict(zip(names, values, strict=True)))
    return details.placed(at[keep], len(columns))
