"""A small world and an archive built to straddle partition edges.

The line of contact runs north-south along 37 E from 47 N to 49 N (sectors of
50 km along it); Ukraine's side is west, Russia's east. A full DMZ 36.95-37.05 E
bans military forces; a partial one 36.8-37.2 E caps troops at 500; exercises
must be notified. Random traffic over three days, plus hand-placed pairs of
sightings of one event either side of a day boundary (23:55 and 00:05) and
either side of a sector boundary (1 km apart across it).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from tests.support import missing, plan, term

from accord.agreement import Agreement
from accord.geo.classify import ZoneIndex
from accord.geo.zones import Zone
from accord.ops import Base, Sectors, Teams
from accord.store import open_store
from accord.verify.batch import Verifier
from accord.verify.ingest import ingest_file
from accord.verify.rules import compile_rules


def require(module: str) -> Any:
    """Import an optional scale-out dependency, or skip (locally) / fail (in CI)."""
    try:
        return __import__(module, fromlist=["_"])
    except ImportError:
        missing(f"{module} is not installed: pip install 'accord[scale]'", module_level=True)


def agreement(dmz_items: list[str], plan_id: str = "test-plan", regime: str = "full") -> Agreement:
    terms = [
        term(
            "ceasefire.dmz",
            "ceasefire",
            "dmz",
            prohibits=dmz_items,
            zone={"type": "dmz", "along": "line_of_contact", "width": "5 mi", "regime": regime},
        ),
        term(
            "ceasefire.partial",
            "ceasefire",
            "dmz",
            prohibits=["mlrs"],
            caps=[{"item": "military_forces", "limit": 500}],
            zone={"type": "dmz", "along": "line_of_contact", "width": "30 km", "regime": "partial"},
        ),
        term("security.exercises", "security", "force_size", prohibits=["exercise"]),
    ]
    return plan(*terms, plan_id=plan_id)


ZONES = [
    Zone("side.UA", "side", ("UA",), shapely.box(35, 47, 37, 49), {"side": "UA"}),
    Zone("side.RU", "side", ("RU",), shapely.box(37, 47, 39, 49), {"side": "RU"}),
    Zone("ceasefire.dmz", "dmz", ("UA", "RU"), shapely.box(36.95, 47, 37.05, 49)),
    Zone("ceasefire.partial", "dmz", ("UA", "RU"), shapely.box(36.8, 47, 37.2, 49)),
]
SECTORS = Sectors(shapely.LineString([(37.0, 47.0), (37.0, 49.0)]))
TEAMS = Teams(bases=[Base(id="north", lon=37.0, lat=48.6), Base(id="south", lon=37.0, lat=47.2)])
START = datetime(2025, 6, 10, tzinfo=UTC)


def make_verifier(plan: Agreement) -> Verifier:
    rules = compile_rules(plan, ZONES)
    return Verifier(rules, ZoneIndex.build(ZONES, cell_m=500.0), TEAMS, SECTORS)


@pytest.fixture(scope="session")
def verifier() -> Verifier:
    return make_verifier(agreement(["military_forces"]))


@pytest.fixture(scope="session")
def narrow_verifier() -> Verifier:
    """A plan whose DMZ is partial: it bans heavy weapons only."""
    return make_verifier(agreement(["heavy_weapons"], plan_id="narrow-plan", regime="partial"))


def sector_edge_lat() -> float:
    """The latitude on 37 E where S03 turns into S04, to within a metre."""
    low, high = 48.0, 48.5
    while high - low > 1e-5:
        middle = (low + high) / 2
        if SECTORS.of(np.array([37.0]), np.array([middle]))[0] == "S03":
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def observations(seed: int = 7, n: int = 3000) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    kinds = ["personnel", "vehicle", "armour", "artillery", "mlrs"]
    types = ["drone", "radar", "camera", "seismic", "patrol"]
    records: list[dict[str, Any]] = []
    for i in range(n):
        moment = START + timedelta(seconds=float(rng.uniform(0, 3 * 86_400)))
        record: dict[str, Any] = {
            "id": f"r{i:05d}",
            "source_id": f"src-{int(rng.integers(0, 40)):02d}",
            "source_type": types[int(rng.integers(0, len(types)))],
            "observed_at": _at(moment),
            "lon": round(float(rng.normal(37.0, 0.12)), 6),
            "lat": round(float(rng.uniform(47.05, 48.95)), 6),
            "uncertainty_m": 50,
            "kind": kinds[int(rng.integers(0, len(kinds)))],
            "count": int(rng.integers(1, 400)),
        }
        if rng.random() < 0.3:
            record |= {"side": ["UA", "RU"][int(rng.integers(0, 2))], "side_confidence": 0.8}
        records.append(record)
    # Bursts: many sightings of a few events, so incidents gather several findings.
    for i in range(200):
        centre = 47.2 + 0.25 * (i % 7)
        moment = START + timedelta(hours=5 + 9 * (i % 7), minutes=int(rng.integers(0, 10)))
        records.append(
            {
                "id": f"b{i:04d}",
                "source_id": f"drone-{i % 5}",
                "source_type": "drone",
                "observed_at": _at(moment),
                "lon": round(37.0 + float(rng.normal(0, 0.003)), 6),
                "lat": round(centre + float(rng.normal(0, 0.003)), 6),
                "kind": "armour",
                "count": 3,
            }
        )
    return records + straddling()


def straddling() -> list[dict[str, Any]]:
    """Two pairs of sightings of one event each: across midnight, and across S03/S04."""
    edge = sector_edge_lat()
    midnight = START + timedelta(days=1)

    def sighting(ident: str, source: str, lat: float, moment: datetime) -> dict[str, Any]:
        return {
            "id": ident,
            "source_id": source,
            "source_type": "drone" if source.startswith("d") else "radar",
            "observed_at": _at(moment),
            "lon": 37.01,
            "lat": lat,
            "uncertainty_m": 30,
            "kind": "artillery",
            "count": 1,
            "side": "RU",
            "side_confidence": 0.9,
        }

    return [
        sighting("day-a", "drone-x", 47.3, midnight - timedelta(minutes=5)),
        sighting("day-b", "radar-x", 47.305, midnight + timedelta(minutes=5)),
        sighting("sector-a", "drone-y", edge - 0.005, START + timedelta(hours=30)),
        sighting("sector-b", "radar-y", edge + 0.005, START + timedelta(hours=30, minutes=4)),
    ]


@pytest.fixture(scope="session")
def source_store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding the observations, ingested as field data is."""
    folder = tmp_path_factory.mktemp("scale")
    path = folder / "observations.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in observations()), encoding="utf-8")
    url = f"sqlite:///{folder / 'source.db'}"
    with open_store(url) as store:
        ingest_file(store, path, batch_size=5000)
    return url


@pytest.fixture(scope="session")
def archive(source_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    require("pyarrow")
    from accord.scale.archive import export_store

    folder = tmp_path_factory.mktemp("archive") / "archive"
    with open_store(source_store_url) as store:
        export_store(store, folder, SECTORS, chunk=1000)
    return folder
