"""How the shipped data is made from public sources, so anyone can redo it.

The countries are a trimmed copy of Natural Earth 1:50m (public domain), the
regions Natural Earth 1:10m admin-1 (public domain) cut to those countries, the
seas Natural Earth 1:50m marine areas (public domain). The
control map is accord's own simplified derivative of a DeepStateMap snapshot
(GPL-3.0), never the raw file. See geo/data/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from accord.geo.control import EDGE_UNCERTAINTY_PROPERTY
from accord.geo.projection import from_theatre, to_theatre

# The trimmed copy keeps Europe and its neighbours out to 60 E (about the
# Urals), clipping Russia and Kazakhstan there.
EUROPE_BOX = (-25.0, 34.0, 60.0, 72.0)

# Natural Earth 1:50m names (as spelt in the source, spaces removed) to ISO
# 3166 alpha-3: the copy used here carries names only.
NE_NAME_TO_ISO: dict[str, str] = {
    "Albania": "ALB", "Andorra": "AND", "Armenia": "ARM", "Austria": "AUT",
    "Azerbaijan": "AZE", "Belarus": "BLR", "Belgium": "BEL", "BosniaandHerz.": "BIH",
    "Bulgaria": "BGR", "Croatia": "HRV", "Cyprus": "CYP", "Czechia": "CZE",
    "Denmark": "DNK", "Estonia": "EST", "Finland": "FIN", "France": "FRA",
    "Georgia": "GEO", "Germany": "DEU", "Greece": "GRC", "Hungary": "HUN",
    "Iceland": "ISL", "Ireland": "IRL", "Italy": "ITA", "Kazakhstan": "KAZ",
    "Kosovo": "XKX", "Latvia": "LVA", "Liechtenstein": "LIE", "Lithuania": "LTU",
    "Luxembourg": "LUX", "Malta": "MLT", "Moldova": "MDA", "Monaco": "MCO",
    "Montenegro": "MNE", "Netherlands": "NLD", "NorthMacedonia": "MKD", "Norway": "NOR",
    "Poland": "POL", "Portugal": "PRT", "Romania": "ROU", "Russia": "RUS",
    "SanMarino": "SMR", "Serbia": "SRB", "Slovakia": "SVK", "Slovenia": "SVN",
    "Spain": "ESP", "Sweden": "SWE", "Switzerland": "CHE", "Turkey": "TUR",
    "Ukraine": "UKR", "UnitedKingdom": "GBR", "Vatican": "VAT", "Åland": "ALA",
}  # fmt: skip


# Coordinates are rounded to 1e-5 degree, which moves a vertex by under a metre;
# a derived file's stated edge uncertainty is its simplification plus this.
ROUNDING_M = 1.0


def _rounded(geom: BaseGeometry, digits: int) -> BaseGeometry:
    fixed = shapely.set_precision(geom, 10.0**-digits)
    return fixed if fixed.is_valid else shapely.make_valid(fixed)


def trim_countries(natural_earth: Path) -> dict[str, Any]:
    """Europe's countries from Natural Earth admin-0, clipped to EUROPE_BOX, name and ISO only."""
    source = json.loads(natural_earth.read_text(encoding="utf-8"))
    clip = shapely.box(*EUROPE_BOX)
    features = []
    for feature in source["features"]:
        name = feature["properties"]["NAME"]
        iso = NE_NAME_TO_ISO.get(name.replace(" ", ""))
        if iso is None:
            continue
        geom = _rounded(shapely.intersection(shape(feature["geometry"]), clip), 5)
        if geom.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"iso_a3": iso, "name": name},
                "geometry": mapping(geom),
            }
        )
    features.sort(key=lambda f: f["properties"]["iso_a3"])
    return {"type": "FeatureCollection", "features": features}


def simplify_control(area: BaseGeometry, tolerance_m: float, min_area_km2: float) -> BaseGeometry:
    """A control polygon simplified in metres, dropping specks smaller than min_area_km2."""
    metric = to_theatre(area)
    kept = [p for p in shapely.get_parts(metric) if p.area >= min_area_km2 * 1e6]
    simple = shapely.simplify(shapely.union_all(kept), tolerance_m, preserve_topology=True)
    return _rounded(from_theatre(simple), 5)


def feature_collection(geom: BaseGeometry, properties: dict[str, Any]) -> dict[str, Any]:
    """One geometry with its properties as a GeoJSON feature collection."""
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": properties, "geometry": mapping(geom)}],
    }


# Admin-1 regions accord ships: all of Ukraine's (Crimea, Sevastopol and Kyiv
# city included) and Russia's regions on Ukraine's and Belarus's borders, with
# Kaliningrad. Natural Earth names, as spelt in its admin-1 file.
SHIPPED_REGIONS: dict[str, frozenset[str] | None] = {
    "UKR": None,  # every region
    "RUS": frozenset({
        "Bryansk", "Kursk", "Belgorod", "Voronezh", "Rostov", "Krasnodar", "Smolensk", "Pskov",
        "Kaliningrad",
    }),
}  # fmt: skip
# Shared edges are simplified together (Visvalingam-Whyatt on the coverage) in
# the theatre's conic; then regions are cut to the countries in lon/lat, so outer
# edges are Natural Earth 1:50m's borders exactly.
REGIONS_SIMPLIFY_M = 1000.0
_GAP_REACH_DEG = 0.5


def _allocate_gaps(regions: list[BaseGeometry], country: BaseGeometry) -> list[BaseGeometry]:
    """Regions grown to fill their country: every bit of the country that no region
    covers (lakes, and slivers where 1:10m and 1:50m coasts and borders differ)
    goes to the nearest region, by a Voronoi diagram of the regions' vertices."""
    gaps = shapely.difference(country, shapely.union_all(regions))
    if gaps.is_empty:
        return regions
    labels, points = [], []
    for i, region in enumerate(regions):
        coords = shapely.get_coordinates(region.boundary)
        points.append(coords)
        labels.append(np.full(len(coords), i))
    # Only vertices near a gap matter; rounding keeps near-duplicates apart.
    xy, first = np.unique(np.round(np.concatenate(points), 5), axis=0, return_index=True)
    owner = np.concatenate(labels)[first]
    near = shapely.dwithin(shapely.points(xy), gaps, _GAP_REACH_DEG)
    xy, owner = xy[near], owner[near]
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=country, ordered=True)
    )
    grown = []
    for i, region in enumerate(regions):
        mine = shapely.intersection(shapely.union_all(cells[owner == i]), gaps)
        grown.append(_polygonal(shapely.union_all([region, mine])))
    return grown


def _resolve_overlaps(simple: list[BaseGeometry], source: list[BaseGeometry]) -> list[BaseGeometry]:
    """Simplified regions without overlaps: Natural Earth's edges meet only to about a
    metre, so simplifying can push one region over its neighbour; each overlap goes
    back to the region whose source outline covers more of it."""
    out = list(simple)
    tree = shapely.STRtree(out)
    for i, j in zip(*tree.query(out, predicate="overlaps"), strict=True):
        if i >= j:
            continue
        both = shapely.intersection(out[i], out[j])
        keep_i = shapely.intersection(source[i], both).area >= source[j].intersection(both).area
        loser = j if keep_i else i
        out[loser] = _polygonal(shapely.difference(out[loser], both))
    return out


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygons of a geometry made valid (overlay can leave slivers of lines)."""
    parts = shapely.get_parts(shapely.make_valid(geom))
    return shapely.union_all([p for p in parts if p.geom_type in ("Polygon", "MultiPolygon")])


def regions_collection(
    admin1: list[Path], countries: dict[str, BaseGeometry], tolerance_m: float
) -> dict[str, Any]:
    """accord's regions from Natural Earth admin-1 GeoJSON (the world file or
    per-country extracts): SHIPPED_REGIONS, simplified and cut to `countries`
    (ISO code to outline, on the 2013 basis) so they tile them exactly."""
    found: dict[str, list[tuple[dict[str, Any], BaseGeometry]]] = {iso: [] for iso in countries}
    for path in admin1:
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            props = feature["properties"]
            iso = props.get("adm0_a3")
            if iso in found:
                found[iso].append((props, shape(feature["geometry"])))
    features = []
    for iso, regions in found.items():
        if not regions:
            raise ValueError(f"no admin-1 regions of {iso} in {', '.join(map(str, admin1))}")
        country = countries[iso]
        metric = shapely.coverage_simplify([to_theatre(g) for _, g in regions], tolerance_m)
        simple = [_polygonal(from_theatre(g)) for g in metric]
        cut = [_polygonal(shapely.intersection(g, country)) for g in simple]
        cut = _resolve_overlaps(cut, [g for _, g in regions])
        wanted = SHIPPED_REGIONS.get(iso)
        for (props, _), geom in zip(regions, _allocate_gaps(cut, country), strict=True):
            if wanted is not None and props["name"] not in wanted:
                continue
            alt = [a for a in (props.get("name_alt") or "").split("|") if a]
            features.append({
                "type": "Feature",
                "properties": {"name": props["name"], "country": iso, "name_alt": alt},
                "geometry": mapping(_rounded(geom, 5)),
            })  # fmt: skip
    features.sort(key=lambda f: (f["properties"]["country"], f["properties"]["name"]))
    return {"type": "FeatureCollection", "features": features}


# Seas plans name, as unions of Natural Earth marine areas: the Baltic with the
# gulfs IHO S-23 counts as its parts (those Natural Earth 1:50m draws).
SHIPPED_SEAS: dict[str, tuple[str, ...]] = {
    "Baltic Sea": ("Baltic Sea", "Gulf of Finland", "Gulf of Bothnia"),
    "Black Sea": ("Black Sea",),
}
SEAS_SIMPLIFY_M = 1000.0


def seas_collection(marine: Path, land: BaseGeometry, tolerance_m: float) -> dict[str, Any]:
    """SHIPPED_SEAS from Natural Earth's marine areas (geography_marine_polys),
    simplified and with the shipped land taken out, so a sea zone holds no land."""
    source = json.loads(marine.read_text(encoding="utf-8"))
    areas = {f["properties"]["name"]: shape(f["geometry"]) for f in source["features"]}
    features = []
    for sea, parts in SHIPPED_SEAS.items():
        missing = [p for p in parts if p not in areas]
        if missing:
            raise ValueError(f"{marine}: no marine area named {', '.join(missing)}")
        metric = to_theatre(shapely.union_all([areas[p] for p in parts]))
        simple = from_theatre(shapely.simplify(metric, tolerance_m, preserve_topology=True))
        water = _polygonal(shapely.difference(_polygonal(simple), land))
        features.append({
            "type": "Feature",
            "properties": {"name": sea, "parts": list(parts)},
            "geometry": mapping(_rounded(water, 5)),
        })  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


# Simplification of the shipped control map: 20 m in the theatre's conic,
# dropping pockets under 2 km2. 500 m (the first shipped map) put the DMZ's
# edge up to 1.2 km, at the 95th percentile 300 m, from the edge drawn on the
# raw map; at 20 m it lies within 19 m everywhere (geo/data/README.md), for
# 2,800 of the raw map's 2,950 vertices.
SHIPPED_SIMPLIFY_M = 20.0
SHIPPED_MIN_AREA_KM2 = 2.0


def control_collection(area: BaseGeometry, day: str) -> dict[str, Any]:
    """The shipped control map from a DeepStateMap snapshot of `day`: simplified, with
    attribution and the edge uncertainty it states (`edge_uncertainty_m`)."""
    simple = simplify_control(area, SHIPPED_SIMPLIFY_M, SHIPPED_MIN_AREA_KM2)
    return feature_collection(
        simple,
        {
            "date": day,
            "derived_from": f"DeepStateMap (deepstatemap.live), GPL-3.0, snapshot of {day}",
            "by": f"accord: simplified {SHIPPED_SIMPLIFY_M:.0f} m, pockets under "
            f"{SHIPPED_MIN_AREA_KM2:.0f} km2 dropped, coordinates rounded to 1e-5 degree",
            EDGE_UNCERTAINTY_PROPERTY: SHIPPED_SIMPLIFY_M + ROUNDING_M,
        },
    )


def edge_offsets(
    drawn: BaseGeometry, reference: BaseGeometry, step_m: float = 100.0
) -> NDArray[np.float64]:
    """How far the edge of `drawn` lies from the edge of `reference` (both lon/lat
    areas), in metres, at points every `step_m` along the drawn edge: how good a
    zone drawn on a derived map is against the same zone on the map it came from."""
    ours, theirs = to_theatre(drawn.boundary), to_theatre(reference.boundary)
    points = []
    for part in shapely.get_parts(shapely.line_merge(ours)):
        steps = max(int(part.length // step_m), 1)
        points.append(shapely.line_interpolate_point(part, np.arange(steps) * step_m))
    if not points:
        return np.zeros(0)
    shapely.prepare(theirs)
    return np.asarray(shapely.distance(np.concatenate(points), theirs), dtype=np.float64)
