"""Findings: which observations of a batch breach which rule, computed column by column.

Every detector is a handful of NumPy operations over the whole batch, so the
same code serves a live micro-batch and a replay of an archive. Locations
are classified once per batch by the compiled `ZoneIndex`.

Attribution (whose forces, and how sure), in order of precedence:
the side the observation reports (its own `side_confidence`); else the side
of the line the point lies on (UA or RU, `SIDE_OF_LINE_CONFIDENCE`); else the
zone's own side or the only party the term binds (`ZONE_CONFIDENCE`).

Firing geometry: an observation of fire is made from the observer's position
(lon/lat); with a bearing and a distance band the event lies at the geodesic
destination from there along the bearing at the band's middle (spherical
Earth, error under 0.5% at these ranges), its uncertainty widened by half the
band. An explosion is an impact; muzzle flashes, shots, projectiles in flight
and flares mark the origin. An impact breaches the ceasefire in the DMZ, or
when whoever fired it (reported, else assumed to be the party across the
line) is not the party whose side it landed on. An origin breaches it in the
DMZ, or when it is seen from the other side of the line (fire towards it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.geo.classify import SIDE_OF_RU, SIDE_OF_UA, ZoneIndex
from accord.store.columns import KIND_CODES, KIND_NAMES, ObservationColumns
from accord.store.verification import ObservationDetails
from accord.verify.observation import PARTY_DECLARATIONS
from accord.verify.rules import Rule, RuleKind, RuleSet, Severity

EARTH_RADIUS_M = 6_371_008.8
SIDE_OF_LINE_CONFIDENCE = 0.7
ZONE_CONFIDENCE = 0.5
ACROSS_LINE_CONFIDENCE = 0.6  # an impact's firer, assumed to be across the line
# How far a single source is trusted to have seen what it reports (0-1).
SOURCE_RELIABILITY = {
    "patrol": 0.9,
    "camera": 0.8,
    "drone": 0.8,
    "radar": 0.7,
    "acoustic": 0.6,
    "seismic": 0.5,
    "notification": 1.0,
    "data_exchange": 1.0,
}
SEVERITY_BUMP_COUNT = 10  # a count this large raises a point finding's severity by one
_SIDE_PARTY = np.array(["", "UA", "RU"])
_IMPACT = "explosion"
_KIND_NAMES = np.array(KIND_NAMES)
_HOW = np.array(["", "reported", "side of line", "zone binds only this party"])
_DECLARED = tuple(s.value for s in PARTY_DECLARATIONS)
# Rules on where forces are: within the zone edge's uncertainty of its edge the map
# cannot say whether they are inside, so such a finding is marked, not decided (the
# observation's own uncertainty is not added).
_EDGE_KINDS = {RuleKind.presence, RuleKind.restricted, RuleKind.deadline, RuleKind.foreign_forces}
NEAR_EDGE = "near the edge, undetermined"


@dataclass(frozen=True)
class Batch:
    """A batch to verify: the stored columns and the details they leave out."""

    columns: ObservationColumns
    details: ObservationDetails

    def __len__(self) -> int:
        return len(self.columns)


@dataclass(frozen=True)
class Located:
    """Where each row's event is and what the zone index says about it."""

    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    uncertainty_m: NDArray[np.float64]
    mask: NDArray[np.uint64]
    side: NDArray[np.int8]  # of the event point: 1 UA's, 2 RU's, 0 neither
    observer_side: NDArray[np.int8]  # of the observer, for fire seen across the line
    index: ZoneIndex = field(repr=False)  # to ask, for a rule's rows, how near an edge


@dataclass(frozen=True)
class Findings:
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

    def __len__(self) -> int:
        return len(self.rule)


@dataclass(frozen=True)
class Tallies:
    """Per rule, party, window and source: the largest count seen (or declared)."""

    rule: NDArray[np.int32]
    party: NDArray[np.str_]
    window_start_ns: NDArray[np.int64]
    source_id: NDArray[np.str_]
    declared: NDArray[np.bool_]
    count: NDArray[np.int64]
    observation_id: NDArray[np.str_]
    time_ns: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.rule)


@dataclass(frozen=True)
class Notices:
    """Exercises the parties notified: party, span and (optionally) zone."""

    party: NDArray[np.str_]
    start_ns: NDArray[np.int64]
    end_ns: NDArray[np.int64]
    zone: NDArray[np.str_]


def destination(
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    bearing_deg: NDArray[np.float64],
    distance_m: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The point `distance_m` from (lon, lat) along `bearing_deg`, on a sphere."""
    phi1, lam1 = np.radians(lat), np.radians(lon)
    theta, delta = np.radians(bearing_deg), distance_m / EARTH_RADIUS_M
    phi2 = np.arcsin(np.sin(phi1) * np.cos(delta) + np.cos(phi1) * np.sin(delta) * np.cos(theta))
    lam2 = lam1 + np.arctan2(
        np.sin(theta) * np.sin(delta) * np.cos(phi1), np.cos(delta) - np.sin(phi1) * np.sin(phi2)
    )
    return np.degrees(lam2), np.degrees(phi2)


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
    return Located(lon, lat, unc, where.mask, where.side, observer_side, index)


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
            names |= rule.parties | rule.hosts | {rule.fallback_party or "UA"}
        self.names = ["", *sorted(names), "?"]  # "?": a party no rule names
        self.code = {name: i for i, name in enumerate(self.names)}
        distinct, inverse = factorize(reported)
        table = [self.code.get(name, self.code["?"]) if name else 0 for name in distinct.tolist()]
        self.reported = np.array(table, dtype=np.int16)[inverse]

    def table(self, parties: frozenset[str]) -> NDArray[np.bool_]:
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
    # Attribution: reported, else the side of the line, else (per rule) the zone's.
    code = parties.reported.copy()
    confidence = np.where(code > 0, cols.side_confidence, 0.0)
    line_code = np.array([0, parties.code["UA"], parties.code["RU"]], dtype=np.int16)[where.side]
    by_line = (code == 0) & (line_code > 0)
    code[by_line] = line_code[by_line]
    confidence[by_line] = SIDE_OF_LINE_CONFIDENCE
    how = np.where(parties.reported > 0, 1, np.where(by_line, 2, 0)).astype(np.int8)
    parts: list[dict[str, NDArray]] = []
    tallies: list[dict[str, NDArray]] = []
    for number, rule in enumerate(ruleset.rules):
        bit = np.uint64(ruleset.zone_bit(rule.zone_id)) if rule.zone_id else None
        inside = (where.mask & bit) != 0 if bit is not None else np.isfinite(where.lon)
        chosen = detection & ((kind_bits & rule.kind_bits) != 0) & inside
        bound = parties.table(rule.parties)
        if rule.kind is RuleKind.firing:
            rows, row_code, row_conf, row_reason = _firing(chosen, detection, where, parties, cols)
            firer = bound[row_code]  # only fire by a party the ceasefire binds breaches it
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
        if rule.kind is RuleKind.foreign_forces:
            # Only a reported party counts, and only one both foreign here and bound.
            reported = parties.reported
            chosen &= ~parties.table(rule.hosts)[reported] & bound[reported] & (reported > 0)
        else:
            # An unattributed row passes only when the zone's fallback party (which the
            # rule binds) takes it; with no fallback nobody can be charged with it.
            chosen &= bound[code] | ((code == 0) & (rule.fallback_party is not None))
        if rule.kind is RuleKind.deadline and rule.active_from is not None:
            chosen &= cols.time_ns >= int(rule.active_from.timestamp() * 1e9)
        rows = np.flatnonzero(chosen)
        row_code, row_conf, row_how = code[rows], confidence[rows], how[rows]
        if rule.fallback_party is not None:
            unknown = row_code == 0
            row_code[unknown] = parties.code[rule.fallback_party]
            row_conf[unknown] = ZONE_CONFIDENCE
            row_how[unknown] = 3
        if rule.kind in (RuleKind.cap, RuleKind.exercise):
            tallies.append(_tally(number, rule, rows, row_code, inside, parties, batch, where))
        elif rows.size:
            row_reason = _HOW[row_how]
            parts.append(
                _point_rows(
                    number, rule, rows, row_code, row_conf, row_reason, parties, cols, where
                )
            )
    return _join_findings(parts), _join_tallies(tallies)


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
    other = np.array([0, SIDE_OF_RU, SIDE_OF_UA], dtype=np.int8)
    reported = parties.reported[firing]
    impact = cols.firing_category[firing] == _IMPACT
    firer = np.where(reported > 0, reported, side_party[np.where(impact, other[side], side)])
    landed_across = impact & (side > 0) & (firer != side_party[side])
    seen_across = ~impact & (side > 0) & (seen_from > 0) & (seen_from != side)
    breach = in_dmz | landed_across | seen_across
    conf = np.where(
        reported > 0,
        cols.side_confidence[firing],
        np.where(impact, ACROSS_LINE_CONFIDENCE, SIDE_OF_LINE_CONFIDENCE),
    )
    reason = np.where(
        reported > 0,
        "reported",
        np.where(impact, "fired from across the line (assumed)", "origin on this side"),
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
    reliability = np.vectorize(lambda t: SOURCE_RELIABILITY.get(t, 0.5), otypes=[float])
    kinds = np.unique(cols.source_type[rows])
    confidence = np.zeros(rows.size)
    for kind in kinds:
        confidence[cols.source_type[rows] == kind] = reliability(kind)
    severity = np.full(rows.size, int(rule.severity), dtype=np.int8)
    severity[cols.count[rows] >= SEVERITY_BUMP_COUNT] += 1
    near = np.zeros(rows.size, dtype=bool)
    if rule.kind in _EDGE_KINDS and rule.zone_id is not None:
        near = where.index.near_own_edge(rule.zone_id, where.lon[rows], where.lat[rows])
    attribution = np.where(party == "", "unattributed", reason)
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
    number: int,
    rule: Rule,
    rows: NDArray[np.int64],
    code: NDArray[np.int16],
    inside: NDArray[np.bool_],
    parties: _Parties,
    batch: Batch,
    where: Located,
) -> dict[str, NDArray]:
    """Each source's largest count per party and window, plus declared holdings."""
    cols, det = batch.columns, batch.details
    window_ns = int(rule.window.total_seconds() * 1e9)
    names = np.array(parties.names)
    party = names[code]
    declared = np.zeros(rows.size, dtype=bool)
    holdings = np.flatnonzero(
        (det.notice_subject == "holdings")
        & cols.kind_mask(*rule.kinds)
        & ((det.notice_zone == (rule.zone_id or "")) | inside)
    )
    if holdings.size:
        rows = np.concatenate([rows, holdings])
        party = np.concatenate([party, det.notice_party[holdings]])
        declared = np.concatenate([declared, np.ones(holdings.size, dtype=bool)])
    window = cols.time_ns[rows] // window_ns * window_ns
    source = cols.source_id[rows]
    # Largest count first, so the first row of each (party, window, source) is its maximum.
    order = np.lexsort((-cols.count[rows], source, window, party))
    rows, window, declared = rows[order], window[order], declared[order]
    party, source = party[order], source[order]
    first = np.ones(rows.size, dtype=bool)
    if rows.size:
        first[1:] = (party[1:] != party[:-1]) | (window[1:] != window[:-1])
        first[1:] |= source[1:] != source[:-1]
    rows = rows[first]
    return {
        "rule": np.full(rows.size, number, dtype=np.int32),
        "party": party[first],
        "window_start_ns": window[first],
        "source_id": source[first],
        "declared": declared[first],
        "count": cols.count[rows],
        "observation_id": cols.observation_id[rows],
        "time_ns": cols.time_ns[rows],
        "lon": where.lon[rows],
        "lat": where.lat[rows],
    }


def notices(batch: Batch) -> Notices:
    """The exercise notifications in a batch."""
    det = batch.details
    rows = np.flatnonzero(det.notice_subject == "exercise")
    return Notices(
        det.notice_party[rows],
        det.notice_start_ns[rows],
        det.notice_end_ns[rows],
        det.notice_zone[rows],
    )


def evaluate_tallies(ruleset: RuleSet, tallies: Tallies, notified: Notices) -> Findings:
    """Cap and exercise findings: per party and window, detections summed over sources
    (each source's maximum), against declared holdings, the cap and the notifications."""
    parts: list[dict[str, NDArray]] = []
    evidence: dict[int, tuple[str, ...]] = {}
    detail: dict[int, str] = {}
    groups = sorted(
        set(
            zip(
                tallies.rule.tolist(),
                tallies.party.tolist(),
                tallies.window_start_ns.tolist(),
                strict=True,
            )
        )
    )
    for number, party, window in groups:
        rule = ruleset.rules[number]
        rows = np.flatnonzero(
            (tallies.rule == number)
            & (tallies.party == party)
            & (tallies.window_start_ns == window)
        )
        seen = rows[~tallies.declared[rows]]
        detected = int(tallies.count[seen].sum())
        declared = int(tallies.count[rows[tallies.declared[rows]]].max(initial=0))
        estimate = max(detected, declared)
        limit = rule.limit or 0
        window_end = window + int(rule.window.total_seconds() * 1e9)
        if rule.kind is RuleKind.cap:
            if estimate <= limit:
                continue
            text = (
                f"{estimate:,} {'/'.join(sorted(rule.kinds))} of {party or 'unattributed'} "
                f"(detected {detected:,}: sum over {seen.size} sources of each one's largest "
                f"count; declared {declared:,}) above the cap of {limit:,}"
            )
        else:
            if detected < limit:
                continue
            told = (
                (notified.party == party)
                & (notified.start_ns < window_end)
                & (notified.end_ns >= window)
                & ((notified.zone == "") | (notified.zone == (rule.zone_id or "")))
            )
            if told.any() and rule.zone_id is None:
                continue  # notified, and the term limits rather than bans exercises here
            state = "notified but banned in this zone" if told.any() else "not notified"
            text = (
                f"{detected:,} troops of {party or 'unattributed'} in one window "
                f"(sum over {seen.size} sources), at or above the notification threshold "
                f"of {limit:,}: {state}"
            )
        if seen.size == 0:
            seen = rows
        weight = tallies.count[seen].astype(float) + 1e-9
        index = len(parts)
        evidence[index] = tuple(tallies.observation_id[rows].tolist())
        detail[index] = text
        parts.append(
            {
                "rule": np.array([number], dtype=np.int32),
                "row": np.array([-1]),
                "key": np.array([f"{party}@{window}"]),
                "time_ns": np.array([tallies.time_ns[rows].max()]),
                "lon": np.array([np.average(tallies.lon[seen], weights=weight)]),
                "lat": np.array([np.average(tallies.lat[seen], weights=weight)]),
                "uncertainty_m": np.array([0.0]),
                "party": np.array([party]),
                "party_confidence": np.array([1.0 if declared >= estimate else 0.7]),
                "attribution": np.array(["declared" if declared >= estimate else "detections"]),
                "source_id": np.array(["aggregate"]),
                "source_type": np.array(["aggregate"]),
                "confidence": np.array([0.9 if seen.size > 1 else 0.7]),
                "severity": np.array([int(rule.severity)], dtype=np.int8),
                "count": np.array([estimate]),
                "observed_kind": np.array(["/".join(sorted(rule.kinds))]),
                "near_edge": np.array([False]),
            }
        )
    joined = _join_findings(parts)
    return Findings(**_fields(joined), evidence=evidence, detail=detail)


_FINDING_FIELDS = (
    "rule",
    "row",
    "key",
    "time_ns",
    "lon",
    "lat",
    "uncertainty_m",
    "party",
    "party_confidence",
    "attribution",
    "source_id",
    "source_type",
    "confidence",
    "severity",
    "count",
    "observed_kind",
    "near_edge",
)
_FINDING_TYPES = (
    np.int32,
    np.int64,
    np.str_,
    np.int64,
    np.float64,
    np.float64,
    np.float64,
    np.str_,
    np.float64,
    np.str_,
    np.str_,
    np.str_,
    np.float64,
    np.int8,
    np.int64,
    np.str_,
    np.bool_,
)
_TALLY_FIELDS = (
    "rule",
    "party",
    "window_start_ns",
    "source_id",
    "declared",
    "count",
    "observation_id",
    "time_ns",
    "lon",
    "lat",
)
_TALLY_TYPES = (
    np.int32,
    np.str_,
    np.int64,
    np.str_,
    np.bool_,
    np.int64,
    np.str_,
    np.int64,
    np.float64,
    np.float64,
)


def _fields(findings: Findings) -> dict[str, Any]:
    return {name: getattr(findings, name) for name in _FINDING_FIELDS}


def _join_findings(parts: list[dict[str, NDArray]]) -> Findings:
    return Findings(**_join(parts, _FINDING_FIELDS, _FINDING_TYPES))


def _join_tallies(parts: list[dict[str, NDArray]]) -> Tallies:
    return Tallies(**_join(parts, _TALLY_FIELDS, _TALLY_TYPES))


def _join(parts: list[dict[str, NDArray]], names: tuple[str, ...], types: tuple) -> dict[str, Any]:
    return {
        name: np.concatenate([p[name] for p in parts]) if parts else np.array([], dtype=kind)
        for name, kind in zip(names, types, strict=True)
    }


def concat_findings(*many: Findings) -> Findings:
    """Several findings tables as one; aggregate evidence keeps pointing at its rows."""
    evidence: dict[int, tuple[str, ...]] = {}
    detail: dict[int, str] = {}
    offset = 0
    for f in many:
        evidence.update({offset + i: e for i, e in f.evidence.items()})
        detail.update({offset + i: d for i, d in f.detail.items()})
        offset += len(f)
    joined = _join([_fields(f) for f in many], _FINDING_FIELDS, _FINDING_TYPES)
    return Findings(**joined, evidence=evidence, detail=detail)
