"""The one column-table base every batch type is built on.

A batch (observations, findings, tallies, incidents, simulated events) is a
frozen dataclass whose fields are NumPy columns of one length: row i of every
column is one record. Verification runs each stage over whole columns, so
tables are taken, concatenated and filtered column by column. The base reads
each column's dtype from its annotation (`NDArray[np.int64]`), so a table's
fields are written once and an empty table still has the right types.

Fields that are not columns (a findings table's evidence by row, an incident
table's members, marked `NOT_A_COLUMN` when they are arrays) are passed through
`take` unchanged; a table that must re-index them overrides `take` and `concat`.

Why not pyarrow tables or polars: the stages index, mask and scatter NumPy
arrays in place and hand them to numba kernels; converting to and from Arrow
around every stage would cost copies on the hot paths for no gain.
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

_TYPES: dict[type, dict[str, np.dtype[Any]]] = {}  # each table class's, read once


def _column_types(cls: type) -> dict[str, np.dtype[Any]]:
    if cls in _TYPES:
        return _TYPES[cls]
    module = sys.modules[cls.__module__].__dict__
    hints = typing.get_type_hints(cls, globalns=module)
    types: dict[str, np.dtype[Any]] = {}
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        if typing.get_origin(hint) is not np.ndarray or f.metadata == NOT_A_COLUMN:
            continue
        (scalar,) = typing.get_args(typing.get_args(hint)[1])
        types[f.name] = np.dtype(scalar)
    if not types:
        raise TypeError(f"{cls.__name__} has no NDArray columns")
    _TYPES[cls] = types
    return types


# What an absent value is, by dtype kind: the same markers the stored columns use.
ABSENT: dict[str, Any] = {"f": np.nan, "i": -1, "u": 0, "U": "", "b": False, "O": ""}


# Field metadata marking an array that is not a column (not one value per row).
NOT_A_COLUMN = {"column": False}


class ColumnTable:
    """Equal-length NumPy columns; subclass it as a `@dataclass`."""

    @classmethod
    def column_types(cls) -> dict[str, np.dtype[Any]]:
        """Each column's name and dtype, in field order, from the annotations."""
        return _column_types(cls)

    def __len__(self) -> int:
        return len(getattr(self, next(iter(self.column_types()))))

    def columns(self) -> dict[str, NDArray[Any]]:
        """The columns by name (the arrays themselves, not copies)."""
        return {name: getattr(self, name) for name in self.column_types()}

    def _with(self, **changes: Any) -> Self:
        replaced: Self = dataclasses.replace(typing.cast(Any, self), **changes)
        return replaced

    def take(self, rows: NDArray[np.int64] | NDArray[np.bool_]) -> Self:
        """The rows chosen by index or mask, in that order; other fields as they are."""
        return self._with(**{n: c[rows] for n, c in self.columns().items()})

    def placed(self, at: NDArray[np.int64], rows: int) -> Self:
        """A table of `rows` absent rows (`empty`) with this table's rows at `at`."""
        spread = {}
        for name, column in self.columns().items():
            full = np.full(rows, ABSENT[column.dtype.kind], dtype=column.dtype)
            full[at] = column
            spread[name] = full
        return self._with(**spread)

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any], **others: Any) -> Self:
        """A table from its columns by name, each cast to its annotated dtype."""
        missing = set(cls.column_types()) - set(columns)
        if missing:
            raise TypeError(f"{cls.__name__}: no column {', '.join(sorted(missing))}")
        types = cls.column_types().items()
        return cls(**{n: np.asarray(columns[n], dtype=t) for n, t in types}, **others)

    @classmethod
    def concat(cls, tables: Sequence[Self]) -> Self:
        """Several tables as one, in turn; fields that are not columns take their
        defaults (a table whose other fields must be joined overrides this)."""
        return cls.from_parts([t.columns() for t in tables])

    @classmethod
    def from_parts(cls, parts: Sequence[Mapping[str, NDArray[Any]]]) -> Self:
        """A table from pieces of its columns, in turn; none gives an empty table."""
        if not parts:
            return cls.empty()
        names = cls.column_types()
        return cls.from_columns({n: np.concatenate([p[n] for p in parts]) for n in names})

    @classmethod
    def empty(cls, rows: int = 0, **others: Any) -> Self:
        """A table of `rows` absent values: NaN, -1, "" and False by dtype."""
        types = cls.column_types().items()
        return cls(**{n: np.full(rows, ABSENT[t.kind], dtype=t) for n, t in types}, **others)
