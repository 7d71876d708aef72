"""A plan's package, derived from the typed fields of its terms by the domain's selectors.

No table says which plan gets which option, and no selector reads a term's
prose: each option states which typed fields select it, a term may state an
option outright (`negotiation: {issue: option}`), and the domain declares
which option refines which. Two terms that select different options of one
issue are an error, so no plan's package depends on the order of its terms,
and every term is accounted for: it counts toward an issue or is listed as
outside the negotiation domain with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accord.agreement import Agreement, AgreementFileError, FileProblem, SourceMap, TermKind
from accord.negotiate.scenario import Package
from accord.negotiate.specs import OPERATORS, DomainSpec, IssueSpec

EXPLICIT = "explicit"

_OPS = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "ne": lambda a, b: a != b,
}


def _matches(pattern: Any, value: Any) -> bool:
    if isinstance(pattern, dict) and pattern and set(pattern) <= OPERATORS:
        if "absent" in pattern:
            return (value is None) is bool(pattern["absent"])
        if "includes" in pattern:
            return isinstance(value, list) and all(v in value for v in pattern["includes"])
        if not isinstance(value, int | float) or isinstance(value, bool):
            return False
        return all(_OPS[op](value, bound) for op, bound in pattern.items())
    if isinstance(pattern, dict):
        if isinstance(value, list):  # a list of models (caps): any item fits
            return any(_matches(pattern, v) for v in value)
        if not isinstance(value, dict):
            return False
        return all(_matches(p, value.get(k)) for k, p in pattern.items())
    wanted = pattern if isinstance(pattern, list) else [pattern]
    if isinstance(value, list):
        return any(v in wanted for v in value)
    return value in wanted


def term_matches(pattern: dict[str, Any], term: dict[str, Any]) -> bool:
    """Whether a term (dumped to JSON types) fits a selector from the domain file;
    a selector reads proposed terms unless it names another status."""
    return _matches({"status": "proposed", **pattern}, term)


@dataclass(frozen=True)
class Selection:
    """One option a term selects, the rule that selected it, and what became of it."""

    issue: str
    option: str
    rule: str  # "explicit", or the selector: "OPTION[k]"
    outcome: str  # "counts", or why another selection took its place


@dataclass(frozen=True)
class TermMapping:
    """What one term contributes to the package."""

    term: str
    line: int
    selections: tuple[Selection, ...]
    outside: str | None  # why the term counts toward no issue

    def rows(self) -> list[dict[str, Any]]:
        """Term -> issue -> option rows, one per selection (one row when outside)."""
        base = {"term": self.term, "line": self.line}
        if not self.selections:
            return [base | {"issue": None, "option": None, "rule": None, "outcome": self.outside}]
        return [
            base | {"issue": s.issue, "option": s.option, "rule": s.rule, "outcome": s.outcome}
            for s in self.selections
        ]


@dataclass(frozen=True)
class MappedPlan:
    """A plan's package, the term that set each issue (None where open), and every term."""

    plan: str
    package: Package
    selected_by: tuple[str | None, ...]
    terms: tuple[TermMapping, ...]

    def table(self) -> list[dict[str, Any]]:
        """Every term's mapping as rows: the issue and option it selects, by which rule."""
        return [row for t in self.terms for row in t.rows()]


@dataclass(frozen=True)
class _Hit:
    term: int
    option: str
    rule: str


def _explicit(
    agreement: Agreement, domain: DomainSpec, source: SourceMap
) -> tuple[list[tuple[str, _Hit]], list[FileProblem]]:
    ids = [i.id for i in domain.issues]
    hits: list[tuple[str, _Hit]] = []
    problems: list[FileProblem] = []
    for t, term in enumerate(agreement.terms):
        for issue_id, option in term.negotiation.items():
            loc = ("terms", t, "negotiation", issue_id)
            if issue_id not in ids:
                message = f"unknown negotiation issue '{issue_id}'; valid: {', '.join(ids)}"
                problems.append(source.problem(loc, message, at_key=True))
                continue
            options = [o.id for o in domain.issue(issue_id).options]
            if option not in options:
                message = (
                    f"unknown option '{option}' of negotiation issue '{issue_id}';"
                    f" valid: {', '.join(options)}"
                )
                problems.append(source.problem(loc, message))
            elif term.status == "proposed":
                hits.append((issue_id, _Hit(t, option, EXPLICIT)))
    return hits, problems


def _inferred(terms: list[dict[str, Any]], issue: IssueSpec) -> list[_Hit]:
    return [
        _Hit(t, option.id, f"{option.id}[{k}]")
        for t, term in enumerate(terms)
        for option in issue.options
        for k, pattern in enumerate(option.when)
        if term_matches(pattern, term)
    ]


def _covering(issue: IssueSpec, term: dict[str, Any]) -> bool:
    """Whether a selector of the issue names this term's area and issue."""
    return any(
        "issue" in p and _matches({k: p[k] for k in ("area", "issue") if k in p}, term)
        for option in issue.options
        for p in option.when
    )


def _outside(term: dict[str, Any], domain: DomainSpec) -> str:
    if term["status"] != "proposed":
        return f"status {term['status']}: not what the plan proposes, so it selects nothing"
    where = f"{term['area']}.{term['issue']}"
    near = [i.id for i in domain.issues if _covering(i, term)]
    if near:
        return (
            f"no option of issue {', '.join(near)} matches its typed fields; state one with"
            f" negotiation: {{{near[0]}: OPTION}}"
        )
    if term["kind"] == TermKind.rule:
        return f"verification rule: enforced by codify/verify, not bargained over ({where})"
    return f"no issue of the negotiation domain covers {where}"


def _resolve(issue: IssueSpec, selected: set[str]) -> tuple[list[str], dict[str, str]]:
    """The selected options no other selected option refines, and what refines the rest."""
    refined = {
        low: option.id
        for option in issue.options
        if option.id in selected
        for low in option.refines
        if low in selected
    }
    return [o.id for o in issue.options if o.id in selected and o.id not in refined], refined


def plan_package(
    agreement: Agreement, domain: DomainSpec, source: SourceMap | None = None
) -> MappedPlan:
    """The (possibly partial) package a plan proposes, with every term accounted for.

    Raises AgreementFileError, positioned in `source` when given, for unknown
    issue or option ids and for terms that select contradicting options."""
    where = source or SourceMap(agreement.id, None)
    terms = [t.model_dump(mode="json") for t in agreement.terms]
    lines = [where.problem(("terms", t, "id"), "").line for t in range(len(terms))]
    stated, problems = _explicit(agreement, domain, where)
    chosen: dict[int, list[Selection]] = {t: [] for t in range(len(terms))}
    package: list[int | None] = []
    setters: list[str | None] = []
    for issue in domain.issues:
        explicit = [hit for issue_id, hit in stated if issue_id == issue.id]
        inferred = _inferred(terms, issue)
        pool = explicit or inferred
        left, refined = _resolve(issue, {h.option for h in pool})
        if len(left) > 1:
            a, b = (next(h for h in pool if h.option == o) for o in left[:2])
            problems.append(
                where.problem(
                    ("terms", b.term),
                    f"issue '{issue.id}': term {agreement.terms[a.term].id} (line {lines[a.term]})"
                    f" selects {a.option} but term {agreement.terms[b.term].id} (line"
                    f" {lines[b.term]}) selects {b.option}; state one with negotiation:"
                    f" {{{issue.id}: OPTION}} or declare in the domain which option refines"
                    " the other",
                )
            )
        winner = next((h for h in pool if h.option == left[0]), None) if left else None
        for hit in pool:
            outcome = "counts"
            if hit.option in refined:
                outcome = f"refined by {refined[hit.option]}, which the domain says wins"
            chosen[hit.term].append(Selection(issue.id, hit.option, hit.rule, outcome))
        for hit in inferred if explicit else []:
            outcome = f"overridden by term {agreement.terms[explicit[0].term].id}'s explicit option"
            chosen[hit.term].append(Selection(issue.id, hit.option, hit.rule, outcome))
        package.append(None if winner is None else [o.id for o in issue.options].index(left[0]))
        setters.append(None if winner is None else agreement.terms[winner.term].id)
    problems.extend(_core_problems(agreement, domain, package, where))
    if problems:
        raise AgreementFileError(sorted(problems, key=lambda p: (p.line, p.column, p.field)))
    mapped = tuple(
        TermMapping(
            term["id"],
            lines[t],
            tuple(chosen[t]),
            None if chosen[t] else _outside(term, domain),
        )
        for t, term in enumerate(terms)
    )
    return MappedPlan(agreement.id, tuple(package), tuple(setters), mapped)


def _core_problems(
    agreement: Agreement, domain: DomainSpec, package: list[int | None], where: SourceMap
) -> list[FileProblem]:
    """A core issue must be an issue of the domain that the plan settles."""
    ids = [i.id for i in domain.issues]
    problems = []
    for k, core in enumerate(agreement.core):
        loc = ("core", k, "issue")
        if core.issue not in ids:
            message = f"unknown negotiation issue '{core.issue}'; valid: {', '.join(ids)}"
            problems.append(where.problem(loc, message))
        elif package[ids.index(core.issue)] is None:
            message = (
                f"the plan leaves '{core.issue}' open, so it has no option to keep; a core issue"
                " is one the plan's terms settle"
            )
            problems.append(where.problem(loc, message))
    return problems
