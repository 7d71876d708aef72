"""Incidents: findings about one episode fused, routed to a team, moved through a workflow.

Episodes. Two findings belong to the same incident when they breach the same
rule within the rule kind's `Link` of each other: a distance (great circle)
and a time-out. A breach that continues at one place (forces, works or
weapons in a zone) is one episode from its first sighting to its last, as
long as sightings follow one another within the time-out; acts of fire near
in place and time are one episode. Episodes are the connected components of
that relation (single linkage); `accord.verify.linkage` finds them on a grid.

Fusion. An incident's confidence is the noisy-OR of its sources, 1 - prod(1 -
c_s), c_s being the best confidence of any finding from source s; its
evidence grade counts independent networks, not sources
(`accord.verify.evidence`). Attribution is the party whose own noisy-OR of
attribution confidences is largest, with the reason of its strongest finding;
findings carry a party only on positive evidence, so an incident none of
whose findings names one is undetermined.

Placing files each incident under its sector of the main line
(`accord.ops.Sectors`, "off-line" far from it) and names the observer team
that responds: the one whose base is nearest (`accord.ops.Teams`), or the
one a day's patrol plan gets there soonest (`accord.ops.PlanRouting`).

The workflow that incidents then go through is in `accord.verify.workflow`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any, Protocol, Self

import numpy as np
from numpy.typing import NDArray
from ruamel.yaml import YAML

from accord.columns import NOT_A_COLUMN, ColumnTable
from accord.ops.sectors import Sectors
from accord.verify.evidence import AGGREGATE, VERIFYING_TYPES, Grade, Networks, by_type, grades
from accord.verify.findings import Findings, factorize
from accord.verify.linkage import Clears, components


def data_file(name: str) -> dict[str, Any]:
    """A YAML file shipped in accord/verify/data."""
    text = (resources.files("accord.verify") / "data" / name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = YAML(typ="safe").load(text)
    return loaded


# --- correlation and fusion ------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """How near in place and time two findings of one rule must be to be one episode."""

    distance_km: float
    window_s: float


# Rule kinds whose breach continues at one place (forces, works, weapons in a zone):
# their sightings are one episode while they follow one another within the episode's
# time-out. Fire, a caps window or an exercise is an act: an episode of acts near in time.
CONTINUING = frozenset({"presence", "restricted", "deadline", "foreign_forces"})


@dataclass(frozen=True)
class Correlation:
    """Episode links per rule kind (`verify/data/incidents.yaml`), `default` for the rest."""

    default: Link = field(default_factory=lambda: Link(2.0, 900.0))
    by_kind: Mapping[str, Link] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Correlation:
        """Correlation links from the incidents settings, each checked."""

        def link(where: str, item: Any) -> Link:
            if not isinstance(item, Mapping) or set(item) != {"distance_km", "window_s"}:
                raise ValueError(f"correlation.{where}: give distance_km and window_s")
            return Link(float(item["distance_km"]), float(item["window_s"]))

        items = dict(data)
        default = link("default", items.pop("default", None))
        return cls(default, {kind: link(kind, item) for kind, item in items.items()})

    @classmethod
    def shipped(cls) -> Correlation:
        """The correlation shipped in verify/data/incidents.yaml."""
        return cls.from_data(data_file("incidents.yaml")["correlation"])

    def link(self, kind: str) -> Link:
        """How far and how long findings of this rule kind are linked."""
        return self.by_kind.get(kind, self.default)

    @property
    def window_s(self) -> float:
        """The longest time-out of any kind: how far an episode can reach across a cut."""
        return max([self.default.window_s, *(k.window_s for k in self.by_kind.values())])


def correlate(
    rule: NDArray[np.int32],
    time_ns: NDArray[np.int64],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    links: Sequence[Link],
    clears: Clears | None = None,
) -> NDArray[np.int64]:
    """An episode label per finding (equal labels are one incident); `links[r]` is rule
    r's, and `clears` end episodes. Labels are numbered in the order of each episode's
    first finding."""
    n = len(rule)
    if n and int(rule.max()) >= len(links):
        raise ValueError(f"rule {int(rule.max())} has no episode link ({len(links)} given)")
    label = np.zeros(n, dtype=np.int64)
    offset = 0
    for link in sorted(set(links), key=lambda k: (k.distance_km, k.window_s)):
        rules = [r for r, k in enumerate(links) if k == link]
        mine = np.flatnonzero(np.isin(rule, rules))
        if not mine.size:
            continue
        cuts = clears.take(np.isin(clears.rule, rules)) if clears is not None else None
        found = components(
            rule[mine], time_ns[mine], lon[mine], lat[mine], link.distance_km, link.window_s, cuts
        )
        label[mine] = found + offset
        offset += int(found.max()) + 1
    if not n:
        return label
    names, first = np.unique(label, return_index=True)
    rank = np.empty(len(names), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(names))
    return rank[np.searchsorted(names, label)]


def noisy_or(groups: NDArray[np.int64], confidence: NDArray[np.float64], n: int) -> NDArray:
    """Per group, 1 - prod(1 - c) over its members (independent evidence)."""
    misses = np.zeros(n)
    np.add.at(misses, groups, np.log1p(-np.clip(confidence, 0.0, 1.0 - 1e-12)))
    return np.asarray(1.0 - np.exp(misses))


@dataclass
class Draft:
    """An incident as correlation makes it, before it is stored or merged."""

    rule: int
    first_ns: int
    last_ns: int
    lon: float
    lat: float
    party: str
    party_confidence: float
    attribution: str
    confidence: float
    severity: int
    count: int
    sources: list[str]
    source_types: list[str]
    kinds: list[str]
    networks: list[str]  # the independent lines of evidence among the sources
    grade: int  # an `evidence.Grade`
    members: NDArray[np.int64]  # finding rows
    sector: str = ""
    team: str = ""
    team_distance_km: float = 0.0


SEPARATOR = "\x1f"  # joins an incident's distinct sources, types and kinds in one string


@dataclass
class DraftTable(ColumnTable):
    """Drafts column by column, as fusion computes them. A replay moves these between
    processes: a list of `Draft` objects took 16 µs apiece to unpickle in the client,
    these columns a few buffers in all. `drafts()` gives the objects."""

    rule: NDArray[np.int32]
    first_ns: NDArray[np.int64]
    last_ns: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    party: NDArray[np.str_]
    party_confidence: NDArray[np.float64]
    attribution: NDArray[np.object_]
    confidence: NDArray[np.float64]
    severity: NDArray[np.int8]
    count: NDArray[np.int64]
    # Distinct, sorted, joined by SEPARATOR; Python strings (one long list must not widen
    # every row, as it would in a fixed-width NumPy string column).
    sources: NDArray[np.object_]
    source_types: NDArray[np.object_]
    kinds: NDArray[np.object_]
    networks: NDArray[np.object_]
    grade: NDArray[np.int8]  # `evidence.Grade` values
    # Finding rows, incident after incident: incident g's are members[bounds[g] : bounds[g + 1]].
    members: NDArray[np.int64] = field(metadata=NOT_A_COLUMN)
    bounds: NDArray[np.int64] = field(metadata=NOT_A_COLUMN)
    sector: NDArray[np.str_]
    team: NDArray[np.str_]
    team_distance_km: NDArray[np.float64]

    @classmethod
    def empty(cls, rows: int = 0, **others: Any) -> Self:
        """`rows` blank incidents with no members."""
        nothing = {"members": np.zeros(0, np.int64), "bounds": np.zeros(rows + 1, np.int64)}
        return super().empty(rows, **nothing | others)

    @property
    def confirmed(self) -> NDArray[np.bool_]:
        """Corroborated or verified: established by more than one line of evidence."""
        return np.asarray(self.grade >= Grade.corroborated)

    @property
    def first_member(self) -> NDArray[np.int64]:
        """Each incident's first finding row."""
        return self.members[self.bounds[:-1]]

    def drafts(self) -> list[Draft]:
        """One `Draft` per incident."""
        columns = {name: getattr(self, name).tolist() for name in _SCALARS}
        lists = {
            name: [text.split(SEPARATOR) if text else [] for text in getattr(self, name).tolist()]
            for name in _LISTS
        }
        bounds = self.bounds.tolist()
        return [
            Draft(
                **{name: values[g] for name, values in columns.items()},
                **{name: values[g] for name, values in lists.items()},
                members=self.members[bounds[g] : bounds[g + 1]],
            )
            for g in range(len(self))
        ]

    def take(self, rows: NDArray[np.int64] | NDArray[np.bool_]) -> Self:
        """The incidents chosen, in this order, with their members."""
        order = np.arange(len(self))[rows]
        sizes = np.diff(self.bounds)[order]
        starts = self.bounds[:-1][order]
        at = np.repeat(starts - np.cumsum(np.r_[0, sizes[:-1]]), sizes) + np.arange(sizes.sum())
        return replace(
            super().take(order),
            members=self.members[at.astype(np.int64)],
            bounds=np.r_[0, np.cumsum(sizes)].astype(np.int64),
        )

    @classmethod
    def concat(cls, tables: Sequence[Self]) -> Self:
        """Several tables as one, in turn; members are kept as they are."""
        if not tables:
            return cls.empty()
        shift = np.cumsum([0, *(len(t.members) for t in tables)])
        return cls.from_columns(
            {n: np.concatenate([getattr(t, n) for t in tables]) for n in cls.column_types()},
            members=np.concatenate([t.members for t in tables]).astype(np.int64),
            bounds=np.r_[0, *(t.bounds[1:] + shift[i] for i, t in enumerate(tables))].astype(
                np.int64
            ),
        )


_LISTS = ("sources", "source_types", "kinds", "networks")
_SCALARS = tuple(f for f in Draft.__dataclass_fields__ if f not in (*_LISTS, "members"))


def fuse(
    findings: Findings, labels: NDArray[np.int64], networks: Networks = by_type
) -> list[Draft]:
    """One draft per label: evidence and its grade, fused confidence, attribution,
    severity."""
    return fuse_table(findings, labels, networks).drafts()


def fuse_table(
    findings: Findings, labels: NDArray[np.int64], networks: Networks = by_type
) -> DraftTable:
    """The drafts of `fuse`, column by column."""
    if not len(labels):
        return DraftTable.empty()
    n = int(labels.max()) + 1
    # Noisy-OR over sources, each source counted once with its best confidence.
    sources, source_code = factorize(findings.source_id)
    pair, pair_of = np.unique(labels * len(sources) + source_code, return_inverse=True)
    best = np.zeros(len(pair))
    np.maximum.at(best, pair_of, findings.confidence)
    confidence = noisy_or(pair // len(sources), best, n)
    weights = findings.confidence + 1e-9
    wsum = np.bincount(labels, weights, n)
    lon = np.bincount(labels, weights * findings.lon, n) / wsum
    lat = np.bincount(labels, weights * findings.lat, n) / wsum
    party, party_confidence, why = _attribute(findings, labels, n)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n + 1))
    starts = bounds[:-1]

    def most(values: NDArray[Any]) -> NDArray[Any]:
        return np.maximum.reduceat(values[order], starts)

    source_names, _ = _distinct_per_group(sources, source_code, labels, n)
    type_names, _ = _distinct_per_group(*factorize(findings.source_type), labels, n)
    kind_names, _ = _distinct_per_group(*factorize(findings.observed_kind), labels, n)
    # A finding near a zone's edge (within the edge's and its own uncertainty) does not
    # establish a breach: it raises no incident's grade, so an incident all of whose
    # findings are near the edge stays reported, undetermined, and counts nowhere.
    solid = ~findings.near_edge
    network = networks(findings.source_id[solid], findings.source_type[solid])
    network_names, network_count = _distinct_per_group(*factorize(network), labels[solid], n)
    verifying = np.zeros(n, dtype=bool)
    np.logical_or.at(verifying, labels[solid], verifies(findings)[solid])
    return DraftTable(
        rule=findings.rule[order[starts]],
        first_ns=np.minimum.reduceat(findings.time_ns[order], starts),
        last_ns=most(findings.time_ns),
        lon=lon,
        lat=lat,
        party=np.array(party, dtype=np.str_),
        party_confidence=party_confidence,
        attribution=_objects(why),
        confidence=confidence,
        severity=most(findings.severity),
        count=most(findings.count),
        sources=_objects(source_names),
        source_types=_objects(type_names),
        kinds=_objects(kind_names),
        networks=_objects(network_names),
        grade=grades(network_count, verifying),
        members=order.astype(np.int64),
        bounds=bounds.astype(np.int64),
        sector=np.full(n, "", dtype=np.str_),
        team=np.full(n, "", dtype=np.str_),
        team_distance_km=np.zeros(n),
    )


def verifies(findings: Findings) -> NDArray[np.bool_]:
    """Findings that establish their event alone: an observer patrol's sighting, or a cap
    or exercise finding the party's own declaration bears out."""
    declared = (findings.source_type == AGGREGATE) & (findings.attribution == "declared")
    return np.isin(findings.source_type, list(VERIFYING_TYPES)) | declared


def _objects(texts: list[str]) -> NDArray[np.object_]:
    out = np.empty(len(texts), dtype=object)
    out[:] = texts
    return out


def _distinct_per_group(
    names: NDArray[Any], code: NDArray[np.int64], labels: NDArray[np.int64], n: int
) -> tuple[list[str], NDArray[np.int64]]:
    """The sorted distinct names of each group joined by SEPARATOR, and how many, from one
    sort of (group, name) codes rather than a set per group (a plain sort: `np.unique`
    hashes, slower here)."""
    pairs = np.sort(labels * len(names) + code)
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if pairs.size else pairs
    bounds = np.searchsorted(pairs // len(names), np.arange(n + 1)).tolist()
    listed = names[pairs % len(names)].tolist()
    joined = [SEPARATOR.join(listed[bounds[g] : bounds[g + 1]]) for g in range(n)]
    return joined, np.diff(bounds)


UNDETERMINED = "undetermined: no evidence says whose forces"


def _attribute(
    findings: Findings, labels: NDArray[np.int64], n: int
) -> tuple[list[str], NDArray[np.float64], list[str]]:
    """Per label: the party with the largest noisy-OR of attribution confidences, and why."""
    party_out = [""] * n
    score_out = np.zeros(n)
    why_out = [UNDETERMINED] * n
    named = np.flatnonzero(findings.party != "")
    if named.size == 0:
        return party_out, score_out, why_out
    names, code = factorize(findings.party[named])
    keys, key_of = np.unique(labels[named] * len(names) + code, return_inverse=True)
    score = noisy_or(key_of, findings.party_confidence[named], len(keys))
    members = np.bincount(key_of, minlength=len(keys))
    # The strongest finding of each (label, party), and the best party of each label.
    strongest = np.lexsort((-findings.party_confidence[named], key_of))
    strongest = named[strongest[np.r_[True, np.diff(key_of[strongest]) != 0]]]
    key_label = keys // len(names)
    best = np.lexsort((-score, key_label))
    best = best[np.r_[True, np.diff(key_label[best]) != 0]]
    totals = np.bincount(labels, minlength=n)
    for k in best.tolist():
        g = int(key_label[k])
        party_out[g] = str(names[keys[k] % len(names)])
        score_out[g] = score[k]
        why_out[g] = f"{findings.attribution[strongest[k]]} ({members[k]} of {totals[g]} findings)"
    return party_out, score_out, why_out


# --- sectors and routing -----------------------------------------------------------


class Routing(Protocol):
    """Who responds to an incident: the nearest team base by default, or a day's
    patrol plan (`accord.ops.PlanRouting`) that knows where patrols are."""

    def route(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64], when_ns: NDArray[np.int64]
    ) -> tuple[list[str], NDArray[np.float64]]:
        """The responding team for each point and its distance in km."""
        ...


def _placed(
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    first_ns: NDArray[np.int64],
    sectors: Sectors | None,
    teams: Routing,
) -> tuple[list[str], list[str], NDArray[np.float64]]:
    names = sectors.of(lon, lat) if sectors else ["off-line"] * len(lon)
    team_ids, km = teams.route(lon, lat, first_ns)
    return list(names), list(team_ids), np.asarray(km, dtype=np.float64)


def place(drafts: Sequence[Draft], sectors: Sectors | None, teams: Routing) -> None:
    """Fill each draft's sector and responding team."""
    if not drafts:
        return
    lon = np.array([d.lon for d in drafts])
    lat = np.array([d.lat for d in drafts])
    first = np.array([d.first_ns for d in drafts], dtype=np.int64)
    names, team_ids, km = _placed(lon, lat, first, sectors, teams)
    for draft, sector, team, distance in zip(drafts, names, team_ids, km.tolist(), strict=True):
        draft.sector, draft.team, draft.team_distance_km = sector, team, distance


def place_table(table: DraftTable, sectors: Sectors | None, teams: Routing) -> None:
    """`place` for a table of drafts."""
    if not len(table):
        return
    names, team_ids, km = _placed(table.lon, table.lat, table.first_ns, sectors, teams)
    table.sector = np.array(names, dtype=np.str_)
    table.team = np.array(team_ids, dtype=np.str_)
    table.team_distance_km = km
