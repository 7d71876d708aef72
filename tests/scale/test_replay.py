"""Replays of one archive agree: in one process, on Dask, as one batch, and from the store.

The archive holds events seen either side of a day boundary and of a sector
boundary, so equality here means incidents are correlated across partition edges.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from accord.store import open_store
from accord.store.columns import Batch
from accord.store.verification import StoredFinding, StoredIncident
from accord.verify.batch import Verifier, verify_batch
from accord.verify.compliance import Weights, figures
from accord.verify.findings import Findings
from accord.verify.pipeline import run_verification

from .conftest import require

archive_module = require("accord.scale.archive")
replay_module = require("accord.scale.replay")


def draft_rows(verifier: Verifier, result: Any) -> list[tuple]:
    """Every field of every incident, keyed by rule and findings (not by numbering)."""
    return incident_rows(verifier, result.findings, result.drafts)


def incident_rows(verifier: Verifier, findings: Findings, drafts: list) -> list[tuple]:
    rows = []
    for draft in drafts:
        values = tuple(
            getattr(draft, f.name) for f in fields(draft) if f.name not in ("members", "rule")
        )
        rows.append((replay_module.draft_key(verifier, findings, draft), values))
    return sorted(rows)


def assert_same_findings(one: Findings, two: Findings) -> None:
    # Clearings are not findings: what they do shows in the incidents, compared apart.
    for name in (n for n in Findings.__dataclass_fields__ if n != "clears"):
        left, right = getattr(one, name), getattr(two, name)
        if isinstance(left, np.ndarray):
            assert np.array_equal(left, right, equal_nan=left.dtype.kind == "f"), name
        else:
            assert left == right, name


def whole_archive(archive: Path) -> Batch:
    """The archive as one batch, partitions in replay order."""
    tables = [archive_module.read_table(archive, p) for p in archive_module.partitions(archive)]
    pa = require("pyarrow")
    batch, _ = archive_module.table_to_batch(pa.concat_tables(tables))
    return batch


def test_single_process_replay_is_one_batch_over_the_archive(archive: Path, verifier: Verifier):
    result = replay_module.replay(archive, verifier)
    reference = verify_batch(verifier, whole_archive(archive))
    assert_same_findings(result.findings, reference.findings)
    assert draft_rows(verifier, result) == incident_rows(
        verifier, reference.findings, reference.drafts
    )
    assert result.observations == 3004 and len(result.drafts) > 100
    # The same incidents in the same order: numbered by first finding, as one batch does.
    assert [d.members.tolist() for d in result.drafts] == [
        d.members.tolist() for d in reference.drafts
    ]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    distributed = require("dask.distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):
        yield connected


def test_dask_replay_equals_single_process(
    archive: Path, verifier: Verifier, narrow_verifier: Verifier, client: Any
):
    local = replay_module.replay_many(archive, [verifier, narrow_verifier])
    remote = replay_module.replay_many(archive, [verifier, narrow_verifier], client=client)
    assert remote[0].workers == 2
    for one, two, checked in zip(local, remote, [verifier, narrow_verifier], strict=True):
        assert_same_findings(one.findings, two.findings)
        assert draft_rows(checked, one) == draft_rows(checked, two)
        assert {k: v.as_dict() for k, v in one.compliance.items()} == {
            k: v.as_dict() for k, v in two.compliance.items()
        }
        assert one.compliance.keys() == two.compliance.keys()
        for key in one.compliance:
            assert one.compliance[key].score == two.compliance[key].score


def _partition_of(archive: Path) -> dict[str, str]:
    where = {}
    for part in archive_module.partitions(archive):
        table = archive_module.read_table(archive, part, ["observation_id"])
        where |= {i: part.name for i in table.column("observation_id").to_pylist()}
    return where


def test_incidents_straddle_day_and_sector_edges(archive: Path, verifier: Verifier, client: Any):
    where = _partition_of(archive)
    # Each pair is in two partitions: across midnight, and across the S03/S04 edge.
    assert where["day-a"].startswith("day=2025-06-10") and where["day-b"].startswith(
        "day=2025-06-11"
    )
    assert where["sector-a"].endswith("sector=S03") and where["sector-b"].endswith("sector=S04")
    result = replay_module.replay(archive, verifier, client=client)
    holding = {
        key: number
        for number, draft in enumerate(result.drafts)
        for key in result.findings.key[draft.members].tolist()
    }
    for first, second in (("day-a", "day-b"), ("sector-a", "sector-b")):
        assert holding[first] == holding[second]  # one incident holding both, not one each
        draft = result.drafts[holding[first]]
        assert {"drone", "radar"} <= set(draft.source_types)
        assert draft.confidence >= 1 - 0.2 * 0.3 - 1e-12  # two independent sources fused


def _stored_incidents(url: str) -> list[tuple]:
    with open_store(url) as store, store.engine.connect() as connection:
        keys: dict[int, list[str]] = {}
        for incident, key in connection.execute(
            select(StoredFinding.incident_id, StoredFinding.key)
        ):
            keys.setdefault(incident, []).append(key)
        rows = connection.execute(select(StoredIncident.__table__)).all()
        return sorted(
            (
                (r.rule_id, tuple(sorted(keys[r.id]))),
                (
                    r.first_seen_us,
                    r.last_seen_us,
                    r.party,
                    r.severity,
                    r._mapping["count"],
                    r.sector,
                ),
                (r.team, round(r.confidence, 9), round(r.lon, 9), round(r.lat, 9)),
            )
            for r in rows
        )


def test_replay_equals_run_verification_and_its_compliance(
    archive: Path, verifier: Verifier, tmp_path: Path
):
    url = f"sqlite:///{tmp_path / 'verified.db'}"
    with open_store(url) as store:
        archive_module.import_archive(store, archive)
        run_verification(store, verifier, batch_size=1_000_000)
    result = replay_module.replay(archive, verifier)
    replayed = sorted(
        (
            key,
            (d.first_ns // 1000, d.last_ns // 1000, d.party, d.severity, d.count, d.sector),
            (d.team, round(d.confidence, 9), round(d.lon, 9), round(d.lat, 9)),
        )
        for d in result.drafts
        for key in [replay_module.draft_key(verifier, result.findings, d)]
    )
    assert replayed == _stored_incidents(url)
    weights = Weights.shipped().counting("corroborated")  # so figures are not all 1
    result = replay_module.replay(archive, verifier, weights=weights)
    with open_store(url) as store:
        for party in ("UA", "RU"):
            for day in (date(2025, 6, 10), date(2025, 6, 11), date(2025, 6, 12)):
                stored = figures(store, party, day, 1, weights, verifier.ruleset.agreement_id)
                assert result.compliance[(party, day)].as_dict() == stored.as_dict()


@pytest.mark.parametrize("period", ["day", "week"])
def test_compliance_columns_equal_incident_by_incident(
    archive: Path, verifier: Verifier, period: str
) -> None:
    """The replay's figures against the formula worked out one incident at a time."""
    from collections import Counter
    from datetime import timedelta

    from accord.verify.compliance import PERIOD_DAYS, period_start
    from accord.verify.evidence import Grade
    from accord.verify.rules import Severity

    result = replay_module.replay(archive, verifier)
    weights = Weights.shipped().counting("corroborated")
    got = replay_module.compliance_figures(verifier.ruleset, result.incidents, weights, period)
    expected: dict[tuple[str, date], dict] = {}
    for d in result.drafts:
        if not d.party:
            continue
        day = date(1970, 1, 1) + timedelta(days=d.first_ns // 86_400_000_000_000)
        key = (d.party, period_start(day, period))
        row = expected.setdefault(key, {"n": 0, "ok": 0, "kind": Counter(), "score": 0.0})
        counted = d.grade >= Grade.corroborated
        row["n"] += 1
        row["ok"] += counted
        if counted:
            row["kind"][verifier.ruleset.rules[d.rule].kind.value] += 1
            row["score"] += weights.severity[Severity(d.severity).name]
    assert got.keys() == expected.keys() and len(got) >= 2
    assert any(row["ok"] for row in expected.values())
    for key, row in expected.items():
        figures = got[key]
        assert (figures.incidents, figures.established) == (row["n"], row["ok"])
        assert figures.by_kind == row["kind"]
        assert figures.score == pytest.approx(row["score"])
        assert figures.days == PERIOD_DAYS[period]
