"""Findings: which observations of a batch breach which rule, computed column by column.

Every detector is a handful of NumPy operations over the whole batch, so the
same code serves a live micro-batch and a replay of an archive. Locations
are classified once per batch by the compiled `ZoneIndex`.

Attribution is by positive evidence only: the party an observation reports
(a sighting of its forces, with the source's `side_confidence`), or the
origin of fire traced by bearing and distance to ground a party holds beyond
the DMZ. The side of the line a sighting is on is not evidence of whose
forces they are, and an impact does not say who fired it: such findings are
undetermined (party ""), and a rule never charges a party it does not bind.

Firing geometry: an observation of fire is made from the observer's position
(lon/lat); with a bearing and a distance band the event lies at the geodesic
destination from there along the bearing at the band's middle (spherical
Earth, error under 0.5% at these ranges), its uncertainty widened by half the
band. An explosion is an impact; muzzle flashes, shots, projectiles in flight
and flares mark the origin. An impact breaches the ceasefire in the DMZ, or
on either party's ground when its firer is reported as the other party; its
firer is undetermined unless reported. An origin breaches it in the DMZ, or
when it is seen from the other side of the line (fire towards it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from accord.agreement.vocabulary import KIND_CODES, KIND_NAMES
from accord.columns import ColumnTable
from accord.geo.classify import ZoneIndex
from accord.geo.geodesy import destination
from accord.store.columns import Batch, ObservationColumns
from accord.verify.areas import (
    AREAS,
    Areas,
    cells,
    exercise_areas,
    group,
    largest_per_key,
    zone_names,
)
from accord.verify.linkage import Clears
from accord.verify.observation import PARTY_DECLARATIONS, SourceType
from accord.verify.rules import Rule, RuleKind, RuleSet, Severity

# A traced origin of fire (bearing and distance band) on one party's ground beyond the
# DMZ: the band's half-width is a km or two, the DMZ's half-width several, so the
# origin's side is rarely in doubt; short of an observer's sighting, hence below 1.
TRACED_ORIGIN_CONFIDENCE = 0.7
# How far a single source of each type is trusted to have seen what it reports (0-1);
# every `SourceType` has one (tests/verify/test_findings.py holds it so).
SOURCE_RELIABILITY: dict[str, float] = {
    SourceType.patrol: 0.9,
    SourceType.camera: 0.8,
    SourceType.drone: 0.8,
    SourceType.radar: 0.7,
    SourceType.acoustic: 0.6,
    SourceType.seismic: 0.5,
    SourceType.notification: 1.0,
    SourceType.data_exchange: 1.0,
}


class UnknownSourceType(ValueError):
    """A batch holds a source type verification has no reliability for."""


SEVERITY_BUMP_COUNT = 10  # a count this large raises a point finding's severity by one
_SIDE_PARTY = np.array(["", "UA", "RU"])
_IMPACT = "explosion"
_KIND_NAMES = np.array(KIND_NAMES)
_DECLARED = tuple(s.value for s in PARTY_DECLARATIONS)
# Rules on where forces are: within the zone edge's uncertainty and the observation's
# own of the edge, nobody can say whether they are inside, so such a finding is marked,
# not decided.
_EDGE_KINDS = {RuleKind.presence, RuleKind.restricted, RuleKind.deadline, RuleKind.foreign_forces}
NEAR_EDGE = "near the edge, undetermined"


@dataclass(frozen=True)
class Located:
    """Where each row's event is and what the zone index says about it."""

    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    uncertainty_m: NDArray[np.float64]
    mask: NDArray[np.uint64]
    side: NDArray[np.int8]  # of the event point: 1 UA's, 2 RU's, 0 neither
    observer_side: NDArray[np.int8]  # of the observer, for fire seen across the line
    aimed: NDArray[np.bool_]  # placed by a bearing and distance band from the observer
    index: ZoneIndex = field(repr=False)  # to ask, for a rule's rows, how near an edge


@dataclass(frozen=True)
class Findings(ColumnTable):
    """Breaches, one row each; `rule` indexes `RuleSet.rules`, `row` the batch (-1 for
    aggregates, whose evidence and explanation are in `evidence` and `detail`)."""

    rule: NDArray[np.int32]
    row: NDArray[np.int64]
    key: NDArray[np.str_]  # unique per rule: observation id, or party@window
    time_ns: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    uncertainty_m: NDArray[np.float64]
    party: NDArray[np.str_]
    party_confidence: NDArray[np.float64]
    attribution: NDArray[np.str_]
    source_id: NDArray[np.str_]
    source_type: NDArray[np.str_]
    confidence: NDArray[np.float64]
    severity: NDArray[np.int8]
    count: NDArray[np.int64]
    observed_kind: NDArray[np.str_]
    near_edge: NDArray[np.bool_]  # within the zone edge's uncertainty: undetermined
    evidence: dict[int, tuple[str, ...]] = field(default_factory=dict)
    detail: dict[int, str] = field(default_factory=dict)
    clears: Clears = field(default_factory=Clears.empty)

    def take(self, rows: NDArray[np.int64] | NDArray[np.bool_] | slice) -> Findings:
        """The rows chosen, aggregate evidence and explanations following their rows."""
        chosen = np.arange(len(self))[rows]
        where = {int(old): new for new, old in enumerate(chosen.tolist())}
        return replace(
            super().take(chosen),
            evidence={where[i]: e for i, e in self.evidence.items() if i in where},
            detail={where[i]: d for i, d in self.detail.items() if i in where},
        )

    @classmethod
    def concat(cls, tables: Sequence[Self]) -> Self:
        """Several findings tables as one; aggregate evidence keeps pointing at its rows."""
        evidence: dict[int, tuple[str, ...]] = {}
        detail: dict[int, str] = {}
        offset = 0
        for f in tables:
            evidence.update({offset + i: e for i, e in f.evidence.items()})
            detail.update({offset + i: d for i, d in f.detail.items()})
            offset += len(f)
        joined = cls.from_parts([f.columns() for f in tables])
        clears = Clears.concat([f.clears for f in tables])
        return replace(joined, evidence=evidence, detail=detail, clears=clears)


@dataclass(frozen=True)
class Tallies(ColumnTable):
    """Per rule, party ("" when undetermined), window, source and grid cell
    (`accord.verify.areas`): the largest count seen (or declared), and where."""

    rule: NDArray[np.int32]
    party: NDArray[np.str_]
    window_start_ns: NDArray[np.int64]
    source_id: NDArray[np.str_]
    cell: NDArray[np.int64]
    declared: NDArray[np.bool_]
    count: NDArray[np.int64]
    observation_id: NDArray[np.str_]
    time_ns: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    zones: NDArray[np.str_]  # comma-separated ids of the zones the point lies in


@dataclass(frozen=True)
class Notices(ColumnTable):
    """Exercises the parties notified: whose, when, and where (a zone id, an area of
    `radius_km` around lon/lat, or both; "" and NaN where not given)."""

    observation_id: NDArray[np.str_]
    party: NDArray[np.str_]
    start_ns: NDArray[np.int64]
    end_ns: NDArray[np.int64]
    zone: NDArray[np.str_]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    radius_km: NDArray[np.float64]


def locate(index: ZoneIndex, batch: Batch) -> Located:
    """Event points (fire moved along its bearing) classified against every zone."""
    cols, det = batch.columns, batch.details
    lon, lat, unc = cols.lon.copy(), cols.lat.copy(), cols.uncertainty_m.copy()
    aimed = np.isfinite(det.bearing_deg) & np.isfinite(det.distance_max_m) & np.isfinite(lon)
    observer_side = np.zeros(len(cols), dtype=np.int8)
    if aimed.any():
        near = np.where(np.isfinite(det.distance_min_m), det.distance_min_m, 0.0)[aimed]
        far = det.distance_max_m[aimed]
        lon[aimed], lat[aimed] = destination(
            cols.lon[aimed], cols.lat[aimed], det.bearing_deg[aimed], (near + far) / 2
        )
        unc[aimed] = np.hypot(np.nan_to_num(unc[aimed]), (far - near) / 2)
        observer_side[aimed] = index.side_of(index.masks(cols.lon[aimed], cols.lat[aimed]))
    where = index.classify(lon, lat)
    observer_side[~aimed] = where.side[~aimed]
    return Located(lon, lat, unc, where.mask, where.side, observer_side, aimed, index)


def factorize(values: NDArray[Any]) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """The distinct values, sorted, and each value's index among them. Finding the few
    distinct values and searching them is several times faster on strings than
    `np.unique(..., return_inverse=True)`, which sorts every value."""
    names = np.unique(values)
    return names, np.searchsorted(names, values).astype(np.int64)


class _Parties:
    """Party strings as small integer codes, so rules test whole columns at once."""

    def __init__(self, ruleset: RuleSet, reported: NDArray[np.str_]):
        names = {"UA", "RU"}
        for rule in ruleset.rules:
            names |= rule.parties | rule.hosts
        self.names = ["", *sorted(names), "?"]  # "?": a party no rule names
        self.code = {name: i for i, name in enumerate(self.names)}
        distinct, inverse = factorize(reported)
        table = [self.code.get(name, self.code["?"]) if name else 0 for name in distinct.tolist()]
        self.reported = np.array(table, dtype=np.int16)[inverse]

    def table(self, parties: frozenset[str]) -> NDArray[np.bool_]:
        """Which party codes are among `parties`, indexable by a column of codes."""
        return np.array([name in parties for name in self.names])


def detect(ruleset: RuleSet, index: ZoneIndex, batch: Batch) -> tuple[Findings, Tallies]:
    """Point findings of every rule over the batch, in rule order and, within a rule, in
    row order (replay merges partitions by that order), and the tallies aggregate rules
    add up."""
    where = locate(index, batch)
    cols = batch.columns
    parties = _Parties(ruleset, cols.side)
    kind_bits = np.left_shift(np.int64(1), cols.kind.astype(np.int64))
    detection = ~np.isin(cols.source_type, _DECLARED)
    # Whose forces: only what the observation reports; everyone else is undetermined.
    code = parties.reported
    confidence = np.where(code > 0, cols.side_confidence, 0.0)
    reason = np.where(code > 0, "reported by the source", "")
    ground = np.array([0, parties.code["UA"], parties.code["RU"]], dtype=np.int16)[where.side]
    parts: list[dict[str, NDArray]] = []
    tallies: list[dict[str, NDArray]] = []
    clears: list[Clears] = []
    for number, rule in enumerate(ruleset.rules):
        bit = np.uint64(ruleset.zone_bit(rule.zone_id)) if rule.zone_id else None
        inside = (where.mask & bit) != 0 if bit is not None else np.isfinite(where.lon)
        chosen = detection & ((kind_bits & rule.kind_bits) != 0) & inside
        # Only a party the rule binds is charged. An undetermined row is kept only where
        # the party that holds the ground is bound: whoever it was could then be in breach
        # (anyone's forces in a DMZ); a ban on a foreign party's forces does not make the
        # host's lawful forces, unidentified, a breach.
        bound = parties.table(rule.parties)
        held_by_bound = bound[ground]
        if rule.kind is RuleKind.firing:
            rows, row_code, row_conf, row_reason = _firing(chosen, detection, where, parties, cols)
            # Fire of unknown origin on the line could be either party's, and a ceasefire
            # line binds the parties on it: it stays, undetermined.
            firer = np.where(row_code > 0, bound[row_code], True)
            rows, row_code, row_conf, row_reason = (
                rows[firer], row_code[firer], row_conf[firer], row_reason[firer]
            )  # fmt: skip
            if rows.size:
                parts.append(
                    _point_rows(
                        number, rule, rows, row_code, row_conf, row_reason, parties, cols, where
                    )
                )
            continue
        if rule.kind in (RuleKind.cap, RuleKind.exercise):
            tallies.append(_tally(ruleset, number, inside, detection, parties, batch, where))
            continue
        if rule.kind is RuleKind.deadline and rule.active_from is not None:
            chosen &= cols.time_ns >= int(rule.active_from.timestamp() * 1e9)
        # A count of nothing is a sighting of the place without it: not a breach, and
        # the end of any episode seen there before (whoever's forces they were).
        empty = np.flatnonzero(chosen & (cols.count == 0) & np.isfinite(where.lon))
        if empty.size:
            clears.append(_clears(number, rule, empty, cols, where))
        if rule.kind is RuleKind.foreign_forces:
            # Only a reported party counts, and only one both foreign here and bound.
            chosen &= ~parties.table(rule.hosts)[code] & bound[code] & (code > 0)
        else:
            chosen &= np.where(code > 0, bound[code], held_by_bound)
        chosen &= cols.count > 0
        rows = np.flatnonzero(chosen)
        row_code, row_conf = code[rows], confidence[rows]
        if rows.size:
            parts.append(
                _point_rows(
                    number, rule, rows, row_code, row_conf, reason[rows], parties, cols, where
                )
            )
    found = Findings.from_parts(parts)
    return replace(found, clears=Clears.concat(clears)), Tallies.from_parts(tallies)


def _clears(
    number: int, rule: Rule, rows: NDArray[np.int64], cols: ObservationColumns, where: Located
) -> Clears:
    """Rows that saw a rule's place empty, except where the place may lie across the
    zone's edge (then nobody can say the zone was seen empty)."""
    if rule.zone_id is not None:
        near = where.index.near_own_edge(
            rule.zone_id, where.lon[rows], where.lat[rows], where.uncertainty_m[rows]
        )
        rows = rows[~near]
    return Clears(
        np.full(rows.size, number, dtype=np.int32),
        cols.time_ns[rows],
        where.lon[rows],
        where.lat[rows],
        cols.observation_id[rows],
    )


def _firing(
    in_zone: NDArray[np.bool_],
    detection: NDArray[np.bool_],
    where: Located,
    parties: _Parties,
    cols: ObservationColumns,
) -> tuple[NDArray[np.int64], NDArray[np.int16], NDArray[np.float64], NDArray[np.str_]]:
    """Fire landing in the DMZ or across the line, or fired from the DMZ or across it:
    the rows, and each one's firer, confidence and reason.

    `in_zone` marks fire inside the rule's DMZ; fire across the line counts outside
    it too, so every firing row is examined."""
    firing = np.flatnonzero(
        detection & (cols.kind == KIND_CODES["firing"]) & np.isfinite(where.lon)
    )
    in_dmz = in_zone[firing]
    side, seen_from = where.side[firing], where.observer_side[firing]
    side_party = np.array([0, parties.code["UA"], parties.code["RU"]], dtype=np.int16)
    reported = parties.reported[firing]
    impact = cols.firing_category[firing] == _IMPACT
    traced = where.aimed[firing] & ~impact & ~in_dmz & (side > 0)
    firer = np.where(reported > 0, reported, np.where(traced, side_party[side], 0))
    firer = firer.astype(np.int16)
    landed_across = impact & (side > 0) & (firer > 0) & (firer != side_party[side])
    unknown_impact = impact & (side > 0) & (firer == 0)
    seen_across = ~impact & (side > 0) & (seen_from > 0) & (seen_from != side)
    breach = in_dmz | landed_across | unknown_impact | seen_across
    conf = np.where(
        reported > 0,
        cols.side_confidence[firing],
        np.where(firer > 0, TRACED_ORIGIN_CONFIDENCE, 0.0),
    )
    reason = np.where(
        reported > 0,
        "reported by the source",
        np.where(
            firer > 0,
            "origin of fire traced to ground the party holds",
            np.where(impact, "impact; an impact alone does not say who fired", ""),
        ),
    )
    reason = np.where(in_dmz, np.char.add(reason, "; in the DMZ"), reason)
    return firing[breach], firer[breach], conf[breach], reason[breach]


def _point_rows(
    number: int,
    rule: Rule,
    rows: NDArray[np.int64],
    code: NDArray[np.int16],
    conf: NDArray[np.float64],
    reason: NDArray[np.str_],
    parties: _Parties,
    cols: ObservationColumns,
    where: Located,
) -> dict[str, NDArray]:
    names = np.array(parties.names)
    party = names[code]
    unnamed = party == "?"
    party[unnamed] = cols.side[rows][unnamed]  # a party no rule names keeps its own id
    kinds = np.unique(cols.source_type[rows])
    confidence = np.zeros(rows.size)
    for kind in kinds.tolist():
        if kind not in SOURCE_RELIABILITY:
            first = cols.observation_id[rows][cols.source_type[rows] == kind][0]
            known = ", ".join(sorted(SOURCE_RELIABILITY))
            raise UnknownSourceType(
                f"observation {first}: source type '{kind}' has no reliability; "
                f"source types are {known}"
            )
        confidence[cols.source_type[rows] == kind] = SOURCE_RELIABILITY[kind]
    severity = np.full(rows.size, int(rule.severity), dtype=np.int8)
    severity[cols.count[rows] >= SEVERITY_BUMP_COUNT] += 1
    near = np.zeros(rows.size, dtype=bool)
    if rule.kind in _EDGE_KINDS and rule.zone_id is not None:
        # Inside only if the whole of the sighting's place is: the zone edge's uncertainty
        # and the observation's own, together, must not reach the edge.
        near = where.index.near_own_edge(
            rule.zone_id, where.lon[rows], where.lat[rows], where.uncertainty_m[rows]
        )
    undetermined = np.where(reason == "", "undetermined", np.char.add("undetermined: ", reason))
    attribution = np.where(party == "", undetermined, reason)
    attribution = np.where(near, np.char.add(attribution, f"; {NEAR_EDGE}"), attribution)
    return {
        "rule": np.full(rows.size, number, dtype=np.int32),
        "row": rows,
        "key": cols.observation_id[rows],
        "time_ns": cols.time_ns[rows],
        "lon": where.lon[rows],
        "lat": where.lat[rows],
        "uncertainty_m": np.nan_to_num(where.uncertainty_m[rows]),
        "party": party,
        "party_confidence": conf,
        "attribution": attribution,
        "source_id": cols.source_id[rows],
        "source_type": cols.source_type[rows],
        "confidence": confidence,
        "severity": np.minimum(severity, int(Severity.critical)),
        "count": cols.count[rows],
        "observed_kind": _KIND_NAMES[cols.kind[rows]],
        "near_edge": near,
    }


def _tally(
    ruleset: RuleSet,
    number: int,
    inside: NDArray[np.bool_],
    detection: NDArray[np.bool_],
    parties: _Parties,
    batch: Batch,
    where: Located,
) -> dict[str, NDArray]:
    """Each source's largest count per party, window and grid cell, plus declared holdings.

    Only positive evidence says whose forces a tally counts: the side the observation
    reports, or the party's own declaration. A detection nobody's side is reported of is
    not tallied (no party's cap or exercise can rest on it, and keeping a day's worth of
    them made every live poll reread them), never handed to a party for where it stands;
    a reported party the rule does not bind is left out, as the rule cannot charge it."""
    rule = ruleset.rules[number]
    cols, det = batch.columns, batch.details
    reported = parties.reported
    of_kind = cols.kind_mask(*rule.kinds)
    detected = np.flatnonzero(
        detection & of_kind & inside & parties.table(rule.parties)[reported] & (reported > 0)
    )
    holdings = np.flatnonzero(
        (det.notice_subject == "holdings")
        & of_kind
        & ((det.notice_zone == (rule.zone_id or "")) | inside)
    )
    holdings = holdings[np.isin(det.notice_party[holdings], sorted(rule.parties))]
    rows = np.concatenate([detected, holdings])
    declarer = [parties.code[p] for p in det.notice_party[holdings].tolist()]
    party = np.concatenate([reported[detected], np.array(declarer, dtype=np.int16)])
    declared = np.arange(rows.size) >= detected.size
    window_ns = int(rule.window.total_seconds() * 1e9)
    window = cols.time_ns[rows] // window_ns * window_ns
    source, cell = cols.source_id[rows], cells(where.lon[rows], where.lat[rows], AREAS.km)
    keep = largest_per_key(party, window, factorize(source)[1], cell, count=cols.count[rows])
    rows = rows[keep]
    return {
        "rule": np.full(rows.size, number, dtype=np.int32),
        "party": np.array(parties.names)[party[keep]],
        "window_start_ns": window[keep],
        "source_id": source[keep],
        "cell": cell[keep],
        "declared": declared[keep],
        "count": cols.count[rows],
        "observation_id": cols.observation_id[rows],
        "time_ns": cols.time_ns[rows],
        "lon": where.lon[rows],
        "lat": where.lat[rows],
        "zones": zone_names(where.mask[rows], ruleset.zone_ids),
    }


def notices(batch: Batch) -> Notices:
    """The exercise notifications in a batch, with the place each one notified."""
    cols, det = batch.columns, batch.details
    rows = np.flatnonzero(det.notice_subject == "exercise")
    return Notices(
        cols.observation_id[rows],
        det.notice_party[rows],
        det.notice_start_ns[rows],
        det.notice_end_ns[rows],
        det.notice_zone[rows],
        cols.lon[rows],
        cols.lat[rows],
        det.notice_radius_km[rows],
    )


def evaluate_tallies(
    ruleset: RuleSet, tallies: Tallies, notified: Notices, areas: Areas = AREAS
) -> Findings:
    """Cap and exercise findings per rule, party and window: detections grouped into areas,
    each area's largest count added up over areas (`accord.verify.areas`), against
    declared holdings, the cap and the notifications. Only a party the rule binds is
    charged: undetermined tallies (party "") are kept, and charge no one."""
    parts: list[dict[str, NDArray]] = []
    evidence: dict[int, tuple[str, ...]] = {}
    detail: dict[int, str] = {}
    keys = zip(
        tallies.rule.tolist(), tallies.party.tolist(), tallies.window_start_ns.tolist(), strict=True
    )
    for number, party, window in sorted(set(keys)):
        rule = ruleset.rules[number]
        if party not in rule.parties:
            continue
        rows = np.flatnonzero(
            (tallies.rule == number)
            & (tallies.party == party)
            & (tallies.window_start_ns == window)
        )
        seen, held = rows[~tallies.declared[rows]], rows[tallies.declared[rows]]
        where = tallies.lon[seen], tallies.lat[seen]
        area, leaders = group(*where, tallies.count[seen], tallies.observation_id[seen], areas.km)
        leaders = seen[leaders]
        declared = int(tallies.count[held].max(initial=0))
        limit = rule.limit or 0
        if rule.kind is RuleKind.cap:
            counted, state = np.ones(leaders.size, dtype=bool), ""
        else:
            counted, state = exercise_areas(ruleset, rule, tallies, notified, party, leaders)
        members = seen[np.isin(area, np.flatnonzero(counted))]
        detected = int(tallies.count[leaders[counted]].sum())
        sources, many = np.unique(tallies.source_id[members]).size, int(counted.sum())
        counts = "its largest count" if many == 1 else "each one's largest count added up"
        how = (
            f"{many} area{'s' * (many != 1)} of {areas.km:g} km, {counts}; "
            f"{sources} source{'s' * (sources != 1)}"
        )
        if rule.kind is RuleKind.cap:
            estimate = max(detected, declared)
            if estimate <= limit:
                continue
            text = (
                f"{estimate:,} {'/'.join(sorted(rule.kinds))} of {party} (detected "
                f"{detected:,}: {how}; declared {declared:,}) above the cap of {limit:,}"
            )
        else:
            estimate = detected
            if detected < limit:
                continue
            text = (
                f"{detected:,} troops of {party} in one window ({how}), at or above the "
                f"notification threshold of {limit:,}: {state}"
            )
        place = members if members.size else rows
        weight = tallies.count[place].astype(float) + 1e-9
        by_declaration = declared >= estimate
        index = len(parts)
        evidence[index] = tuple(sorted(tallies.observation_id[[*members, *held]].tolist()))
        detail[index] = text
        parts.append(
            {
                "rule": np.array([number], dtype=np.int32),
                "row": np.array([-1]),
                "key": np.array([f"{party}@{window}"]),
                "time_ns": np.array([tallies.time_ns[rows].max()]),
                "lon": np.array([np.average(tallies.lon[place], weights=weight)]),
                "lat": np.array([np.average(tallies.lat[place], weights=weight)]),
                "uncertainty_m": np.array([0.0]),
                "party": np.array([party]),
                "party_confidence": np.array([1.0 if by_declaration else 0.7]),
                "attribution": np.array(["declared" if by_declaration else "detections"]),
                "source_id": np.array(["aggregate"]),
                "source_type": np.array(["aggregate"]),
                "confidence": np.array([0.9 if sources > 1 else 0.7]),
                "severity": np.array([int(rule.severity)], dtype=np.int8),
                "count": np.array([estimate]),
                "observed_kind": np.array(["/".join(sorted(rule.kinds))]),
                "near_edge": np.array([False]),
            }
        )
    return replace(Findings.from_parts(parts), evidence=evidence, detail=detail)
