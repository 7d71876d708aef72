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

from accord.agreement import Agreement
from accord.geo.classify import ZoneIndex
from accord.geo.control import control_for
from accord.geo.line import line_of_contact
from accord.geo.zones import zones_from_agreement
from accord.ops import Sectors, Teams
from accord.store.columns import Batch, batch_from_rows
from accord.verify.evidence import Networks, by_type
from accord.verify.findings import (
    Findings,
    Tallies,
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
    rows = [{**observation_row(o, "", i), "seq": first_seq + i} for i, o in enumerate(observations)]
    return batch_from_rows(rows)


def verify_batch(verifier: Verifier, batch: Batch) -> BatchResult:
    """Classify, find and correlate one batch on its own (replay, benchmark, tests)."""
    point, tallies = detect(verifier.ruleset, verifier.index, batch)
    findings = Findings.concat([point, evaluate_tallies(verifier.ruleset, tallies, notices(batch))])
    labels = correlate(
        findings.rule, findings.time_ns, findings.lon, findings.lat, verifier.links, findings.clears
    )
    drafts = fuse(findings, labels, verifier.networks)
    place(drafts, verifier.sectors, verifier.teams)
    return BatchResult(findings, tallies, drafts)
