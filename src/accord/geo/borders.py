"""International borders, coasts and party territories, on the 2013 basis accord uses.

Natural Earth draws Crimea as Russian. accord treats borders as of 2013 unless
an agreement term says otherwise, so by default the Crimean part of Natural
Earth's Russia is moved back to Ukraine, and every output says which basis it
used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from accord.geo.names import canonical, normalise

COUNTRIES_FILE = "countries_50m_europe.geojson"

# NATO members in 2026, by ISO 3166 alpha-3 code.
NATO_MEMBERS: frozenset[str] = frozenset({
    "ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "ISL", "ITA", "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR", "POL", "PRT", "ROU", "SVK",
    "SVN", "ESP", "SWE", "TUR", "GBR", "USA",
})  # fmt: skip

# Party ids and groups of the settlement model, mapped to the countries whose
# territory they stand for on the map. EUR is NATO's European members.
PARTY_COUNTRIES: dict[str, frozenset[str]] = {
    "UA": frozenset({"UKR"}),
    "RU": frozenset({"RUS"}),
    "BY": frozenset({"BLR"}),
    "US": frozenset({"USA"}),
    "NATO": NATO_MEMBERS,
    "EUR": NATO_MEMBERS - {"USA", "CAN"},
}

# Natural Earth's Russia includes Crimea as a separate part; it is the part
# whose centre lies in this box (lon/lat).
_CRIMEA_BOX = shapely.box(32.4, 44.3, 36.6, 46.3)

BASIS_2013 = (
    "International borders as of 2013 (Natural Earth 1:50m, with Crimea moved back "
    "to Ukraine; Natural Earth draws it as Russian)."
)
BASIS_CRIMEA_RU = (
    "International borders from Natural Earth 1:50m, with Crimea as Russian because "
    "an agreement term recognises it so."
)


@dataclass(frozen=True)
class Country:
    """A country of the base map: its ISO code, name and outline."""

    iso_a3: str
    name: str
    geometry: BaseGeometry = field(repr=False)


@dataclass(frozen=True)
class Borders:
    """Countries in lon/lat on one basis, with the lookups zones need."""

    countries: dict[str, Country]
    crimea_russian: bool

    @property
    def basis(self) -> str:
        """Which borders these are, in words, for the notes of every map and file drawn from them.
        Which borders these are, in words, for the notes of every map and file drawn from them."""
        return BASIS_CRIMEA_RU if self.crimea_russian else BASIS_2013

    def country(self, iso_a3: str) -> BaseGeometry:
        """The outline of the country with this ISO code."""
        return self.countries[iso_a3].geometry

    def party_countries(self, party: str) -> frozenset[str]:
        """ISO codes of a party id or group (UA, RU, BY, NATO, EUR) or of an ISO code itself."""
        if party in PARTY_COUNTRIES:
            return PARTY_COUNTRIES[party] & self.countries.keys()
        if party in self.countries:
            return frozenset({party})
        known = ", ".join(sorted(PARTY_COUNTRIES))
        raise KeyError(f"no territory for party '{party}': use one of {known} or an ISO code")

    def territory(self, party: str) -> BaseGeometry:
        """The territory of a party or group: the union of its countries."""
        return shapely.union_all([self.country(c) for c in sorted(self.party_countries(party))])

    def territory_of(self, parties: list[str]) -> BaseGeometry:
        """The territory of several parties together."""
        return shapely.union_all([self.territory(p) for p in parties])

    def border(self, party_a: str, party_b: str) -> BaseGeometry:
        """The land border between two parties' territories, as lon/lat lines."""
        lines: list[BaseGeometry] = []
        for a in sorted(self.party_countries(party_a)):
            geom_a = self.country(a)
            for b in sorted(self.party_countries(party_b)):
                geom_b = self.country(b)
                if a == b or not geom_a.envelope.intersects(geom_b.envelope):
                    continue
                # Natural Earth countries share their border vertices, so the
                # shared boundary is the intersection of the two boundaries.
                shared = shapely.intersection(geom_a.boundary, geom_b.boundary)
                lines.extend(
                    p
                    for p in shapely.get_parts(shared)
                    if p.geom_type in ("LineString", "LinearRing")
                )
        if not lines:
            return shapely.MultiLineString()
        return shapely.line_merge(shapely.union_all(lines))

    def by_name(self, name: str) -> str | None:
        """ISO code of a country by its ISO code or any spelling of its name (geo.names)."""
        if name in self.countries:
            return name
        key = normalise(canonical(name))
        for country in self.countries.values():
            if normalise(country.name) == key:
                return country.iso_a3
        return None


def _split_crimea(russia: BaseGeometry) -> tuple[BaseGeometry, BaseGeometry]:
    parts = shapely.get_parts(russia)
    in_crimea = [_CRIMEA_BOX.contains(p.centroid) for p in parts]
    crimea = shapely.union_all([p for p, c in zip(parts, in_crimea, strict=True) if c])
    rest = shapely.union_all([p for p, c in zip(parts, in_crimea, strict=True) if not c])
    return crimea, rest


@cache
def load_borders(crimea_russian: bool = False) -> Borders:
    """The shipped Natural Earth countries of Europe, on the 2013 basis unless told otherwise."""
    text = (resources.files("accord.geo") / "data" / COUNTRIES_FILE).read_text(encoding="utf-8")
    countries: dict[str, Country] = {}
    for feature in json.loads(text)["features"]:
        props = feature["properties"]
        countries[props["iso_a3"]] = Country(
            props["iso_a3"], props["name"], shape(feature["geometry"])
        )
    if not crimea_russian:
        crimea, rest = _split_crimea(countries["RUS"].geometry)
        countries["RUS"] = Country("RUS", countries["RUS"].name, rest)
        ukraine = shapely.union_all([countries["UKR"].geometry, crimea])
        countries["UKR"] = Country("UKR", countries["UKR"].name, ukraine)
    return Borders(countries, crimea_russian)
