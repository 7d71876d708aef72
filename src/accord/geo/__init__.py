"""Geography: control maps, borders, the line of contact, zones and a fast point classifier."""

from accord.geo.borders import Borders, load_borders
from accord.geo.classify import Classification, ZoneIndex
from accord.geo.control import ControlMap, GeoInputError, control_for, load_control, shipped_control
from accord.geo.line import LineChange, LineOfContact, change, line_of_contact
from accord.geo.zones import Zone, zones_from_agreement, zones_geojson

__all__ = [
    "Borders",
    "Classification",
    "ControlMap",
    "GeoInputError",
    "LineChange",
    "LineOfContact",
    "Zone",
    "ZoneIndex",
    "change",
    "control_for",
    "line_of_contact",
    "load_borders",
    "load_control",
    "shipped_control",
    "zones_from_agreement",
    "zones_geojson",
]
