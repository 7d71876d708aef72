"""The settlement model: an agreement, its parties, documents, terms and deals.

Every term cites the document it comes from. Every area of a settlement is
either covered by terms or explicitly declared open, so a reader can tell a
plan's silence from an omission in its encoding.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from accord.agreement.quantities import Count, Distance, Duration, Money
from accord.agreement.vocabulary import (
    ISSUES,
    Accession,
    AidCourse,
    Alignment,
    AmnestyScope,
    Area,
    AssetUse,
    Breach,
    CapUnit,
    Event,
    IncentiveKind,
    LineBasis,
    MilitaryItem,
    Recognition,
    TermKind,
    TreatyKind,
    Waterway,
    ZoneType,
)

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
TermId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$", max_length=80)]
PartyId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=16)]
DocDate = Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
OneLine = Annotated[str, Field(min_length=3, max_length=240, pattern=r"^[^\n]+$")]
Label = Annotated[str, Field(min_length=2, max_length=40, pattern=r"^[^\n]+$")]


class StrictModel(BaseModel):
    """Every accord input model: unknown fields are errors, values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Document(StrictModel):
    """A public document that terms cite."""

    id: Slug
    title: str = Field(min_length=3)
    author: str | None = None
    organisation: str | None = None
    date: DocDate
    url: str | None = None

    @model_validator(mode="after")
    def _someone(self) -> Document:
        if not self.author and not self.organisation:
            raise ValueError("a document needs an author or an organisation")
        return self


class SourceRef(StrictModel):
    """Where a term comes from: a document id, and where in it."""

    doc: Slug
    section: str | None = None
    note: str | None = None


class PartyKind(StrEnum):
    """What kind of actor a party is: a state, an alliance, a legislature, ..."""

    state = "state"
    alliance = "alliance"
    union = "union"
    organisation = "organisation"
    legislature = "legislature"
    group = "group"


class Party(StrictModel):
    """A signatory, a bound party or a veto player."""

    id: PartyId
    name: str = Field(min_length=2)
    kind: PartyKind = PartyKind.state
    members: list[PartyId] = Field(default_factory=list)


class ZoneSpec(StrictModel):
    """Where a rule applies on the map, in terms the geography compiler reads."""

    type: ZoneType
    along: str | None = Field(
        default=None,
        description="line_of_contact, or a border written A-B with party or group ids",
        pattern=r"^(line_of_contact|[A-Z][A-Z0-9_]*-[A-Z][A-Z0-9_]*)$",
    )
    width: Distance | None = Field(default=None, description="total width of a DMZ")
    distance: Distance | None = Field(default=None, description="depth of a band from its border")
    split: dict[PartyId, float] | None = Field(
        default=None, description="share of the width on each side; omitted means equal"
    )
    regime: str | None = Field(default=None, pattern=r"^(full|partial)$")
    line_parts: Literal["main", "all"] = Field(
        default="main",
        description="dmz along the line of contact: 'main' follows the main line only; "
        "'all' also the short pieces along coasts and borders, where the terms say so",
    )
    side: PartyId | None = Field(default=None, description="whose side a band lies on")
    regions: list[str] = Field(default_factory=list, description="named regions or countries")
    outside: bool = Field(
        default=False, description="the zone is everywhere outside the named regions"
    )
    held_by: PartyId | None = Field(
        default=None, description="held_area: the party whose part of the regions it is"
    )
    on: dt.date | None = Field(default=None, description="held_area: the date of the control map")
    at: Event | None = Field(default=None, description="held_area: the event that dates the map")

    @model_validator(mode="after")
    def _shape(self) -> ZoneSpec:
        if self.type is ZoneType.dmz:
            if self.width is None or self.regime is None or self.along is None:
                raise ValueError("a dmz needs 'along', 'width' and 'regime' (full or partial)")
            if self.split is not None and abs(sum(self.split.values()) - 1.0) > 1e-6:
                raise ValueError(f"split shares must add up to 1, not {sum(self.split.values())}")
        if "line_parts" in self.model_fields_set and (
            self.type is not ZoneType.dmz or self.along != "line_of_contact"
        ):
            raise ValueError("'line_parts' applies only to a dmz along: line_of_contact")
        if self.type is ZoneType.band and self.along is None:
            raise ValueError("a band needs 'along': a border such as NATO-RU")
        if self.type is ZoneType.region and not self.regions:
            raise ValueError("a region zone needs 'regions'")
        if self.type is ZoneType.held_area and (
            not self.regions or self.held_by is None or (self.on is None) == (self.at is None)
        ):
            raise ValueError(
                "a held_area needs 'regions', 'held_by' (UA or RU) and one of 'on: DATE' or"
                " 'at: EVENT' (e.g. at: signature)"
            )
        if self.type is ZoneType.ceasefire_line and self.along not in (None, "line_of_contact"):
            raise ValueError(
                "a ceasefire_line runs along the line of contact: along: line_of_contact"
            )
        return self


class Cap(StrictModel):
    """A ceiling on forces or weapons of a kind inside a zone; no limit means
    the level is left to negotiation."""

    item: MilitaryItem
    limit: Count | None = None
    unit: CapUnit | None = Field(default=None, description="what the limit counts")


class Deadline(StrictModel):
    """When an obligation falls due: a span after an event, by an event (a
    condition precedent, such as leaving Kursk before accession), or a date."""

    after: Event | None = None
    within: Duration | None = None
    by: Event | None = None
    on: dt.date | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        """'100 days after signature', 'by accession' or 'on 2026-03-01', else a clear error."""
        if not isinstance(data, str):
            return data
        text = " ".join(data.split())
        after = re.fullmatch(r"(?P<span>.+) after (?P<event>[a-z_]+)", text)
        by = re.fullmatch(r"by (?P<event>[a-z_]+)", text)
        on = re.fullmatch(r"(?:on )?(?P<date>\d{4}-\d{2}-\d{2})", text)
        events = {e.value for e in Event}
        if after and after["event"] in events:
            return {"after": after["event"], "within": after["span"]}
        if by and by["event"] in events:
            return {"by": by["event"]}
        if on:
            return {"on": on["date"]}
        raise ValueError(
            f"'{data}' is not a deadline; write '{{after: signature, within: 100 days}}' (or"
            " '100 days after signature'), '{by: accession}' or '{on: 2026-03-01}', with an"
            f" event one of {', '.join(e.value for e in Event)}"
        )

    @model_validator(mode="after")
    def _one_form(self) -> Deadline:
        forms = [self.on is not None, self.by is not None, self.after is not None]
        if sum(forms) != 1 or (self.after is not None) != (self.within is not None):
            raise ValueError(
                "a deadline is one of 'on: DATE', 'by: EVENT', or 'after: EVENT' with 'within'"
            )
        return self


class Phase(StrictModel):
    """One step of an incentive: what it grants and what compliance it needs."""

    name: str
    grants: str
    compliance_at_least: float | None = Field(default=None, ge=0, le=1)
    sustained_for: Duration | None = None
    review: str | None = Field(default=None, description="e.g. US Congress under CAATSA")


class Incentive(StrictModel):
    """What compliance earns: relief, aid, access to assets, membership."""

    kind: IncentiveKind
    beneficiary: PartyId
    providers: list[PartyId] = Field(min_length=1)
    amount: Money | None = None
    duration: Duration | None = None
    phases: list[Phase] = Field(default_factory=list)
    snap_back: bool = False
    snap_back_material: int | None = Field(
        default=None,
        ge=1,
        description="Serious established violations (high or critical, verified) by the "
        "beneficiary within snap_back_within that withdraw what was granted; "
        "unset: one in a day, stated as a default.",
    )
    snap_back_within: Duration | None = None
    counts: Literal["verified", "corroborated"] | None = Field(
        default=None,
        description="The evidence grade a violation needs to count against the beneficiary's "
        "compliance: verified (a patrol saw it, the party declared it, or it was upheld) or "
        "also corroborated (independent networks); unset: verified, stated as a default.",
    )


class Council(StrictModel):
    """A body that oversees implementation, who chairs it and whether it can penalise."""

    chair: str = Field(min_length=2)
    members: list[PartyId] = Field(default_factory=list)
    penalties: bool = False


class Trigger(StrictModel):
    """An act by a party that starts or ends an obligation."""

    party: PartyId
    breach: Breach


class Guarantee(StrictModel):
    """Who defends whom, and which breaches activate or void the promise."""

    guarantors: list[PartyId] = Field(min_length=1)
    beneficiary: PartyId
    activates_if: list[Trigger] = Field(default_factory=list)
    lapses_if: list[Trigger] = Field(default_factory=list)


IssueId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
ShareKey = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=40)]


class Parameters(StrictModel):
    """Typed figures a term carries beyond its zone, caps, deadline and incentive."""

    line: LineBasis | None = None
    line_alternatives: list[LineBasis] | None = None
    recognition: Recognition | None = None
    regions: list[str] | None = None
    line_length: Distance | None = None
    observers: Count | None = None
    observers_armed: bool | None = None
    remote_monitoring: list[str] | None = None
    patrols_per_day: Count | None = None
    peacekeepers: Count | None = None
    peacekeepers_per_location: Count | None = None
    contributors: list[str] | None = None
    alignment: Alignment | None = None
    constitutional: bool | None = None
    ratification: str | None = Field(default=None, pattern=r"^(unanimity|majority|none)$")
    holdouts: list[PartyId] | None = None
    aid_types: list[str] | None = None
    aid_excluded: list[str] | None = None
    aid_quantity_limited: bool | None = None
    aid_duration: Duration | None = None
    aid_lead_initial: PartyId | None = None
    aid_lead_later: PartyId | None = None
    force_size: Count | None = None
    countries: list[str] | None = None
    joined_after: int | None = Field(default=None, ge=1949, le=2100)
    distance: Distance | None = None
    amount: Money | None = None
    treaty: str | None = None
    weapons: list[MilitaryItem] | None = None
    precedent: str | None = None
    horizon: Duration | None = None
    accession: Accession | None = None
    aid_course: AidCourse | None = None
    assets: AssetUse | None = None
    shares: dict[ShareKey, float] | None = Field(
        default=None, description="how a divided thing (assets, a plant's output) is split"
    )
    treaty_kind: TreatyKind | None = None
    deployed: list[PartyId] | None = Field(
        default=None, description="parties whose forces deploy in the term's country"
    )
    reparations: bool | None = None
    tribunal: bool | None = None
    amnesty: AmnestyScope | None = None
    elections: PartyId | None = Field(default=None, description="whose elections are held")
    operator: PartyId | None = Field(default=None, description="who runs a shared facility")
    supervisor: str | None = Field(default=None, description="who oversees it, e.g. IAEA")
    navigation: list[Waterway] | None = None
    council: Council | None = None

    @field_validator("shares")
    @classmethod
    def _whole(cls, shares: dict[str, float] | None) -> dict[str, float] | None:
        if shares is not None:
            total = sum(shares.values())
            if any(v < 0 for v in shares.values()) or abs(total - 1.0) > 1e-6:
                raise ValueError(
                    f"shares must be non-negative and add up to 1, not {total:g};"
                    " write each as a fraction, e.g. {UA: 0.5, RU: 0.5}"
                )
        return shares


class Term(StrictModel):
    """One provision of an agreement."""

    id: TermId
    area: Area
    issue: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: TermKind
    label: Label
    summary: OneLine
    binds: list[PartyId] = Field(min_length=1)
    consent: list[PartyId] = Field(min_length=1)
    sources: list[SourceRef] = Field(min_length=1)
    status: str = Field(default="proposed", pattern=r"^(proposed|fallback|to_negotiate)$")
    position_of: PartyId | None = Field(
        default=None, description="whose reported position this is, when not the proposer's"
    )
    parameters: Parameters = Field(default_factory=Parameters)
    zone: ZoneSpec | None = None
    prohibits: list[MilitaryItem] = Field(default_factory=list)
    caps: list[Cap] = Field(default_factory=list)
    deadline: Deadline | None = None
    incentive: Incentive | None = None
    tied_to: list[TermId] = Field(default_factory=list, description="terms whose compliance counts")
    requires: list[TermId] = Field(default_factory=list, description="terms this one depends on")
    guarantee: Guarantee | None = None
    negotiation: dict[IssueId, IssueId] = Field(
        default_factory=dict,
        description="negotiation issue -> option this term states outright (or 'none')",
    )

    @field_validator("issue")
    @classmethod
    def _issue_of_area(cls, issue: str, info: ValidationInfo) -> str:
        area = info.data.get("area")
        if area is not None and issue not in ISSUES[area]:
            raise ValueError(
                f"'{issue}' is not an issue of area {area}; use one of {', '.join(ISSUES[area])}"
            )
        return issue

    @field_validator("caps")
    @classmethod
    def _total_caps_counted(cls, caps: list[Cap], info: ValidationInfo) -> list[Cap]:
        if "zone" in info.data and info.data["zone"] is None:
            for k, cap in enumerate(caps):
                if cap.limit is not None and cap.unit is None:
                    raise ValueError(
                        f"caps[{k}] has a limit but no unit; a cap with no zone limits a party's"
                        " total forces: write unit: troops (or items)"
                    )
        return caps

    @model_validator(mode="after")
    def _kind_fields(self) -> Term:
        if self.kind is TermKind.rule and not (self.zone or self.caps or self.prohibits):
            raise ValueError("a rule needs a 'zone', 'caps' or 'prohibits' to be verifiable")
        if (
            self.zone is not None
            and self.zone.type is ZoneType.band
            and self.zone.distance is None
            and self.status != "to_negotiate"
        ):
            raise ValueError("a band needs a 'distance' unless the term's status is to_negotiate")
        if self.kind is TermKind.obligation and self.deadline is None:
            raise ValueError("an obligation needs a 'deadline'")
        if self.kind is TermKind.condition and (self.incentive is None or not self.tied_to):
            raise ValueError("a condition needs an 'incentive' and the terms it is 'tied_to'")
        return self


class Deal(StrictModel):
    """A part of the settlement signed by its own parties, in its own order."""

    id: Slug
    title: str
    signatories: list[PartyId] = Field(min_length=1)
    terms: list[TermId] = Field(min_length=1)
    after: list[Slug] = Field(default_factory=list)
    conditions: str | None = None
    sources: list[SourceRef] = Field(min_length=1)


class OpenArea(StrictModel):
    """An area the plan's documents leave open, with why we say so."""

    area: Area
    note: OneLine


class CoreIssue(StrictModel):
    """A negotiation issue the plan's authors will not trade away (bridging keeps it)."""

    issue: IssueId
    reason: OneLine
    sources: list[SourceRef] = Field(min_length=1)


class Agreement(StrictModel):
    """A whole proposal: who proposes it, whom it involves, and what it says."""

    id: Slug
    title: str = Field(min_length=3)
    proposer: str = Field(min_length=2)
    date: DocDate
    summary: str = Field(min_length=10)
    documents: list[Document] = Field(min_length=1)
    parties: list[Party] = Field(min_length=1)
    terms: list[Term] = Field(default_factory=list)
    deals: list[Deal] = Field(default_factory=list)
    open: list[OpenArea] = Field(default_factory=list)
    core: list[CoreIssue] = Field(
        default_factory=list, description="negotiation issues the plan stands or falls by"
    )

    @model_validator(mode="before")
    @classmethod
    def _references(cls, data: Any, info: ValidationInfo) -> Any:
        # The loader runs the same check itself to attach file positions; other
        # callers get it here so no agreement with dangling references exists.
        if isinstance(data, dict) and not (info.context or {}).get("references_checked"):
            from accord.agreement.references import check_references

            problems = check_references(data)
            if problems:
                raise ValueError(
                    "; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in problems)
                )
        return data

    def term(self, term_id: str) -> Term:
        """The term with this id; KeyError when the plan has none."""
        for term in self.terms:
            if term.id == term_id:
                return term
        raise KeyError(term_id)

    def party(self, party_id: str) -> Party:
        """The party with this id; KeyError when the plan has none."""
        for party in self.parties:
            if party.id == party_id:
                return party
        raise KeyError(party_id)

    def document(self, doc_id: str) -> Document:
        """The document with this id; KeyError when the plan has none."""
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        raise KeyError(doc_id)

    def terms_in(self, area: Area) -> list[Term]:
        """The plan's terms in one area, in file order."""
        return [t for t in self.terms if t.area is area]

    def open_note(self, area: Area) -> str | None:
        """Why the plan leaves an area open, if it does."""
        return next((o.note for o in self.open if o.area is area), None)
