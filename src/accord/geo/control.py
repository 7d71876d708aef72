"""Control-of-territory maps: loading, checking, repairing and picking by date.

Reads GeoJSON (including DeepStateMap's daily files as they are) and
GeoPackage. GeoPackage is SQLite holding WKB behind a short header, so it is
read with the standard library's sqlite3 rather than pulling in GDAL for it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from accord.geo.borders import load_borders
from accord.geo.projection import area_km2

SHIPPED_CONTROL = "control_20260822.geojson"
SHIPPED_DATE = dt.date(2026, 8, 22)
SUFFIXES = (".geojson", ".json", ".gpkg")
_DATE_IN_NAME = re.compile(r"(20\d\d)-?([01]\d)-?([0-3]\d)")
# The feature property in which a derived map states its edge uncertainty (metres).
EDGE_UNCERTAINTY_PROPERTY = "edge_uncertainty_m"
_LONLAT_NAMES = {"urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:epsg::4326", "epsg:4326"}


class GeoInputError(ValueError):
    """A map file accord cannot use: names the file, the problem and what would be right."""

    def __init__(self, path: str | Path, problem: str, expected: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}; expected {expected}")


@dataclass(frozen=True)
class ControlMap:
    """The area one side (Russia) controls in Ukraine on a date, in lon/lat."""

    area: BaseGeometry
    date: dt.date | None
    source: str
    repairs: tuple[str, ...] = ()
    # How far the edge may lie from that of the map it stands for, in metres: a
    # simplified derivative's stated tolerance; 0 for a map taken as it is.
    edge_uncertainty_m: float = 0.0


def date_from_name(path: Path) -> dt.date | None:
    """The date a control map's file name carries (YYYY-MM-DD or YYYYMMDD), if any."""
    match = _DATE_IN_NAME.search(path.name)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _reproject(geoms: list[BaseGeometry], crs: CRS) -> list[BaseGeometry]:
    t = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return [
        shapely.transform(g, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
        for g in geoms
    ]


def _read_geojson(path: Path) -> tuple[list[BaseGeometry], CRS | None, float | None]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GeoInputError(path, f"not valid JSON ({exc})", "a GeoJSON FeatureCollection") from exc
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
        raise GeoInputError(path, "not a GeoJSON Feature or FeatureCollection", "GeoJSON")
    features = doc["features"] if doc["type"] == "FeatureCollection" else [doc]
    geoms = []
    stated: list[float] = []
    for i, feature in enumerate(features):
        if not feature.get("geometry"):
            raise GeoInputError(path, f"feature {i} has no geometry", "a Polygon or MultiPolygon")
        try:
            geoms.append(shape(feature["geometry"]))
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            raise GeoInputError(path, f"feature {i}: {exc}", "valid GeoJSON geometry") from exc
        value = (feature.get("properties") or {}).get(EDGE_UNCERTAINTY_PROPERTY)
        if value is not None:
            stated.append(_uncertainty(path, f"feature {i}'s {EDGE_UNCERTAINTY_PROPERTY}", value))
    crs_name = ((doc.get("crs") or {}).get("properties") or {}).get("name")
    crs = None
    if crs_name and crs_name.casefold() not in _LONLAT_NAMES:
        try:
            crs = CRS.from_user_input(crs_name)
        except Exception as exc:
            raise GeoInputError(path, f"unknown CRS '{crs_name}'", "EPSG:4326 or CRS84") from exc
    return geoms, crs, max(stated) if stated else None


def _uncertainty(path: str | Path, what: str, value: object) -> float:
    """A stated edge uncertainty, checked: a finite number of metres, 0 or more."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise GeoInputError(path, f"{what} is {value!r}", "a distance in metres, 0 or more")
    if not np.isfinite(value):
        raise GeoInputError(path, f"{what} is {value!r}", "a finite distance in metres")
    return float(value)


def _gpkg_wkb(blob: bytes) -> bytes:
    if blob[:2] != b"GP":
        raise ValueError("geometry blob lacks the GeoPackage 'GP' header")
    envelope_bytes = (0, 32, 48, 48, 64)[(blob[3] >> 1) & 0b111]
    return blob[8 + envelope_bytes :]


def _read_gpkg(path: Path) -> tuple[list[BaseGeometry], CRS | None, float | None]:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = con.execute(
                "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns"
            ).fetchall()
            if not rows:
                raise GeoInputError(path, "has no geometry layer", "one polygon layer")
            table, column, srs_id = rows[0]
            srs = con.execute(
                "SELECT organization, organization_coordsys_id, definition "
                "FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
                (srs_id,),
            ).fetchone()
            blobs = con.execute(f'SELECT "{column}" FROM "{table}"').fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise GeoInputError(path, f"not a GeoPackage ({exc})", "a .gpkg file") from exc
    if srs is None or srs_id in (0, -1) or (srs[2] or "").strip() in ("", "undefined"):
        raise GeoInputError(path, f"layer '{table}' has no CRS (srs_id {srs_id})", "EPSG:4326")
    crs = CRS.from_user_input(f"{srs[0]}:{srs[1]}" if srs[0] else srs[2])
    geoms = []
    for i, (blob,) in enumerate(blobs):
        if blob is None:
            raise GeoInputError(path, f"row {i} has no geometry", "a Polygon or MultiPolygon")
        geoms.append(shapely.from_wkb(_gpkg_wkb(bytes(blob))))
    lonlat = crs.equals(CRS.from_epsg(4326), ignore_axis_order=True)
    return geoms, None if lonlat else crs, None


def _repair(path: Path, parts: list[BaseGeometry]) -> tuple[BaseGeometry, list[str]]:
    """Union the polygons, repairing invalid ones when that keeps their area within 1%."""
    repairs: list[str] = []
    fixed_parts = []
    for i, part in enumerate(parts):
        if not part.is_valid:
            reason = shapely.is_valid_reason(part)
            fixed = shapely.make_valid(part, method="structure", keep_collapsed=False)
            fixed = shapely.union_all(
                [p for p in shapely.get_parts(fixed) if p.geom_type == "Polygon"]
            )
            before = area_km2(shapely.Polygon(part.exterior)) if part.geom_type == "Polygon" else 0
            after = area_km2(fixed)
            if before > 0 and abs(after - before) > 0.01 * before:
                raise GeoInputError(
                    path,
                    f"polygon {i} is invalid ({reason}) and repairing it would change its area "
                    f"from {before:,.1f} to {after:,.1f} km2, too much to be safe",
                    "valid Polygons or MultiPolygons",
                )
            repairs.append(f"{path.name}: polygon {i} repaired ({reason})")
            part = fixed
        fixed_parts.append(part)
    return shapely.union_all(fixed_parts), repairs


def load_control(
    path: str | Path, date: dt.date | None = None, edge_uncertainty_m: float | None = None
) -> ControlMap:
    """Read a control map file; the date comes from the argument or the file name, the
    edge's uncertainty from the argument, else what the file states, else 0."""
    path = Path(path)
    if not path.is_file():
        raise GeoInputError(path, "no such file", "a GeoJSON or GeoPackage control map")
    if path.suffix.lower() not in SUFFIXES:
        raise GeoInputError(path, f"unknown format '{path.suffix}'", ", ".join(SUFFIXES))
    reader = _read_gpkg if path.suffix.lower() == ".gpkg" else _read_geojson
    geoms, crs, stated = reader(path)
    if edge_uncertainty_m is not None:
        stated = _uncertainty(path, "the stated edge uncertainty", edge_uncertainty_m)
    if crs is not None:
        geoms = _reproject(geoms, crs)
    if not geoms or all(g.is_empty for g in geoms):
        raise GeoInputError(path, "is empty", "at least one Polygon or MultiPolygon")
    kinds = sorted({g.geom_type for g in geoms} - {"Polygon", "MultiPolygon"})
    if kinds:
        raise GeoInputError(
            path, f"not a polygon layer (found {', '.join(kinds)})", "Polygon or MultiPolygon"
        )
    parts = [p for g in geoms for p in shapely.get_parts(g) if not p.is_empty]
    minx, miny, maxx, maxy = shapely.total_bounds(parts)
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise GeoInputError(
            path,
            f"coordinates up to ({maxx:.0f}, {maxy:.0f}) are not lon/lat and no CRS says what "
            "they are",
            "lon/lat (EPSG:4326), or a 'crs' member naming the projection",
        )
    area, repairs = _repair(path, parts)
    ukraine = load_borders().country("UKR")
    if not area.intersects(ukraine):
        raise GeoInputError(
            path,
            f"lies outside the region (bounds {minx:.2f}, {miny:.2f}, {maxx:.2f}, {maxy:.2f})",
            "a control map of Ukraine in lon/lat",
        )
    return ControlMap(area, date or date_from_name(path), str(path), tuple(repairs), stated or 0.0)


def dated_files(folder: Path) -> dict[dt.date, Path]:
    """Control map files in a folder, by the date in their names."""
    found: dict[dt.date, Path] = {}
    for path in sorted(folder.iterdir()):
        day = date_from_name(path)
        if day is not None and path.suffix.lower() in SUFFIXES:
            found[day] = path
    return found


def shipped_control(edge_uncertainty_m: float | None = None) -> ControlMap:
    """accord's simplified control map of 2026-08-22, derived from DeepStateMap; its
    edge uncertainty is the one the file states unless the caller states another."""
    with resources.as_file(resources.files("accord.geo") / "data" / SHIPPED_CONTROL) as path:
        cmap = load_control(path, SHIPPED_DATE, edge_uncertainty_m)
    source = f"accord shipped map ({SHIPPED_CONTROL})"
    return ControlMap(cmap.area, cmap.date, source, (), cmap.edge_uncertainty_m)


def control_for(
    source: str | Path | None = None,
    date: dt.date | None = None,
    edge_uncertainty_m: float | None = None,
) -> ControlMap:
    """The control map for a date: a file, the latest in a folder on or before the date,
    or the shipped map when no source is given. `edge_uncertainty_m` states how far its
    edges may be off (default: what the file states, else 0)."""
    if source is None:
        if date is not None and date != SHIPPED_DATE:
            raise GeoInputError(
                SHIPPED_CONTROL,
                f"the shipped map is of {SHIPPED_DATE}, not {date}",
                "--control FOLDER holding dated maps for other dates",
            )
        return shipped_control(edge_uncertainty_m)
    path = Path(source)
    if path.is_dir():
        files = dated_files(path)
        if not files:
            raise GeoInputError(path, "holds no dated map files", "names like *_YYYYMMDD.geojson")
        days = [d for d in files if date is None or d <= date]
        if not days:
            raise GeoInputError(path, f"has no map on or before {date}", f"dates {min(files)}..")
        return load_control(files[max(days)], max(days), edge_uncertainty_m)
    return load_control(path, date, edge_uncertainty_m)
