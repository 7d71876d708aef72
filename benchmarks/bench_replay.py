"""Archive replay throughput and scaling, on the simulator's world (Defense Priorities plan).

The archive: the simulator's own stream for `--days` (the `default` scenario's
sensors and drones observing its drawn violations), made up to
`--observations` with routine reports from the same sensor network: each from
one of the scenario's sensors, placed along the main line at a random offset
outside the DMZ (drawn again where the curving line's DMZ catches them),
except `--breach-share` of them inside it; 30% name a side,
0.2% are fire heard with a bearing and a distance band. Written with
`accord.scale.archive.write_batch`, partitioned by day and sector.

Then replayed with `accord.scale.replay.replay` in this process (1 worker) and
on local Dask clusters of each `--workers` count (single-threaded processes),
beside `verify_batch` over the same rows held in memory as one batch (no
archive reads, one process: the ceiling of the single-process replay).
Scaling efficiency is rate(k) / (k x rate(1)).

The issue's figure is 1e8 observations on 16 workers; the default (1e7 over
10 days, workers 1 and 2) fits a 2-core machine with 24 GB:

    .venv/bin/python benchmarks/bench_replay.py --observations 10000000 --workers 1,2
    .venv/bin/python benchmarks/bench_replay.py --observations 100000000 --days 30 \
        --workers 1,2,8,16 --archive /data/archive      # on a 16-core machine
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from accord.agreement.vocabulary import KIND_CODES
from accord.scale.archive import partitions, read_table, table_to_batch, write_batch
from accord.scale.replay import close_client, dask_client, replay
from accord.sim.events import generate_events
from accord.sim.scenario import load_scenario
from accord.sim.sources import Observations, drone_sorties, fixed_sensors, layout
from accord.sim.world import World, build_world, to_lonlat
from accord.store.columns import Batch, ObservationColumns, ObservationDetails
from accord.verify.batch import verify_batch

ROUTINE_KINDS = ("personnel", "vehicle", "armour", "artillery", "drone")
STATION_KM = 0.25  # spacing of the points along the line routine reports are placed from
CHUNK = 1_000_000  # rows generated and written at a time
MAX_DRAWS = 30  # routine points redrawn until they are on the intended side of the DMZ edge


def _in_dmz(world: World, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    if world.dmz_id is None:
        return np.zeros(len(lon), dtype=bool)
    bit = np.uint64(world.verifier.ruleset.zone_bit(world.dmz_id))
    return np.asarray((world.index.classify(lon, lat).mask & bit) != 0)


def simulated(world: World, days: int, seed: int) -> dict[str, np.ndarray]:
    """The simulator's stream (sensors and drones observing the drawn truth)."""
    scenario = load_scenario("default")
    rng = np.random.default_rng(seed)
    start_ns = int(scenario.start.timestamp()) * 1_000_000_000
    events = generate_events(world, scenario, days, rng)
    parts = fixed_sensors(world, scenario, layout(world, scenario), events, days, start_ns, rng)
    if scenario.drones is not None:
        parts += drone_sorties(world, scenario, scenario.drones, events, days, start_ns, rng)
    stream = Observations.concat(parts)
    order = np.argsort(stream.time_ns, kind="stable")
    columns = {name: getattr(stream, name)[order] for name in Observations.__dataclass_fields__}
    columns["id"] = np.char.add("sim-", np.arange(len(order)).astype(str))
    return columns


def stations(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points along the main line (metres) and the unit normal towards Russia's side."""
    along = np.arange(0.0, world.length_km, STATION_KM)
    x0, y0, _, _ = world.place(along, np.zeros(len(along)))
    x1, y1, _, _ = world.place(along, np.ones(len(along)))
    return x0, y0, (x1 - x0) / 1000.0, (y1 - y0) / 1000.0


def routine(
    world: World,
    line: tuple[np.ndarray, ...],
    sensors: np.ndarray,
    n: int,
    first: int,
    span_ns: tuple[int, int],
    breach_share: float,
    rng: np.random.Generator,
) -> Batch:
    """`n` routine reports as a batch (ids from `first`)."""
    x0, y0, nx, ny = line
    half = world.dmz_half_width_km
    inside = rng.random(n) < breach_share
    lon, lat = np.empty(n), np.empty(n)
    todo = np.arange(n)
    # The line curves and its DMZ has pieces off the main stretch, so a point drawn 5-60 km
    # from one station can land in the DMZ elsewhere (10% did): draw those again.
    for _ in range(MAX_DRAWS):
        at = rng.integers(0, len(x0), todo.size)
        offset_km = rng.uniform(half + 5.0, half + 60.0, todo.size) * rng.choice(
            [-1.0, 1.0], todo.size
        )
        breach = inside[todo]
        offset_km[breach] = rng.uniform(-half, half, int(breach.sum()))
        jitter = rng.normal(0.0, STATION_KM * 200.0, (2, todo.size))
        lon[todo], lat[todo] = to_lonlat(
            x0[at] + nx[at] * offset_km * 1000 + jitter[0],
            y0[at] + ny[at] * offset_km * 1000 + jitter[1],
        )
        in_dmz = _in_dmz(world, lon[todo], lat[todo])
        todo = todo[in_dmz != inside[todo]]
        if not todo.size:
            break
    kind = np.array([KIND_CODES[k] for k in ROUTINE_KINDS], dtype=np.int16)[
        rng.integers(0, len(ROUTINE_KINDS), n)
    ]
    firing = rng.random(n) < 0.002
    kind[firing] = KIND_CODES["firing"]
    named = rng.random(n) < 0.3
    side = np.where(named, np.where(rng.random(n) < 0.5, "UA", "RU"), "")
    source = sensors[rng.integers(0, len(sensors), n)]
    source_type = np.char.partition(source, "-")[:, 0]
    distance = rng.uniform(2000.0, 8000.0, n)
    nan = np.full(n, np.nan)
    columns = ObservationColumns(
        seq=np.arange(first + 1, first + n + 1, dtype=np.int64),
        observation_id=np.char.add("obs-", np.arange(first, first + n).astype(str)),
        source_id=source,
        source_type=source_type,
        time_ns=np.sort(rng.integers(span_ns[0], span_ns[1], n)),
        lon=lon,
        lat=lat,
        uncertainty_m=rng.uniform(20.0, 300.0, n),
        kind=kind,
        count=rng.integers(1, 20, n),
        firing_category=np.where(firing, "muzzle_flash", ""),
        side=side,
        side_confidence=np.where(named, 0.8, np.nan),
    )
    details = replace(
        ObservationDetails.empty(n),
        bearing_deg=np.where(firing, rng.uniform(0.0, 360.0, n), nan),
        distance_min_m=np.where(firing, distance * 0.8, nan),
        distance_max_m=np.where(firing, distance * 1.2, nan),
    )
    return Batch(columns, details)


def sim_batch(stream: dict[str, np.ndarray], first: int) -> Batch:
    n = len(stream["id"])
    nan = np.full(n, np.nan)
    aimed = np.isfinite(stream["bearing_deg"])
    columns = ObservationColumns(
        seq=np.arange(first + 1, first + n + 1, dtype=np.int64),
        observation_id=stream["id"],
        source_id=stream["source_id"],
        source_type=stream["source_type"],
        time_ns=stream["time_ns"],
        lon=stream["lon"],
        lat=stream["lat"],
        uncertainty_m=stream["uncertainty_m"],
        kind=np.array([KIND_CODES[k] for k in stream["kind"]], dtype=np.int16),
        count=stream["count"],
        firing_category=stream["category"],
        side=stream["side"],
        side_confidence=stream["side_confidence"],
    )
    details = replace(
        ObservationDetails.empty(n),
        bearing_deg=stream["bearing_deg"],
        distance_min_m=np.where(aimed, stream["distance_m"] * 0.8, nan),
        distance_max_m=np.where(aimed, stream["distance_m"] * 1.2, nan),
    )
    return Batch(columns, details)


def build_archive(
    world: World, folder: Path, n: int, days: int, breach_share: float, seed: int
) -> dict[str, Any]:
    started = time.perf_counter()
    scenario = load_scenario("default")
    start_ns = int(scenario.start.timestamp()) * 1_000_000_000
    stream = simulated(world, days, seed)
    sectors = world.verifier.sectors
    if sectors is None:
        raise ValueError("the scenario's verifier has no sectors to partition the archive by")
    write_batch(folder, sim_batch(stream, 0), np.arange(1, len(stream["id"]) + 1), sectors, part=0)
    sensors = layout(world, scenario).sensor_id
    line = stations(world)
    rng = np.random.default_rng(seed + 1)
    made, part = len(stream["id"]), 1
    day_ns = 86_400 * 10**9
    while made < n:
        size = min(CHUNK, n - made)
        # Each chunk covers a slice of the days, so files group by time as a live archive does.
        lo = start_ns + (made * days * day_ns) // n
        hi = start_ns + ((made + size) * days * day_ns) // n
        batch = routine(world, line, sensors, size, made, (lo, hi), breach_share, rng)
        write_batch(folder, batch, batch.columns.seq, sectors, part=part)
        made, part = made + size, part + 1
    return {
        "observations": made,
        "simulated": len(stream["id"]),
        "partitions": len(partitions(folder)),
        "bytes": sum(f.stat().st_size for f in folder.rglob("*.parquet")),
        "seconds": round(time.perf_counter() - started, 1),
    }


def in_memory(world: World, folder: Path, limit: int) -> dict[str, Any]:
    """`verify_batch` over the first `limit` archived rows already in memory: the ceiling."""
    import pyarrow as pa

    tables, rows = [], 0
    for part in partitions(folder):
        tables.append(read_table(folder, part))
        rows += tables[-1].num_rows
        if rows >= limit:
            break
    batch, _ = table_to_batch(pa.concat_tables(tables).slice(0, limit))
    started = time.perf_counter()
    result = verify_batch(world.verifier, batch)
    seconds = time.perf_counter() - started
    return {
        "observations": len(batch),
        "seconds": round(seconds, 2),
        "observations_per_s": round(len(batch) / seconds),
        "findings": len(result.findings),
        "incidents": len(result.drafts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--observations", type=float, default=1e7)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--breach-share", type=float, default=0.005)
    parser.add_argument("--archive", type=Path, help="keep the archive here (else a temp dir)")
    parser.add_argument("--memory-rows", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2, help="replays per worker count")
    parser.add_argument(
        "--decode-threads",
        type=int,
        default=1,
        help="Parquet decoding threads of the one-process replay (Dask workers use one each, "
        "so 1 makes the scaling baseline one core too)",
    )
    args = parser.parse_args()
    import pyarrow as pa

    pa.set_cpu_count(args.decode_threads)
    world = build_world(load_scenario("default"))
    counts = [int(w) for w in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="accord-replay-") as scratch:
        folder = args.archive or Path(scratch) / "archive"
        if folder.exists() and any(folder.rglob("*.parquet")):
            made = {"reused": str(folder), "partitions": len(partitions(folder))}
        else:
            made = build_archive(
                world, folder, int(args.observations), args.days, args.breach_share, args.seed
            )
        print(json.dumps({"archive": made}), flush=True)
        print(json.dumps({"in_memory": in_memory(world, folder, args.memory_rows)}), flush=True)
        runs = []
        for workers in counts:
            client = dask_client(None, workers)
            try:
                # The first replay starts the workers' imports and compiled code; the best
                # of --repeat runs is reported, with the first run's wall beside it.
                results = [
                    replay(folder, world.verifier, client=client) for _ in range(args.repeat)
                ]
            finally:
                close_client(client)
            result = min(results, key=lambda r: r.seconds["wall"])
            runs.append(result.summary() | {"first_wall": round(results[0].seconds["wall"], 3)})
            rate = runs[-1]["observations_per_s"]
            base = runs[0]["observations_per_s"] if counts[0] == 1 else None
            runs[-1]["efficiency"] = round(rate / (workers * base), 3) if base else None
            print(json.dumps({"replay": runs[-1]}), flush=True)


if __name__ == "__main__":
    main()
