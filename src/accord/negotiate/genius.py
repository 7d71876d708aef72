"""Read and write negotiation scenarios in the GENIUS XML format (ANAC, NegMAS).

A GENIUS profile gives each issue a weight and each option an evaluation that
is divided by the issue's largest evaluation. On export a party's utility is
divided by the sum of its largest issue contributions so the weights sum to
one; that rescaling per party leaves the Pareto set and the bargaining
packages unchanged, and the reservation value is rescaled with it.

GENIUS divides discrete evaluations by the issue's largest; NegMAS reads them
as they stand. `normalize=False` reads files the way NegMAS does, which is how
results are compared with it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from accord.negotiate.scenario import Scenario


class GeniusFileError(ValueError):
    """A GENIUS file this reader cannot use, with the file and the element at fault."""


def _issue_elements(root: ET.Element) -> list[ET.Element]:
    return list(root.iter("issue"))


def _values(issue: ET.Element, file: str) -> list[str]:
    kind = issue.get("etype") or issue.get("type") or "discrete"
    if kind == "discrete":
        return [item.get("value", "") for item in issue.iter("item")]
    if kind == "integer":
        low, high = int(issue.get("lowerbound", "0")), int(issue.get("upperbound", "0"))
        return [str(v) for v in range(low, high + 1)]
    raise GeniusFileError(
        f"{file}: issue '{issue.get('name')}' is of type '{kind}'; "
        "only discrete and integer issues "
        "have finitely many options"
    )


def read_domain(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """Issue names and their options from a GENIUS domain file."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise GeniusFileError(f"{path}: cannot read as XML: {exc}") from None
    issues = _issue_elements(root)
    if not issues:
        raise GeniusFileError(f"{path}: no <issue> elements; is this a GENIUS domain file?")
    return [i.get("name", f"issue{k}") for k, i in enumerate(issues)], [
        _values(i, str(path)) for i in issues
    ]


def _profile(
    path: Path, names: list[str], options: list[list[str]], normalize: bool
) -> tuple[NDArray[np.float64], float]:
    """Per-issue contributions (flattened per issue) and the reservation value of one profile."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise GeniusFileError(f"{path}: cannot read as XML: {exc}") from None
    issues = {i.get("name"): i for i in _issue_elements(root)}
    weights = {w.get("index"): float(w.get("value", "0")) for w in root.iter("weight")}
    rows: list[NDArray[np.float64]] = []
    for name, opts in zip(names, options, strict=True):
        issue = issues.get(name)
        if issue is None:
            raise GeniusFileError(f"{path}: no evaluation for issue '{name}' of the domain")
        weight = weights.get(issue.get("index"), 0.0)
        evaluator = issue.find("evaluator")
        if evaluator is not None:  # integer issue, linear in the distance from its lower bound
            low = int(opts[0])
            slope, offset = float(evaluator.get("slope", "0")), float(evaluator.get("offset", "0"))
            evals = np.array([slope * (int(v) - low) + offset for v in opts])
        else:
            given = {
                item.get("value"): float(item.get("evaluation", "0")) for item in issue.iter("item")
            }
            missing = [v for v in opts if v not in given]
            if missing:
                raise GeniusFileError(f"{path}: issue '{name}' has no evaluation for {missing}")
            evals = np.array([given[v] for v in opts])
            top = evals.max()
            evals = evals / top if normalize and top > 0 else evals
        rows.append(weight * evals)
    reservation = root.find("reservation")
    value = float(reservation.get("value", "0")) if reservation is not None else 0.0
    return np.concatenate(rows), value


def read_scenario(
    domain: str | Path, profiles: list[str | Path], normalize: bool = True
) -> Scenario:
    """A scenario from a GENIUS domain file and one utility profile per party."""
    names, options = read_domain(domain)
    splits = np.cumsum([len(o) for o in options])[:-1]
    rows, alternatives = [], []
    for profile in profiles:
        flat, reservation = _profile(Path(profile), names, options, normalize)
        rows.append(np.split(flat, splits))
        alternatives.append(reservation)
    tables = tuple(np.array([r[j] for r in rows]) for j in range(len(names)))
    parties = tuple(Path(p).stem for p in profiles)
    return Scenario(
        tuple(names), tuple(map(tuple, options)), parties, tables, np.array(alternatives)
    )


def read_folder(folder: str | Path, normalize: bool = True) -> Scenario:
    """A scenario from a folder holding one domain file and its profiles (ANAC layout)."""
    files = sorted(Path(folder).glob("*.xml"))
    domains = [f for f in files if not any(True for _ in ET.parse(f).getroot().iter("weight"))]
    if len(domains) != 1:
        raise GeniusFileError(
            f"{folder}: expected one domain file (without weights), found {len(domains)}"
        )
    return read_scenario(domains[0], [f for f in files if f != domains[0]], normalize)


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
