"""Runs through the real ingest and verification: reproducible from the seed, scored."""

from __future__ import annotations

import json
from pathlib import Path

from accord.sim import simulate, week_summary
from accord.verify.observation import Observation


def test_same_seed_same_bytes_and_scores(tmp_path: Path):
    first = simulate("default", 2, 11, tmp_path / "a")
    second = simulate("default", 2, 11, tmp_path / "b")
    for name in ("observations.jsonl", "truth.jsonl", "scores.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert first.summary() == second.summary()
    other = simulate("default", 2, 12, tmp_path / "c")
    assert (tmp_path / "c" / "observations.jsonl").read_bytes() != (
        tmp_path / "a" / "observations.jsonl"
    ).read_bytes()
    assert other.summary() != first.summary()


def test_outputs_are_the_schema_and_the_truth_accounts_for_them(tmp_path: Path):
    result = simulate("default", 2, 5, tmp_path)
    lines = (tmp_path / "observations.jsonl").read_text().splitlines()
    ids = [Observation.model_validate_json(line).id for line in lines]
    assert len(ids) == len(set(ids)) == result.observations
    truth = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    accounted = [o for t in truth for o in t["observations"]]
    assert sorted(accounted) == sorted(ids)  # every observation has a true cause or is false
    violations = [t for t in truth if t["violation"]]
    assert len(violations) == result.violations > 0
    scores = json.loads((tmp_path / "scores.json").read_text())["scores"]
    assert scores["all"]["violations"] == result.violations
    assert 0 < scores["all"]["detected"] <= result.violations


def test_week_summary_against_ground_truth():
    summary = week_summary(seed=2)
    assert summary["days"] == 7 and summary["violations"] > 20
    assert 0 < summary["confirmation_rate"] <= summary["detection_rate"] <= 1
    assert summary["false_incidents_per_day"] >= 0
    assert set(summary["by_kind"]) >= {"dmz_patrol", "firing", "heavy_weapons"}
