"""Zones compiled from an agreement's spatial terms onto a control map.

Party ids on the map: UA Ukraine, RU Russia, BY Belarus, US the United States,
NATO the members' territory (borders.NATO_MEMBERS), EUR its European members;
an ISO alpha-3 code names one country. Borders are written "A-B" (NATO-RU is
every land border between a NATO member and Russia). A band lies on `side`'s
territory, or on both sides when no side is given.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from accord.agreement import Agreement
from accord.agreement.vocabulary import Area, Recognition
from accord.geo.borders import Borders, load_borders
from accord.geo.line import LineOfContact
from accord.geo.projection import area_km2, geodesic_buffer

SIDE_KIND = "side"
SIDE_UA = "side.UA"
SIDE_RU = "side.RU"
# Non-country names accepted as regions: the shipped oblast outlines and Europe
# (every shipped country but the Caucasus and Kazakhstan; Russia to 60 E).
REGIONS_FILE = "regions.geojson"
_NOT_EUROPE = frozenset({"ARM", "AZE", "GEO", "KAZ"})
# How far the Russian side of the line reaches beyond Ukraine, in degrees.
_RU_SIDE_MARGIN_DEG = 1.5


@dataclass(frozen=True)
class Zone:
    """One area a term applies to, in lon/lat, with what the term says about it."""

    id: str
    kind: str
    binds: tuple[str, ...]
    geometry: BaseGeometry = field(repr=False)
    properties: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def area_km2(self) -> float:
        return area_km2(self.geometry)

    def feature(self) -> dict[str, Any]:
        props = {
            "term": self.id,
            "kind": self.kind,
            "binds": list(self.binds),
            "area_km2": round(self.area_km2, 1),
            **self.properties,
        }
        return {"type": "Feature", "properties": props, "geometry": mapping(self.geometry)}


def sides(line: LineOfContact, borders: Borders) -> tuple[Zone, Zone]:
    """Ukraine's and Russia's sides of the line: Russia's is the controlled area plus Russia
    near Ukraine; Ukraine's is the rest of Ukraine in its 2013 borders."""
    ukraine = borders.country("UKR")
    near = shapely.box(*ukraine.buffer(_RU_SIDE_MARGIN_DEG).bounds)
    russia_side = shapely.union_all(
        [line.control.area, shapely.intersection(borders.country("RUS"), near)]
    )
    ukraine_side = shapely.difference(ukraine, russia_side)
    note = {"date": line.date.isoformat() if line.date else None, "borders": borders.basis}
    return (
        Zone(SIDE_UA, SIDE_KIND, ("UA",), ukraine_side, {"side": "UA", **note}),
        Zone(SIDE_RU, SIDE_KIND, ("RU",), russia_side, {"side": "RU", **note}),
    )


def dmz_geometry(
    line: LineOfContact, ru_side: Zone, width_km: float, split: dict[str, float]
) -> BaseGeometry:
    """The DMZ: each side's share of the width, measured from every part of the line.

    Russia's share lies on its side; Ukraine's share covers everything else in
    reach, water included (the Dnipro, its reservoir, the coast), so with an
    equal split the DMZ is the whole buffer of the line.
    """
    ru_depth_km, ua_depth_km = width_km * split.get("RU", 0.0), width_km * split.get("UA", 0.0)
    halves = []
    if ru_depth_km > 0:
        halves.append(
            shapely.intersection(geodesic_buffer(line.lines, ru_depth_km), ru_side.geometry)
        )
    if ua_depth_km > 0:
        halves.append(
            shapely.difference(geodesic_buffer(line.lines, ua_depth_km), ru_side.geometry)
        )
    return shapely.union_all(halves)


def band_geometry(
    borders: Borders, along: str, distance_km: float, side: str | None
) -> BaseGeometry:
    """Territory within distance_km of the border `along` ("A-B"), on `side` or on both."""
    party_a, party_b = along.split("-")
    border = borders.border(party_a, party_b)
    if border.is_empty:
        raise ValueError(f"'{along}': the two parties share no land border on the map")
    reach = geodesic_buffer(border, distance_km)
    on = [side] if side else [party_a, party_b]
    return shapely.intersection(reach, borders.territory_of(on))


def region_geometry(borders: Borders, names: Sequence[str]) -> BaseGeometry:
    """Named regions: shipped outlines (Kursk), Europe, country names or party ids."""
    outlines = json.loads(
        (resources.files("accord.geo") / "data" / REGIONS_FILE).read_text(encoding="utf-8")
    )
    named = {f["properties"]["name"].casefold(): shape(f["geometry"]) for f in outlines["features"]}
    parts = []
    for name in names:
        iso = borders.by_name(name)
        if name.casefold() in named:
            parts.append(named[name.casefold()])
        elif name.casefold() == "europe":
            parts.extend(
                c.geometry for c in borders.countries.values() if c.iso_a3 not in _NOT_EUROPE
            )
        elif iso is not None:
            parts.append(borders.country(iso))
        else:
            try:
                parts.append(borders.territory(name))
            except KeyError:
                known = ", ".join(sorted([*named, "Europe", *borders.region_names()]))
                raise ValueError(f"unknown region '{name}': use one of {known}") from None
    return shapely.union_all(parts)


def borders_for(agreement: Agreement) -> Borders:
    """2013 borders, unless a territory term recognises Crimea as Russian de jure."""
    crimea_russian = any(
        t.area is Area.territory
        and t.issue == "crimea"
        and t.parameters.recognition is Recognition.de_jure
        for t in agreement.terms
    )
    return load_borders(crimea_russian)


def zones_from_agreement(
    agreement: Agreement, line: LineOfContact, borders: Borders | None = None
) -> tuple[list[Zone], list[str]]:
    """The agreement's spatial terms as zones, preceded by the two sides of the line.

    Returns the zones and notes on terms that could not be drawn (for example a
    band whose distance the plan leaves to negotiation).
    """
    borders = borders or borders_for(agreement)
    ua_side, ru_side = sides(line, borders)
    zones: list[Zone] = [ua_side, ru_side]
    notes: list[str] = []
    bands: dict[tuple[str, float, str | None], BaseGeometry] = {}  # plans repeat a band
    for term in agreement.terms:
        spec = term.zone
        if spec is None:
            continue
        props: dict[str, Any] = {
            "type": spec.type.value,
            "regime": spec.regime,
            "prohibits": [p.value for p in term.prohibits],
            "caps": [
                {"item": c.item.value, "limit": str(c.limit) if c.limit else None}
                for c in term.caps
            ],
            "status": term.status,
            "borders": borders.basis,
        }
        width = spec.width.km if spec.width else None
        distance = spec.distance.km if spec.distance else None
        try:
            if spec.along == "line_of_contact" and width is not None:
                parties = ("UA", "RU")
                split = spec.split or {p: 1.0 / len(parties) for p in parties}
                geom = dmz_geometry(line, ru_side, width, split)
                props |= {"width_km": width, "split": split, "line_date": str(line.date)}
            elif spec.along and spec.along != "line_of_contact" and distance is not None:
                key = (spec.along, distance, spec.side)
                if key not in bands:
                    bands[key] = band_geometry(borders, spec.along, distance, spec.side)
                geom = bands[key]
                props |= {"along": spec.along, "distance_km": distance, "side": spec.side}
            elif spec.regions:
                geom = region_geometry(borders, spec.regions)
                props |= {"regions": list(spec.regions)}
            else:
                notes.append(
                    f"{term.id}: {spec.type.value} has no width, distance or regions "
                    "on the map yet (left to negotiation?); not drawn"
                )
                continue
        except ValueError as exc:
            notes.append(f"{term.id}: {exc}; not drawn")
            continue
        zones.append(Zone(term.id, spec.type.value, tuple(term.binds), geom, props))
    return zones, notes


def zones_geojson(zones: Sequence[Zone], meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "accord": meta,
        "features": [z.feature() for z in zones],
    }
