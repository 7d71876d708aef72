"""The observation schema: what it accepts, what it refuses and how it says so."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from accord.agreement.vocabulary import MilitaryItem
from accord.cli.schema import app as schema_app
from accord.verify.ingest import validation_reason
from accord.verify.observation import Observation, ObservedKind, canonical_json

SEISMIC: dict[str, Any] = {
    "id": "seis-07:1",
    "source_id": "seis-07",
    "source_type": "seismic",
    "observed_at": "2025-06-01T05:12:09+02:00",
    "lon": 37.61,
    "lat": 48.02,
    "uncertainty_m": 800,
    "kind": "firing",
    "count": 3,
    "firing": {"category": "explosion", "explosion": "impact", "bearing_deg": 95},
    "side": "RU",
    "side_confidence": 0.6,
}


def _reason(record: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        Observation.model_validate(record)
    return validation_reason(caught.value)


def test_times_are_converted_to_utc() -> None:
    observation = Observation.model_validate(SEISMIC)
    assert observation.observed_at == datetime(2025, 6, 1, 3, 12, 9, tzinfo=UTC)
    assert '"observed_at":"2025-06-01T03:12:09Z"' in canonical_json(observation)


def test_a_naive_time_is_refused_with_what_to_write_instead() -> None:
    reason = _reason(SEISMIC | {"observed_at": "2025-06-01T03:12:09"})
    assert reason.startswith("observed_at: time has no timezone")
    assert "2025-03-01T06:30:00Z" in reason


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "tank"}, "kind"),
        ({"count": -1}, "count"),
        ({"side_confidence": 1.5}, "side_confidence"),
        ({"lat": 91}, "lat"),
        ({"lon": "east"}, "lon"),
        ({"uncertainty_m": -5}, "uncertainty_m"),
        ({"source_type": "satellite"}, "source_type"),
        ({"colour": "green"}, "colour"),
        ({"id": " padded"}, "id"),
        ({"source_id": ""}, "source_id"),
    ],
)
def test_each_bad_field_is_named(change: dict[str, Any], field: str) -> None:
    assert _reason(SEISMIC | change).startswith(f"{field}: ")


def test_a_missing_field_is_named() -> None:
    record = {k: v for k, v in SEISMIC.items() if k != "source_id"}
    assert _reason(record) == "source_id: Field required"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"firing": None}, "firing details are required"),
        ({"kind": "armour"}, "firing details are required"),
        ({"firing": {"category": "explosion"}}, "firing.explosion"),
        ({"firing": {"category": "muzzle_flash", "explosion": "impact"}}, "firing.explosion"),
        (
            {"firing": {"category": "bursts_and_shots", "distance_min_m": 3, "distance_max_m": 2}},
            "distance band is reversed",
        ),
        ({"side_confidence": None}, "side and side_confidence come together"),
        ({"lat": None}, "give both or neither"),
        ({"lon": None, "lat": None}, "needs lon and lat"),
        ({"uncertainty_m": None}, "uncertainty_m (metres) is required"),
    ],
)
def test_inconsistent_records_are_refused(change: dict[str, Any], words: str) -> None:
    record = {k: v for k, v in (SEISMIC | change).items() if v is not None}
    assert words in _reason(record)


def test_a_notification_needs_its_details_and_a_place() -> None:
    details: dict[str, Any] = {
        "subject": "exercise",
        "party": "UA",
        "starts_at": "2025-06-10T00:00:00Z",
        "ends_at": "2025-06-14T00:00:00Z",
        "zone": "security.aid_limits",
    }
    notice: dict[str, Any] = {
        "id": "UA-117",
        "source_id": "UA-mod",
        "source_type": "notification",
        "observed_at": "2025-05-20T09:00:00Z",
        "kind": "personnel",
        "count": 4500,
        "notification": details,
    }
    assert Observation.model_validate(notice).notification is not None
    assert "notification is required" in _reason(notice | {"notification": None})
    no_zone = notice | {"notification": details | {"zone": None}}
    assert "an exercise notification says where" in _reason(no_zone)
    holdings = notice | {"notification": details | {"subject": "holdings", "zone": None}}
    assert "needs notification.zone" in _reason(holdings)
    reversed_dates = details | {"ends_at": "2025-06-01T00:00:00Z"}
    assert "ends_at is before starts_at" in _reason(notice | {"notification": reversed_dates})


def test_observed_kinds_are_agreement_items() -> None:
    items = {item.value for item in MilitaryItem}
    assert {kind.value for kind in ObservedKind} <= items


def test_the_published_schema_accepts_its_examples_and_refuses_bad_ones() -> None:
    result = CliRunner().invoke(schema_app, [])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for example in schema["examples"]:
        validator.validate(example)
        Observation.model_validate(example)
    assert not validator.is_valid(SEISMIC | {"kind": "tank"})
    assert not validator.is_valid(SEISMIC | {"count": -1})


def test_the_theatre_holds_the_whole_shipped_map() -> None:
    import shapely

    from accord.geo.borders import load_borders
    from accord.verify.observation import THEATRE

    countries = load_borders(False).countries.values()
    west, south, east, north = shapely.union_all([c.geometry for c in countries]).bounds
    assert THEATRE[0] <= west and THEATRE[1] <= south and east <= THEATRE[2]
    assert north <= THEATRE[3]
