"""SIGKILL the ingest process at random points, 20 times: nothing acknowledged is lost.

The ingest prints "committed SOURCE A-B: ..." only after the batch covering
positions A to B is committed, so those lines define what was acknowledged.
After every kill each acknowledged good record must be stored; after a final
run the store holds every good record exactly once and each bad one is
quarantined once.
"""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from accord.store import open_store

RECORDS = 20_000
KILLS = 20
COMMITTED = re.compile(r"^committed .* (\d+)-(\d+): ", re.M)


def _write_file(path: Path) -> tuple[dict[int, str], set[int]]:
    """Lines with their good ids, and the line numbers of bad ones (one in 50)."""
    good: dict[int, str] = {}
    bad: set[int] = set()
    with path.open("w", encoding="utf-8") as handle:
        for line in range(1, RECORDS + 1):
            record: dict[str, Any] = {
                "id": f"k{line}",
                "source_id": "patrol-9",
                "source_type": "patrol",
                "observed_at": "2025-08-01T10:00:00Z",
                "lon": 37.2,
                "lat": 47.8,
                "uncertainty_m": 100,
                "kind": "personnel",
                "count": line % 30,
            }
            if line % 50 == 0:
                record["count"] = -1
                bad.add(line)
            else:
                good[line] = record["id"]
            handle.write(json.dumps(record) + "\n")
    return good, bad


def _start(path: Path, database_url: str, log: Path, restart: bool) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "accord.cli.ingest", str(path), "--database", database_url]
    command += ["--batch-size", "250"] + (["--restart"] if restart else [])
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)


def _acknowledged(log: Path) -> set[int]:
    return {
        line
        for first, last in COMMITTED.findall(log.read_text(encoding="utf-8", errors="replace"))
        for line in range(int(first), int(last) + 1)
    }


@pytest.mark.slow
def test_killed_ingest_loses_nothing_and_duplicates_nothing(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "patrols.jsonl"
    good, bad = _write_file(path)
    chance = random.Random(20250801)
    killed_mid_file = 0
    for run in range(KILLS):
        log = tmp_path / f"run-{run}.log"
        # Two runs in three read from the start, so the kills keep landing mid-file.
        process = _start(path, database_url, log, restart=chance.random() < 2 / 3)
        deadline = time.monotonic() + 30
        while "committed" not in log.read_text() and process.poll() is None:
            assert time.monotonic() < deadline, "ingest never committed a batch"
            time.sleep(0.02)
        time.sleep(chance.uniform(0, 0.8))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed_mid_file += 1
        process.wait()
        acknowledged = _acknowledged(log)
        with open_store(database_url) as store:
            stored = set(store.observation_ids())
        lost = {good[line] for line in acknowledged if line in good} - stored
        assert not lost, f"run {run}: acknowledged but not stored: {sorted(lost)[:5]}"
    assert killed_mid_file >= KILLS // 2
    final = subprocess.run(
        [sys.executable, "-m", "accord.cli.ingest", str(path), "--database", database_url],
        capture_output=True,
        check=True,
    )
    assert b"committed" in final.stdout or b"resumed after 20000" in final.stdout
    with open_store(database_url) as store:
        ids = store.observation_ids()
        quarantined = store.quarantined()
    assert len(ids) == len(set(ids)) and set(ids) == set(good.values())
    assert sorted(q.position for q in quarantined) == sorted(bad)
