"""Stored observations as NumPy columns, for verification stages that run over batches.

Each stage of verification is a function over a batch, not over one record at
a time. `load_columns` reads a slice of the observations table straight into
arrays; `seq` lets a live consumer ask for "everything after the last batch".
Kinds are coded by their position in `MilitaryItem`, so codes are the same in
every batch and `KIND_CODES["mlrs"]` can be compared against a whole column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select

from accord.agreement.vocabulary import MilitaryItem
from accord.store.schema import StoredObservation as Obs
from accord.store.store import Store

KIND_NAMES: tuple[str, ...] = tuple(item.value for item in MilitaryItem)
KIND_CODES: dict[str, int] = {name: code for code, name in enumerate(KIND_NAMES)}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utc_to_us(moment: datetime) -> int:
    """Microseconds since the Unix epoch, exactly (the stored time unit)."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment} has no timezone; pass a UTC time")
    return (moment - _EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True)
class ObservationColumns:
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

    def __len__(self) -> int:
        return len(self.seq)

    @property
    def time(self) -> NDArray[np.datetime64]:
        """Observed times as datetime64[ns] (UTC)."""
        return self.time_ns.astype("datetime64[ns]")

    def kind_mask(self, *kinds: str) -> NDArray[np.bool_]:
        """Rows whose kind is one of `kinds` (MilitaryItem names)."""
        return np.isin(self.kind, [KIND_CODES[k] for k in kinds])


_SELECT = (
    Obs.seq,
    Obs.observation_id,
    Obs.source_id,
    Obs.source_type,
    Obs.observed_at_us,
    Obs.lon,
    Obs.lat,
    Obs.uncertainty_m,
    Obs.kind,
    Obs.count,
    Obs.firing_category,
    Obs.side,
    Obs.side_confidence,
)


def load_columns(
    store: Store,
    *,
    after_seq: int = 0,
    limit: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> ObservationColumns:
    """Observations with seq > after_seq (and start <= observed < end), in seq order."""
    query = select(*_SELECT).where(Obs.seq > after_seq).order_by(Obs.seq)
    if start is not None:
        query = query.where(Obs.observed_at_us >= utc_to_us(start))
    if end is not None:
        query = query.where(Obs.observed_at_us < utc_to_us(end))
    if limit is not None:
        query = query.limit(limit)
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in _SELECT]
    (seq, ids, sources, types, at_us, lon, lat, unc, kind, count, firing, side, conf) = columns
    return ObservationColumns(
        seq=np.array(seq, dtype=np.int64),
        observation_id=np.array(ids, dtype=np.str_),
        source_id=np.array(sources, dtype=np.str_),
        source_type=np.array(types, dtype=np.str_),
        time_ns=np.array(at_us, dtype=np.int64) * 1000,
        lon=_floats(lon),
        lat=_floats(lat),
        uncertainty_m=_floats(unc),
        kind=np.array([KIND_CODES[k] for k in kind], dtype=np.int16),
        count=np.array(count, dtype=np.int64),
        firing_category=_strings(firing),
        side=_strings(side),
        side_confidence=_floats(conf),
    )


def _floats(values: tuple[float | None, ...]) -> NDArray[np.float64]:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _strings(values: tuple[str | None, ...]) -> NDArray[np.str_]:
    return np.array(["" if v is None else v for v in values], dtype=np.str_)
