"""Geography: control maps, borders, the line of contact, zones and a fast point classifier.

Terms of a settlement are drawn on the ground: a withdrawal line, a buffer
zone, a heavy-weapons exclusion zone. `control` loads who controls what
(`load_control`, `shipped_control`), `line.line_of_contact` derives the line
between the sides and `line.change` how it moved, `borders` the state
borders, and `zones.zones_from_agreement` turns an agreement's terms into
zones. `classify.ZoneIndex` says which zones each observation falls in, fast
enough for every batch verification sees; `geodesy` and `projection` measure
on the Earth, `places` and `regions` are the gazetteer reports name places by.
"""

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
