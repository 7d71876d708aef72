"""Loading control maps: the formats, dates, repairs and clear errors."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import struct
from pathlib import Path

import pytest
import shapely

from accord.geo import GeoInputError, control_for, load_control, shipped_control

SQUARE = [[36.0, 48.0], [36.5, 48.0], [36.5, 48.5], [36.0, 48.5], [36.0, 48.0]]


def _write_geojson(path: Path, geometry: dict, crs: str | None = None) -> Path:
    doc: dict = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": geometry}],
    }
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc))
    return path


def _write_gpkg(path: Path, wkb: bytes, srs_id: int) -> Path:
    """A minimal GeoPackage (the tables and header the specification requires)."""
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, "
        "organization TEXT, organization_coordsys_id INTEGER, definition TEXT);"
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, "
        "geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER);"
        "CREATE TABLE control (fid INTEGER PRIMARY KEY, geom BLOB);"
    )
    con.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'GEOGCS[...]')"
    )
    con.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('none', 0, 'NONE', 0, 'undefined')")
    con.execute("INSERT INTO gpkg_geometry_columns VALUES ('control', 'geom', 'POLYGON', ?, 0, 0)",
                (srs_id,))  # fmt: skip
    header = b"GP" + bytes([0, 0b0000_0011]) + struct.pack("<i", srs_id)
    envelope = struct.pack("<4d", 36.0, 36.5, 48.0, 48.5)
    con.execute("INSERT INTO control (geom) VALUES (?)", (header + envelope + wkb,))
    con.commit()
    con.close()
    return path


def test_shipped_map_loads_with_its_date() -> None:
    cmap = shipped_control()
    assert cmap.date == dt.date(2026, 8, 22)
    assert cmap.area.geom_type in ("Polygon", "MultiPolygon") and cmap.area.is_valid


def test_geojson_date_comes_from_the_file_name(tmp_path: Path) -> None:
    path = _write_geojson(
        tmp_path / "map_20250301.geojson", {"type": "Polygon", "coordinates": [SQUARE]}
    )
    assert load_control(path).date == dt.date(2025, 3, 1)


def test_geopackage_reads_like_geojson(tmp_path: Path) -> None:
    square = shapely.Polygon(SQUARE)
    path = _write_gpkg(tmp_path / "control_2025-03-01.gpkg", shapely.to_wkb(square), 4326)
    cmap = load_control(path)
    assert cmap.date == dt.date(2025, 3, 1)
    assert cmap.area.equals(square)


def test_geopackage_without_crs_is_refused(tmp_path: Path) -> None:
    path = _write_gpkg(tmp_path / "nocrs.gpkg", shapely.to_wkb(shapely.Polygon(SQUARE)), 0)
    with pytest.raises(GeoInputError, match=r"nocrs\.gpkg.*no CRS"):
        load_control(path)


def test_projected_geojson_is_reprojected(tmp_path: Path) -> None:
    # The same square in Web Mercator, declared by a crs member.
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    ring = [list(t.transform(x, y)) for x, y in SQUARE]
    path = _write_geojson(tmp_path / "m.geojson", {"type": "Polygon", "coordinates": [ring]},
                          "urn:ogc:def:crs:EPSG::3857")  # fmt: skip
    bounds = load_control(path).area.bounds
    assert bounds == pytest.approx((36.0, 48.0, 36.5, 48.5), abs=1e-6)


@pytest.mark.parametrize(
    ("geometry", "crs", "message"),
    [
        ({"type": "LineString", "coordinates": SQUARE}, None, "not a polygon layer"),
        ({"type": "Polygon", "coordinates": [[[4e6, 6e6], [4.1e6, 6e6], [4e6, 6.1e6], [4e6, 6e6]]]},
         None, "not lon/lat and no CRS"),
        ({"type": "Polygon", "coordinates": [[[2, 48], [3, 48], [3, 49], [2, 48]]]}, None,
         "outside the region"),
        ({"type": "Polygon", "coordinates": [[[2, 48], [3, 48], [3, 49], [2, 48]]]},
         "EPSG:99999", "unknown CRS"),
    ],
)  # fmt: skip
def test_bad_files_name_the_file_and_the_problem(
    tmp_path: Path, geometry: dict, crs: str | None, message: str
) -> None:
    path = _write_geojson(tmp_path / "bad.geojson", geometry, crs)
    with pytest.raises(GeoInputError, match=message) as caught:
        load_control(path)
    assert caught.value.path == str(path)


def test_empty_and_broken_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(GeoInputError, match=r"empty\.geojson: is empty"):
        load_control(empty)
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json")
    with pytest.raises(GeoInputError, match="not valid JSON"):
        load_control(broken)
    with pytest.raises(GeoInputError, match="unknown format"):
        load_control(Path(__file__))


def test_self_intersecting_polygon_is_repaired_and_reported(tmp_path: Path) -> None:
    bowtie = [[36.0, 48.0], [36.5, 48.5], [36.5, 48.0], [36.0, 48.5], [36.0, 48.0]]
    path = _write_geojson(tmp_path / "bowtie.geojson", {"type": "Polygon", "coordinates": [bowtie]})
    cmap = load_control(path)
    assert cmap.area.is_valid and cmap.area.area > 0
    assert len(cmap.repairs) == 1 and "Self-intersection" in cmap.repairs[0]


def test_folder_gives_latest_map_on_or_before_the_date(tmp_path: Path) -> None:
    for name in ("m_20250101.geojson", "m_20250201.geojson"):
        _write_geojson(tmp_path / name, {"type": "Polygon", "coordinates": [SQUARE]})
    assert control_for(tmp_path, dt.date(2025, 1, 20)).date == dt.date(2025, 1, 1)
    assert control_for(tmp_path).date == dt.date(2025, 2, 1)
    with pytest.raises(GeoInputError, match="no map on or before 2024-12-31"):
        control_for(tmp_path, dt.date(2024, 12, 31))
    with pytest.raises(GeoInputError, match="shipped map is of 2026-08-22"):
        control_for(None, dt.date(2025, 1, 1))


@pytest.mark.shared_data
def test_deepstatemap_files_load_as_they_are(control_dir: Path) -> None:
    cmap = load_control(control_dir / "deepstatemap_data_20260822.geojson")
    assert cmap.date == dt.date(2026, 8, 22) and cmap.repairs == ()


def _with_stated(path: Path, value: object) -> Path:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"edge_uncertainty_m": value},
                "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
            }
        ],
    }
    path.write_text(json.dumps(doc))
    return path


def test_edge_uncertainty_is_what_the_map_states_or_the_caller(tmp_path: Path) -> None:
    raw = _write_geojson(tmp_path / "raw.geojson", {"type": "Polygon", "coordinates": [SQUARE]})
    assert load_control(raw).edge_uncertainty_m == 0.0  # a map taken as it is
    assert load_control(raw, edge_uncertainty_m=35).edge_uncertainty_m == 35.0
    derived = _with_stated(tmp_path / "derived.geojson", 120)
    assert load_control(derived).edge_uncertainty_m == 120.0
    assert control_for(derived, edge_uncertainty_m=0).edge_uncertainty_m == 0.0
    # The shipped map states its simplification (20 m) and rounding (1 m).
    assert shipped_control().edge_uncertainty_m == 21.0
    assert control_for(None, edge_uncertainty_m=500).edge_uncertainty_m == 500.0


@pytest.mark.parametrize("value", [-1, "50 m", True])
def test_a_stated_edge_uncertainty_that_is_no_distance_is_refused(
    tmp_path: Path, value: object
) -> None:
    path = _with_stated(tmp_path / "bad.geojson", value)
    with pytest.raises(GeoInputError, match="feature 0's edge_uncertainty_m is"):
        load_control(path)
    # JSON has no infinity, but a caller may pass one.
    with pytest.raises(GeoInputError, match="the stated edge uncertainty is inf"):
        load_control(_with_stated(tmp_path / "ok.geojson", 1), edge_uncertainty_m=float("inf"))
