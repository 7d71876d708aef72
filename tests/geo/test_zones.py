"""Zones from an agreement: DMZ, bands, regions, sides; areas and true distances."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

from accord.agreement import parse_agreement
from accord.agreement.vocabulary import ZoneType
from accord.geo import LineOfContact, Zone, load_borders, zones_from_agreement, zones_geojson
from accord.geo.checks import zone_problems
from accord.geo.projection import area_km2
from accord.geo.regions import Gazetteer, load_regions
from accord.geo.zones import DRAWERS, draws

from .conftest import FIVE_MILES_KM

GEOD = Geod(ellps="WGS84")
LAEA = "+proj=laea +lat_0=48.5 +lon_0=34 +ellps=WGS84"

AGREEMENT = """
id: test-plan
title: A test plan
proposer: Tests
date: "2025"
summary: A plan with one term of each spatial kind, for the geography compiler.
documents:
  - {id: doc, title: The test document, organisation: Tests, date: "2025"}
parties:
  - {id: UA, name: Ukraine}
  - {id: RU, name: Russia}
  - {id: BY, name: Belarus}
  - {id: NATO, name: NATO, kind: alliance}
terms:
  - id: ceasefire.dmz
    area: ceasefire
    issue: dmz
    kind: rule
    label: Uneven DMZ
    summary: A 10 km DMZ, 6 km of it on Russia's side.
    binds: [UA, RU]
    consent: [UA, RU]
    zone:
      type: dmz
      along: line_of_contact
      width: 10 km
      split: {UA: 0.4, RU: 0.6}
      regime: partial
    prohibits: [artillery]
    sources: [{doc: doc}]
  - id: relations.band
    area: relations
    issue: russian_posture
    kind: rule
    label: Belarus band
    summary: No forces within 50 km of NATO's border with Belarus, on Belarus's side.
    binds: [RU, BY]
    consent: [NATO, RU]
    zone: {type: band, along: NATO-BY, distance: 50 km, side: BY}
    prohibits: [military_forces]
    sources: [{doc: doc}]
  - id: territory.withdrawal
    area: territory
    issue: withdrawal
    kind: rule
    label: Leave Kursk
    summary: Ukraine withdraws from Kursk oblast.
    binds: [UA]
    consent: [UA, RU]
    zone: {type: region, regions: [Kursk]}
    prohibits: [military_forces]
    sources: [{doc: doc}]
open:
  - {area: security, note: The test plan is silent on security.}
  - {area: assurances, note: The test plan is silent on assurances.}
  - {area: economic, note: The test plan is silent on the economy.}
  - {area: humanitarian, note: The test plan is silent on humanitarian issues.}
  - {area: sequencing, note: The test plan is silent on sequencing.}
"""


@pytest.fixture(scope="module")
def compiled(shipped_line: LineOfContact) -> dict[str, Zone]:
    zones, notes = zones_from_agreement(parse_agreement(AGREEMENT, "test.yaml"), shipped_line)
    assert notes == []
    return {z.id: z for z in zones}


def _to_laea(geom: shapely.Geometry) -> shapely.Geometry:
    t = Transformer.from_crs("EPSG:4326", LAEA, always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def test_five_mile_dmz_area_matches_a_single_projection_buffer(
    shipped_line: LineOfContact, shipped_zones: list[Zone]
) -> None:
    dmz = next(z for z in shipped_zones if z.kind == "dmz")
    # Independent: one equal-area projection for the whole line, planar buffer, planar area.
    planar = _to_laea(shipped_line.main).buffer(FIVE_MILES_KM * 500, quad_segs=32)
    assert dmz.area_km2 == pytest.approx(planar.area / 1e6, rel=0.01)
    # The main line only (about 1,045 km); its pieces along coasts and borders add ~3,400 km2.
    assert dmz.area_km2 == pytest.approx(7_200, rel=0.03)


def test_buffer_edge_lies_at_the_true_distance_within_5_m(
    shipped_line: LineOfContact, shipped_zones: list[Zone]
) -> None:
    dmz = next(z for z in shipped_zones if z.kind == "dmz")
    half_m = FIVE_MILES_KM * 500
    line_m = _to_laea(shipped_line.main)
    rng = np.random.default_rng(7)
    edge = shapely.get_coordinates(dmz.geometry.boundary)
    # Points on the DMZ's edge, including the middles of its edges (chords of its arcs).
    picks = edge[rng.choice(len(edge) - 1, 150, replace=False)]
    t = Transformer.from_crs("EPSG:4326", LAEA, always_xy=True)
    inv = Transformer.from_crs(LAEA, "EPSG:4326", always_xy=True)
    for lon, lat in picks:
        near = shapely.shortest_line(shapely.Point(t.transform(lon, lat)), line_m)
        foot = shapely.get_coordinates(near)[1]
        # Search along the line around the nearest point, densified to 1 m on the ellipsoid.
        window = shapely.intersection(line_m, shapely.Point(foot).buffer(3000))
        lon_lat = shapely.transform(
            shapely.segmentize(window, 1.0),
            lambda xy: np.column_stack(inv.transform(xy[:, 0], xy[:, 1])),
        )
        cand = shapely.get_coordinates(lon_lat)
        _, _, dist = GEOD.inv(
            np.full(len(cand), lon), np.full(len(cand), lat), cand[:, 0], cand[:, 1]
        )
        assert abs(dist.min() - half_m) < 5.0


def test_uneven_dmz_split_follows_the_terms(
    compiled: dict[str, Zone], shipped_line: LineOfContact
) -> None:
    dmz = compiled["ceasefire.dmz"]
    ru_side = compiled["side.RU"].geometry
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(33, 39, 20_000), rng.uniform(46, 50.5, 20_000)
    t = Transformer.from_crs("EPSG:4326", LAEA, always_xy=True)
    dist_km = (
        shapely.distance(shapely.points(*t.transform(lon, lat)), _to_laea(shipped_line.main)) / 1000
    )
    on_ru = shapely.contains_xy(ru_side, lon, lat)
    reach_km = np.where(on_ru, 6.0, 4.0)
    clear = np.abs(dist_km - reach_km) > 0.1  # the projection's scale error is under 0.3%
    assert clear.sum() > 19_000 and (dist_km < 8).sum() > 500
    inside = shapely.contains_xy(dmz.geometry, lon, lat)
    assert np.array_equal(inside[clear], (dist_km < reach_km)[clear])
    assert dmz.properties["split"] == {"UA": 0.4, "RU": 0.6}
    assert dmz.properties["regime"] == "partial"


def test_band_lies_on_its_side_within_its_distance(compiled: dict[str, Zone]) -> None:
    band = compiled["relations.band"]
    belarus = load_borders().country("BLR")
    assert shapely.difference(band.geometry, belarus.buffer(1e-6)).area < 1e-9
    # NATO's border with Belarus is about 1,250 km (870 km at 1:50m): at 50 km deep,
    # the band is about 40,000 km2.
    assert 30_000 < band.area_km2 < 50_000


def test_kursk_region_is_in_russia_and_the_right_size(compiled: dict[str, Zone]) -> None:
    kursk = compiled["territory.withdrawal"]
    assert kursk.area_km2 == pytest.approx(30_000, rel=0.06)  # official figure 29,997 km2
    assert shapely.within(kursk.geometry.buffer(-0.01), load_borders().country("RUS"))


def test_unknown_region_with_no_near_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown region 'Qwzpt': use an admin-1 region .*Kursk"):
        Gazetteer(load_borders()).geometry("Qwzpt")


def test_geojson_features_carry_term_kind_parties_and_area(compiled: dict[str, Zone]) -> None:
    doc = json.loads(json.dumps(zones_geojson(list(compiled.values()), {"agreement": "test"})))
    props = {f["properties"]["term"]: f["properties"] for f in doc["features"]}
    assert props["relations.band"]["kind"] == "band"
    assert props["relations.band"]["binds"] == ["RU", "BY"]
    assert props["relations.band"]["area_km2"] > 0
    assert "2013" in props["side.UA"]["borders"]
    # Each feature says in words what it is, for GIS users and the dashboard's legend.
    assert props["relations.band"]["label"].startswith("Restricted band")
    assert props["side.UA"]["label"] == "Ukrainian-held side"


def test_crimea_recognised_de_jure_moves_it_to_russia() -> None:
    assert (
        load_borders(crimea_russian=True).country("UKR").area < load_borders().country("UKR").area
    )


def _plan_with(zones: str) -> str:
    """The test plan with its terms replaced by rules over the given zones (YAML
    flow mappings, one per line)."""
    head = AGREEMENT[: AGREEMENT.index("terms:")].replace(
        "  - {id: NATO", "  - {id: US, name: United States}\n  - {id: NATO"
    )
    tail = AGREEMENT[AGREEMENT.index("open:") :].replace(
        "open:\n",
        "open:\n  - {area: ceasefire, note: Not here.}\n  - {area: relations, note: Not here.}\n",
    )
    terms = "".join(
        f"""  - id: territory.t{i}
    area: territory
    issue: withdrawal
    kind: rule
    label: Term {i}
    summary: A rule over zone {i}.
    binds: [UA, RU]
    consent: [UA, RU]
    zone: {zone}
    prohibits: [military_forces]
    sources: [{{doc: doc}}]
"""
        for i, zone in enumerate(zones.strip().splitlines())
    )
    return head + "terms:\n" + terms + tail


HELD = """
{type: held_area, regions: [Donetsk], held_by: UA, on: 2026-08-22}
{type: held_area, regions: [Donetsk oblast], held_by: RU, at: signature}
{type: ceasefire_line, along: line_of_contact}
{type: held_area, regions: [Kursk], held_by: UA, on: 2026-08-22}
"""


@pytest.fixture(scope="module")
def held(shipped_line: LineOfContact) -> tuple[dict[str, Zone], list[str]]:
    zones, notes = zones_from_agreement(parse_agreement(_plan_with(HELD), "t.yaml"), shipped_line)
    return {z.id: z for z in zones}, notes


def test_held_parts_of_donetsk_add_up_to_the_oblast(
    held: tuple[dict[str, Zone], list[str]],
) -> None:
    zones, _ = held
    donetsk = area_km2(load_regions()["Donets'k"].geometry)
    ua, ru = zones["territory.t0"], zones["territory.t1"]
    assert 0 < ua.area_km2 < donetsk and 0 < ru.area_km2 < donetsk
    assert ua.area_km2 + ru.area_km2 == pytest.approx(donetsk, rel=0.01)
    assert shapely.intersection(ua.geometry, ru.geometry).area < 1e-9


def test_held_area_says_which_map_it_was_drawn_on(
    held: tuple[dict[str, Zone], list[str]],
) -> None:
    zones, _ = held
    assert "note" not in zones["territory.t0"].properties  # its date is the map's
    at_signature = zones["territory.t1"].properties
    assert at_signature["held_by"] == "RU" and at_signature["line_date"] == "2026-08-22"
    assert at_signature["note"] == "held on signature, drawn on the control map of 2026-08-22"


def test_ceasefire_line_is_the_line_with_its_length(
    held: tuple[dict[str, Zone], list[str]], shipped_line: LineOfContact
) -> None:
    zones, notes = held
    line = zones["territory.t2"]
    assert line.kind == "ceasefire_line" and line.area_km2 == 0
    assert line.geometry.equals(shipped_line.lines)
    assert line.properties["length_km"] == pytest.approx(shipped_line.length_km, abs=0.1)
    assert line.properties["line_date"] == "2026-08-22"
    assert not any(n.startswith("territory.t2") for n in notes)


def test_zone_of_no_area_is_not_drawn(held: tuple[dict[str, Zone], list[str]]) -> None:
    zones, notes = held
    # Ukraine holds none of Kursk oblast on the map of 2026-08-22.
    assert "territory.t3" not in zones
    assert notes == [
        "territory.t3: held_area draws to 0 km2 on the map of 2026-08-22: it covers no ground "
        "there (check its regions, border, side or held_by); not drawn"
    ]


def test_band_along_a_border_the_parties_do_not_share_is_a_problem(
    shipped_line: LineOfContact,
) -> None:
    plan = parse_agreement(
        _plan_with("{type: band, along: US-RU, distance: 50 km}\n{type: region, regions: [UA]}"),
        "t.yaml",
    )
    assert zone_problems(plan, shipped_line) == [
        (("terms", 0, "zone", "along"), "'US-RU': the two parties share no land border on the map")
    ]


def test_outside_zone_is_everywhere_but_its_regions(shipped_line: LineOfContact) -> None:
    plan = parse_agreement(_plan_with("{type: region, regions: [Russia], outside: true}"), "t.yaml")
    zones, notes = zones_from_agreement(plan, shipped_line)
    outside = next(z for z in zones if z.id == "territory.t0")
    assert notes == [] and outside.properties["outside"] is True
    assert not outside.geometry.contains(shapely.Point(37.62, 55.75))  # Moscow
    assert outside.geometry.contains(shapely.Point(27.56, 53.90))  # Minsk


def test_each_zone_carries_its_edge_uncertainty(
    compiled: dict[str, Zone], held: tuple[dict[str, Zone], list[str]]
) -> None:
    # The shipped map states 21 m; a buffer adds its own metre; regions are simplified
    # at 1 km; Natural Earth's borders are taken as exact.
    assert compiled["side.UA"].edge_uncertainty_m == compiled["side.RU"].edge_uncertainty_m == 21
    assert compiled["ceasefire.dmz"].edge_uncertainty_m == 22
    assert compiled["relations.band"].edge_uncertainty_m == 1
    assert compiled["territory.withdrawal"].edge_uncertainty_m == 1_001  # Kursk oblast
    zones, _ = held
    assert zones["territory.t0"].edge_uncertainty_m == 1_001  # Donetsk, held by UA
    assert zones["territory.t2"].edge_uncertainty_m == 21  # the ceasefire line
    assert compiled["ceasefire.dmz"].feature()["properties"]["edge_uncertainty_m"] == 22


def test_a_raw_map_gives_zones_only_their_drawing_error(shipped_line: LineOfContact) -> None:
    raw = replace(shipped_line, control=replace(shipped_line.control, edge_uncertainty_m=0.0))
    plan = parse_agreement(
        _plan_with(
            "{type: dmz, along: line_of_contact, width: 2 km, regime: full}\n"
            "{type: region, regions: [Ukraine]}"
        ),
        "t.yaml",
    )
    zones = {z.id: z for z in zones_from_agreement(plan, raw)[0]}
    assert zones["side.UA"].edge_uncertainty_m == 0
    assert zones["territory.t0"].edge_uncertainty_m == 1  # the buffer's error only
    assert zones["territory.t1"].edge_uncertainty_m == 0  # a country: Natural Earth's own


def test_every_zone_kind_has_one_drawing() -> None:
    assert set(DRAWERS) == set(ZoneType)
    with pytest.raises(ValueError, match="already has a drawing"):
        draws(ZoneType.band)(lambda spec, sheet: (shapely.Point(0, 0), {}, 0.0))


def test_the_kind_decides_the_drawing_and_says_what_it_lacks(shipped_line: LineOfContact) -> None:
    """An exclusion may be a strip along the line, a band from a border or regions; one
    with none of them is named as undecided, not drawn as something else."""
    zones = """
{type: exclusion, along: line_of_contact, width: 4 km}
{type: exclusion, along: NATO-RU, distance: 30 km}
{type: exclusion, regions: [Kursk]}
{type: exclusion, along: NATO-RU}
"""
    drawn, notes = zones_from_agreement(parse_agreement(_plan_with(zones), "t.yaml"), shipped_line)
    by_id = {z.id: z for z in drawn}
    assert by_id["territory.t0"].properties["width_km"] == 4.0
    assert by_id["territory.t1"].properties["distance_km"] == 30.0
    assert by_id["territory.t2"].properties["regions"] == ["Kursk"]
    assert notes == [
        "territory.t3: exclusion has no width, distance or regions on the map yet "
        "(left to negotiation?); not drawn"
    ]
