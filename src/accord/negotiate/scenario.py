"""The numeric form every analysis works on: issues, options, parties and utility tables.

A scenario is additive: a party's utility for a package is the sum over issues
of the contribution (weight times value) of the chosen option. The shipped
settlement domain and imported GENIUS files both become a Scenario, so one
Pareto merge and one set of bargaining solutions serve both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

Package = tuple[int | None, ...]  # option index per issue; None where a plan leaves it open


@dataclass(frozen=True)
class RedLine:
    """Options of one issue a party will not accept under any circumstances."""

    party: str
    issue: int
    forbidden: frozenset[int]
    reason: str = ""
    source: str = ""
    held: float = 1.0  # probability that the party keeps it in a settlement


@dataclass(frozen=True)
class Exclusion:
    """Two options of different issues that no package may hold together (from the domain)."""

    first: tuple[int, int]  # (issue, option)
    second: tuple[int, int]
    reason: str = ""
    source: str = ""

    def violated_by(self, package: Package) -> bool:
        """Whether a (possibly partial) package holds both options."""
        return all(package[issue] == option for issue, option in (self.first, self.second))


@dataclass(frozen=True)
class Scenario:
    """Issues with discrete options, and each party's additive utility over them."""

    issues: tuple[str, ...]
    options: tuple[tuple[str, ...], ...]
    parties: tuple[str, ...]
    # tables[j][p, o]: what option o of issue j adds to party p's utility
    tables: tuple[NDArray[np.float64], ...]
    alternatives: NDArray[np.float64]  # each party's best alternative (continued war)
    red_lines: tuple[RedLine, ...] = ()
    party_names: dict[str, str] = field(default_factory=dict)
    exclusions: tuple[Exclusion, ...] = ()

    @property
    def size(self) -> int:
        """How many complete packages the space holds."""
        return math.prod(len(o) for o in self.options)

    def allowed(self, issue: int) -> NDArray[np.bool_]:
        """Options of an issue that no party's red line forbids."""
        mask = np.ones(len(self.options[issue]), dtype=bool)
        for line in self.red_lines:
            if line.issue == issue:
                mask[list(line.forbidden)] = False
        return mask

    def utilities(self, package: Sequence[int]) -> NDArray[np.float64]:
        """Each party's utility for a complete package, summed in issue order."""
        total = np.zeros(len(self.parties))
        for j, option in enumerate(package):
            total = total + self.tables[j][:, option]
        return total

    def crossed(self, package: Package) -> list[RedLine]:
        """Red lines the (possibly partial) package crosses."""
        return [
            line
            for line in self.red_lines
            if package[line.issue] is not None and package[line.issue] in line.forbidden
        ]

    def excluded(self, package: Package) -> list[Exclusion]:
        """Cross-issue constraints the (possibly partial) package breaks."""
        return [e for e in self.exclusions if e.violated_by(package)]

    def issue_index(self, name: str) -> int:
        return self.issues.index(name)

    def option_index(self, issue: int, name: str) -> int:
        return self.options[issue].index(name)

    def describe(self, package: Package) -> dict[str, str | None]:
        """Issue id -> option id, None where open."""
        return {
            issue: (None if choice is None else self.options[j][choice])
            for j, (issue, choice) in enumerate(zip(self.issues, package, strict=True))
        }

    def with_tables(
        self, tables: Sequence[NDArray[np.float64]], alternatives: NDArray[np.float64]
    ) -> Scenario:
        """The same domain and red lines with other utilities (one Monte Carlo draw)."""
        return Scenario(
            self.issues,
            self.options,
            self.parties,
            tuple(tables),
            alternatives,
            self.red_lines,
            self.party_names,
            self.exclusions,
        )
