"""The negotiation domain and party preferences as data files, checked with precise errors.

The domain file lists the issues, their options and which plan terms select
each option. A party file gives the party's issue weights, option values and
best alternative, each as a range with a source and a reason, plus its red
lines. Users can edit or replace any of them; nothing here names a party.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from accord.agreement.model import Term
from accord.negotiate.scenario import ExactValues, Exclusion, Interaction, RedLine, Scenario
from accord.negotiate.specs import (
    OPERATORS,
    DomainSpec,
    IssueSpec,
    OptionRef,
    OutlooksFile,
    OutlookSpec,
    PartySpec,
    Source,
    cite,
)


class NegotiationFileError(ValueError):
    """A problem in a domain or party file: which file, which party, which field, and why."""

    def __init__(self, file: str, message: str, party: str | None = None, field: str = ""):
        self.file, self.party, self.field = file, party, field
        where = file + (f" (party {party})" if party else "") + (f": {field}" if field else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Preferences:
    """Every party's ranges, as arrays, for point estimates and Monte Carlo draws."""

    domain: DomainSpec
    parties: tuple[PartySpec, ...]
    weight_lo: NDArray[np.float64]  # (parties, issues), normalised by weights_sum
    weight_hi: NDArray[np.float64]
    value_lo: tuple[NDArray[np.float64], ...]  # per issue (parties, options)
    value_hi: tuple[NDArray[np.float64], ...]
    alternative_lo: NDArray[np.float64]
    alternative_hi: NDArray[np.float64]
    red_lines: tuple[RedLine, ...]

    def scenario(self) -> Scenario:
        """Point estimates: the middle of every range, weights rescaled to sum to one;
        computed in fractions from the figures as written, so ties stay ties."""
        exact = self.exact_values
        tables = tuple(t.astype(np.float64) for t in exact.tables)
        return Scenario(
            issues=tuple(i.id for i in self.domain.issues),
            options=tuple(tuple(o.id for o in i.options) for i in self.domain.issues),
            parties=tuple(p.party for p in self.parties),
            tables=tables,
            alternatives=(self.alternative_lo + self.alternative_hi) / 2,
            red_lines=self.red_lines,
            party_names={p.party: p.name for p in self.parties},
            exclusions=exclusions(self.domain),
            exact=exact,
            interactions=self.interactions(),
        )

    def interactions(self) -> tuple[Interaction, ...]:
        """Every party's interactions at the middle of their ranges, as option indices."""
        ids = [i.id for i in self.domain.issues]

        def ref(r: OptionRef) -> tuple[int, int]:
            j = ids.index(r.issue)
            return j, [o.id for o in self.domain.issues[j].options].index(r.option)

        return tuple(
            Interaction(
                spec.party,
                ref(link.options[0]),
                ref(link.options[1]),
                (Fraction(repr(link.value[0])) + Fraction(repr(link.value[1]))) / 2,
                link.reason,
                link.source.doc + (f", {link.source.section}" if link.source.section else ""),
            )
            for spec in self.parties
            for link in spec.interactions
        )

    @cached_property
    def exact_values(self) -> ExactValues:
        """The point-estimate tables and alternatives as fractions of the written decimals."""

        def mid(low: float, high: float) -> Fraction:
            return (Fraction(repr(low)) + Fraction(repr(high))) / 2

        tables = [
            np.full((len(self.parties), len(i.options)), Fraction(0), dtype=object)
            for i in self.domain.issues
        ]
        for p, spec in enumerate(self.parties):
            weights = {issue: mid(*pref.weight) for issue, pref in spec.issues.items()}
            total = sum(weights.values())
            for j, issue in enumerate(self.domain.issues):
                pref = spec.issues.get(issue.id)
                if pref is None:
                    continue  # an issue a party does not weigh adds nothing to its utility
                for o, option in enumerate(issue.options):
                    tables[j][p, o] = weights[issue.id] / total * mid(*pref.values[option.id][:2])
        alternatives = tuple(mid(*p.alternative.range) for p in self.parties)
        return ExactValues(tuple(tables), alternatives)


DATA = resources.files("accord.negotiate") / "data"


def _read(path: Path | Any) -> tuple[str, Any]:
    name = Path(str(path)).name
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NegotiationFileError(str(path), f"cannot read: {exc.strerror}") from None
    except YAMLError as exc:
        raise NegotiationFileError(name, f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise NegotiationFileError(name, "the file must be a mapping")
    return name, data


def _validation(name: str, exc: ValidationError, party: str | None = None) -> NegotiationFileError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return NegotiationFileError(name, first["msg"] + more, party, field)


def load_domain(path: str | Path | None = None) -> DomainSpec:
    """The negotiation domain: the shipped one unless a file is given."""
    name, data = _read(Path(path) if path else DATA / "domain.yaml")
    try:
        domain = DomainSpec.model_validate(data)
    except ValidationError as exc:
        raise _validation(name, exc) from None
    seen: set[str] = set()
    for issue in domain.issues:
        if issue.id in seen:
            raise NegotiationFileError(name, f"issue '{issue.id}' is listed twice", field="issues")
        seen.add(issue.id)
        ids = [o.id for o in issue.options]
        if len(set(ids)) != len(ids):
            raise NegotiationFileError(
                name, "an option id is repeated", field=f"{issue.id}.options"
            )
        for option in issue.options:
            field = f"{issue.id}.{option.id}"
            for low in option.refines:
                if low not in ids or low == option.id:
                    others = [i for i in ids if i != option.id]
                    raise NegotiationFileError(
                        name, _known("option to refine", low, others), field=f"{field}.refines"
                    )
            if _refines_itself(issue, option.id):
                raise NegotiationFileError(
                    name,
                    "options refine each other in a circle, so neither could win; keep one"
                    " direction",
                    field=f"{field}.refines",
                )
            for k, pattern in enumerate(option.when):
                problem = _untyped(pattern, Term)
                if problem:
                    raise NegotiationFileError(name, problem, field=f"{field}.when[{k}]")
    _check_constraints(name, domain)
    return domain


def _check_constraints(name: str, domain: DomainSpec) -> None:
    docs = [d.id for d in domain.documents]
    issues = [i.id for i in domain.issues]
    for k, constraint in enumerate(domain.constraints):
        field = f"constraints[{k}]"
        if constraint.source.doc not in docs:
            raise NegotiationFileError(
                name, _known("document", constraint.source.doc, docs), field=f"{field}.source.doc"
            )
        for n, ref in enumerate(constraint.excludes):
            if ref.issue not in issues:
                raise NegotiationFileError(
                    name, _known("issue", ref.issue, issues), field=f"{field}.excludes[{n}]"
                )
            options = [o.id for o in domain.issue(ref.issue).options]
            if ref.option not in options:
                raise NegotiationFileError(
                    name,
                    _known(f"option of issue '{ref.issue}'", ref.option, options),
                    field=f"{field}.excludes[{n}]",
                )
        if constraint.excludes[0].issue == constraint.excludes[1].issue:
            raise NegotiationFileError(
                name,
                "both options belong to one issue, which a package holds only one of already",
                field=f"{field}.excludes",
            )


def exclusions(domain: DomainSpec) -> tuple[Exclusion, ...]:
    """The domain's cross-issue constraints as option indices."""
    ids = [i.id for i in domain.issues]

    def ref(r: OptionRef) -> tuple[int, int]:
        j = ids.index(r.issue)
        return j, [o.id for o in domain.issues[j].options].index(r.option)

    return tuple(
        Exclusion(
            ref(c.excludes[0]),
            ref(c.excludes[1]),
            c.reason,
            cite(c.source),
        )
        for c in domain.constraints
    )


def _refines_itself(issue: IssueSpec, start: str) -> bool:
    refines = {o.id: o.refines for o in issue.options}
    seen, todo = set(), list(refines[start])
    while todo:
        option = todo.pop()
        if option == start:
            return True
        if option not in seen:
            seen.add(option)
            todo.extend(refines.get(option, []))
    return False


_PROSE = {"label", "summary", "sources", "id"}


def _untyped(pattern: dict[str, Any], model: type[BaseModel]) -> str | None:
    """Why a selector does not read only typed fields of `model`, or None."""
    for key, sub in pattern.items():
        if model is Term and key in _PROSE:
            return f"a selector may not read '{key}': select on typed fields, not prose"
        known = {**model.model_fields, **model.model_computed_fields}
        if key not in known:
            fields = ", ".join(f for f in known if f not in _PROSE)
            return f"'{key}' is not a typed field here; valid: {fields}"
        field = known[key]
        inner = _model_of(getattr(field, "annotation", None) or getattr(field, "return_type", None))
        if isinstance(sub, dict) and inner is not None and not set(sub) <= OPERATORS:
            problem = _untyped(sub, inner)
            if problem:
                return f"{key}: {problem}"
    return None


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (through Optional and list), if it holds one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _known(what: str, name: str, known: list[str]) -> str:
    return f"unknown {what} '{name}'; valid: {', '.join(known)}"


def load_party(path: str | Path, domain: DomainSpec) -> PartySpec:
    """One party file, checked against the domain: issues, options, weights, red lines."""
    name, data = _read(Path(path))
    party_id = data.get("party") if isinstance(data.get("party"), str) else None
    try:
        spec = PartySpec.model_validate(data)
    except ValidationError as exc:
        raise _validation(name, exc, party_id) from None
    docs = [d.id for d in domain.documents]
    issues = [i.id for i in domain.issues]

    def fail(message: str, field: str) -> NegotiationFileError:
        return NegotiationFileError(name, message, spec.party, field)

    def check_source(source: Source, field: str) -> None:
        if source.doc not in docs:
            raise fail(_known("document", source.doc, docs), f"{field}.source.doc")

    def check_entry(entry: list[Any], field: str) -> None:
        if len(entry) not in (3, 4) or not isinstance(entry[2], str):
            raise fail("write a value as [low, high, reason] or [low, high, reason, doc]", field)
        lo, hi = entry[0], entry[1]
        if not (isinstance(lo, int | float) and isinstance(hi, int | float) and 0 <= lo <= hi <= 1):
            raise fail(
                f"a value range is [low, high] with 0 <= low <= high <= 1, got {entry[:2]}", field
            )
        if len(entry) == 4 and entry[3] not in docs:
            raise fail(_known("document", str(entry[3]), docs), field)

    check_source(spec.alternative.source, "alternative")
    outlooks = [o.id for o in load_outlooks()]
    for outlook, entry in spec.alternative.by_outlook.items():
        field = f"alternative.by_outlook.{outlook}"
        if outlook not in outlooks:
            raise fail(_known("battlefield outlook", outlook, outlooks), field)
        check_entry(entry, field)
    missing_outlooks = [o for o in outlooks if o not in spec.alternative.by_outlook]
    if spec.alternative.by_outlook and missing_outlooks:
        raise fail(
            f"no value for outlook(s) {', '.join(missing_outlooks)}; give every outlook or none",
            "alternative.by_outlook",
        )
    for issue_id, pref in spec.issues.items():
        if issue_id not in issues:
            raise fail(_known("issue", issue_id, issues), f"issues.{issue_id}")
        check_source(pref.source, f"issues.{issue_id}")
        options = [o.id for o in domain.issue(issue_id).options]
        for option, entry in pref.values.items():
            field = f"issues.{issue_id}.values.{option}"
            if option not in options:
                raise fail(_known(f"option of issue '{issue_id}'", option, options), field)
            check_entry(entry, field)
        missing = [o for o in options if o not in pref.values]
        if missing:
            raise fail(f"no value for option(s) {', '.join(missing)}", f"issues.{issue_id}.values")
    lows = sum(p.weight[0] for p in spec.issues.values())
    highs = sum(p.weight[1] for p in spec.issues.values())
    mids = sum(sum(p.weight) / 2 for p in spec.issues.values())
    if (
        not (lows <= spec.weights_sum <= highs)
        or abs(mids - spec.weights_sum) > 0.01 * spec.weights_sum
    ):
        raise fail(
            f"issue weights do not sum as declared: midpoints sum to {mids:.4g} "
            f"(ranges {lows:.4g}..{highs:.4g}), weights_sum says {spec.weights_sum:g}; "
            "adjust the weights or weights_sum",
            "issues.*.weight",
        )
    for k, line in enumerate(spec.red_lines):
        field = f"red_lines[{k}]"
        if line.issue not in issues:
            raise fail(_known("issue", line.issue, issues), f"{field}.issue")
        check_source(line.source, field)
        options = [o.id for o in domain.issue(line.issue).options]
        for option in line.forbid:
            if option not in options:
                raise fail(
                    _known(f"option of issue '{line.issue}'", option, options), f"{field}.forbid"
                )
        together = {
            o for ln in spec.red_lines[: k + 1] if ln.issue == line.issue for o in ln.forbid
        }
        if set(options) <= together:
            raise fail(
                f"the party's red lines forbid every option of issue '{line.issue}', so no "
                "package can satisfy them; leave at least one option allowed",
                f"{field}.forbid",
            )
    for k, link in enumerate(spec.interactions):
        field = f"interactions[{k}]"
        check_source(link.source, field)
        for n, ref in enumerate(link.options):
            if ref.issue not in issues:
                raise fail(_known("issue", ref.issue, issues), f"{field}.options[{n}].issue")
            options = [o.id for o in domain.issue(ref.issue).options]
            if ref.option not in options:
                raise fail(
                    _known(f"option of issue '{ref.issue}'", ref.option, options),
                    f"{field}.options[{n}].option",
                )
        if link.options[0].issue == link.options[1].issue:
            raise fail(
                f"both options belong to issue '{link.options[0].issue}', and a package holds "
                "one option of an issue; an interaction ties options of two issues",
                f"{field}.options",
            )
    return spec


def load_outlooks(
    path: str | Path | None = None, domain: DomainSpec | None = None
) -> list[OutlookSpec]:
    """The battlefield outlooks a party's value of continued war may depend on; with a
    domain, their sources are checked against its documents."""
    name, data = _read(Path(path) if path else DATA / "outlooks.yaml")
    try:
        outlooks = OutlooksFile.model_validate(data).outlooks
    except ValidationError as exc:
        raise _validation(name, exc) from None
    _check_outlooks(name, outlooks, domain)
    return outlooks


def _check_outlooks(name: str, outlooks: list[OutlookSpec], domain: DomainSpec | None) -> None:
    ids = [o.id for o in outlooks]
    for k, outlook in enumerate(outlooks):
        field = f"outlooks[{k}]"
        if ids.count(outlook.id) > 1:
            raise NegotiationFileError(name, f"outlook '{outlook.id}' is listed twice", field=field)
        probability = outlook.probability
        if probability.basis == "document" and probability.source is None:
            raise NegotiationFileError(
                name,
                "a probability a document gives needs its source",
                field=f"{field}.probability",
            )
        if domain is not None:
            docs = [d.id for d in domain.documents]
            for source in [*outlook.sources, *filter(None, [probability.source])]:
                if source.doc not in docs:
                    raise NegotiationFileError(
                        name, _known("document", source.doc, docs), field=field
                    )
    low = sum(o.probability.range[0] for o in outlooks)
    high = sum(o.probability.range[1] for o in outlooks)
    if not low <= 1 <= high:
        raise NegotiationFileError(
            name,
            f"the outlooks' probabilities cannot sum to 1: their lows sum to {low:.4g} and their "
            f"highs to {high:.4g}",
            field="outlooks.*.probability",
        )


def default_party_files() -> list[Path]:
    """The shipped party files, in name order."""
    return sorted(Path(str(p)) for p in DATA.iterdir() if p.name.startswith("party-"))


def load_preferences(
    party_files: list[str | Path] | None = None, domain_file: str | Path | None = None
) -> Preferences:
    """Domain and parties as arrays; the shipped files unless others are given."""
    domain = load_domain(domain_file)
    files = [Path(p) for p in party_files] if party_files else default_party_files()
    parties = [load_party(f, domain) for f in files]
    ids = [p.party for p in parties]
    for pid in ids:
        if ids.count(pid) > 1:
            raise NegotiationFileError(str(files[ids.index(pid)].name), "party given twice", pid)
    n_p, n_i = len(parties), len(domain.issues)
    w_lo, w_hi = np.zeros((n_p, n_i)), np.zeros((n_p, n_i))
    v_lo = [np.zeros((n_p, len(i.options))) for i in domain.issues]
    v_hi = [np.zeros((n_p, len(i.options))) for i in domain.issues]
    red_lines: list[RedLine] = []
    for p, spec in enumerate(parties):
        for j, issue in enumerate(domain.issues):
            pref = spec.issues.get(issue.id)
            if pref is None:
                continue  # an issue a party does not weigh adds nothing to its utility
            w_lo[p, j], w_hi[p, j] = (x / spec.weights_sum for x in pref.weight)
            for o, option in enumerate(issue.options):
                v_lo[j][p, o], v_hi[j][p, o] = pref.values[option.id][:2]
        for line in spec.red_lines:
            j = [i.id for i in domain.issues].index(line.issue)
            opts = [o.id for o in domain.issues[j].options]
            red_lines.append(
                RedLine(
                    spec.party,
                    j,
                    frozenset(opts.index(o) for o in line.forbid),
                    line.reason,
                    cite(line.source),
                    line.held,
                )
            )
    return Preferences(
        domain,
        tuple(parties),
        w_lo,
        w_hi,
        tuple(v_lo),
        tuple(v_hi),
        np.array([p.alternative.range[0] for p in parties]),
        np.array([p.alternative.range[1] for p in parties]),
        tuple(red_lines),
    )
