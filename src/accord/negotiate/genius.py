"""Read and write negotiation scenarios in the GENIUS XML format (ANAC, NegMAS).

Files are read as GENIUS reads them (its AdditiveUtilitySpace and evaluators):

- issue weights are divided by their sum when they do not sum to one;
- a discrete evaluation is divided by the issue's largest evaluation;
- an integer issue's evaluation is `slope * (x - lowerbound) + offset`, clamped to
  [0, 1], with the bounds the profile gives (the domain file gives the values);
- the reservation value is the party's alternative; the discount factor is
  reported, not applied (discounting scales a party's utilities in time, and
  the analysis is over agreements, not rounds);
- nonlinear profiles (utility from hyper-rectangles) are refused, and files that
  are not XML are skipped with a note.

Every figure is read as the exact decimal written in the file, so ties are
exact. `convention="negmas"` reads files as NegMAS 0.16 does (weights and
evaluations as written, integer evaluation `slope * x + offset`, unclamped),
which is how results are compared with it.

On export a party's utility is divided by the sum of its largest issue
contributions so the weights sum to one; that rescaling per party leaves the
Pareto set and the bargaining packages unchanged, and the reservation value is
rescaled with it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import numpy as np

from accord.negotiate.scenario import ExactValues, Scenario

Convention = Literal["genius", "negmas"]
# Weight sums further than this from one are noted (all are divided by their sum).
_NOTED_WEIGHT_SUM = 1e-6


class GeniusFileError(ValueError):
    """A GENIUS file this reader cannot use, with the file and the element at fault."""


@dataclass(frozen=True)
class GeniusScenario:
    """A scenario read from GENIUS files, with what the files say that the analysis does
    not use: discount factors, and notes on files skipped and weights normalised."""

    scenario: Scenario
    reservation_values: dict[str, float | None]  # None where the profile gives none (0 used)
    discount_factors: dict[str, float | None]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """What the GENIUS files give beside the scenario: reservation values, discounts, notes."""
        return {
            "reservation_values": self.reservation_values,
            "discount_factors": self.discount_factors,
            "discount_applied": False,
            "notes": self.notes,
        }


def _parse(path: Path) -> ET.Element:
    try:
        return ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise GeniusFileError(f"{path}: cannot read as XML: {exc}") from None


def _number(element: ET.Element, name: str, path: Path, default: str | None = None) -> Fraction:
    """An attribute as the exact decimal written (Java writes doubles like 1.0E-4)."""
    text = element.get(name, default)
    try:
        return Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        where = element.get("name") or element.get("index") or element.tag
        raise GeniusFileError(
            f"{path}: <{element.tag}> '{where}' has {name}={text!r}, not a number"
        ) from None


def _values(issue: ET.Element, file: Path) -> list[str]:
    kind = issue.get("etype") or issue.get("type") or "discrete"
    if kind == "discrete":
        return [item.get("value", "") for item in issue.iter("item")]
    if kind == "integer":
        low, high = int(issue.get("lowerbound", "0")), int(issue.get("upperbound", "0"))
        return [str(v) for v in range(low, high + 1)]
    raise GeniusFileError(
        f"{file}: issue '{issue.get('name')}' is of type '{kind}'; "
        "only discrete and integer issues have finitely many options"
    )


def read_domain(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """Issue names and their options from a GENIUS domain file."""
    root = _parse(Path(path))
    issues = list(root.iter("issue"))
    if not issues:
        raise GeniusFileError(f"{path}: no <issue> elements; is this a GENIUS domain file?")
    return [i.get("name", f"issue{k}") for k, i in enumerate(issues)], [
        _values(i, Path(path)) for i in issues
    ]


def _nonlinear(root: ET.Element) -> bool:
    return root.get("type") == "nonlinear" or any(
        True for tag in ("utility_function", "ufun", "hyperRectangle") for _ in root.iter(tag)
    )


@dataclass(frozen=True)
class _Profile:
    contributions: list[list[Fraction]]  # per issue, per option: weight times evaluation
    reservation: Fraction | None
    discount: float | None
    weight_sum: Fraction


def _profile(
    path: Path, names: list[str], options: list[list[str]], convention: Convention
) -> _Profile:
    """Each option's contribution to one party's utility, and its reservation and discount."""
    root = _parse(path)
    if _nonlinear(root):
        raise GeniusFileError(
            f"{path}: a nonlinear profile (utility from hyper-rectangles over combinations of "
            "values); only linear additive profiles can be read"
        )
    issues = {i.get("name"): i for i in root.iter("issue")}
    weights = {w.get("index"): _number(w, "value", path) for w in root.iter("weight")}
    total = sum(
        (weights.get(issues[n].get("index"), Fraction(0)) for n in names if n in issues),
        Fraction(0),
    )
    genius = convention == "genius"
    rows: list[list[Fraction]] = []
    for name, opts in zip(names, options, strict=True):
        issue = issues.get(name)
        if issue is None:
            raise GeniusFileError(f"{path}: no evaluation for issue '{name}' of the domain")
        weight = weights.get(issue.get("index"), Fraction(0))
        if genius and total > 0:
            weight /= total
        evaluator = issue.find("evaluator")
        if evaluator is not None:  # integer issue: linear, bounds from this profile
            slope, offset = (
                _number(evaluator, "slope", path, "0"),
                _number(evaluator, "offset", path, "0"),
            )
            low = int(issue.get("lowerbound", opts[0])) if genius else 0
            evals = [slope * (int(v) - low) + offset for v in opts]
            if genius:
                evals = [min(max(e, Fraction(0)), Fraction(1)) for e in evals]
        else:
            given = {
                item.get("value"): _number(item, "evaluation", path, "0")
                for item in issue.iter("item")
            }
            missing = [v for v in opts if v not in given]
            if missing:
                raise GeniusFileError(f"{path}: issue '{name}' has no evaluation for {missing}")
            evals = [given[v] for v in opts]
            top = max(evals)
            if genius and top > 0:
                evals = [e / top for e in evals]
        rows.append([weight * e for e in evals])
    reservation = root.find("reservation")
    discount = root.find("discount_factor")
    return _Profile(
        rows,
        None if reservation is None else _number(reservation, "value", path),
        None if discount is None else float(_number(discount, "value", path)),
        total,
    )


def read_scenario(
    domain: str | Path, profiles: list[str | Path], convention: Convention = "genius"
) -> GeniusScenario:
    """A scenario from a GENIUS domain file and one utility profile per party."""
    names, options = read_domain(domain)
    parties = tuple(Path(p).stem for p in profiles)
    read = [_profile(Path(p), names, options, convention) for p in profiles]
    exact = ExactValues(
        tuple(
            np.array([r.contributions[j] for r in read], dtype=object) for j in range(len(names))
        ),
        tuple(r.reservation or Fraction(0) for r in read),
    )
    notes = [
        f"{party}: issue weights sum to {float(r.weight_sum):.6g}; divided by their sum, as "
        "GENIUS does"
        for party, r in zip(parties, read, strict=True)
        if convention == "genius" and abs(r.weight_sum - 1) > _NOTED_WEIGHT_SUM
    ]
    scenario = Scenario(
        tuple(names),
        tuple(map(tuple, options)),
        parties,
        tuple(t.astype(np.float64) for t in exact.tables),
        np.array([float(a) for a in exact.alternatives]),
        exact=exact,
    )
    return GeniusScenario(
        scenario,
        {
            p: None if r.reservation is None else float(r.reservation)
            for p, r in zip(parties, read, strict=True)
        },
        {p: r.discount for p, r in zip(parties, read, strict=True)},
        notes,
    )


def read_folder(folder: str | Path, convention: Convention = "genius") -> GeniusScenario:
    """A scenario from a folder holding one domain file and its profiles (ANAC layout);
    files that are not XML are skipped with a note."""
    paths = sorted(p for p in Path(folder).iterdir() if p.is_file())
    skipped = [p.name for p in paths if p.suffix.lower() != ".xml"]
    files = [p for p in paths if p.suffix.lower() == ".xml"]
    domains = [f for f in files if _parse(f).tag != "utility_space"]
    if len(domains) != 1:
        raise GeniusFileError(
            f"{folder}: expected one domain file (root <negotiation_template>) beside the "
            f"profiles (root <utility_space>), found {len(domains)} among {len(files)} XML files"
        )
    found = read_scenario(domains[0], [f for f in files if f != domains[0]], convention)
    notes = [f"skipped {name}: not an XML file" for name in skipped]
    return GeniusScenario(
        found.scenario, found.reservation_values, found.discount_factors, notes + found.notes
    )


def _issues_xml(parent: ET.Element, scenario: Scenario) -> tuple[ET.Element, list[ET.Element]]:
    """The root objective and one discrete issue element per issue, as GENIUS nests them."""
    objective = ET.SubElement(
        parent,
        "objective",
        index="0",
        description="",
        name="root",
        type="objective",
        etype="objective",
    )
    return objective, [
        ET.SubElement(
            objective,
            "issue",
            index=str(j),
            name=name,
            vtype="discrete",
            type="discrete",
            etype="discrete",
        )
        for j, name in enumerate(scenario.issues, start=1)
    ]


def _domain_xml(scenario: Scenario) -> ET.Element:
    root = ET.Element("negotiation_template")
    space = ET.SubElement(root, "utility_space", number_of_issues=str(len(scenario.issues)))
    _, issues = _issues_xml(space, scenario)
    for issue, opts in zip(issues, scenario.options, strict=True):
        for k, value in enumerate(opts, start=1):
            ET.SubElement(issue, "item", index=str(k), value=value)
    return root


def _profile_xml(scenario: Scenario, party: int) -> ET.Element:
    tops = np.array([t[party].max() for t in scenario.tables])
    if (np.array([t[party].min() for t in scenario.tables]) < 0).any():
        raise GeniusFileError(
            f"party {scenario.parties[party]} has negative option contributions, which GENIUS "
            "evaluations cannot express; shift its values to be non-negative first"
        )
    scale = tops.sum() if tops.sum() > 0 else 1.0
    root = ET.Element("utility_space")
    ET.SubElement(root, "reservation", value=repr(float(scenario.alternatives[party] / scale)))
    ET.SubElement(root, "discount_factor", value="1.0")
    objective, issues = _issues_xml(root, scenario)
    for j, (issue, opts) in enumerate(zip(issues, scenario.options, strict=True), start=1):
        row = scenario.tables[j - 1][party]
        for k, value in enumerate(opts, start=1):
            evaluation = row[k - 1] / tops[j - 1] if tops[j - 1] > 0 else 0.0
            ET.SubElement(
                issue, "item", index=str(k), value=value, evaluation=repr(float(evaluation))
            )
    for j in range(1, len(scenario.issues) + 1):
        ET.SubElement(objective, "weight", index=str(j), value=repr(float(tops[j - 1] / scale)))
    return root


def write_scenario(scenario: Scenario, folder: str | Path, name: str = "accord") -> list[Path]:
    """Write the domain and one profile per party; returns the paths, domain first."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}-domain.xml"]
    ET.ElementTree(_domain_xml(scenario)).write(paths[0], encoding="utf-8", xml_declaration=True)
    for p, party in enumerate(scenario.parties):
        path = out / f"{name}-{party}.xml"
        ET.ElementTree(_profile_xml(scenario, p)).write(
            path, encoding="utf-8", xml_declaration=True
        )
        paths.append(path)
    return paths
