"""The pure batch stage: an agreement's rules on the map, and one batch checked against
them (classify, find, link into episodes, grade, fuse, place), NumPy in and out.

The stored live path (`accord.verify.pipeline`), a replay of an archive
(`accord.scale`) and the benchmarks all call these functions, so a replay, a
simulation and a live feed of the same observations give the same incidents.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from accord.agreement import Agreement
from accord.geo.classify import ZoneIndex
from accord.geo.control import control_for
from accord.geo.line import line_of_contact
from accord.geo.zones import zones_from_agreement
from accord.ops import Sectors, Teams
from accord.store.columns import KIND_CODES, ObservationColumns
from accord.store.verification import ObservationDetails
from accord.verify.evidence import Networks, by_type
from accord.verify.findings import (
    Batch,
    Findings,
    Tallies,
    concat_findings,
    detect,
    evaluate_tallies,
    notices,
)
from accord.verify.incidents import (
    Correlation,
    Draft,
    Link,
    Routing,
    correlate,
    fuse,
    place,
)
from accord.verify.ingest import observation_row
from accord.verify.observation import Observation
from accord.verify.rules import RuleSet, compile_rules
from accord.verify.workflow import Escalation


@dataclass(frozen=True)
class Verifier:
    """Everything a batch is checked against: rules, zones, sectors, teams, settings."""

    ruleset: RuleSet
    index: ZoneIndex
    teams: Routing
    sectors: Sectors | None = None
    correlation: Correlation = field(default_factory=Correlation.shipped)
    escalation: Escalation = field(default_factory=Escalation.shipped)
    networks: Networks = by_type  # which sources are independent (`accord.verify.evidence`)

    @property
    def links(self) -> tuple[Link, ...]:
        """Each rule's episode link, by rule number."""
        return tuple(self.correlation.link(rule.kind.value) for rule in self.ruleset.rules)

    @classmethod
    def for_agreement(
        cls,
        agreement: Agreement,
        *,
        control: str | Path | None = None,
        events: Mapping[str, datetime] | None = None,
        cache_dir: Path | None = None,
        edge_uncertainty_m: float | None = None,
    ) -> Verifier:
        """Zones of the agreement on the control map (shipped by default; its edges off by
        `edge_uncertainty_m`, default what the map states), compiled once: the index is
        kept in `cache_dir` under a hash of the agreement and the map."""
        line = line_of_contact(control_for(control, edge_uncertainty_m=edge_uncertainty_m))
        zones, notes = zones_from_agreement(agreement, line)
        ruleset = compile_rules(agreement, zones, notes, events=events)
        index = None
        if cache_dir is not None:
            key = hashlib.sha256(
                (
                    agreement.model_dump_json() + line.lines.wkb_hex + str(line.edge_uncertainty_m)
                ).encode()
            ).hexdigest()[:16]
            cached = cache_dir / f"zones-{agreement.id}-{key}.npz"
            if cached.exists():
                index = ZoneIndex.load(cached)
        if index is None:
            index = ZoneIndex.build(zones)
            if cache_dir is not None:
                cache_dir.mkdir(parents=True, exist_ok=True)
                index.save(cached)
        return cls(ruleset, index, Teams.shipped(), Sectors(line.main))


@dataclass
class BatchResult:
    """What one batch yields before storage."""

    findings: Findings
    tallies: Tallies
    drafts: list[Draft]


def batch_from_observations(observations: Sequence[Observation], first_seq: int = 1) -> Batch:
    """A batch straight from validated observations (live use and tests), no database."""
    rows = [observation_row(o, "", i) for i, o in enumerate(observations)]

    def column(name: str, dtype: Any, missing: Any = None) -> np.ndarray:
        values = [row[name] for row in rows]
        if missing is not None:
            values = [missing if v is None else v for v in values]
        return np.array(values, dtype=dtype) if values else np.array([], dtype=dtype)

    columns = ObservationColumns(
        seq=np.arange(first_seq, first_seq + len(rows), dtype=np.int64),
        observation_id=column("observation_id", np.str_),
        source_id=column("source_id", np.str_),
        source_type=column("source_type", np.str_),
        time_ns=column("observed_at_us", np.int64) * 1000,
        lon=column("lon", np.float64, np.nan),
        lat=column("lat", np.float64, np.nan),
        uncertainty_m=column("uncertainty_m", np.float64, np.nan),
        kind=np.array([KIND_CODES[row["kind"]] for row in rows], dtype=np.int16),
        count=column("count", np.int64),
        firing_category=column("firing_category", np.str_, ""),
        side=column("side", np.str_, ""),
        side_confidence=column("side_confidence", np.float64, np.nan),
    )
    details = ObservationDetails(
        bearing_deg=column("bearing_deg", np.float64, np.nan),
        distance_min_m=column("distance_min_m", np.float64, np.nan),
        distance_max_m=column("distance_max_m", np.float64, np.nan),
        notice_subject=column("notification_subject", np.str_, ""),
        notice_party=column("notification_party", np.str_, ""),
        notice_zone=column("zone", np.str_, ""),
        notice_start_ns=column("starts_at_us", np.int64, -1) * np.int64(1000),
        notice_end_ns=column("ends_at_us", np.int64, -1) * np.int64(1000),
        notice_radius_km=column("radius_km", np.float64, np.nan),
    )
    return Batch(columns, details)


def verify_batch(verifier: Verifier, batch: Batch) -> BatchResult:
    """Classify, find and correlate one batch on its own (replay, benchmark, tests)."""
    point, tallies = detect(verifier.ruleset, verifier.index, batch)
    findings = concat_findings(point, evaluate_tallies(verifier.ruleset, tallies, notices(batch)))
    labels = correlate(
        findings.rule, findings.time_ns, findings.lon, findings.lat, verifier.links, findings.clears
    )
    drafts = fuse(findings, labels, verifier.networks)
    place(drafts, verifier.sectors, verifier.teams)
    return BatchResult(findings, tallies, drafts)
