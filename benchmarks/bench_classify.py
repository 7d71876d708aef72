"""Zone classification: accord's compiled index against shapely 2, geopandas and PostGIS,
and its test of which zones' edges lie near each point (`near_edge`).

Zones: both sides of the line, a 5-mile DMZ and a 100-mile band on Russia's side of
NATO's borders, from the shipped 2026-08-22 map. Points: half uniform over eastern
Ukraine, half within 10 km of the line of contact. Everything runs on one core
(PostgreSQL's parallel workers are turned off for the PostGIS query). One run.

    NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1 bash -c 'source benchmarks/postgis.sh && \
        .venv/bin/python benchmarks/bench_classify.py \
        --sizes 1000000 10000000 --sjoin-max 1000000 --postgis-max 1000000'

benchmarks/postgis.sh starts the local PostgreSQL server, installs PostGIS and exports
ACCORD_BENCH_POSTGIS_URL; without it (or with the server down) PostGIS is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import shapely
from pyproj import Geod

from accord.geo import ZoneIndex, line_of_contact, load_borders, shipped_control
from accord.geo.line import LineOfContact
from accord.geo.projection import BUFFER_ERROR_M
from accord.geo.zones import Zone, band_geometry, dmz_geometry, sides

EAST_UKRAINE = (33.0, 46.0, 40.3, 51.5)  # lon/lat box
GEOD = Geod(ellps="WGS84")


def build_zones() -> tuple[LineOfContact, list[Zone]]:
    borders = load_borders()
    line = line_of_contact(shipped_control())
    ua, ru = sides(line, borders)
    dmz = dmz_geometry(line, ru, 5 * 1.609344, {"UA": 0.5, "RU": 0.5})
    band = band_geometry(borders, "NATO-RU", 100 * 1.609344, "RU")
    dmz_edge_m = line.edge_uncertainty_m + BUFFER_ERROR_M
    return line, [
        ua,
        ru,
        Zone("ceasefire.dmz", "dmz", ("UA", "RU"), dmz, edge_uncertainty_m=dmz_edge_m),
        Zone("relations.band", "band", ("RU",), band, edge_uncertainty_m=BUFFER_ERROR_M),
    ]


def make_points(line: LineOfContact, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    half = n // 2
    lon_u = rng.uniform(EAST_UKRAINE[0], EAST_UKRAINE[2], half)
    lat_u = rng.uniform(EAST_UKRAINE[1], EAST_UKRAINE[3], half)
    # Near the line: a random place on it (by length), then up to 10 km in any direction.
    xy = shapely.get_coordinates(shapely.segmentize(line.lines, 0.001))
    starts = rng.integers(0, len(xy), n - half)
    lon_n, lat_n, _ = GEOD.fwd(
        xy[starts, 0],
        xy[starts, 1],
        rng.uniform(0, 360, n - half),
        np.sqrt(rng.random(n - half)) * 10_000,
    )
    order = rng.permutation(n)
    return np.concatenate([lon_u, lon_n])[order], np.concatenate([lat_u, lat_n])[order]


def shapely_masks(zones: list[Zone], lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    masks = np.zeros(len(lon), dtype=np.uint64)
    for i, zone in enumerate(zones):
        masks |= shapely.contains_xy(zone.geometry, lon, lat).astype(np.uint64) << np.uint64(i)
    return masks


def sjoin_masks(zones: list[Zone], lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    import geopandas as gpd

    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    polys = gpd.GeoDataFrame(
        {"bit": np.arange(len(zones), dtype=np.uint64)},
        geometry=[z.geometry for z in zones],
        crs="EPSG:4326",
    )
    joined = gpd.sjoin(points, polys, predicate="within", how="inner")
    masks = np.zeros(len(lon), dtype=np.uint64)
    np.bitwise_or.at(
        masks, joined.index.to_numpy(), np.uint64(1) << joined["bit"].to_numpy(np.uint64)
    )
    return masks


class PostGIS:
    """The zones in a PostGIS table with a GiST index; points bulk-loaded by binary COPY.

    The query is ``ST_Contains(zone, point)``, which like ``contains_xy`` excludes the
    boundary. Zones are the outer side of the join, so each zone's prepared-geometry
    cache stays warm across consecutive points, as in PostGIS's own advice.
    """

    QUERY = (
        "SELECT p.id, bit_or(1 << z.bit)::int4 FROM bench_zones z"
        " JOIN bench_points p ON ST_Contains(z.geom, p.geom) GROUP BY p.id"
    )

    def __init__(self, url: str, zones: list[Zone]) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
        with self.conn.cursor() as cur:
            cur.execute("SELECT postgis_lib_version(), current_setting('server_version')")
            self.version = cur.fetchone()
            # One core, like the other runners; no JIT compilation inside the timing.
            cur.execute("SET max_parallel_workers_per_gather = 0")
            cur.execute("SET jit = off")
            cur.execute("SET work_mem = '256MB'")
            cur.execute("DROP TABLE IF EXISTS bench_zones, bench_points")
            cur.execute(
                "CREATE TABLE bench_zones (bit int PRIMARY KEY, geom geometry(Geometry, 4326))"
            )
            for bit, zone in enumerate(zones):
                cur.execute(
                    "INSERT INTO bench_zones VALUES (%s, ST_GeomFromWKB(%s, 4326))",
                    (bit, shapely.to_wkb(zone.geometry)),
                )
            cur.execute("CREATE INDEX ON bench_zones USING gist (geom)")
            cur.execute("ANALYZE bench_zones")

    def load(self, lon: np.ndarray, lat: np.ndarray) -> None:
        """Binary COPY of (id, lon, lat) into an UNLOGGED table, then points and a GiST index."""
        n = len(lon)
        rows = np.empty(
            n,
            dtype=[("nf", ">i2"), ("l1", ">i4"), ("id", ">i4"), ("l2", ">i4"), ("lon", ">f8"),
                   ("l3", ">i4"), ("lat", ">f8")],
        )  # fmt: skip
        rows["nf"], rows["l1"], rows["l2"], rows["l3"] = 3, 4, 8, 8
        rows["id"], rows["lon"], rows["lat"] = np.arange(n), lon, lat
        header = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
        with self.conn.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_raw, bench_points")
            cur.execute("CREATE UNLOGGED TABLE bench_raw (id int, lon float8, lat float8)")
            with cur.copy("COPY bench_raw FROM STDIN (FORMAT binary)") as copy:
                copy.write(header + rows.tobytes() + b"\xff\xff")
            cur.execute(
                "CREATE UNLOGGED TABLE bench_points AS SELECT id,"
                " ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geometry(Point, 4326) AS geom"
                " FROM bench_raw"
            )
            cur.execute("DROP TABLE bench_raw")
            cur.execute("CREATE INDEX ON bench_points USING gist (geom)")
            cur.execute("VACUUM ANALYZE bench_points")

    def masks(self, n: int) -> np.ndarray:
        """Run the query; the (id, mask) rows come back by binary COPY into an array."""
        chunks = []
        with (
            self.conn.cursor() as cur,
            cur.copy(f"COPY ({self.QUERY}) TO STDOUT (FORMAT binary)") as copy,
        ):
            for chunk in copy:
                chunks.append(bytes(chunk))
        data = b"".join(chunks)[19:-2]  # header (19 bytes) and trailer (2 bytes)
        rows = np.frombuffer(
            data,
            dtype=[("nf", ">i2"), ("l1", ">i4"), ("id", ">i4"), ("l2", ">i4"), ("mask", ">i4")],
        )
        masks = np.zeros(n, dtype=np.uint64)
        masks[rows["id"]] = rows["mask"].astype(np.uint64)
        return masks

    def plan(self) -> str:
        with self.conn.cursor() as cur:
            cur.execute(f"EXPLAIN {self.QUERY}")
            return " / ".join(r[0].strip() for r in cur.fetchall())

    def close(self) -> None:
        with self.conn.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_zones, bench_points")
        self.conn.close()


def connect_postgis(url: str | None, zones: list[Zone]) -> PostGIS | None:
    if not url:
        print("PostGIS skipped: no URL (source benchmarks/postgis.sh or pass --postgis-url)")
        return None
    try:
        return PostGIS(url, zones)
    except Exception as exc:  # server down, no extension, no driver: skip, say why
        print(f"PostGIS skipped: {type(exc).__name__}: {str(exc).strip().splitlines()[0]}")
        return None


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--sjoin-max", type=int, default=1_000_000, help="largest size for sjoin")
    parser.add_argument(
        "--postgis-max", type=int, default=1_000_000, help="largest size for PostGIS"
    )
    parser.add_argument(
        "--postgis-url",
        default=os.environ.get("ACCORD_BENCH_POSTGIS_URL"),
        help="PostgreSQL URL of a database with PostGIS (default: $ACCORD_BENCH_POSTGIS_URL)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()

    (line, zones), zones_s = timed(build_zones)
    ZoneIndex.build(zones[:1])  # load numba's compiled kernels before timing the build
    index, build_s = timed(ZoneIndex.build, zones)
    report: dict[str, object] = {
        "zones": [z.id for z in zones],
        "zones_build_s": round(zones_s, 2),
        "index_build_s": round(build_s, 2),
        "index_mb": round(index.nbytes / 1e6, 1),
        "runs": [],
    }
    print(f"zones built in {zones_s:.1f} s; index built in {build_s:.2f} s, "
          f"{index.nbytes / 1e6:.1f} MB")  # fmt: skip
    postgis = None
    if any(n <= args.postgis_max for n in args.sizes):
        postgis = connect_postgis(args.postgis_url, zones)
    if postgis is not None:
        report["postgis_version"] = "PostGIS {} on PostgreSQL {}".format(*postgis.version)
        print(report["postgis_version"])

    for n in args.sizes:
        lon, lat = make_points(line, n, args.seed)
        index.masks(lon[:1000], lat[:1000])
        got, accord_s = timed(index.masks, lon, lat)
        # Which zones' edges lie within their stated uncertainty (21-22 m), and within 1 km.
        index.near_edge(lon[:1000], lat[:1000])
        near, near_s = timed(index.near_edge, lon, lat)
        _, near_km_s = timed(index.near_edge, lon, lat, 1000.0)
        for zone in zones:
            shapely.prepare(zone.geometry)  # prepared once, outside the timing
        want, shapely_s = timed(shapely_masks, zones, lon, lat)
        run: dict[str, object] = {
            "points": n,
            "accord_mpts_s": round(n / accord_s / 1e6, 2),
            "shapely_mpts_s": round(n / shapely_s / 1e6, 2),
            "accord_vs_shapely": round(shapely_s / accord_s, 1),
            "accord_mismatches": int((got != want).sum()),
            "near_edge_mpts_s": round(n / near_s / 1e6, 2),
            "near_edge_share": round(float((near != 0).mean()), 4),
            "near_edge_1km_mpts_s": round(n / near_km_s / 1e6, 2),
        }
        if n <= args.sjoin_max:
            joined, sjoin_s = timed(sjoin_masks, zones, lon, lat)
            run |= {
                "sjoin_mpts_s": round(n / sjoin_s / 1e6, 3),
                "accord_vs_sjoin": round(sjoin_s / accord_s, 1),
                "sjoin_mismatches": int((joined != want).sum()),
            }
        if postgis is not None and n <= args.postgis_max:
            _, load_s = timed(postgis.load, lon, lat)
            pg, postgis_s = timed(postgis.masks, n)
            run |= {
                "postgis_mpts_s": round(n / postgis_s / 1e6, 3),
                "accord_vs_postgis": round(postgis_s / accord_s, 1),
                "postgis_mismatches_vs_accord": int((pg != got).sum()),
                "postgis_query_s": round(postgis_s, 2),
                "postgis_load_s": round(load_s, 2),
            }
        print(json.dumps(run))
        report["runs"].append(run)  # type: ignore[attr-defined]

    # Streaming: one point per call, as a consumer of a live feed would call it.
    lon, lat = make_points(line, 20_000, args.seed + 1)
    times_ns = np.empty(len(lon))
    for i in range(len(lon)):
        start = time.perf_counter_ns()
        index.classify_one(lon[i], lat[i])
        times_ns[i] = time.perf_counter_ns() - start
    report["per_point_us"] = {
        "p50": round(float(np.percentile(times_ns, 50)) / 1e3, 2),
        "p99": round(float(np.percentile(times_ns, 99)) / 1e3, 2),
    }
    print("per-point call (µs):", report["per_point_us"])
    if postgis is not None:
        report["postgis_plan"] = postgis.plan()
        print("PostGIS plan:", report["postgis_plan"])
        postgis.close()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)


if __name__ == "__main__":
    main()
