"""Named places a zone can cover, found by any common spelling of their names.

Every name goes through the one normalised key of geo.names. The regions are
Natural Earth admin-1 outlines
(geo/data/README.md) under their Natural Earth name, Natural Earth's own
alternate names and accord's ALIASES; seas are Natural Earth marine areas.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from accord.geo.borders import Borders
from accord.geo.derive import REGIONS_SIMPLIFY_M, ROUNDING_M, SEAS_SIMPLIFY_M
from accord.geo.names import ALIASES, normalise

REGIONS_FILE = "regions.geojson"
SEAS_FILE = "seas.geojson"
EUROPE = "Europe"
# Groups of countries plans name, by a published definition where there is one.
# Off the map (east of 60 E) a group draws only the part on it.
GROUPS: dict[str, frozenset[str]] = {
    # The UN statistical geoscheme (M49) "Eastern Europe".
    "Eastern Europe": frozenset(
        {"BLR", "BGR", "CZE", "HUN", "MDA", "POL", "ROU", "RUS", "SVK", "UKR"}
    ),
    # The South Caucasus states (the North Caucasus is part of Russia).
    "Caucasus": frozenset({"ARM", "AZE", "GEO"}),
    # M49 "Central Asia": of it, only Kazakhstan west of 60 E is on accord's map.
    "Central Asia": frozenset({"KAZ", "KGZ", "TJK", "TKM", "UZB"}),
}
# Europe is every shipped country but the Caucasus and Kazakhstan (Russia to 60 E).
_NOT_EUROPE = frozenset({"ARM", "AZE", "GEO", "KAZ"})


@dataclass(frozen=True)
class Region:
    """One admin-1 region (oblast, krai, republic, city) in lon/lat."""

    name: str
    country: str
    geometry: BaseGeometry = field(repr=False)
    name_alt: tuple[str, ...] = ()


@cache
def load_regions() -> dict[str, Region]:
    """The shipped admin-1 regions by Natural Earth name."""
    text = (resources.files("accord.geo") / "data" / REGIONS_FILE).read_text(encoding="utf-8")
    regions = {}
    for feature in json.loads(text)["features"]:
        props = feature["properties"]
        regions[props["name"]] = Region(
            props["name"],
            props["country"],
            shape(feature["geometry"]),
            tuple(props.get("name_alt", ())),
        )
    return regions


@cache
def load_seas() -> dict[str, BaseGeometry]:
    """The shipped seas by name."""
    text = (resources.files("accord.geo") / "data" / SEAS_FILE).read_text(encoding="utf-8")
    return {f["properties"]["name"]: shape(f["geometry"]) for f in json.loads(text)["features"]}


class Gazetteer:
    """Every name a zone may use: regions, seas, countries, groups, party ids, Europe."""

    def __init__(self, borders: Borders):
        self.borders = borders
        self.regions = load_regions()
        self.seas = load_seas()
        spellings: dict[str, str] = {}  # a spelling to the canonical name
        for region in self.regions.values():
            for spelling in (region.name, *region.name_alt):
                spellings.setdefault(spelling, region.name)
        for name in [*self.seas, *GROUPS]:
            spellings[name] = name
        for country in borders.countries.values():
            spellings.setdefault(country.name, country.iso_a3)
            spellings.setdefault(country.iso_a3, country.iso_a3)
        for alias, target in ALIASES.items():
            spellings[alias] = borders.by_name(target) or target
        self.spellings = spellings
        self.keys = {normalise(s): target for s, target in spellings.items()}

    def geometry(self, name: str) -> BaseGeometry:
        """The outline of one named place; ValueError naming the nearest names if unknown."""
        if normalise(name) == normalise(EUROPE):
            return shapely.union_all(
                [c.geometry for c in self.borders.countries.values() if c.iso_a3 not in _NOT_EUROPE]
            )
        target = self.keys.get(normalise(name))
        if target in self.regions:
            return self.regions[target].geometry
        if target in self.seas:
            return self.seas[target]
        if target in GROUPS:
            on_map = sorted(GROUPS[target] & self.borders.countries.keys())
            return shapely.union_all([self.borders.country(iso) for iso in on_map])
        if target in self.borders.countries:
            return self.borders.country(target)
        try:
            return self.borders.territory(name)
        except KeyError:
            raise ValueError(self.unknown(name)) from None

    def edge_uncertainty_m(self, name: str) -> float:
        """How far the edge of a named place may be off from its source, as accord states
        it: the simplification of the shipped regions and seas; countries, groups and
        party territories are Natural Earth's own outlines (0)."""
        target = self.keys.get(normalise(name))
        if target in self.regions:
            return REGIONS_SIMPLIFY_M + ROUNDING_M
        if target in self.seas:
            return SEAS_SIMPLIFY_M + ROUNDING_M
        return 0.0

    def unknown(self, name: str) -> str:
        """Why a name is not a place, with the nearest known names."""
        folded = {s.casefold(): s for s in self.spellings}
        nearest: dict[str, str] = {}  # a place to its closest spelling
        for match in difflib.get_close_matches(name.casefold(), folded, n=20, cutoff=0.6):
            nearest.setdefault(self.spellings[folded[match]], folded[match])
        if nearest:
            return f"unknown region '{name}': nearest known names: " + ", ".join(
                list(nearest.values())[:3]
            )
        regions = ", ".join(sorted(self.regions))
        others = ", ".join([*self.seas, *GROUPS, EUROPE])
        return (
            f"unknown region '{name}': use an admin-1 region ({regions}), one of {others}, "
            "a country of Europe by name or ISO code, or a party id (UA, RU, BY, NATO, EUR, US)"
        )
