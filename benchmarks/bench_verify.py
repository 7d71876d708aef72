"""Verification throughput and live delay, on the Defense Priorities plan and the shipped map.

1. Pure batch stage (classify + findings + correlation) over NumPy columns of synthetic
   observations, beside the peer a user would write instead: a per-record loop testing
   each rule's zone with shapely 2's prepared `contains_xy` (run on a subsample).
2. End to end from the database: observations ingested into SQLite, then
   `run_verification` (load columns, details, detect, correlate, store incidents).
3. Live micro-batches: a writer commits 100 observations every 100 ms (one breach in
   each), the verifier polls every 50 ms; the delay is from the commit of a breaching
   observation to the moment its finding, in a new or an existing incident, is committed;
   on SQLite, and on PostgreSQL too where `--postgres` (default: the test server that
   `scripts/services.sh` starts) names a server (a fresh database is made and dropped).

    .venv/bin/python benchmarks/bench_verify.py --batch 1000000 --database 200000 --live-s 20
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from sqlalchemy import create_engine, make_url, select, text

from accord.agreement.vocabulary import KIND_CODES, KIND_NAMES
from accord.plans import load_plan
from accord.store import open_store
from accord.store.columns import Batch, ObservationColumns, ObservationDetails
from accord.store.verification import StoredFinding
from accord.verify.batch import Verifier, verify_batch
from accord.verify.findings import detect
from accord.verify.ingest import ingest_file
from accord.verify.pipeline import run_verification

T0 = datetime(2025, 6, 11, tzinfo=UTC)
NEAR_DEG = 0.5  # spread of the points about the line (standard deviation, degrees)
KINDS = [k for k in KIND_NAMES if k in ("personnel", "vehicle", "armour", "artillery", "drone")]


def points_near_line(verifier: Verifier, n: int, rng: np.random.Generator) -> np.ndarray:
    """Half spread about the main line (NEAR_DEG), half over eastern Ukraine (lon, lat)."""
    line = verifier.sectors.main if verifier.sectors else None
    assert line is not None
    along = shapely.line_interpolate_point(line, rng.random(n // 2), normalized=True)
    near = shapely.get_coordinates(along) + rng.normal(0, NEAR_DEG, (n // 2, 2))
    wide = np.column_stack([rng.uniform(33, 40, n - n // 2), rng.uniform(46, 51, n - n // 2)])
    return np.vstack([near, wide])


def synthetic_batch(verifier: Verifier, n: int, seed: int = 1) -> Batch:
    rng = np.random.default_rng(seed)
    xy = points_near_line(verifier, n, rng)
    kind = rng.choice([KIND_CODES[k] for k in KINDS], n).astype(np.int16)
    firing = rng.random(n) < 0.005
    kind[firing] = KIND_CODES["firing"]
    reported = rng.random(n) < 0.3
    side = np.where(reported, rng.choice(["UA", "RU"], n), "")
    details = ObservationDetails.empty(n)
    details.bearing_deg[firing] = rng.uniform(0, 360, firing.sum())
    details.distance_min_m[firing] = 1000.0
    details.distance_max_m[firing] = 3000.0
    columns = ObservationColumns(
        seq=np.arange(1, n + 1, dtype=np.int64),
        observation_id=np.char.add("o", np.arange(n).astype(str)),
        source_id=np.char.add("s", rng.integers(0, 500, n).astype(str)),
        source_type=rng.choice(["drone", "radar", "acoustic", "camera"], n),
        time_ns=np.sort(rng.integers(0, 86_400, n)) * 10**9 + int(T0.timestamp()) * 10**9,
        lon=xy[:, 0],
        lat=xy[:, 1],
        uncertainty_m=np.full(n, 50.0),
        kind=kind,
        count=rng.integers(1, 5, n),
        firing_category=np.where(firing, "explosion", ""),
        side=side,
        side_confidence=np.where(reported, 0.8, np.nan),
    )
    return Batch(columns, details)


def per_record_peer(verifier: Verifier, batch: Batch, n: int) -> float:
    """Observations/s of a per-record loop over prepared shapely zones (presence rules)."""
    plan = load_plan(verifier.ruleset.agreement_id)
    from accord.geo.control import shipped_control
    from accord.geo.line import line_of_contact
    from accord.geo.zones import zones_from_agreement

    zones = {
        z.id: z.geometry for z in zones_from_agreement(plan, line_of_contact(shipped_control()))[0]
    }
    for geometry in zones.values():
        shapely.prepare(geometry)
    rules = [(r.zone_id, r.kinds) for r in verifier.ruleset.rules if r.zone_id]
    cols = batch.columns
    started = time.perf_counter()
    hits = 0
    for i in range(n):
        kind = KIND_NAMES[cols.kind[i]]
        for zone_id, kinds in rules:
            if kind in kinds and shapely.contains_xy(zones[zone_id], cols.lon[i], cols.lat[i]):
                hits += 1
    return n / (time.perf_counter() - started)


def jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def records_from(batch: Batch, first: int, last: int) -> list[dict]:
    cols = batch.columns
    out = []
    for i in range(first, last):
        record = {
            "id": str(cols.observation_id[i]),
            "source_id": str(cols.source_id[i]),
            "source_type": str(cols.source_type[i]),
            "observed_at": datetime.fromtimestamp(cols.time_ns[i] / 1e9, UTC).isoformat(),
            "lon": float(cols.lon[i]),
            "lat": float(cols.lat[i]),
            "uncertainty_m": 50.0,
            "kind": KIND_NAMES[cols.kind[i]],
            "count": int(cols.count[i]),
        }
        if cols.side[i]:
            record |= {"side": str(cols.side[i]), "side_confidence": 0.8}
        if KIND_NAMES[cols.kind[i]] == "firing":
            record["firing"] = {
                "category": "explosion",
                "explosion": "impact",
                "bearing_deg": float(batch.details.bearing_deg[i]),
                "distance_min_m": 1000.0,
                "distance_max_m": 3000.0,
            }
        out.append(record)
    return out


def _writer(
    url: str, paths: list[Path], tick_s: float, start_at: float, done: Any, out: Any
) -> None:
    """Ingest one prepared file per tick, on schedule; report each breach's commit time."""
    store = open_store(url)
    for number, path in enumerate(paths):
        time.sleep(max(0.0, start_at + number * tick_s - time.time()))
        ingest_file(store, path)
        out.put((f"{number}-breach", time.time()))
    out.put(("end", time.time()))
    store.close()
    done.set()


def live(verifier: Verifier, url: str, folder: Path, seconds: float, rate: int) -> dict[str, float]:
    """Sustained ingest at `rate` observations/s in one process, verification polling
    in another (as a mission runs them), and the delay from a breaching
    observation's commit to the commit of its finding in a provisional incident."""
    open_store(url).close()
    line = verifier.sectors.main if verifier.sectors else None
    assert line is not None
    rng = np.random.default_rng(7)
    tick_s = 0.1
    per_tick = max(1, int(rate * tick_s))
    paths = []
    for number in range(int(seconds / tick_s)):
        records = records_from(synthetic_batch(verifier, per_tick, seed=number), 0, per_tick)
        # One breach per tick: armour on the line, each far from the last.
        point = shapely.line_interpolate_point(line, rng.random(), normalized=True)
        records[0] |= {
            "lon": point.x,
            "lat": point.y,
            "kind": "armour",
            "source_id": f"cam-{number}",
        }
        for i, r in enumerate(records):
            r["id"] = f"{number}-breach" if i == 0 else f"{number}-{r['id']}"
        paths.append(jsonl(folder / f"live-{number}.jsonl", records))
    context = multiprocessing.get_context("spawn")
    done, out = context.Event(), context.Queue()
    start_at = time.time() + 2.0
    writer = context.Process(target=_writer, args=(url, paths, tick_s, start_at, done, out))
    writer.start()
    store = open_store(url)
    seen: dict[str, float] = {}  # a breach's finding, first visible after the poll's commit

    def poll() -> None:
        run_verification(store, verifier, now=T0)
        visible = time.time()
        with store.engine.connect() as connection:
            keys = connection.execute(
                select(StoredFinding.key).where(StoredFinding.key.like("%-breach%"))
            ).scalars()
            for key in keys:
                seen.setdefault(key, visible)

    while not done.is_set():
        poll()
        time.sleep(0.05)
    writer.join()
    poll()
    committed = dict(_drain(out))
    ended = committed.pop("end")
    store.close()
    # With episodes a breach may join an incident stored before it, so the delay is to the
    # commit of the breach's own finding in its (new or existing) incident.
    delays = np.array([seen[key] - committed[key] for key in seen if key in committed])
    observations = len(paths) * per_tick
    return {
        "target_per_s": rate,
        "sustained_per_s": round(observations / (ended - start_at)),
        "incidents": len(delays),
        "p50_s": round(float(np.percentile(delays, 50)), 3),
        "p99_s": round(float(np.percentile(delays, 99)), 3),
        "max_s": round(float(delays.max()), 3),
    }


def _drain(queue: Any) -> list[tuple[str, float]]:
    items = []
    while True:
        key, when = queue.get()
        items.append((key, when))
        if key == "end":
            return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=1_000_000)
    parser.add_argument("--peer", type=int, default=20_000)
    parser.add_argument("--database", type=int, default=200_000)
    parser.add_argument("--live-s", type=float, default=20.0)
    parser.add_argument("--live-rate", type=int, default=10_000, help="observations/s")
    parser.add_argument("--near-deg", type=float, default=NEAR_DEG, help="spread about the line")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ACCORD_TEST_POSTGRES_URL"),
        help="a PostgreSQL server URL to run the live test on too (default: the test server's)",
    )
    args = parser.parse_args()
    globals()["NEAR_DEG"] = args.near_deg
    folder = Path(tempfile.mkdtemp(prefix="bench-verify-"))
    started = time.perf_counter()
    verifier = Verifier.for_agreement(
        load_plan("defense-priorities-2025"), cache_dir=Path.home() / ".cache" / "accord"
    )
    print(
        f"verifier ready in {time.perf_counter() - started:.1f} s "
        f"({len(verifier.ruleset.rules)} rules)"
    )
    batch = synthetic_batch(verifier, args.batch)
    verify_batch(verifier, synthetic_batch(verifier, 10_000, seed=2))  # compile numba, warm up
    started = time.perf_counter()
    detect(verifier.ruleset, verifier.index, batch)
    print(f"classify + findings: {args.batch / (time.perf_counter() - started) / 1e6:.2f} M/s")
    started = time.perf_counter()
    result = verify_batch(verifier, batch)
    seconds = time.perf_counter() - started
    rate = args.batch / seconds
    print(
        f"batch stage: {args.batch:,} observations in {seconds:.2f} s = {rate / 1e6:.2f} M/s; "
        f"{len(result.findings):,} findings, {len(result.drafts):,} incidents"
    )
    peer = per_record_peer(verifier, batch, args.peer)
    print(f"per-record shapely loop: {peer:,.0f}/s on {args.peer:,}; ratio {rate / peer:,.0f}x")
    if args.database:
        store = open_store(f"sqlite:///{folder / 'bench.db'}")
        ingest_file(store, jsonl(folder / "obs.jsonl", records_from(batch, 0, args.database)))
        started = time.perf_counter()
        summary = run_verification(store, verifier, now=T0)
        seconds = time.perf_counter() - started
        print(
            f"end to end from SQLite: {summary.observations:,} observations in {seconds:.2f} s "
            f"= {summary.observations / seconds:,.0f}/s; {summary.findings:,} findings, "
            f"{summary.incidents_new:,} incidents"
        )
        store.close()
    if args.live_s:
        figures = live(
            verifier, f"sqlite:///{folder / 'live.db'}", folder, args.live_s, args.live_rate
        )
        print("live micro-batches, SQLite:", figures)
        if args.postgres:
            with fresh_database(args.postgres) as url:
                figures = live(verifier, url, folder, args.live_s, args.live_rate)
            print("live micro-batches, PostgreSQL:", figures)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server, dropped afterwards (the role needs CREATEDB)."""
    server = make_url(server_url)
    name = f"accord_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


if __name__ == "__main__":
    main()
