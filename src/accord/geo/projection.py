"""Measuring and buffering on the ellipsoid.

Lengths and areas are geodesic (pyproj's Geod) so they do not depend on a map
projection. Buffers are drawn chunk by chunk, each chunk in an azimuthal
equidistant projection centred on it: distances from a point near the centre
are true there, so a buffer of 161 km drawn from a chunk 20 km long lands
within a metre of the true distance, which no single projection of the whole
theatre achieves.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from accord.geo.geodesy import GEOD

KM_PER_MILE = 1.609344

# Conformal conic for the line of contact (standard parallels 47 and 50.5 N):
# scale error under 0.05% between 45.5 and 52 N, used for shape work (simplify,
# Hausdorff distance), never for a figure that is reported as a length or area.
THEATRE_CRS = "+proj=lcc +lat_1=47 +lat_2=50.5 +lat_0=48.5 +lon_0=34 +ellps=WGS84 +units=m"


@cache
def _to_theatre() -> tuple[Transformer, Transformer]:
    fwd = Transformer.from_crs("EPSG:4326", THEATRE_CRS, always_xy=True)
    inv = Transformer.from_crs(THEATRE_CRS, "EPSG:4326", always_xy=True)
    return fwd, inv


def to_theatre(geom: BaseGeometry) -> BaseGeometry:
    """Lon/lat to metres in the theatre's conformal conic."""
    fwd, _ = _to_theatre()
    return shapely.transform(geom, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))


def theatre_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat arrays to metres in the theatre's conformal conic, without geometries."""
    fwd, _ = _to_theatre()
    x, y = fwd.transform(lon, lat)
    return np.asarray(x), np.asarray(y)


def from_theatre(geom: BaseGeometry) -> BaseGeometry:
    """Metres in the theatre's conformal conic back to lon/lat."""
    _, inv = _to_theatre()
    return shapely.transform(geom, lambda xy: np.column_stack(inv.transform(xy[:, 0], xy[:, 1])))


def length_km(geom: BaseGeometry) -> float:
    """Geodesic length of the lines in a lon/lat geometry."""
    if geom.is_empty:
        return 0.0
    return float(GEOD.geometry_length(geom)) / 1000.0


def area_km2(geom: BaseGeometry) -> float:
    """Geodesic area of the polygons in a lon/lat geometry (lines have none, though
    pyproj would measure them as the polygons they would close)."""
    parts = shapely.get_parts(shapely.get_parts(geom))  # collections hold multi-parts
    polygons = [p for p in parts if p.geom_type == "Polygon"]
    if not polygons:
        return 0.0
    area_m2, _ = GEOD.geometry_area_perimeter(
        shapely.orient_polygons(shapely.MultiPolygon(polygons))
    )
    return abs(float(area_m2)) / 1e6


def quad_segs_for(distance_m: float, max_error_m: float) -> int:
    """Segments per quarter circle so a buffer's chords stay within max_error_m of the arc."""
    if distance_m <= max_error_m:
        return 4
    half_angle = math.acos(1.0 - max_error_m / distance_m)
    return max(4, math.ceil(math.pi / (4.0 * half_angle)))


def _chunks(line: np.ndarray, chunk_km: float) -> list[np.ndarray]:
    """Split a lon/lat vertex array into runs no longer than chunk_km (sharing end vertices)."""
    _, _, dist_m = GEOD.inv(line[:-1, 0], line[:-1, 1], line[1:, 0], line[1:, 1])
    cum_km = np.concatenate([[0.0], np.cumsum(dist_m) / 1000.0])
    out: list[np.ndarray] = []
    start = 0
    while start < len(line) - 1:
        stop = int(np.searchsorted(cum_km, cum_km[start] + chunk_km, side="right")) - 1
        stop = max(stop, start + 1)
        out.append(line[start : stop + 1])
        start = stop
    return out


def _aeqd(lon0: float, lat0: float, xy: np.ndarray) -> np.ndarray:
    """Azimuthal equidistant coordinates around (lon0, lat0), from geodesics: the same
    projection pyproj's aeqd gives, without building a transformer per centre (9 ms each)."""
    n = len(xy)
    az, _, dist = GEOD.inv(np.full(n, lon0), np.full(n, lat0), xy[:, 0], xy[:, 1])
    az = np.radians(az)
    return np.column_stack([dist * np.sin(az), dist * np.cos(az)])


def _aeqd_inverse(lon0: float, lat0: float, xy: np.ndarray) -> np.ndarray:
    n = len(xy)
    az = np.degrees(np.arctan2(xy[:, 0], xy[:, 1]))
    lon, lat, _ = GEOD.fwd(np.full(n, lon0), np.full(n, lat0), az, np.hypot(xy[:, 0], xy[:, 1]))
    return np.column_stack([lon, lat])


# How far a buffer's edge may lie from the true distance by default: its arcs' chords.
BUFFER_ERROR_M = 1.0


def geodesic_buffer(
    lines: BaseGeometry,
    distance_km: float,
    max_error_m: float = BUFFER_ERROR_M,
    chunk_km: float | None = None,
) -> BaseGeometry:
    """Everything within distance_km of lon/lat lines, as a lon/lat polygon.

    Long segments are first cut to 0.1 degree so that no chunk is long; each chunk
    is buffered in its own azimuthal equidistant projection with arcs fine
    enough for max_error_m, densified, and brought back to lon/lat; the
    union of the chunks is the buffer of the whole.
    """
    # The projection stretches distances across the radius by about
    # (s / R)^2 / 6 at s from the centre; chunks of 100 km keep a 20 km
    # buffer within 5 cm, chunks of 20 km a 200 km buffer within 10 cm.
    chunk_km = chunk_km or (100.0 if distance_km <= 20.0 else 20.0)
    distance_m = distance_km * 1000.0
    quad_segs = quad_segs_for(distance_m, max_error_m / 2.0)
    # Vertices of the arcs are spaced about this far apart; straight sides are
    # cut to the same spacing so that they bend correctly back in lon/lat.
    spacing_m = max(50.0, distance_m * math.pi / 2.0 / quad_segs)
    pieces: list[BaseGeometry] = []
    for part in shapely.get_parts(shapely.line_merge(lines) if not lines.is_empty else lines):
        coords = shapely.get_coordinates(shapely.segmentize(part, 0.1))
        if len(coords) < 2:
            continue
        for chunk in _chunks(coords, chunk_km):
            lon0, lat0 = chunk[len(chunk) // 2]
            ring = shapely.linestrings(_aeqd(lon0, lat0, chunk)).buffer(
                distance_m, quad_segs=quad_segs
            )
            ring = shapely.segmentize(ring, spacing_m)
            pieces.append(
                shapely.transform(ring, lambda xy, x0=lon0, y0=lat0: _aeqd_inverse(x0, y0, xy))
            )
    if not pieces:
        return shapely.Polygon()
    return shapely.make_valid(shapely.union_all(pieces))
