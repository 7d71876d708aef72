"""Rows the verdicts are computed from, held to the ledger entries that vouch for them.

The chain proves the entries were not altered; this proves the tables beside it
were not either. Verdicts read observations (the typed columns, not the record),
incidents, publications, compliance figures and settings from their own
tables, so each row is compared with its latest ledger entry: an observation's
record must hash to the entry's digest and its typed columns must be what that
record gives; an incident must equal its last snapshot (party, severity, state
and the rest); a publication, a published figure, a setting and a registered
source must be what the ledger last recorded. A row with no entry, or an entry whose row is gone, is
named too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, select

from accord.ledger.canonical import canonical_json
from accord.ledger.chain import Entry
from accord.store.ledger import LedgerSetting
from accord.store.schema import StoredObservation
from accord.store.service import IncidentPublication
from accord.store.sources import list_sources
from accord.store.verification import (
    INCIDENT_COVERED,
    ComplianceRecord,
    StoredIncident,
    incident_ref,
)
from accord.verify.compliance import compliance_ref
from accord.verify.ingest import observation_row
from accord.verify.observation import Observation

# Columns that are the record itself, or where it came from, not read from it.
_NOT_DERIVED = frozenset({"record", "digest", "raw", "position"})
_BATCH = 5_000


def latest_entries(entries: Sequence[Entry]) -> dict[tuple[str, str], Entry]:
    """The last entry for each (kind, ref): a correction supersedes what it corrects."""
    return {(e.kind, e.ref): e for e in entries}


def coverage_problems(connection: Connection, entries: Sequence[Entry]) -> list[str]:
    """Every row that disagrees with the ledger, observations first."""
    latest = latest_entries(entries)
    return [
        *_observations(connection, latest),
        *_incidents(connection, latest),
        *_publications(connection, latest),
        *_compliance(connection, latest),
        *_settings(connection, latest),
        *_sources(connection, latest),
    ]


def _unstored(
    latest: dict[tuple[str, str], Entry], kind: str, stored: set[str], what: str
) -> list[str]:
    """Entries of `kind` whose row is gone: deleted from the table, still in the ledger."""
    return [
        f"{what} {ref}: in ledger entry {entry.seq}, but not stored"
        for (k, ref), entry in latest.items()
        if k == kind and ref not in stored
    ]


def _rows(connection: Connection, query: Any) -> Iterator[Any]:
    # On the statement: Connection.execution_options would change the caller's connection.
    yield from connection.execute(query.execution_options(yield_per=_BATCH))


def _observations(connection: Connection, latest: dict[tuple[str, str], Entry]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    columns = StoredObservation.__table__.columns
    for row in _rows(connection, select(*columns).order_by(StoredObservation.seq)):
        stored = row._mapping
        ident = stored["observation_id"]
        seen.add(ident)
        entry = latest.get(("observation", ident))
        where = f"observation {ident}"
        if entry is None:
            problems.append(f"{where}: stored, but no ledger entry vouches for it")
            continue
        digest = hashlib.sha256(stored["record"].encode()).hexdigest()
        if digest != entry.payload.get("digest"):
            said = str(entry.payload.get("digest"))[:16]
            problems.append(
                f"{where}: its record is not the one ledger entry {entry.seq} holds "
                f"(sha256 {digest[:16]}..., the entry says {said}...)"
            )
            continue
        problems.extend(f"{where}: {p}" for p in _derived(stored))
    return problems + _unstored(latest, "observation", seen, "observation")


def _derived(stored: Any) -> list[str]:
    """How the typed columns differ from what the stored record gives."""
    try:
        observation = Observation.model_validate_json(stored["record"])
    except ValidationError as exc:
        return [f"its record no longer validates: {exc.errors()[0]['msg']}"]
    expected = observation_row(observation, stored["raw"], stored["position"])
    return [
        f"column {name} is {stored[name]!r}, its ledgered record gives {value!r}"
        for name, value in expected.items()
        if name not in _NOT_DERIVED and stored[name] != value
    ]


def _incidents(connection: Connection, latest: dict[tuple[str, str], Entry]) -> list[str]:
    """Each incident row as its last ledger snapshot left it: party, severity, state..."""
    problems: list[str] = []
    seen: set[str] = set()
    table = StoredIncident.__table__
    columns = [table.c[name] for name in INCIDENT_COVERED]
    for row in _rows(connection, select(*columns).order_by(table.c.id)):
        ref = incident_ref(row.id)
        seen.add(ref)
        entry = latest.get(("incident", ref))
        if entry is None:
            problems.append(f"incident {ref}: stored, but no ledger entry records it")
            continue
        changed = [
            f"{name} is {value!r}, ledger entry {entry.seq} has {entry.payload.get(name)!r}"
            for name, value in row._mapping.items()
            if entry.payload.get(name) != value
        ]
        if changed:
            problems.append(f"incident {ref}: {'; '.join(changed)}")
    return problems + _unstored(latest, "incident", seen, "incident")


def _publications(connection: Connection, latest: dict[tuple[str, str], Entry]) -> list[str]:
    """An incident is public exactly when the ledger says it was published."""
    query = select(IncidentPublication.incident_id).order_by(IncidentPublication.incident_id)
    stored = {incident_ref(i) for i in connection.execute(query).scalars()}
    recorded = {ref for kind, ref in latest if kind == "publication"}
    return [
        f"incident {ref}: published in the store, but no ledger entry records it"
        for ref in sorted(stored - recorded)
    ] + [
        f"incident {ref}: published in ledger entry {latest[('publication', ref)].seq}, "
        "but not in the store"
        for ref in sorted(recorded - stored)
    ]


def _compliance(connection: Connection, latest: dict[tuple[str, str], Entry]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    columns = ComplianceRecord.__table__.columns
    for record in _rows(connection, select(*columns).order_by(ComplianceRecord.id)):
        ref = compliance_ref(record.agreement_id, record.party, record.period, record.start)
        seen.add(ref)
        entry = latest.get(("compliance", ref))
        where = f"compliance {ref}"
        if entry is None:
            problems.append(f"{where}: stored, but never published to the ledger")
            continue
        figures = json.loads(json.dumps(json.loads(record.figures), default=str))
        current = entry.payload.get("current", {})
        if record.compliance_index != current.get("index"):
            problems.append(
                f"{where}: index {record.compliance_index} stored, ledger entry {entry.seq} "
                f"published {current.get('index')}"
            )
        elif canonical_json(figures) != canonical_json(entry.payload):
            problems.append(
                f"{where}: its figures differ from those ledger entry {entry.seq} holds"
            )
    return problems + _unstored(latest, "compliance", seen, "compliance")


def _settings(connection: Connection, latest: dict[tuple[str, str], Entry]) -> list[str]:
    problems: list[str] = []
    stored = dict(connection.execute(select(LedgerSetting.name, LedgerSetting.value)).all())
    names = set(stored) | {ref for kind, ref in latest if kind == "setting"}
    for name in sorted(names):
        entry = latest.get(("setting", name))
        value = stored.get(name)
        recorded = None if entry is None else entry.payload.get("value")
        if value != recorded:
            said = "no entry" if entry is None else f"entry {entry.seq} says {recorded!r}"
            problems.append(f"setting {name}: {value!r} stored, the ledger's {said}")
    return problems


def _sources(connection: Connection, latest: dict[tuple[str, str], Entry]) -> list[str]:
    """The registry as the ledger last recorded it: ingest decided by these rows."""
    problems: list[str] = []
    seen: set[str] = set()
    for source in list_sources(connection):
        seen.add(source.source_id)
        entry = latest.get(("source", source.source_id))
        where = f"source {source.source_id}"
        if entry is None:
            problems.append(f"{where}: registered, but no ledger entry records it")
            continue
        stored = source.ledger_payload()
        changed = [
            f"{name} is {value!r}, ledger entry {entry.seq} has {entry.payload.get(name)!r}"
            for name, value in stored.items()
            if entry.payload.get(name) != value
        ]
        if changed:
            problems.append(f"{where}: {'; '.join(changed)}")
    return problems + _unstored(latest, "source", seen, "source")
