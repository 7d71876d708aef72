"""The column-table base: dtypes read from annotations, and take, concat, empty, placed."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
from numpy.typing import NDArray

from accord.columns import NOT_A_COLUMN, ColumnTable
from accord.store.columns import ObservationDetails
from accord.verify.findings import Findings


@dataclass(frozen=True)
class Sightings(ColumnTable):
    number: NDArray[np.int32]
    where_km: NDArray[np.float64]
    name: NDArray[np.str_]
    seen: NDArray[np.bool_]
    groups: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0), metadata=NOT_A_COLUMN)
    note: str = ""


def table() -> Sightings:
    return Sightings.from_columns(
        {
            "number": [3, 1, 2],
            "where_km": [0.5, 1.5, 2.5],
            "name": ["a", "bb", "c"],
            "seen": [1, 0, 1],
        },
        note="kept",
    )


def test_dtypes_come_from_the_annotations_and_skip_what_is_not_a_column() -> None:
    assert Sightings.column_types() == {
        "number": np.dtype(np.int32),
        "where_km": np.dtype(np.float64),
        "name": np.dtype(np.str_),
        "seen": np.dtype(np.bool_),
    }
    made = table()
    assert made.number.dtype == np.int32 and made.seen.dtype == bool
    assert made.name.dtype == np.dtype("<U2")  # as wide as the widest value
    assert len(made) == 3


def test_take_keeps_the_order_asked_for_and_the_other_fields() -> None:
    taken = table().take(np.array([2, 0]))
    assert taken.number.tolist() == [2, 3] and taken.name.tolist() == ["c", "a"]
    assert taken.note == "kept"
    assert table().take(table().seen).where_km.tolist() == [0.5, 2.5]


def test_concat_joins_in_turn_and_an_empty_list_is_an_empty_typed_table() -> None:
    joined = Sightings.concat([table(), table().take(np.array([1]))])
    assert joined.number.tolist() == [3, 1, 2, 1]
    assert joined.note == ""  # not a column: its default
    nothing = Sightings.concat([])
    assert len(nothing) == 0 and nothing.number.dtype == np.int32


def test_empty_rows_hold_the_absent_markers() -> None:
    blank = Sightings.empty(2)
    assert np.isnan(blank.where_km).all()
    assert blank.number.tolist() == [-1, -1] and blank.name.tolist() == ["", ""]
    assert blank.seen.tolist() == [False, False]


def test_placed_spreads_rows_among_absent_ones_without_truncating_text() -> None:
    placed = table().placed(np.array([4, 0, 2]), 5)
    assert placed.number.tolist() == [1, -1, 2, -1, 3]
    assert placed.name.tolist() == ["bb", "", "c", "", "a"]


def test_a_missing_column_is_named() -> None:
    with pytest.raises(TypeError, match="no column seen, where_km"):
        Sightings.from_columns({"number": [1], "name": ["x"]})


def test_a_class_with_no_array_is_refused() -> None:
    @dataclass
    class Nothing(ColumnTable):
        label: str

    with pytest.raises(TypeError, match="Nothing has no NDArray columns"):
        Nothing.column_types()


def test_observation_details_empty_is_nan_blank_and_minus_one() -> None:
    details = ObservationDetails.empty(3)
    assert np.isnan(details.bearing_deg).all()
    assert details.notice_start_ns.tolist() == [-1, -1, -1]
    assert details.notice_party.tolist() == ["", "", ""]


def test_findings_take_and_concat_keep_aggregate_evidence_on_its_row() -> None:
    one = Findings.empty(3)
    one = Findings.from_columns(
        {**one.columns(), "key": np.array(["p0", "agg", "p2"])},
        evidence={1: ("obs-1", "obs-2")},
        detail={1: "above the cap"},
    )
    taken = one.take(np.array([1, 2]))
    assert taken.key.tolist() == ["agg", "p2"]
    assert taken.evidence == {0: ("obs-1", "obs-2")} and taken.detail == {0: "above the cap"}
    assert one.take(np.array([0, 2])).evidence == {}
    joined = Findings.concat([one, one])
    assert joined.evidence == {1: ("obs-1", "obs-2"), 4: ("obs-1", "obs-2")}
    assert joined.key.tolist() == ["p0", "agg", "p2"] * 2
