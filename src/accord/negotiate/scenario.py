"""The numeric form every analysis works on: issues, options, parties and utility tables.

A scenario is additive: a party's utility for a package is the sum over issues
of the contribution (weight times value) of the chosen option. The shipped
settlement domain and imported GENIUS files both become a Scenario, so one
Pareto merge and one set of bargaining solutions serve both.

Floats cannot tell a tie from a near-tie (0.1 + 0.2 != 0.3), so a scenario also
has an exact form: the figures as fractions where a file gives them, or else
each float read as the shortest decimal that prints as it. Scaled by the
common denominator of each party's figures they become integers, whose sums
compare exactly; scaling a party's utilities by a positive constant changes no
comparison between two packages for that party.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

Package = tuple[int | None, ...]  # option index per issue; None where a plan leaves it open

# Integer sums stay in int64 while a party's largest possible |sum| is below this;
# beyond it they are Python integers (exact, slower).
_INT64_SAFE = 2**62
# Floats read as decimals with at most this many places (float64 holds 15-17 digits).
_MAX_PLACES = 15


@dataclass(frozen=True)
class ExactValues:
    """The tables and alternatives as fractions (object arrays of Fraction)."""

    tables: tuple[NDArray[np.object_], ...]  # per issue (parties, options)
    alternatives: tuple[Fraction | float, ...]  # a float only where infinite


@dataclass(frozen=True)
class IntegerForm:
    """Each party's figures times its common denominator: utility = numerator / scale."""

    tables: tuple[NDArray[np.int64], ...]  # per issue (parties, options); dtype object if large
    scale: tuple[int, ...]  # per party
    # a package beats party p's alternative iff its numerator sum exceeds floors[p]
    floors: NDArray[np.int64]

    def to_float(self, numerators: NDArray[np.int64]) -> NDArray[np.float64]:
        """Utilities as floats from numerator sums."""
        return numerators.astype(np.float64) / np.array(self.scale, dtype=np.float64)

    def fractions(self, numerators: NDArray[np.int64]) -> NDArray[np.object_]:
        """Exact utilities (rows of Fractions) from numerator sums."""
        out = np.empty(numerators.shape, dtype=object)
        for (i, p), n in np.ndenumerate(numerators):
            out[i, p] = Fraction(int(n), self.scale[p])
        return out


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
class Interaction:
    """Two options of different issues worth more (value > 0) or less to a party together
    than apart: the value is added to its utility when a package holds both."""

    party: str
    first: tuple[int, int]  # (issue, option)
    second: tuple[int, int]
    value: Fraction  # in the units of the tables (weight times value)
    reason: str = ""
    source: str = ""

    def held_by(self, package: Package) -> bool:
        """Whether the package holds both options."""
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
    # the same figures as fractions where a file gives them exactly
    exact: ExactValues | None = None
    interactions: tuple[Interaction, ...] = ()

    @property
    def additive(self) -> bool:
        """Whether utilities are sums over issues with every package allowed (no
        interactions, no exclusions), which the Pareto merge needs."""
        return not self.interactions and not self.exclusions

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
        """Each party's utility for a complete package, summed in issue order, plus the
        interactions it holds."""
        total = np.zeros(len(self.parties))
        for j, option in enumerate(package):
            total = total + self.tables[j][:, option]
        for link in self.interactions:
            if link.held_by(tuple(package)):
                total[self.parties.index(link.party)] += float(link.value)
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
        """The position of the issue named `name`."""
        return self.issues.index(name)

    def option_index(self, issue: int, name: str) -> int:
        """The position of option `name` within an issue."""
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
        return replace(self, tables=tuple(tables), alternatives=alternatives, exact=None)

    def for_parties(self, keep: Sequence[int]) -> Scenario:
        """The same domain seen by some of the parties only."""
        exact = self.exact and ExactValues(
            tuple(t[list(keep)] for t in self.exact.tables),
            tuple(self.exact.alternatives[k] for k in keep),
        )
        return replace(
            self,
            parties=tuple(self.parties[k] for k in keep),
            tables=tuple(t[list(keep)] for t in self.tables),
            alternatives=self.alternatives[list(keep)],
            exact=exact,
            interactions=tuple(
                i for i in self.interactions if i.party in {self.parties[k] for k in keep}
            ),
        )

    def exact_values(self) -> ExactValues | None:
        """The figures as fractions: as given, or every float read as a decimal of at most
        15 places; None when some float is not one (random draws), which leaves the floats."""
        if self.exact is not None:
            return self.exact
        tables = []
        for table in self.tables:
            places = _decimal_places(table)
            if places is None:
                return None
            tables.append(_fractions(np.round(table * 10.0**places), 10**places))
        return ExactValues(
            tuple(tables),
            tuple(
                Fraction(repr(a)) if math.isfinite(a) else a for a in map(float, self.alternatives)
            ),
        )

    def integer_form(self) -> IntegerForm | None:
        """Integer tables whose sums compare exactly, or None when there is no exact form."""
        exact = self.exact_values()
        if exact is None:
            return None
        n = len(self.parties)
        scale = [
            math.lcm(*(x.denominator for t in exact.tables for x in t[p].tolist()))
            for p in range(n)
        ]
        numer = [
            np.array([[int(x * scale[p]) for x in t[p].tolist()] for p in range(n)], dtype=object)
            for t in exact.tables
        ]
        largest = max(sum(max(abs(x) for x in t[p].tolist()) for t in numer) for p in range(n))
        dtype = np.int64 if largest < _INT64_SAFE else object
        # beyond every reachable sum a floor only needs its side: clamp it there
        floors = [
            min(max(math.floor(a * s) if math.isfinite(a) else a, -largest - 1), largest + 1)
            for a, s in zip(exact.alternatives, scale, strict=True)
        ]
        return IntegerForm(
            tuple(t.astype(dtype) for t in numer), tuple(scale), np.array(floors, dtype=dtype)
        )


def _decimal_places(table: NDArray[np.float64]) -> int | None:
    """Fewest decimal places that reproduce every float of the table, if at most 15."""
    for places in range(_MAX_PLACES + 1):
        scaled = table * 10.0**places
        if np.all(np.abs(scaled) < 2**53) and np.array_equal(
            np.round(scaled) / 10.0**places, table
        ):
            return places
    return None


def _fractions(numerators: NDArray[np.float64], denominator: int) -> NDArray[np.object_]:
    out = np.empty(numerators.shape, dtype=object)
    for idx, n in np.ndenumerate(numerators):
        out[idx] = Fraction(int(n), denominator)
    return out
