"""Rules compiled from an agreement: what each term forbids, where, to whom and from when.

No rule is written by hand for a plan. Every rule comes from one term's zone,
prohibitions, caps and deadline, so a finding can always name the term it
breaches. Terms that sensors cannot check (a prohibition with no place on the
map, an item no observation kind reports) are kept as notes saying why.

Agreement items are mapped to the kinds an observation reports: an
observation's `kind` is a `MilitaryItem` value, and broader items cover
several kinds (`military_forces` every military kind, `heavy_weapons` armour,
artillery, MLRS and missile launchers; a missile class is seen as its
launcher, a bomber as an aircraft).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from accord.agreement import Agreement
from accord.agreement.model import Term
from accord.agreement.vocabulary import KIND_CODES, MilitaryItem, TermKind, ZoneType
from accord.geo.borders import PARTY_COUNTRIES, Borders
from accord.geo.zones import Zone, borders_for
from accord.verify.observation import ObservedKind

# Vienna Document 2011, chapter V: exercises of 9,000 troops or more are notified.
EXERCISE_NOTIFICATION_TROOPS = 9_000
DEFAULT_AGGREGATE_WINDOW = timedelta(days=1)

HEAVY_WEAPONS = frozenset({"armour", "artillery", "mlrs", "missile_launcher"})
_PRESENCE_KINDS = frozenset(k.value for k in ObservedKind) - {"firing"}
_MISSILES = (
    "short_range_missile",
    "intermediate_range_missile",
    "long_range_missile",
    "ballistic_missile",
    "cruise_missile",
    "hypersonic_missile",
)

# Which observed kinds an agreement item covers. Items missing here (warships,
# nuclear weapons, bases) are not reported by any observation kind.
ITEM_KINDS: dict[str, frozenset[str]] = {
    "military_forces": _PRESENCE_KINDS,
    "heavy_weapons": HEAVY_WEAPONS,
    "heavy_bomber": frozenset({"aircraft"}),
    "nuclear_capable_bomber": frozenset({"aircraft"}),
    **{missile: frozenset({"missile_launcher"}) for missile in _MISSILES},
    **{kind: frozenset({kind}) for kind in _PRESENCE_KINDS},
}
# What a cap counts: troops for forces, launchers and guns for weapons.
CAP_KINDS: dict[str, frozenset[str]] = {**ITEM_KINDS, "military_forces": frozenset({"personnel"})}


class RuleKind(StrEnum):
    """What a rule checks; each is one detector in `findings`."""

    presence = "presence"  # prohibited kinds inside a DMZ
    restricted = "restricted"  # prohibited kinds inside a band, exclusion zone or region
    firing = "firing"  # fire landing on or across the line or in the DMZ
    cap = "cap"  # more than a cap in a zone over a window
    exercise = "exercise"  # a troop concentration above the notification threshold
    foreign_forces = "foreign_forces"  # forces of a party foreign to the zone's hosts
    deadline = "deadline"  # forces still where an obligation says they must have left


class Severity(IntEnum):
    """How serious a breach is; a large count raises a point finding by one level."""

    low = 1
    medium = 2
    high = 3
    critical = 4


@dataclass(frozen=True)
class Rule:
    """One checkable consequence of one term."""

    id: str  # "<term id>:<kind>"
    kind: RuleKind
    term_id: str
    label: str
    zone_id: str | None  # None: wherever the observation is
    kinds: frozenset[str]  # observed kinds it is about
    parties: frozenset[str]  # party ids (and their member states) it binds
    severity: Severity
    limit: int | None = None  # cap or exercise threshold
    hosts: frozenset[str] = frozenset()  # foreign_forces: whose forces are at home
    active_from: datetime | None = None  # deadline: when the obligation fell due
    window: timedelta = DEFAULT_AGGREGATE_WINDOW  # cap and exercise aggregation

    @property
    def kind_bits(self) -> int:
        """The rule's kinds as bits of the `KIND_CODES` position, for whole columns."""
        bits = 0
        for kind in self.kinds:
            bits |= 1 << KIND_CODES[kind]
        return bits


@dataclass(frozen=True)
class RuleSet:
    """The rules of one agreement on one map, in the order the zone index uses."""

    agreement_id: str
    rules: tuple[Rule, ...]
    zone_ids: tuple[str, ...]
    notes: tuple[str, ...] = ()
    dmz_ids: tuple[str, ...] = field(default=())

    def rule(self, rule_id: str) -> Rule:
        """The rule of this id."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        known = ", ".join(r.id for r in self.rules)
        raise KeyError(f"no rule {rule_id!r} in {self.agreement_id}; rules are {known}")

    def zone_bit(self, zone_id: str) -> int:
        """The zone's bit in the zone index's masks."""
        return 1 << self.zone_ids.index(zone_id)

    def describe(self) -> list[dict[str, object]]:
        """One row per rule, for people (`accord verify rules`)."""
        return [
            {
                "rule": r.id,
                "term": r.term_id,
                "zone": r.zone_id or "anywhere",
                "kinds": ", ".join(sorted(r.kinds)) or "-",
                "parties": ", ".join(sorted(p for p in r.parties if len(p) != 3)) or "-",
                "limit": r.limit,
                "from": r.active_from.isoformat() if r.active_from else None,
                "severity": r.severity.name,
            }
            for r in self.rules
        ]


def party_cover(agreement: Agreement, parties: Iterable[str]) -> frozenset[str]:
    """The parties with their members (from the agreement) and member states (ISO codes)."""
    found: set[str] = set()
    todo = list(parties)
    while todo:
        party = todo.pop()
        if party in found:
            continue
        found.add(party)
        members = {p.id: p.members for p in agreement.parties}.get(party, [])
        todo.extend(members)
        found.update(PARTY_COUNTRIES.get(party, ()))
    # A party all of whose member states are covered is bound too (the US under NATO).
    found.update(p for p, isos in PARTY_COUNTRIES.items() if isos <= found)
    return frozenset(found)


def _kinds(items: Iterable[MilitaryItem], table: Mapping[str, frozenset[str]]) -> frozenset[str]:
    return frozenset().union(*(table.get(item.value, frozenset()) for item in items))


def _severity(kind: RuleKind, kinds: frozenset[str]) -> Severity:
    if kind in (RuleKind.firing, RuleKind.foreign_forces, RuleKind.deadline):
        return Severity.high
    return Severity.high if kinds & HEAVY_WEAPONS else Severity.medium


def _due(term: Term, events: Mapping[str, datetime]) -> datetime | None:
    """When the term's deadline fell due, or None when its event has no date yet."""
    deadline = term.deadline
    if deadline is None:
        return None
    if deadline.on is not None:
        return datetime.combine(deadline.on, datetime.min.time(), tzinfo=UTC)
    event = deadline.by or deadline.after
    start = events.get(event.value) if event is not None else None
    if start is None:
        return None
    return start + timedelta(days=deadline.within.days if deadline.within else 0.0)


def _hosts(term: Term, borders: Borders | None) -> frozenset[str]:
    """Whose forces are at home in a region: the parties or countries it names."""
    hosts: set[str] = set()
    by_iso = {next(iter(isos)): party for party, isos in PARTY_COUNTRIES.items() if len(isos) == 1}
    for name in term.zone.regions if term.zone else ():
        iso = borders.by_name(name) if borders else None
        if name in PARTY_COUNTRIES:
            hosts.add(name)
        if iso:
            hosts.update({iso, by_iso.get(iso, iso)})
    return frozenset(hosts)


def compile_rules(
    agreement: Agreement,
    zones: Sequence[Zone],
    zone_notes: Iterable[str] = (),
    *,
    events: Mapping[str, datetime] | None = None,
    borders: Borders | None = None,
    statuses: Iterable[str] = ("proposed",),
    exercise_troops: int = EXERCISE_NOTIFICATION_TROOPS,
    window: timedelta = DEFAULT_AGGREGATE_WINDOW,
) -> RuleSet:
    """The agreement's checkable terms as rules over `zones` (from `zones_from_agreement`).

    `events` dates the events deadlines count from (ceasefire, entry_into_force...);
    a deadline whose event has no date yet compiles to nothing, with a note.
    Only terms whose status is in `statuses` bind; proposals still to be
    negotiated or fallbacks are noted, not enforced.
    """
    events = events or {}
    drawn = {z.id: z for z in zones}
    notes = list(zone_notes)
    rules: list[Rule] = []
    wanted = set(statuses)
    if borders is None and any(MilitaryItem.foreign_forces in t.prohibits for t in agreement.terms):
        borders = borders_for(agreement)  # region names to the countries that host forces
    for term in agreement.terms:
        if term.kind not in (TermKind.rule, TermKind.obligation):
            continue
        if term.status not in wanted:
            if term.zone or term.prohibits or term.caps:
                # A party's reported position binds no one until its status says it does.
                whose = f"{term.position_of}'s reported position, " if term.position_of else ""
                notes.append(f"{term.id}: {whose}status {term.status}, not enforced")
            continue
        rules.extend(
            _term_rules(agreement, term, drawn, notes, events, borders, exercise_troops, window)
        )
    dmz = tuple(z.id for z in zones if z.kind == ZoneType.dmz.value)
    return RuleSet(agreement.id, tuple(rules), tuple(z.id for z in zones), tuple(notes), dmz)


@dataclass(frozen=True)
class _Term:
    """One binding term being compiled: what every rule kind's builder reads."""

    term: Term
    zone: Zone | None
    parties: frozenset[str]
    due: datetime | None
    notes: list[str]
    borders: Borders | None
    exercise_troops: int
    window: timedelta

    @property
    def zone_id(self) -> str | None:
        """The id of the zone the term's rules are checked in, if it was drawn."""
        return self.zone.id if self.zone else None

    @property
    def in_dmz(self) -> bool:
        """Whether the term's zone is a DMZ."""
        return self.zone is not None and self.zone.kind == ZoneType.dmz.value

    @property
    def on_line(self) -> bool:
        """A DMZ on the line of contact, or the line itself: a ceasefire line."""
        zone, spec = self.zone, self.term.zone
        return zone is not None and (
            zone.kind == ZoneType.ceasefire_line.value
            or (self.in_dmz and spec is not None and spec.along == "line_of_contact")
        )

    def rule(self, kind: RuleKind, suffix: str = "", **fields: Any) -> Rule:
        """A rule of this term and kind; `suffix` tells apart several of one kind."""
        term = self.term
        return Rule(
            id=f"{term.id}:{kind.value}{suffix}",
            kind=kind,
            term_id=term.id,
            label=term.label,
            parties=self.parties,
            zone_id=self.zone_id,
            **fields,
        )


RuleBuilder = Callable[[_Term], list[Rule]]
# The builders of each rule kind, in the order their rules are listed (detection and a
# replay's merge keep that order). A new kind is a `RuleKind` member, a detector in
# `findings` and one builder registered with `builds`.
RULE_BUILDERS: list[tuple[frozenset[RuleKind], RuleBuilder]] = []


def builds(*kinds: RuleKind) -> Callable[[RuleBuilder], RuleBuilder]:
    """Register the decorated function as the builder of these rule kinds."""

    def register(builder: RuleBuilder) -> RuleBuilder:
        taken = {kind for made, _ in RULE_BUILDERS for kind in made} & set(kinds)
        if taken:
            raise ValueError(f"rule kinds {sorted(taken)} already have a builder")
        RULE_BUILDERS.append((frozenset(kinds), builder))
        return builder

    return register


def _term_rules(
    agreement: Agreement,
    term: Term,
    drawn: Mapping[str, Zone],
    notes: list[str],
    events: Mapping[str, datetime],
    borders: Borders | None,
    exercise_troops: int,
    window: timedelta,
) -> list[Rule]:
    zone = drawn.get(term.id)
    if term.zone is not None and zone is None:
        notes.append(f"{term.id}: its zone is not on the map; only map-free checks compiled")
    if term.kind is TermKind.obligation and zone is None:
        notes.append(f"{term.id}: obligation with no zone; sensors cannot check it")
        return []
    due = _due(term, events)
    if term.deadline is not None and due is None:
        notes.append(f"{term.id}: the deadline's event has no date; pass it in `events`")
        return []
    parties = party_cover(agreement, term.binds)
    compiling = _Term(term, zone, parties, due, notes, borders, exercise_troops, window)
    return [rule for _, build in RULE_BUILDERS for rule in build(compiling)]


@builds(RuleKind.presence, RuleKind.restricted, RuleKind.deadline)
def _bans(t: _Term) -> list[Rule]:
    """Prohibited kinds inside the zone: presence in a DMZ, restricted elsewhere, and a
    deadline once an obligation to leave has fallen due."""
    term, rules = t.term, []
    banned = _kinds(term.prohibits, ITEM_KINDS)
    if t.in_dmz and term.zone is not None and term.zone.regime == "full":
        banned = _PRESENCE_KINDS  # a full DMZ admits no military kind at all
    if t.zone_id is not None and banned:
        kind = (
            RuleKind.deadline if t.due else RuleKind.presence if t.in_dmz else RuleKind.restricted
        )
        rules.append(
            t.rule(kind, kinds=banned, severity=_severity(kind, banned), active_from=t.due)
        )
    elif banned:
        t.notes.append(f"{term.id}: prohibits {', '.join(sorted(banned))} with no zone to check in")
    unseen = [
        p.value
        for p in term.prohibits
        if p.value not in ITEM_KINDS
        and p.value not in ("exercise", "foreign_forces")
        and not (t.on_line and p is MilitaryItem.firing)
    ]
    if unseen:
        t.notes.append(f"{term.id}: no observation kind reports {', '.join(unseen)}")
    return rules


@builds(RuleKind.firing)
def _firing(t: _Term) -> list[Rule]:
    """No fire on or across a ceasefire line (a line has no inside, so only fire across
    it counts there)."""
    if not t.on_line:
        return []
    return [t.rule(RuleKind.firing, kinds=frozenset({"firing"}), severity=Severity.high)]


@builds(RuleKind.cap)
def _caps(t: _Term) -> list[Rule]:
    """A ceiling on a kind in the zone, counted over a window."""
    rules = []
    for cap in t.term.caps:
        if cap.limit is None or t.zone_id is None:
            t.notes.append(f"{t.term.id}: cap on {cap.item.value} has no level or no zone yet")
            continue
        measured = CAP_KINDS.get(cap.item.value, frozenset())
        rules.append(
            t.rule(
                RuleKind.cap,
                f":{cap.item.value}",
                kinds=measured,
                severity=_severity(RuleKind.cap, measured),
                limit=cap.limit.value,
                window=t.window,
            )
        )
    return rules


@builds(RuleKind.exercise)
def _exercise(t: _Term) -> list[Rule]:
    """Exercises above the notification threshold; with no zone the limit holds wherever
    the bound parties exercise."""
    if MilitaryItem.exercise not in t.term.prohibits or (t.zone is None and t.term.zone):
        return []
    return [
        t.rule(
            RuleKind.exercise,
            kinds=frozenset({"personnel"}),
            severity=Severity.medium,
            limit=t.exercise_troops,
            window=t.window,
        )
    ]


@builds(RuleKind.foreign_forces)
def _foreign_forces(t: _Term) -> list[Rule]:
    """Forces of a bound party foreign to the zone's hosts."""
    term = t.term
    if MilitaryItem.foreign_forces not in term.prohibits:
        return []
    hosts = _hosts(term, t.borders)
    if t.zone_id is None:
        t.notes.append(f"{term.id}: foreign forces banned with no zone to check in")
        return []
    if t.parties <= hosts:
        t.notes.append(
            f"{term.id}: foreign forces banned, but it binds only the hosts "
            f"({', '.join(sorted(p for p in t.parties if len(p) != 3))}); a rule charges only "
            "the parties it binds, so no foreign force can be charged"
        )
        return []
    kinds = _PRESENCE_KINDS
    return [t.rule(RuleKind.foreign_forces, kinds=kinds, severity=Severity.high, hosts=hosts)]
