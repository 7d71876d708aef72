"""Interacting and excluding issues merged into compound issues, so utilities are additive again.

An interaction (two options worth more or less together than apart) and an
exclusion (two options that cannot go together) each tie two issues. Issues tied
directly or through others form a group; each group becomes one compound issue
whose options are the group's feasible combinations and whose table holds, per
party, the sum of the members' contributions plus every interaction the
combination holds. Utilities are then a plain sum over the compound issues,
so the exact Pareto merge and the bargaining solutions apply unchanged, and
each compound option maps back to one option per original issue.

The cost is the size of the largest group's product of options, which is why
only tied issues are merged.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from accord.negotiate.scenario import ExactValues, RedLine, Scenario


@dataclass(frozen=True)
class Merged:
    """An additive scenario over compound issues, and the way back to the original issues."""

    scenario: Scenario
    groups: tuple[tuple[int, ...], ...]  # original issues behind each merged issue
    combos: tuple[NDArray[np.int64], ...]  # per merged issue: (options, members) original options
    issues: int  # how many original issues

    def unmerge(self, packages: NDArray[np.int64]) -> NDArray[np.int64]:
        """(m, merged issues) option indices -> (m, original issues)."""
        out = np.empty((len(packages), self.issues), dtype=np.int64)
        for k, (group, combos) in enumerate(zip(self.groups, self.combos, strict=True)):
            out[:, list(group)] = combos[packages[:, k]]
        return out


def _groups(scenario: Scenario) -> list[tuple[int, ...]]:
    """Issues tied by interactions or exclusions, in connected groups (union-find)."""
    parent = list(range(len(scenario.issues)))

    def root(j: int) -> int:
        while parent[j] != j:
            parent[j] = parent[parent[j]]
            j = parent[j]
        return j

    ties = [(i.first, i.second) for i in scenario.interactions]
    for first, second in ties + [(e.first, e.second) for e in scenario.exclusions]:
        a, b = root(first[0]), root(second[0])
        parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = {}
    for j in range(len(scenario.issues)):
        members.setdefault(root(j), []).append(j)
    return [tuple(m) for _, m in sorted(members.items())]


def merge(scenario: Scenario) -> Merged:
    """The scenario with every group of tied issues merged into one compound issue."""
    exact = scenario.exact_values()
    groups = _groups(scenario)
    parties = {p: k for k, p in enumerate(scenario.parties)}
    tables, exact_tables, combos, options, names, red_lines = [], [], [], [], [], []
    for k, group in enumerate(groups):
        feasible = [
            combo
            for combo in itertools.product(*(range(len(scenario.options[j])) for j in group))
            if not any(
                _holds(group, combo, e.first) and _holds(group, combo, e.second)
                for e in scenario.exclusions
            )
        ]
        chosen = np.array(feasible, dtype=np.int64).reshape(-1, len(group))
        links = [
            i
            for i in scenario.interactions
            if i.first[0] in group  # a group holds both issues of its ties
        ]
        held = [
            np.array(
                [_holds(group, c, i.first) and _holds(group, c, i.second) for c in feasible],
                dtype=bool,
            )
            for i in links
        ]
        n = len(scenario.parties)
        table = np.zeros((n, len(chosen)))
        rows = np.full((n, len(chosen)), Fraction(0), dtype=object)
        for m, j in enumerate(group):
            table = table + scenario.tables[j][:, chosen[:, m]]
            if exact is not None:
                rows = rows + exact.tables[j][:, chosen[:, m]]
        for link, mask in zip(links, held, strict=True):
            table[parties[link.party], mask] += float(link.value)
            rows[parties[link.party], mask] += link.value
        tables.append(table)
        exact_tables.append(rows)
        combos.append(chosen)
        names.append("+".join(scenario.issues[j] for j in group))
        options.append(
            tuple(
                "+".join(scenario.options[j][o] for j, o in zip(group, c, strict=True))
                for c in feasible
            )
        )
        for line in scenario.red_lines:
            if line.issue in group:
                m = group.index(line.issue)
                hit = frozenset(
                    int(c) for c in np.flatnonzero(np.isin(chosen[:, m], list(line.forbidden)))
                )
                red_lines.append(RedLine(line.party, k, hit, line.reason, line.source))
    merged = Scenario(
        issues=tuple(names),
        options=tuple(options),
        parties=scenario.parties,
        tables=tuple(tables),
        alternatives=scenario.alternatives,
        red_lines=tuple(red_lines),
        party_names=scenario.party_names,
        exact=None if exact is None else ExactValues(tuple(exact_tables), exact.alternatives),
    )
    return Merged(merged, tuple(groups), tuple(combos), len(scenario.issues))


def _holds(group: tuple[int, ...], combo: tuple[int, ...], ref: tuple[int, int]) -> bool:
    issue, option = ref
    return issue in group and combo[group.index(issue)] == option
