"""Deriving the shipped regions: cut to the country, no overlaps, no gaps."""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

from accord.geo.derive import regions_collection


def _admin1(path: Path, regions: dict[str, shapely.Geometry]) -> Path:
    features = [
        {
            "type": "Feature",
            "properties": {"name": name, "adm0_a3": "UKR", "name_alt": f"{name} Oblast|Alt"},
            "geometry": mapping(geom),
        }
        for name, geom in regions.items()
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_regions_fill_their_country_exactly(tmp_path: Path) -> None:
    country = shapely.box(30.0, 48.0, 32.0, 49.0)
    # West overlaps East by 0.02 degree and sticks out north; East stops short of
    # the country's east edge, as 1:10m edges do against 1:50m borders.
    source = {
        "West": shapely.box(30.0, 48.0, 31.02, 49.1),
        "East": shapely.box(31.0, 48.0, 31.9, 49.0),
    }
    doc = regions_collection([_admin1(tmp_path / "a1.geojson", source)], {"UKR": country}, 1000.0)
    got = {f["properties"]["name"]: shape(f["geometry"]) for f in doc["features"]}
    assert set(got) == {"West", "East"}
    assert doc["features"][0]["properties"]["name_alt"] == ["East Oblast", "Alt"]
    union = shapely.union_all(list(got.values()))
    assert shapely.symmetric_difference(union, country).area < 1e-6
    assert shapely.intersection(got["West"], got["East"]).area < 1e-6
    assert got["East"].contains(shapely.Point(31.95, 48.5))  # the gap went to its neighbour
    assert got["West"].contains(shapely.Point(31.01, 48.5))  # both cover the overlap: first
