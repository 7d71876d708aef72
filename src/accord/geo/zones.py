"""Zones compiled from an agreement's spatial terms onto a control map.

Party ids on the map: UA Ukraine, RU Russia, BY Belarus, US the United States,
NATO the members' territory (borders.NATO_MEMBERS), EUR its European members;
an ISO alpha-3 code names one country. Borders are written "A-B" (NATO-RU is
every land border between a NATO member and Russia). A band lies on `side`'s
territory, or on both sides when no side is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from accord.agreement import Agreement
from accord.agreement.model import ZoneSpec
from accord.agreement.vocabulary import Area, Recognition, ZoneType
from accord.geo.borders import Borders, load_borders
from accord.geo.labels import legend_label
from accord.geo.line import LineOfContact
from accord.geo.projection import BUFFER_ERROR_M, area_km2, geodesic_buffer
from accord.geo.regions import Gazetteer

SIDE_KIND = "side"
SIDE_UA = "side.UA"
SIDE_RU = "side.RU"
# How deep into Russia its side of the line reaches from Ukraine's land border: the
# rear the line's verification covers (the border oblasts, Belgorod to Rostov), and
# a bound that keeps the side, and any index built on it, the size of the theatre.
RU_SIDE_REACH_KM = 300.0


@dataclass(frozen=True)
class Zone:
    """One area a term applies to, in lon/lat, with what the term says about it."""

    id: str
    kind: str
    binds: tuple[str, ...]
    geometry: BaseGeometry = field(repr=False)
    properties: dict[str, Any] = field(default_factory=dict, repr=False)
    # How far the zone's edge may lie from where its sources truly put it, in metres:
    # the stated simplification of the map it was drawn from, plus its drawing's own error.
    edge_uncertainty_m: float = 0.0

    @cached_property
    def area_km2(self) -> float:
        """The zone's area on the ground (equal-area projection)."""
        return area_km2(self.geometry)

    def feature(self) -> dict[str, Any]:
        """The zone as a GeoJSON feature, with the term's properties and its plain-words label."""
        props = {
            "term": self.id,
            "kind": self.kind,
            "binds": list(self.binds),
            "label": legend_label(self),
            "area_km2": round(self.area_km2, 1),
            "edge_uncertainty_m": self.edge_uncertainty_m,
            **self.properties,
        }
        return {"type": "Feature", "properties": props, "geometry": mapping(self.geometry)}


def sides(
    line: LineOfContact, borders: Borders, reach_km: float = RU_SIDE_REACH_KM
) -> tuple[Zone, Zone]:
    """Ukraine's and Russia's sides of the line: Russia's is the controlled area plus
    Russia's own territory (its borders and coasts as drawn) within reach_km of its land
    border with Ukraine; Ukraine's is the rest of Ukraine (2013 borders unless the
    agreement says otherwise)."""
    if reach_km <= 0:
        raise ValueError(f"reach_km {reach_km}: Russia's side needs a reach above 0 km")
    ukraine = borders.country("UKR")
    reach = geodesic_buffer(borders.border("UA", "RU"), reach_km, max_error_m=100.0)
    russia_side = shapely.union_all(
        [line.control.area, shapely.intersection(borders.country("RUS"), reach)]
    )
    ukraine_side = shapely.difference(ukraine, russia_side)
    note = {"date": line.date.isoformat() if line.date else None, "borders": borders.basis}
    off = line.edge_uncertainty_m
    return (
        Zone(SIDE_UA, SIDE_KIND, ("UA",), ukraine_side, {"side": "UA", **note}, off),
        Zone(
            SIDE_RU,
            SIDE_KIND,
            ("RU",),
            russia_side,
            {"side": "RU", "reach_km": reach_km, **note},
            off,
        ),
    )


def dmz_geometry(
    line: LineOfContact,
    ru_side: Zone,
    width_km: float,
    split: dict[str, float],
    line_parts: str = "main",
) -> BaseGeometry:
    """The DMZ: each side's share of the width, measured from the line.

    A term along "the line of contact" means the front, so by default the DMZ
    follows the main line only; the short pieces the line keeps along coasts and
    borders (spits, islands, a salient at the border) count only with
    line_parts="all", where the terms say so. Russia's share lies on its side;
    Ukraine's covers everything else in reach, water included (the Dnipro, its
    reservoir, the coast), so with an equal split the DMZ is the whole buffer.
    """
    if line_parts not in ("main", "all"):
        raise ValueError(f"line_parts '{line_parts}': write 'main' or 'all'")
    along = line.main if line_parts == "main" else line.lines
    ru_depth_km, ua_depth_km = width_km * split.get("RU", 0.0), width_km * split.get("UA", 0.0)
    halves = []
    if ru_depth_km > 0:
        halves.append(shapely.intersection(geodesic_buffer(along, ru_depth_km), ru_side.geometry))
    if ua_depth_km > 0:
        halves.append(shapely.difference(geodesic_buffer(along, ua_depth_km), ru_side.geometry))
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


def held_geometry(
    line: LineOfContact, borders: Borders, region: BaseGeometry, held_by: str
) -> BaseGeometry:
    """The part of `region` a party holds on the line's map: RU the controlled area,
    UA the rest of Ukraine."""
    if held_by == "RU":
        return shapely.intersection(region, line.control.area)
    if held_by == "UA":
        return shapely.intersection(
            region, shapely.difference(borders.country("UKR"), line.control.area)
        )
    raise ValueError(f"held_by '{held_by}': a control map tells only what UA or RU holds")


def borders_for(agreement: Agreement) -> Borders:
    """2013 borders, unless a territory term recognises Crimea as Russian de jure."""
    crimea_russian = any(
        t.area is Area.territory
        and t.issue == "crimea"
        and t.parameters.recognition is Recognition.de_jure
        for t in agreement.terms
    )
    return load_borders(crimea_russian)


@dataclass(frozen=True)
class Undrawn:
    """A spatial term that could not be drawn, with the zone field to blame."""

    term: int
    field: tuple[str | int, ...]
    message: str
    status: str


def zones_from_agreement(
    agreement: Agreement, line: LineOfContact, borders: Borders | None = None
) -> tuple[list[Zone], list[str]]:
    """The agreement's spatial terms as zones, preceded by the two sides of the line.

    Returns the zones and notes on terms that could not be drawn (for example a
    band whose distance the plan leaves to negotiation). A zone that draws to
    0 km2 is one of those: only a ceasefire_line is a line by nature.
    """
    zones, undrawn = compile_zones(agreement, line, borders)
    terms = agreement.terms
    return zones, [f"{terms[u.term].id}: {u.message}; not drawn" for u in undrawn]


def compile_zones(
    agreement: Agreement, line: LineOfContact, borders: Borders | None = None
) -> tuple[list[Zone], list[Undrawn]]:
    """Zones, and every spatial term that could not be drawn with where and why."""
    borders = borders or borders_for(agreement)
    ua_side, ru_side = sides(line, borders)
    zones: list[Zone] = [ua_side, ru_side]
    undrawn: list[Undrawn] = []
    sheet = _Sheet(line, Gazetteer(borders), ru_side, {})
    for index, term in enumerate(agreement.terms):
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
        try:
            geom, more, off = _draw(spec, sheet)
        except _NotDrawn as exc:
            undrawn.extend(Undrawn(index, f, msg, term.status) for f, msg in exc.problems)
            continue
        zone = Zone(term.id, spec.type.value, tuple(term.binds), geom, props | more, off)
        if spec.type is not ZoneType.ceasefire_line and zone.area_km2 < MIN_AREA_KM2:
            why = (
                f"{spec.type.value} draws to 0 km2 on the map of {line.date}: it covers no "
                "ground there (check its regions, border, side or held_by)"
            )
            undrawn.append(Undrawn(index, (), why, term.status))
            continue
        zones.append(zone)
    return zones, undrawn


# A zone smaller than this is empty for every rule (a hectare).
MIN_AREA_KM2 = 0.01


Field = tuple[str | int, ...]


class _NotDrawn(ValueError):
    """Why a zone cannot be drawn: each problem with the zone field it lies in."""

    def __init__(self, message: str, field: Field = ()):
        super().__init__(message)
        self.problems: list[tuple[Field, str]] = [(field, message)]

    @classmethod
    def all(cls, problems: list[tuple[Field, str]]) -> _NotDrawn:
        """One error carrying every problem found, each with its field."""
        exc = cls(problems[0][1], problems[0][0])
        exc.problems = problems
        return exc


@dataclass(frozen=True)
class _Sheet:
    """What every zone is drawn against: the line, the borders, the Russian side, and the
    bands already drawn (plans repeat a band)."""

    line: LineOfContact
    gazetteer: Gazetteer
    ru_side: Zone
    bands: dict[tuple[str, float, str | None], BaseGeometry]


Drawn = tuple[BaseGeometry, dict[str, Any], float]  # geometry, how it was drawn, edge error m
Drawer = Callable[[ZoneSpec, _Sheet], Drawn]
# Each zone kind registers how it is drawn with `draws`: the kind decides the drawing,
# and a kind without the fields its drawing needs is reported, not drawn another way.
DRAWERS: dict[ZoneType, Drawer] = {}


def draws(*kinds: ZoneType) -> Callable[[Drawer], Drawer]:
    """Register the decorated function as the drawing of these zone kinds."""

    def register(drawer: Drawer) -> Drawer:
        for kind in kinds:
            if kind in DRAWERS:
                raise ValueError(f"zone kind {kind} already has a drawing")
            DRAWERS[kind] = drawer
        return drawer

    return register


def _draw(spec: ZoneSpec, sheet: _Sheet) -> Drawn:
    """One zone's geometry, the properties that say how it was drawn, and its edge's
    uncertainty: its sources' stated one (the control map's, the regions') plus the
    buffer's error where it is a buffer; Natural Earth's borders count as exact."""
    return DRAWERS[spec.type](spec, sheet)


def _undecided(spec: ZoneSpec, needs: str) -> _NotDrawn:
    return _NotDrawn(f"{spec.type.value} has no {needs} on the map yet (left to negotiation?)")


@draws(ZoneType.ceasefire_line)
def _ceasefire_line(spec: ZoneSpec, sheet: _Sheet) -> Drawn:
    line = sheet.line
    length = {"length_km": round(line.length_km, 1), "line_date": str(line.date)}
    return line.lines, length, line.edge_uncertainty_m


@draws(ZoneType.dmz)
def _strip(spec: ZoneSpec, sheet: _Sheet) -> Drawn:
    """A strip along the line of contact, split between the sides."""
    if spec.along != "line_of_contact" or spec.width is None:
        raise _undecided(spec, "width along the line of contact")
    width = spec.width.km
    if width <= 0:
        raise _NotDrawn(
            "a DMZ of zero width covers nothing: give a width above 0 km, or use "
            "type: ceasefire_line for the line alone",
            ("width",),
        )
    line = sheet.line
    split = spec.split or {"UA": 0.5, "RU": 0.5}
    geom = dmz_geometry(line, sheet.ru_side, width, split, spec.line_parts)
    drawn = {
        "width": str(spec.width),
        "width_km": width,
        "split": split,
        "line_parts": spec.line_parts,
        "line_date": str(line.date),
    }
    return geom, drawn, line.edge_uncertainty_m + BUFFER_ERROR_M


@draws(ZoneType.band)
def _band(spec: ZoneSpec, sheet: _Sheet) -> Drawn:
    """A depth from a named border, on one side or both."""
    if not spec.along or spec.along == "line_of_contact" or spec.distance is None:
        raise _undecided(spec, "distance from a border")
    distance = spec.distance.km
    key = (spec.along, distance, spec.side)
    if key not in sheet.bands:
        try:
            sheet.bands[key] = band_geometry(
                sheet.gazetteer.borders, spec.along, distance, spec.side
            )
        except (ValueError, KeyError) as exc:
            raise _NotDrawn(str(exc.args[0]), ("along",)) from None
    band = {
        "along": spec.along,
        "distance": str(spec.distance),
        "distance_km": distance,
        "side": spec.side,
    }
    return sheet.bands[key], band, BUFFER_ERROR_M


@draws(ZoneType.exclusion)
def _exclusion(spec: ZoneSpec, sheet: _Sheet) -> Drawn:
    """An area closed to listed weapons: a strip along the line, a band from a border or
    named regions, whichever the term gives (in that order)."""
    if spec.along == "line_of_contact" and spec.width is not None:
        return _strip(spec, sheet)
    if spec.along and spec.distance is not None:
        return _band(spec, sheet)
    if spec.regions:
        return _regions(spec, sheet)
    raise _undecided(spec, "width, distance or regions")


@draws(ZoneType.region, ZoneType.held_area)
def _regions(spec: ZoneSpec, sheet: _Sheet) -> Drawn:
    """Named regions or countries (or the rest of the map), and for a held area the part
    of them a party holds."""
    if not spec.regions:
        raise _undecided(spec, "regions")
    gazetteer, line = sheet.gazetteer, sheet.line
    parts: list[BaseGeometry] = []
    unknown: list[tuple[Field, str]] = []
    for i, name in enumerate(spec.regions):
        try:
            parts.append(gazetteer.geometry(name))
        except ValueError as exc:
            unknown.append((("regions", i), str(exc)))
    if unknown:
        raise _NotDrawn.all(unknown)
    geom = shapely.union_all(parts)
    off = max(gazetteer.edge_uncertainty_m(name) for name in spec.regions)
    props: dict[str, Any] = {"regions": list(spec.regions)}
    if spec.outside:  # everywhere else on the map's land
        countries = gazetteer.borders.countries.values()
        geom = shapely.difference(shapely.union_all([c.geometry for c in countries]), geom)
        props["outside"] = True
    if spec.type is ZoneType.held_area and spec.held_by:
        map_date = str(line.date)
        try:
            geom = held_geometry(line, gazetteer.borders, geom, spec.held_by)
        except ValueError as exc:
            raise _NotDrawn(str(exc), ("held_by",)) from None
        dated = spec.on.isoformat() if spec.on else str(spec.at)
        props |= {"held_by": spec.held_by, "on": dated, "line_date": map_date}
        if spec.on is None or spec.on != line.date:
            props["note"] = f"held on {dated}, drawn on the control map of {map_date}"
        off = max(off, line.edge_uncertainty_m)
    return geom, props, off


LINE_KIND = "line_of_contact"


def line_features(line: LineOfContact) -> list[dict[str, Any]]:
    """The line of contact as features of kind line_of_contact: the main line, and the
    pieces along coasts and borders (part: fragments) where the line has any."""
    common = {
        "term": None,  # drawn from the control map, not from a term
        "kind": LINE_KIND,
        "line_date": line.date.isoformat() if line.date else None,
        "tolerance_km": line.tolerance_km,
        "edge_uncertainty_m": line.edge_uncertainty_m,
        "borders": line.basis,
    }
    main = {
        "part": "main",
        "label": "Line of contact",
        "length_km": round(line.main_length_km, 1),
        **common,
    }
    features = [{"type": "Feature", "properties": main, "geometry": mapping(line.main)}]
    rest = [p for p in shapely.get_parts(line.lines) if not p.equals(line.main)]
    if rest:
        pieces = shapely.MultiLineString(rest)
        props = {
            "part": "fragments",
            "label": "Line of contact: short pieces along coasts and borders",
            "length_km": round(line.length_km - line.main_length_km, 1),
            "pieces": len(rest),
            **common,
        }
        features.append({"type": "Feature", "properties": props, "geometry": mapping(pieces)})
    return features


def zones_geojson(
    zones: Sequence[Zone], meta: dict[str, Any], line: LineOfContact | None = None
) -> dict[str, Any]:
    """The zones as a FeatureCollection, followed by the line of contact when given."""
    features = [z.feature() for z in zones]
    if line is not None:
        features += line_features(line)
    return {"type": "FeatureCollection", "accord": meta, "features": features}
