"""How the shipped data is made from public sources, so anyone can redo it.

The countries are a trimmed copy of Natural Earth 1:50m (public domain). The
control map is accord's own simplified derivative of a DeepStateMap snapshot
(GPL-3.0), never the raw file. See geo/data/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

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
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": properties, "geometry": mapping(geom)}],
    }


# Kursk oblast, approximately: NE admin-0 has no oblasts, so accord draws its
# own outline from the positions of towns just inside and outside the oblast
# (lon, lat). The south-west side runs into Ukraine on purpose and is cut off by
# Natural Earth's Russia-Ukraine border, so that edge is the border itself.
KURSK_APPROX: list[tuple[float, float]] = [
    (33.90, 51.95), (34.25, 51.98), (34.75, 52.12), (35.10, 52.30), (35.35, 52.43),
    (35.75, 52.43), (36.20, 52.40), (36.60, 52.28), (37.10, 52.10), (37.50, 52.03),
    (38.00, 51.93), (38.35, 51.78), (38.20, 51.50), (37.95, 51.42), (37.55, 51.36),
    (37.00, 51.25), (36.60, 51.12), (36.20, 51.02), (35.80, 50.97), (35.45, 50.98),
    (35.20, 50.85), (34.00, 51.20),
]  # fmt: skip


def regions_collection(russia: BaseGeometry) -> dict[str, Any]:
    """The named sub-national regions accord ships (Kursk oblast), clipped to Russia."""
    kursk = _rounded(shapely.intersection(shapely.Polygon(KURSK_APPROX), russia), 5)
    note = "approximate outline drawn for accord; south-west edge is the NE 1:50m border"
    return feature_collection(kursk, {"name": "Kursk", "country": "RUS", "note": note})


# Simplification of the shipped control map: 500 m in the theatre's conic,
# dropping pockets under 2 km2. It keeps about 1,200 vertices on the polygon
# and about 360 on the main line of contact, which comes out 3-4% shorter
# than on the raw map because simplification cuts the line's small bends.
SHIPPED_SIMPLIFY_M = 500.0
SHIPPED_MIN_AREA_KM2 = 2.0
