"""The shapes of the API's JSON answers, so the OpenAPI describes each one and a
client can generate its types from it. Each model forbids fields it does not
name: an answer that grows a field without its model is a failing test, not a
silent change of the contract. Records the parties send (notifications) and the
domain's own documents (a plan, the negotiation analysis) keep open objects."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Answer(BaseModel):
    """An API answer: no fields beyond those declared, so the OpenAPI is the whole shape."""

    model_config = ConfigDict(extra="forbid")


class Me(Answer):
    """Who the token belongs to and what it may do."""

    role: str
    label: str
    name: str
    party: str | None
    team: str | None
    may: list[str] = Field(description="The actions the token's role may take.")
    transitions: dict[str, list[str]] = Field(
        description="Each state, with the states the role may move an incident in it to."
    )


class Rejected(Answer):
    """A record of a batch that was not stored, and why."""

    record: int = Field(description="The record's position in the batch, from 1.")
    reason: str


class Submission(Answer):
    """What became of a batch of observations: stored, duplicate or quarantined."""

    records: int
    accepted: int
    duplicates: int
    quarantined: int
    accepted_ids: list[str]
    rejected: list[Rejected]
    conflicts: int
    batch: int | None


class FieldReportStored(Answer):
    """A field report as stored."""

    id: int
    kind: str
    team: str
    at_us: int
    at: str
    lon: float | None
    lat: float | None
    party: str | None
    description: str
    reported_by: str


class Notifications(Answer):
    """A page of the parties' notices and declarations."""

    total: int
    items: list[dict[str, Any]] = Field(description="The notices as the parties sent them.")
    limit: int
    offset: int


class Incident(Answer):
    """An incident as listed: its state, the term and rule it breaches, where and when."""

    id: str = Field(description="INC-000012")
    number: int
    state: str
    kind: str
    term: str
    rule: str
    severity: str
    first_seen: str
    last_seen: str
    lon: float
    lat: float
    sector: str
    party: str | None
    party_confidence: float
    attribution: str
    confidence: float
    sources: list[str]
    source_types: list[str]
    observed_kinds: list[str]
    team: str
    escalation: str | None
    confirmed: bool
    published: bool


class Incidents(Answer):
    """A page of incidents."""

    total: int
    items: list[Incident]
    limit: int
    offset: int


class Evidence(Answer):
    """An observation an incident rests on."""

    observed_at: str
    source: str
    source_type: str
    observed_kind: str
    count: int
    detail: str
    observations: list[str] = Field(description="The ids of the observations behind it.")


class Step(Answer):
    """A step of an incident's workflow: from which state to which, when and why."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    data_time: str | None = Field(description="The data's time the step is about, if any.")
    taken_at: str | None = Field(description="When the step was taken, if known.")
    from_: str | None = Field(alias="from")
    to: str
    actor: str
    reason: str


class Note(Answer):
    """An internal note on an incident."""

    at: str
    author: str
    text: str


class IncidentDetail(Incident):
    """An incident with its evidence, its history and, for staff, its notes."""

    evidence: list[Evidence]
    history: list[Step]
    notes: list[Note] | None = Field(None, description="Internal notes; mission staff only.")


class NoteAdded(Answer):
    """A note as added to an incident."""

    incident: str
    author: str
    text: str


class Span(Answer):
    """When the data the caller may see begins and ends, as times and as mission days."""

    first: str | None
    last: str | None
    first_day: str | None
    last_day: str | None


class Delivery(Answer):
    """An alert sent, failed or skipped on a channel, with the reason it was due."""

    incident: str
    channel: str
    target: str
    reason: str
    outcome: Literal["delivered", "failed", "skipped"]
    status: int | None
    detail: str
    at: str


class PeriodFigures(Answer):
    """A party's incident counts and compliance index over one period."""

    start: str
    days: int
    incidents: int
    established: int
    serious: int
    dismissed: int
    by_grade: dict[str, int]
    by_kind: dict[str, int]
    by_severity: dict[str, int]
    by_sector: dict[str, int]
    reported_by_kind: dict[str, int]
    reported_by_sector: dict[str, int]
    score: float
    index: float


class Compliance(Answer):
    """A party's compliance for a period, beside the period before it."""

    party: str
    period: str
    formula: str
    counted_grade: str
    current: PeriodFigures
    previous: PeriodFigures


class ConditionPhase(Answer):
    """Where a condition's incentive stands for a party, and what it waits for."""

    term: str
    kind: str
    party: str
    state: str
    waiting_for: str | None
    decisions: list[dict[str, Any]]


class PlanSummary(Answer):
    """A shipped plan in a list: id, title, proposer, date and number of terms."""

    id: str
    title: str
    proposer: str
    date: str
    terms: int


class Plan(Answer):
    """A shipped plan as its file states it (the agreement model's fields; each part
    an open object, its schema is `accord schema agreement`)."""

    id: str
    title: str
    proposer: str
    date: str
    summary: str
    documents: list[dict[str, Any]]
    parties: list[dict[str, Any]]
    terms: list[dict[str, Any]]
    deals: list[dict[str, Any]]
    open: list[dict[str, Any]]
    core: list[dict[str, Any]]


class Negotiation(Answer):
    """The analysis of the shipped plans, part by part (as `accord negotiate` writes them)."""

    domain: dict[str, Any] = Field(description="Issues, parties, packages and plans.")
    plans: list[dict[str, Any]] = Field(description="Each plan evaluated for each party.")
    pareto: dict[str, Any]
    solutions: dict[str, Any]
    ratification: dict[str, Any] = Field(description="By plan id.")
    durability: dict[str, Any] = Field(description="By plan id.")
    sensitivity: dict[str, Any]
    flip: dict[str, Any]
    backtest: dict[str, Any]


class SignedRoot(Answer):
    """A closed day's Merkle root, signed by the mission."""

    day: str
    tree_size: int
    root: str
    key_id: str
    signature: str
    statement: str


class InclusionProof(Answer):
    """The proof that a ledger entry is in its day's signed tree."""

    format: str
    entry: dict[str, Any] = Field(description="The ledger entry, as exported.")
    leaf_index: int
    tree_size: int
    audit_path: list[str]
    day: str
    root: str
    statement: str
    key_id: str
    public_key: str
    signature: str


class ConsistencyProof(Answer):
    """The proof that the ledger at one size is a prefix of it at another."""

    format: str
    first: int
    second: int
    first_root: str
    second_root: str
    path: list[str]


class Feature(Answer):
    """A GeoJSON feature."""

    type: Literal["Feature"]
    id: str | int
    geometry: dict[str, Any]
    properties: dict[str, Any]


class FeatureCollection(Answer):
    """A GeoJSON feature collection."""

    type: Literal["FeatureCollection"]
    features: list[Feature]


class Outline(Answer):
    """A country of the base map: no id, its ISO code and name as properties."""

    type: Literal["Feature"]
    properties: dict[str, str]
    geometry: dict[str, Any]


class Basemap(Answer):
    """The countries of the base map as GeoJSON."""

    type: Literal["FeatureCollection"]
    features: list[Outline]


class Zones(FeatureCollection):
    """An agreement's zones as GeoJSON, with the agreement and notes on drawing it."""

    accord: dict[str, Any] = Field(description="The agreement and notes on drawing it.")


class Link(Answer):
    """A link of the OGC API documents."""

    rel: str
    type: str
    href: str


class Landing(Answer):
    """The OGC API landing page."""

    title: str
    description: str
    links: list[Link]


class Conformance(Answer):
    """The OGC API conformance classes the server implements."""

    conformsTo: list[str]  # OGC's name


class Collection(Answer):
    """An OGC API collection: its item type, CRS, extent and links."""

    id: str
    title: str
    itemType: str  # OGC's name
    crs: list[str]
    extent: dict[str, Any] | None = None
    links: list[Link]


class Collections(Answer):
    """The OGC API collections the server serves."""

    links: list[Link]
    collections: list[Collection]


class FeaturePage(FeatureCollection):
    """An OGC items page (GeoJSON)."""

    numberMatched: int  # OGC's names
    numberReturned: int
    timeStamp: str
    links: list[Link]
