"""How often the party models reproduce what the parties really said about real proposals.

The events file lists dated proposals, each as a package of the negotiation domain
(a shipped plan mapped by its typed terms, or options given here with a source per
term; issues the proposal is silent on stay open) and each party's recorded
response with the statement it rests on. Every event is read with the one set of
party files given, never a file per event.

The model's response for a party reads only that party's own red lines and its
alternative (open issues are valued over the options its own red lines allow):

- rejected: the package crosses one of its red lines, or even the best completion
  of the open issues leaves it at or below its alternative;
- accepted: no red line crossed and the expected utility (open issues at the mean
  of their allowed options) is above the alternative;
- accepted as a basis: neither - the settled terms cross no red line and some
  completion of what is still open would beat the alternative.

A recorded "accepted" is reproduced by a model "accepted"; a recorded "accepted as
a basis" by either "accepted" or "accepted as a basis" (a party that would sign the
text as it stands would also take it as a basis); a recorded "rejected" by
"rejected". The points a recorded response names are checked against the model's
objections: the issues where the package crosses the party's red line or gives it
an option worth less to it than the average of that issue's options.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from accord.agreement.model import StrictModel
from accord.negotiate.evaluate import evaluate_package
from accord.negotiate.files import DATA, NegotiationFileError, Preferences, _read, _validation
from accord.negotiate.mapping import plan_package
from accord.negotiate.scenario import Package, Scenario
from accord.plans import load_plan

Response = Literal["accepted", "accepted_as_basis", "rejected"]


class TermSpec(StrictModel):
    """One option a proposal sets, with the document that says so."""

    option: str
    doc: str
    section: str | None = None
    note: str | None = None


class ResponseSpec(StrictModel):
    """A party's recorded response to a proposal, and the statement it rests on."""

    party: str
    response: Response
    doc: str
    said: str = Field(min_length=3)
    # issues the party named as the reason, or as what it wanted changed
    points: list[str] = Field(default_factory=list)


class EventSpec(StrictModel):
    """A dated proposal: a shipped plan or a package given here, and the responses to it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    title: str
    doc: str
    plan: str | None = None
    package: dict[str, TermSpec] = Field(default_factory=dict)
    responses: list[ResponseSpec] = Field(min_length=1)


class BacktestSpec(StrictModel):
    """The events file: dated proposals and the parties' recorded responses."""

    title: str
    events: list[EventSpec] = Field(min_length=1)


def load_events(prefs: Preferences, path: str | Path | None = None) -> BacktestSpec:
    """The events file, checked against the domain and the loaded parties."""
    name, data = _read(Path(path) if path else DATA / "backtest.yaml")
    try:
        spec = BacktestSpec.model_validate(data)
    except ValidationError as exc:
        raise _validation(name, exc) from None
    docs = {d.id for d in prefs.domain.documents}
    issues = {i.id: [o.id for o in i.options] for i in prefs.domain.issues}
    parties = [p.party for p in prefs.parties]

    def check(ok: bool, field: str, message: str) -> None:
        if not ok:
            raise NegotiationFileError(name, message, field=field)

    seen: set[str] = set()
    for k, event in enumerate(spec.events):
        where = f"events[{k}] ({event.id})"
        check(event.id not in seen, where, "event id given twice")
        seen.add(event.id)
        check(event.doc in docs, f"{where}.doc", f"unknown document '{event.doc}'")
        check(
            (event.plan is None) != (not event.package),
            where,
            "give the proposal as a shipped plan (plan: ID) or as options (package:), not both"
            " or neither",
        )
        for issue, term in event.package.items():
            field = f"{where}.package.{issue}"
            check(issue in issues, field, f"unknown issue; valid: {', '.join(issues)}")
            check(
                term.option in issues[issue],
                field,
                f"unknown option '{term.option}'; valid: {', '.join(issues[issue])}",
            )
            check(term.doc in docs, f"{field}.doc", f"unknown document '{term.doc}'")
        for n, response in enumerate(event.responses):
            field = f"{where}.responses[{n}]"
            check(
                response.party in parties,
                f"{field}.party",
                f"unknown party '{response.party}'; loaded: {', '.join(parties)}",
            )
            check(response.doc in docs, f"{field}.doc", f"unknown document '{response.doc}'")
            for point in response.points:
                check(point in issues, f"{field}.points", f"unknown issue '{point}'")
    return spec


def event_package(event: EventSpec, prefs: Preferences) -> Package:
    """The proposal's (partial) package: its plan's mapped terms, or the options given."""
    if event.plan is not None:
        return plan_package(load_plan(event.plan), prefs.domain).package
    return tuple(
        None
        if issue.id not in event.package
        else [o.id for o in issue.options].index(event.package[issue.id].option)
        for issue in prefs.domain.issues
    )


def model_response(scenario: Scenario, package: Package, party: str) -> dict[str, Any]:
    """The model's response for one party, read from its own red lines and alternative."""
    own = replace(scenario, red_lines=tuple(ln for ln in scenario.red_lines if ln.party == party))
    row = evaluate_package(own, package)["parties"][party]
    low, high = row["utility_range"]
    if row["red_lines_crossed"] or high <= row["alternative"]:
        response = "rejected"
    elif row["utility"] > row["alternative"]:
        response = "accepted"
    else:
        response = "accepted_as_basis"
    p = scenario.parties.index(party)
    crossed = {c["issue"] for c in row["red_lines_crossed"]}
    below = {
        scenario.issues[j]
        for j, choice in enumerate(package)
        if choice is not None
        and scenario.tables[j][p, choice] < scenario.tables[j][p].mean() - 1e-12
    }
    return {
        "response": response,
        "utility": row["utility"],
        "utility_range": [low, high],
        "alternative": row["alternative"],
        "red_lines_crossed": sorted(crossed),
        "objections": sorted(crossed | below),
    }


def _reproduced(recorded: str, model: str) -> bool:
    if recorded == "accepted_as_basis":
        return model in ("accepted", "accepted_as_basis")
    return recorded == model


def backtest(prefs: Preferences, spec: BacktestSpec) -> dict[str, Any]:
    """Recorded versus model response for every event and party, the share reproduced,
    the misses, and how many named points the model also objects to."""
    scenario = prefs.scenario()
    events: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for event in spec.events:
        package = event_package(event, prefs)
        out = []
        for r in event.responses:
            model = model_response(scenario, package, r.party)
            hits = [p for p in r.points if p in model["objections"]]
            row = {
                "party": r.party,
                "recorded": r.response,
                "model": model["response"],
                "reproduced": _reproduced(r.response, model["response"]),
                "points": r.points,
                "points_matched": hits,
                "said": r.said,
                "doc": r.doc,
            } | {k: v for k, v in model.items() if k != "response"}
            out.append(row)
            rows.append(row | {"event": event.id})
        events.append(
            {
                "event": event.id,
                "date": event.date,
                "title": event.title,
                "package": {k: v for k, v in scenario.describe(package).items() if v is not None},
                "responses": out,
            }
        )
    reproduced = sum(r["reproduced"] for r in rows)
    named = sum(len(r["points"]) for r in rows)
    matched = sum(len(r["points_matched"]) for r in rows)
    return {
        "title": spec.title,
        "responses": len(rows),
        "reproduced": reproduced,
        "share_reproduced": round(reproduced / len(rows), 4),
        "points_named": named,
        "points_matched": matched,
        "share_points_matched": round(matched / named, 4) if named else None,
        "misses": [
            {k: r[k] for k in ("event", "party", "recorded", "model", "utility", "alternative")}
            | {"red_lines_crossed": r["red_lines_crossed"]}
            for r in rows
            if not r["reproduced"]
        ],
        "events": events,
    }


def backtest_text(result: dict[str, Any]) -> str:
    """The backtest as plain lines: one per event and party, then the score and the misses."""
    lines = [result["title"]]
    for event in result["events"]:
        lines.append(f"{event['date']} {event['event']}: {event['title']}")
        for r in event["responses"]:
            mark = "ok  " if r["reproduced"] else "MISS"
            points = ""
            if r["points"]:
                points = f"; points {len(r['points_matched'])}/{len(r['points'])} matched"
            lines.append(
                f"  {mark} {r['party']:4s} recorded {r['recorded']:17s} model {r['model']:17s}"
                f" utility {r['utility']:.3f} vs alternative {r['alternative']:.3f}{points}"
            )
    lines.append(
        f"reproduced {result['reproduced']} of {result['responses']}"
        f" ({result['share_reproduced']:.0%})"
    )
    if result["points_named"]:
        lines.append(
            f"named points the model also objects to: {result['points_matched']} of"
            f" {result['points_named']}"
        )
    return "\n".join(lines)
