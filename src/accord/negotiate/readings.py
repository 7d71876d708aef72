"""What the Monte Carlo may read differently from draw to draw, besides the figures' ranges.

- Battlefield outlooks (data/outlooks.yaml): one per draw, shared by every
  party, so the values of continued war move together as they do on a front.
- The rule for an issue a plan leaves open: the worst, mean or best of the
  options no red line forbids, for each party.
- Analyst stances (an optional file): named alternative readings of a party,
  each a set of overrides of the party file's figures with a source and a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, ValidationError

from accord.agreement.model import StrictModel
from accord.negotiate.evaluate import OPEN_ISSUE_RULES as RULES
from accord.negotiate.files import (
    NegotiationFileError,
    Preferences,
    _known,
    _read,
    _validation,
    load_outlooks,
)
from accord.negotiate.specs import OutlookSpec, Source


class Override(StrictModel):
    """One figure of a party file read otherwise."""

    # alternative | alternative.OUTLOOK | weight.ISSUE | value.ISSUE.OPTION
    figure: str
    range: tuple[float, float]
    source: Source
    reason: str = Field(min_length=3)


class StanceSpec(StrictModel):
    """An analyst's named reading of a party, as overrides of its file's figures."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    party: str
    title: str
    # share of draws that read the party this way; the party file's own figures take the rest
    probability: float = Field(gt=0, le=1)
    overrides: list[Override] = Field(min_length=1)


class StancesFile(StrictModel):
    """The stances file: alternative readings of the parties."""

    stances: list[StanceSpec] = Field(default_factory=list)


@dataclass(frozen=True)
class Stance:
    """A stance as indices: which party, and the ranges it puts in place of the file's."""

    id: str
    title: str
    party_id: str
    party: int  # index among the parties
    probability: float
    weights: dict[int, tuple[float, float]]  # issue -> range, scaled like the file's weights
    values: dict[tuple[int, int], tuple[float, float]]  # (issue, option) -> range
    alternatives: dict[int | None, tuple[float, float]]  # outlook (None: every one) -> range


def load_stances(
    path: str | Path, prefs: Preferences, outlooks: list[OutlookSpec]
) -> tuple[Stance, ...]:
    """A stances file, checked against the parties, the domain and the outlooks."""
    name, data = _read(Path(path))
    try:
        spec = StancesFile.model_validate(data)
    except ValidationError as exc:
        raise _validation(name, exc) from None
    parties = [p.party for p in prefs.parties]
    docs = [d.id for d in prefs.domain.documents]
    stances: list[Stance] = []
    for k, stance in enumerate(spec.stances):
        field = f"stances[{k}]"
        if stance.party not in parties:
            raise NegotiationFileError(name, _known("party", stance.party, parties), field=field)
        if stance.id in [s.id for s in stances]:
            raise NegotiationFileError(name, f"stance '{stance.id}' is given twice", field=field)
        p = parties.index(stance.party)
        out = Stance(stance.id, stance.title, stance.party, p, stance.probability, {}, {}, {})
        for m, override in enumerate(stance.overrides):
            where = f"{field}.overrides[{m}]"
            if override.source.doc not in docs:
                raise NegotiationFileError(
                    name, _known("document", override.source.doc, docs), stance.party, where
                )
            _place(name, where, override, prefs, p, outlooks, out)
        stances.append(out)
    for p, party in enumerate(parties):
        total = sum(s.probability for s in stances if s.party == p)
        if total > 1 + 1e-9:
            raise NegotiationFileError(
                name,
                f"the stances of {party} are drawn with probabilities that sum to {total:.4g}; "
                "they may sum to at most 1 (the party file's own figures take the rest)",
                party,
                "stances.*.probability",
            )
    return tuple(stances)


def _place(
    name: str,
    where: str,
    override: Override,
    prefs: Preferences,
    p: int,
    outlooks: list[OutlookSpec],
    out: Stance,
) -> None:
    """Check one override and file it under the figure it replaces."""
    party = prefs.parties[p]

    def fail(message: str) -> NegotiationFileError:
        return NegotiationFileError(name, message, party.party, where)

    lo, hi = override.range
    kind, *rest = override.figure.split(".")
    issues = [i.id for i in prefs.domain.issues]
    if kind == "weight" and len(rest) == 1:
        key: Any = _issue(rest[0], issues, party.issues, fail)
        if not 0 <= lo <= hi:
            raise fail(f"a weight range is [low, high] with 0 <= low <= high, got {[lo, hi]}")
        table: dict[Any, tuple[float, float]] = out.weights
        lo, hi = lo / party.weights_sum, hi / party.weights_sum
    elif kind == "value" and len(rest) == 2:
        j = _issue(rest[0], issues, party.issues, fail)
        options = [o.id for o in prefs.domain.issues[j].options]
        if rest[1] not in options:
            raise fail(_known(f"option of issue '{rest[0]}'", rest[1], options))
        key, table = (j, options.index(rest[1])), out.values
    elif kind == "alternative" and len(rest) <= 1:
        ids = [o.id for o in outlooks]
        if rest and rest[0] not in ids:
            raise fail(_known("battlefield outlook", rest[0], ids))
        key, table = (ids.index(rest[0]) if rest else None), out.alternatives
    else:
        raise fail(
            f"unknown figure '{override.figure}'; write alternative, alternative.OUTLOOK, "
            "weight.ISSUE or value.ISSUE.OPTION"
        )
    if kind != "weight" and not 0 <= lo <= hi <= 1:
        raise fail(f"a value range is [low, high] with 0 <= low <= high <= 1, got {[lo, hi]}")
    if key in table:
        raise fail(f"'{override.figure}' is overridden twice in this stance")
    table[key] = (lo, hi)


def _issue(issue: str, issues: list[str], weighed: dict[str, Any], fail: Any) -> int:
    if issue not in issues:
        raise fail(_known("issue", issue, issues))
    if issue not in weighed:
        raise fail(f"the party file does not weigh issue '{issue}'; give it there first")
    return issues.index(issue)


@dataclass(frozen=True)
class Readings:
    """The outlooks with the probabilities draws take them by, the stances and the open rules."""

    outlooks: tuple[OutlookSpec, ...]
    stances: tuple[Stance, ...] = ()
    rules: tuple[str, ...] = RULES

    @classmethod
    def load(
        cls,
        prefs: Preferences,
        stances_file: str | Path | None = None,
        rules: tuple[str, ...] = RULES,
        outlooks_file: str | Path | None = None,
    ) -> Readings:
        """The outlooks, the stances (if a file is given) and the open-issue rules to draw from."""
        # the shipped outlooks cite the shipped domain's documents (a test checks them); a
        # user's outlooks file is checked against the domain in use
        outlooks = load_outlooks(outlooks_file, prefs.domain if outlooks_file else None)
        unknown = [r for r in rules if r not in RULES]
        if unknown or not rules:
            raise ValueError(f"open-issue rules are {', '.join(RULES)}; got {list(rules)}")
        stances = load_stances(stances_file, prefs, outlooks) if stances_file else ()
        return cls(tuple(outlooks), stances, tuple(dict.fromkeys(rules)))

    @property
    def probabilities(self) -> NDArray[np.float64]:
        """The middle of each outlook's probability range, scaled to sum to one."""
        mids = np.array([sum(o.probability.range) / 2 for o in self.outlooks])
        return mids / mids.sum()

    def alternatives(self, prefs: Preferences) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(outlooks, parties) low and high value of continued war; a party that gives no
        value per outlook has its overall range under every one."""
        lo = np.tile(prefs.alternative_lo, (len(self.outlooks), 1))
        hi = np.tile(prefs.alternative_hi, (len(self.outlooks), 1))
        for p, party in enumerate(prefs.parties):
            for k, outlook in enumerate(self.outlooks):
                entry = party.alternative.by_outlook.get(outlook.id)
                if entry is not None:
                    lo[k, p], hi[k, p] = entry[:2]
        return lo, hi

    def to_json(self, outlook_draws: NDArray[np.int_] | None = None) -> dict[str, Any]:
        """The readings as JSON, with how often draws took each outlook when given."""
        drawn = (
            np.bincount(outlook_draws, minlength=len(self.outlooks))
            if outlook_draws is not None
            else None
        )
        return {
            "outlooks": [
                {
                    "outlook": o.id,
                    "title": o.title,
                    "probability_range": list(o.probability.range),
                    "probability_basis": o.probability.basis,
                    "drawn_with": round(float(self.probabilities[k]), 6),
                    **({"draws": int(drawn[k])} if drawn is not None else {}),
                    "sources": [s.doc + (f", {s.section}" if s.section else "") for s in o.sources],
                }
                for k, o in enumerate(self.outlooks)
            ],
            "open_issue_rules": list(self.rules),
            "stances": [
                {
                    "stance": s.id,
                    "party": s.party_id,
                    "title": s.title,
                    "probability": s.probability,
                }
                for s in self.stances
            ],
        }
