"""OGC SensorThings API Observation entities as accord observations.

A SensorThings server (or its MQTT extension) delivers an Observation with
its FeatureOfInterest and Datastream expanded. The mapping:

| accord field | taken from (first present) |
| --- | --- |
| id | result.id; else "sta:" + Datastream @iot.id + ":" + Observation @iot.id |
| source_id | result.source_id; Datastream.Thing.name; Datastream.name; "Datastreams(<@iot.id>)" |
| source_type | result.source_type; Datastream.properties.source_type |
| observed_at | phenomenonTime (an instant, or the start of an interval "a/b"); resultTime |
| lon, lat | FeatureOfInterest.feature: a GeoJSON Point (or a Feature holding one) |
| uncertainty_m | result.uncertainty_m; parameters.uncertainty_m; FeatureOfInterest.properties |
| kind | result.kind; Datastream.ObservedProperty.name |
| count | result.count; result itself when it is a number |
| every other field | result.<field>; parameters.<field> |

`result` is either an object with the observation's fields or a bare number
(the count of `kind`). Timestamps keep their offsets and must have one.
"""

from __future__ import annotations

from typing import Any

# Fields an Observation entity may carry beside the ones mapped above.
_ENTITY_KEYS = frozenset(
    {
        "@iot.id",
        "@iot.selfLink",
        "phenomenonTime",
        "resultTime",
        "result",
        "resultQuality",
        "validTime",
        "parameters",
        "FeatureOfInterest",
        "Datastream",
        "MultiDatastream",
        "FeatureOfInterest@iot.navigationLink",
        "Datastream@iot.navigationLink",
    }
)


class SensorThingsError(ValueError):
    """An Observation entity that cannot be mapped; the message names the field."""


def is_sensorthings(value: dict[str, Any]) -> bool:
    """An Observation entity has a result and a phenomenon or result time."""
    return "result" in value and ("phenomenonTime" in value or "resultTime" in value)


def from_sensorthings(entity: dict[str, Any]) -> dict[str, Any]:
    """The accord observation fields of one SensorThings Observation entity."""
    unknown = sorted(set(entity) - _ENTITY_KEYS)
    if unknown:
        raise SensorThingsError(f"unknown Observation entity field(s): {', '.join(unknown)}")
    result = entity["result"]
    if isinstance(result, bool) or not isinstance(result, dict | int | float):
        raise SensorThingsError("result must be an object of observation fields or a number")
    fields: dict[str, Any] = dict(result) if isinstance(result, dict) else {"count": result}
    parameters = _object(entity, "parameters")
    for key, value in parameters.items():
        fields.setdefault(key, value)
    datastream = _object(entity, "Datastream")
    feature = _object(entity, "FeatureOfInterest")

    if "id" not in fields:
        stream_id, own_id = datastream.get("@iot.id"), entity.get("@iot.id")
        if stream_id is None or own_id is None:
            raise SensorThingsError("no id: give result.id, or both @iot.id and Datastream.@iot.id")
        fields["id"] = f"sta:{stream_id}:{own_id}"
    if "source_id" not in fields:
        name = _object(datastream, "Thing").get("name") or datastream.get("name")
        stream_id = datastream.get("@iot.id")
        if name is None and stream_id is None:
            raise SensorThingsError("no source: give result.source_id or an expanded Datastream")
        fields["source_id"] = name if name is not None else f"Datastreams({stream_id})"
    if "source_type" not in fields:
        source_type = _object(datastream, "properties").get("source_type")
        if source_type is not None:
            fields["source_type"] = source_type
    if "observed_at" not in fields:
        fields["observed_at"] = _time(entity)
    if "kind" not in fields:
        kind = _object(datastream, "ObservedProperty").get("name")
        if kind is not None:
            fields["kind"] = kind
    if feature:
        lon, lat = _point(feature.get("feature"))
        fields.setdefault("lon", lon)
        fields.setdefault("lat", lat)
        uncertainty = _object(feature, "properties").get("uncertainty_m")
        if uncertainty is not None:
            fields.setdefault("uncertainty_m", uncertainty)
    return fields


def _object(holder: dict[str, Any], key: str) -> dict[str, Any]:
    value = holder.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SensorThingsError(f"{key} must be an object, not {type(value).__name__}")
    return value


def _time(entity: dict[str, Any]) -> Any:
    phenomenon = entity.get("phenomenonTime")
    if isinstance(phenomenon, str) and phenomenon:
        return phenomenon.split("/", 1)[0]
    if entity.get("resultTime"):
        return entity["resultTime"]
    raise SensorThingsError("no time: phenomenonTime or resultTime is required")


def _point(geometry: Any) -> tuple[Any, Any]:
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        raise SensorThingsError("FeatureOfInterest.feature must be a GeoJSON Point")
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        raise SensorThingsError("FeatureOfInterest.feature coordinates must be [lon, lat]")
    return coordinates[0], coordinates[1]
