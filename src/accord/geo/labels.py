"""Zones in plain words, from their kind and the measures they were drawn with.

One wording for every reader: the printed map's legend, the zones file's
`label` property, the OGC API and the dashboard's legend.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # zones.py labels its features with this module
    from accord.geo.zones import Zone

# The map's own party ids (accord.geo.zones), in words, for legends.
PARTY_NAMES: dict[str, str] = {
    "UA": "Ukraine",
    "RU": "Russia",
    "BY": "Belarus",
    "US": "the United States",
    "NATO": "NATO",
    "EUR": "NATO's European members",
}
SIDE_LABELS = {"UA": "Ukrainian-held side", "RU": "Russian-held side"}


def _name(party: str | None, names: Mapping[str, str]) -> str:
    return names.get(party or "", party or "")


def _border_words(along: str, names: Mapping[str, str]) -> str:
    a, _, b = along.partition("-")
    return f"the {_name(a, names)}-{_name(b, names)} border"


def _measure(p: Mapping[str, object], words: str, km: str) -> str | None:
    """A zone's measure as its terms wrote it ("5 mi"), else in km, else unknown."""
    if p.get(words):
        return str(p[words])
    value = p.get(km)
    return f"{value:g} km" if isinstance(value, int | float) else None


def legend_label(zone: Zone, party_names: Mapping[str, str] | None = None) -> str:
    """The zone in plain words, from its kind and the measures it was drawn with; a
    measure the zone does not carry is left out rather than guessed."""
    names = {**PARTY_NAMES, **(party_names or {})}
    p = zone.properties
    if zone.kind == "side":
        return SIDE_LABELS.get(p.get("side", ""), f"{_name(p.get('side'), names)}'s side")
    if zone.kind == "dmz":
        width = _measure(p, "width", "width_km")
        split = p.get("split") or {}
        regime = f" ({p['regime']})" if p.get("regime") else ""
        if len(set(split.values())) <= 1:
            how = "half on each side"
        else:
            how = ", ".join(f"{share:.0%} {_name(s, names)}" for s, share in sorted(split.items()))
        parts = "" if p.get("line_parts", "main") == "main" else ", all parts of the line"
        wide = f", {width} wide" if width else ""
        return f"Demilitarized zone{regime}{wide}, {how}{parts}"
    if zone.kind == "band":
        depth = _measure(p, "distance", "distance_km")
        on = f", on {_name(p['side'], names)}'s side" if p.get("side") else ""
        where = _border_words(p["along"], names) if p.get("along") else "a border"
        return f"Restricted band, {f'{depth} from' if depth else 'along'} {where}{on}"
    if zone.kind == "ceasefire_line":
        return "Ceasefire line"
    regions = ", ".join(p.get("regions") or ())
    if zone.kind == "held_area":
        return f"Held by {_name(p.get('held_by'), names)} on {p.get('on')}: {regions}"
    what = {"exclusion": "Exclusion zone", "region": "Rules apply in"}.get(zone.kind, "Zone")
    where = f"everywhere outside {regions}" if p.get("outside") else regions
    return f"{what}: {where}" if where else what
