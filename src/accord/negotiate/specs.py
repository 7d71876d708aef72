"""The shapes of the negotiation files: the domain (issues, options, the terms that
select them, constraints) and a party's preferences (weights, option values, best
alternative, red lines, outlooks), each figure a range with its source.

`accord.negotiate.files` reads and checks them; these models say what a valid file
holds, so a user editing one can read the fields here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from accord.agreement.model import StrictModel

Range = tuple[float, float]

# Comparisons a selector may apply to a field instead of a value.
OPERATORS = {"lt", "le", "gt", "ge", "ne", "absent", "includes"}


class Source(StrictModel):
    """Where a figure or a claim comes from: a document of the domain, and its section."""

    doc: str
    section: str | None = None


def cite(source: Source) -> str:
    """A source as one string: the document, and the section when given."""
    return source.doc + (f", {source.section}" if source.section else "")


class DocumentSpec(StrictModel):
    """A document figures are sourced to."""

    id: str
    title: str
    author: str
    date: str


class OptionSpec(StrictModel):
    """An option of an issue, and which plan terms select it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    # selectors over a term's typed fields; a term matching any of them selects this option
    when: list[dict[str, Any]] = Field(default_factory=list)
    # options of the same issue this one wins over when a plan selects both
    refines: list[str] = Field(default_factory=list)


class IssueSpec(StrictModel):
    """An issue of the negotiation and its options."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    area: str
    options: list[OptionSpec] = Field(min_length=2)


class OptionRef(StrictModel):
    """One option of one issue, as constraints and interactions name it."""

    issue: str
    option: str


class ConstraintSpec(StrictModel):
    """Options of different issues that cannot go together in one package."""

    excludes: tuple[OptionRef, OptionRef]
    source: Source
    reason: str = Field(min_length=3)


class DomainSpec(StrictModel):
    """The domain file: the documents, the issues and the options that cannot go together."""

    title: str
    documents: list[DocumentSpec] = Field(min_length=1)
    issues: list[IssueSpec] = Field(min_length=1)
    constraints: list[ConstraintSpec] = Field(default_factory=list)

    def issue(self, issue_id: str) -> IssueSpec:
        """The issue with this id."""
        return next(i for i in self.issues if i.id == issue_id)


def _check_range(value: list[Any]) -> list[Any]:
    lo, hi = value[0], value[1]
    if not (isinstance(lo, int | float) and isinstance(hi, int | float)) or lo > hi:
        raise ValueError(f"a range is [low, high] with low <= high, got {value[:2]}")
    return value


class Valued(StrictModel):
    """A figure given as a range, with where it comes from and why."""

    range: tuple[float, float]
    source: Source
    reason: str = Field(min_length=3)

    @field_validator("range", mode="before")
    @classmethod
    def _range(cls, v: Any) -> Any:
        return _check_range(list(v)) if isinstance(v, list | tuple) and len(v) == 2 else v


class IssuePreference(StrictModel):
    """How much a party cares about an issue and how it values each option, with sources."""

    weight: tuple[float, float]
    source: Source
    reason: str = Field(min_length=3)
    # option -> [low, high, reason]; the source is the issue's unless the entry gives a 4th item
    values: dict[str, list[Any]]

    @field_validator("weight", mode="before")
    @classmethod
    def _weight(cls, v: Any) -> Any:
        return _check_range(list(v)) if isinstance(v, list | tuple) and len(v) == 2 else v


class RedLineSpec(StrictModel):
    """Options of an issue a party will not accept, and how likely it is to hold to that."""

    issue: str
    forbid: list[str] = Field(min_length=1)
    source: Source
    reason: str = Field(min_length=3)
    # probability that the red line holds in a settlement (1.0: a stated precondition)
    held: float = Field(default=1.0, gt=0, le=1)


class Alternative(Valued):
    """The value of continued war: overall, and under each battlefield outlook the file gives."""

    # outlook id -> [low, high, reason] or [low, high, reason, doc], like an option value
    by_outlook: dict[str, list[Any]] = Field(default_factory=dict)


class OutlookProbability(StrictModel):
    """How likely an outlook is: a range, and whether a document or an analyst gives it."""

    range: tuple[float, float]
    basis: Literal["document", "analyst"]
    source: Source | None = None  # required when a document gives the figure
    reason: str = Field(min_length=3)

    @field_validator("range", mode="before")
    @classmethod
    def _range(cls, v: Any) -> Any:
        if isinstance(v, int | float):
            v = [v, v]
        if isinstance(v, list | tuple) and len(v) == 2:
            _check_range(list(v))
            if not 0 <= v[0] <= v[1] <= 1:
                raise ValueError(f"a probability range lies within [0, 1], got {list(v)}")
        return v


class OutlookSpec(StrictModel):
    """A battlefield outlook: how likely it is, and what it is read from."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    sources: list[Source] = Field(min_length=1)
    reason: str = Field(min_length=3)
    probability: OutlookProbability


class OutlooksFile(StrictModel):
    """The outlooks file: the battlefield outlooks draws choose among."""

    outlooks: list[OutlookSpec] = Field(min_length=1)


class InteractionSpec(StrictModel):
    """Two options of different issues worth more (or, if negative, less) together than
    apart: the value range is added to the party's utility, in the units of weight times
    value."""

    options: tuple[OptionRef, OptionRef]
    value: tuple[float, float]
    source: Source
    reason: str = Field(min_length=3)

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, v: Any) -> Any:
        return _check_range(list(v)) if isinstance(v, list | tuple) and len(v) == 2 else v


class PartySpec(StrictModel):
    """A party file: its weights, its values, its alternative to a deal and its red lines."""

    party: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str
    weights_sum: float = Field(gt=0)
    alternative: Alternative
    issues: dict[str, IssuePreference]
    red_lines: list[RedLineSpec] = Field(default_factory=list)
    interactions: list[InteractionSpec] = Field(default_factory=list)
