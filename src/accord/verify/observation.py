"""The observation: one schema for everything monitoring sees or is told.

Fixed sensors (seismic, acoustic, radar, camera), drones, observer patrols and
the parties' own notifications and data exchanges all arrive as the same flat
record, so that verification can run over columns of them in one pass. Kind
names are the agreement's `MilitaryItem` names, so an observation of `mlrs`
meets a rule about `mlrs` without a mapping table.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AfterValidator, ConfigDict, Field, field_validator, model_validator

from accord.agreement.model import StrictModel
from accord.agreement.vocabulary import MilitaryItem


class SourceType(StrEnum):
    """Who or what made the observation."""

    seismic = "seismic"
    acoustic = "acoustic"
    radar = "radar"
    camera = "camera"
    drone = "drone"
    patrol = "patrol"  # an observer patrol's report
    notification = "notification"  # a party's notice of an exercise or movement
    data_exchange = "data_exchange"  # a party's periodic declaration of holdings


PARTY_DECLARATIONS = frozenset({SourceType.notification, SourceType.data_exchange})


class ObservedKind(StrEnum):
    """What was seen; every value is also a `MilitaryItem` value."""

    personnel = MilitaryItem.personnel.value
    vehicle = MilitaryItem.vehicle.value
    armour = MilitaryItem.armour.value
    artillery = MilitaryItem.artillery.value
    mlrs = MilitaryItem.mlrs.value  # multiple rocket launcher
    air_defence = MilitaryItem.air_defence.value
    missile_launcher = MilitaryItem.missile_launcher.value
    aircraft = MilitaryItem.aircraft.value
    drone = MilitaryItem.drone.value
    fortification = MilitaryItem.fortification.value  # digging, trenches, obstacles
    firing = MilitaryItem.firing.value  # a firing event; details in `firing`


class FiringCategory(StrEnum):
    """The categories ceasefire monitoring missions report firing in."""

    explosion = "explosion"
    projectile_in_flight = "projectile_in_flight"
    muzzle_flash = "muzzle_flash"
    illumination_flare = "illumination_flare"
    bursts_and_shots = "bursts_and_shots"


class ExplosionType(StrEnum):
    """What an explosion was, where the source can tell."""

    impact = "impact"
    airburst = "airburst"
    undetermined = "undetermined"


class NotificationSubject(StrEnum):
    """What a party's notification is about."""

    exercise = "exercise"  # troops and dates of a planned exercise
    movement = "movement"  # a notified movement of forces
    holdings = "holdings"  # declared holdings in a zone (data exchange)


def _utc(value: datetime) -> datetime:
    """Accept only times that say their offset; a naive time is ambiguous by hours."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            "time has no timezone: write it in UTC with an offset, e.g. 2025-03-01T06:30:00Z"
        )
    return value.astimezone(UTC)


UtcTime = Annotated[datetime, AfterValidator(_utc)]


def _identifier(value: str) -> str:
    if value != value.strip() or not value.isprintable():
        raise ValueError("an id has no leading or trailing spaces and no control characters")
    return value


Identifier = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_identifier)]
PartyId = Annotated[str, Field(pattern=r"^[A-Z]{2,8}$", examples=["UA", "RU"])]


class Firing(StrictModel):
    """A firing event as monitors log it: what was seen or heard, where from."""

    category: FiringCategory
    explosion: ExplosionType | None = Field(
        None, description="Required when category is explosion: impact, airburst or undetermined."
    )
    bearing_deg: float | None = Field(
        None, ge=0, lt=360, description="Direction from the observer, degrees clockwise from north."
    )
    distance_min_m: float | None = Field(None, ge=0, description="Near edge of the distance band.")
    distance_max_m: float | None = Field(None, ge=0, description="Far edge of the distance band.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.category is FiringCategory.explosion) != (self.explosion is not None):
            raise ValueError(
                "firing.explosion (impact, airburst or undetermined) is required for an "
                "explosion and only for one"
            )
        low, high = self.distance_min_m, self.distance_max_m
        if low is not None and high is not None and low > high:
            raise ValueError(f"firing distance band is reversed: {low} m > {high} m")
        return self


class Damage(StrictModel):
    """One civilian object damaged, as the observers describe it."""

    object: str = Field(
        min_length=1, max_length=200, description="What was damaged: a house, a school, a gas main."
    )
    description: str = Field("", max_length=2000, description="The damage as seen.")


class Harm(StrictModel):
    """Civilian casualties and damage to civilian objects an observation reports, as the
    OSCE mission's daily reports gave them; figures as observed or as confirmed to it."""

    civilians_killed: int = Field(0, ge=0, description="Civilians killed.")
    civilians_injured: int = Field(0, ge=0, description="Civilians injured.")
    damage: list[Damage] = Field(default_factory=list, description="Civilian objects damaged.")

    @field_validator("civilians_killed", "civilians_injured", mode="before")
    @classmethod
    def _not_a_flag(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"a number of people is needed here, not {str(value).lower()}")
        return value

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not (self.civilians_killed or self.civilians_injured or self.damage):
            raise ValueError(
                "harm reports nothing: give civilians_killed, civilians_injured or damage, "
                "or leave harm out"
            )
        return self


MAX_NOTIFIED_RADIUS_KM = 500.0  # wider than any exercise area; more is a unit mistake


class Notification(StrictModel):
    """What a party notified or declared: exercise, movement or holdings.

    An exercise notice says where: `radius_km` around the observation's lon/lat (the
    notified area), or a `zone` of the plan, or both; it excuses only detections of
    its party inside that place and period."""

    subject: NotificationSubject
    party: PartyId
    starts_at: UtcTime | None = None
    ends_at: UtcTime | None = None
    zone: Identifier | None = Field(
        None,
        description="Id of a zone of the plan the declaration is about, as `accord verify "
        "rules` and `accord geo zones` list them (the term's id, e.g. security.aid_limits).",
    )
    radius_km: float | None = Field(
        None,
        gt=0,
        le=MAX_NOTIFIED_RADIUS_KM,
        description="Radius of the notified area around the observation's lon/lat, km.",
    )
    reference: Identifier | None = Field(None, description="The party's own reference number.")

    @field_validator("radius_km", mode="before")
    @classmethod
    def _radius_not_a_flag(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"a number is needed here, not {str(value).lower()}")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.starts_at and self.ends_at and self.starts_at > self.ends_at:
            raise ValueError("notification ends_at is before starts_at")
        if self.subject is NotificationSubject.exercise:
            if self.starts_at is None or self.ends_at is None:
                raise ValueError("an exercise notification needs starts_at and ends_at")
            if self.zone is None and self.radius_km is None:
                raise ValueError(
                    "an exercise notification says where: notification.radius_km (km around "
                    "lon/lat) or notification.zone"
                )
        return self


# Where observations can come from: the extent of the shipped map (Europe, Russia to
# 60 E, with a margin), which a test holds to the map. A point at 0,0 or far outside is
# a mistake, not a sighting.
THEATRE = (-30.0, 30.0, 65.0, 75.0)
MAX_UNCERTAINTY_M = 50_000.0
FUTURE_SKEW = timedelta(minutes=10)  # senders' clocks run a little ahead
# The floor for any mission: the settlement ends the war that began with the seizure of
# Crimea on 20 February 2014 (the date Ukraine's law gives), so nothing earlier bears on
# it, and a record dated before is a default or a slip (1900-01-01, the Unix epoch 0),
# not a sighting. Archives of 2014-2022 (the OSCE mission's years) stay admissible; a
# mission's own period (`monitoring_start`, checked by the store) is usually much later.
EARLIEST = datetime(2014, 2, 20, tzinfo=UTC)


def place_problem(lon: float | None, lat: float | None) -> str | None:
    """What is wrong with an optional place (lon and lat together, in the theatre)."""
    if (lon is None) != (lat is None):
        return "lon and lat come together: give both or neither"
    return None if lon is None or lat is None else outside_theatre(lon, lat)


def outside_theatre(lon: float, lat: float) -> str | None:
    """Why a point cannot be where anything is monitored, or None when it can be."""
    west, south, east, north = THEATRE
    if west <= lon <= east and south <= lat <= north:
        return None
    return (
        f"lon {lon}, lat {lat} lies outside the theatre (lon {west} to {east}, lat {south} "
        f"to {north}); are lon and lat swapped, or missing?"
    )


class Observation(StrictModel):
    """One observation; `id` is chosen by the sender and makes re-sending harmless."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "seis-07:2025-06-01T03:12:09Z",
                    "source_id": "seis-07",
                    "source_type": "seismic",
                    "observed_at": "2025-06-01T03:12:09Z",
                    "lon": 37.61,
                    "lat": 48.02,
                    "uncertainty_m": 800,
                    "kind": "firing",
                    "count": 3,
                    "firing": {
                        "category": "explosion",
                        "explosion": "impact",
                        "bearing_deg": 95,
                        "distance_min_m": 2000,
                        "distance_max_m": 3000,
                    },
                    "side": "RU",
                    "side_confidence": 0.6,
                },
                {
                    "id": "UA-notice-2025-117",
                    "source_id": "UA-mod",
                    "source_type": "notification",
                    "observed_at": "2025-05-20T09:00:00Z",
                    "lon": 23.6,
                    "lat": 49.95,
                    "kind": "personnel",
                    "count": 12000,
                    "side": "UA",
                    "side_confidence": 1.0,
                    "notification": {
                        "subject": "exercise",
                        "party": "UA",
                        "starts_at": "2025-06-10T00:00:00Z",
                        "ends_at": "2025-06-14T00:00:00Z",
                        "zone": "security.aid_limits",
                        "radius_km": 30,
                    },
                },
            ]
        }
    )

    id: Identifier = Field(description="Chosen by the sender; a re-sent id is stored once.")
    source_id: Identifier = Field(description="The sensor, drone, patrol or party office.")
    source_type: SourceType
    observed_at: UtcTime = Field(description="When it happened, with a UTC offset.")
    lon: float | None = Field(None, ge=-180, le=180, description="WGS 84 longitude, degrees.")
    lat: float | None = Field(None, ge=-90, le=90, description="WGS 84 latitude, degrees.")
    uncertainty_m: float | None = Field(
        None,
        ge=0,
        le=MAX_UNCERTAINTY_M,
        description="Radius of the location's uncertainty, metres (at most 50 km: a fix "
        "vaguer than that cannot place anything in zones a few km wide).",
    )
    kind: ObservedKind
    count: int = Field(1, ge=0, description="How many of `kind` (troops, vehicles, rounds).")
    firing: Firing | None = Field(None, description="Required when kind is firing.")
    side: PartyId | None = Field(None, description="Party the observation is attributed to.")
    side_confidence: float | None = Field(
        None, ge=0, le=1, description="Confidence in `side`, 0 to 1; required with `side`."
    )
    notification: Notification | None = Field(
        None, description="Required for notification and data_exchange sources."
    )
    harm: Harm | None = Field(
        None, description="Civilian casualties and damage to civilian objects, where seen."
    )
    remarks: str | None = Field(None, max_length=4000)

    @field_validator("count", "lon", "lat", "uncertainty_m", "side_confidence", mode="before")
    @classmethod
    def _not_a_flag(cls, value: Any) -> Any:
        # JSON's true would pass as 1: a count or a coordinate mistyped as a flag.
        if isinstance(value, bool):
            raise ValueError(f"a number is needed here, not {str(value).lower()}")
        return value

    @field_validator("observed_at")
    @classmethod
    def _plausible_time(cls, value: datetime) -> datetime:
        if value > datetime.now(UTC) + FUTURE_SKEW:
            raise ValueError(f"dated in the future ({value.isoformat()}); check the clock")
        if value < EARLIEST:
            raise ValueError(
                f"dated {value.isoformat()}, before the war this settlement ends began "
                f"({EARLIEST.date()}): a default or mistyped date, not an observation"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problem = place_problem(self.lon, self.lat)
        if problem:
            raise ValueError(problem)
        declared = self.source_type in PARTY_DECLARATIONS
        if self.lon is None and not declared:
            raise ValueError(f"source_type {self.source_type.value} needs lon and lat")
        if self.lon is not None and self.uncertainty_m is None and not declared:
            # A sensor's fix has an error; a party's declared place is as it states it.
            raise ValueError("uncertainty_m (metres) is required with a location")
        if declared != (self.notification is not None):
            raise ValueError(
                "notification is required for notification and data_exchange sources "
                f"and not allowed for {self.source_type.value}"
            )
        if self.notification and self.notification.radius_km is not None and self.lon is None:
            raise ValueError("notification.radius_km is measured from lon and lat: give them")
        if declared and self.lon is None and not (self.notification and self.notification.zone):
            raise ValueError("a notification without lon and lat needs notification.zone")
        if (self.kind is ObservedKind.firing) != (self.firing is not None):
            raise ValueError("firing details are required when kind is firing and only then")
        if (self.side is None) != (self.side_confidence is None):
            raise ValueError("side and side_confidence come together: give both or neither")
        return self


def observation_json_schema() -> dict[str, Any]:
    """The JSON Schema senders validate against (`accord schema observation`)."""
    schema = Observation.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def canonical_json(observation: Observation) -> str:
    """The stored form: compact, fields in schema order, absent fields left out."""
    return observation.model_dump_json(exclude_none=True)
