"""What a package says, issue by issue, and where each part of it comes from.

A solution or a bridge is a list of options; a negotiator needs the terms
behind them: each option's title, the plans whose terms propose it (with those
terms' sources), and what each party's file says the option is worth to it,
with the reason and source given there. The same rows serve JSON and text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from accord.agreement import Agreement
from accord.negotiate.files import Preferences
from accord.negotiate.mapping import MappedPlan
from accord.negotiate.specs import cite


@dataclass(frozen=True)
class Proposals:
    """Which plans' terms select each option of each issue."""

    # (issue id, option id) -> rows of plan, term and the term's sources
    by_option: dict[tuple[str, str], list[dict[str, Any]]]

    @classmethod
    def index(
        cls, prefs: Preferences, mapped: Mapping[str, MappedPlan], plans: Mapping[str, Agreement]
    ) -> Proposals:
        """Index the mapped plans' terms by the option each selects."""
        by_option: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for name, plan in mapped.items():
            agreement = plans[name]
            for j, (choice, term_id) in enumerate(zip(plan.package, plan.selected_by, strict=True)):
                if choice is None or term_id is None:
                    continue
                issue = prefs.domain.issues[j]
                term = agreement.term(term_id)
                sources = []
                for ref in term.sources:
                    doc = next((d for d in agreement.documents if d.id == ref.doc), None)
                    sources.append(
                        {
                            "doc": ref.doc,
                            "section": ref.section,
                            "title": doc.title if doc else None,
                        }
                    )
                by_option.setdefault((issue.id, issue.options[choice].id), []).append(
                    {"plan": name, "term": term_id, "label": term.label, "sources": sources}
                )
        return cls(by_option)


def package_terms(
    prefs: Preferences,
    proposals: Proposals,
    package: Mapping[str, str | None],
    plan: Mapping[str, str | None] | None = None,
) -> list[dict[str, Any]]:
    """One row per issue: the option, its title, who proposes it and what each party makes
    of it. With `plan`, each row also says whether the package keeps, changes or fills it."""
    rows = []
    for issue in prefs.domain.issues:
        option_id = package.get(issue.id)
        if option_id is None:
            rows.append({"issue": issue.id, "issue_title": issue.title, "option": None})
            continue
        option = next(o for o in issue.options if o.id == option_id)
        row: dict[str, Any] = {
            "issue": issue.id,
            "issue_title": issue.title,
            "option": option.id,
            "title": option.title,
            "proposed_by": proposals.by_option.get((issue.id, option.id), []),
            "parties": {
                p.party: _value(prefs, p.party, issue.id, option.id) for p in prefs.parties
            },
        }
        if plan is not None:
            before = plan.get(issue.id)
            row["in_plan"] = "open" if before is None else "kept" if before == option.id else before
        rows.append(row)
    return rows


def _value(prefs: Preferences, party: str, issue: str, option: str) -> dict[str, Any]:
    spec = next(p for p in prefs.parties if p.party == party)
    pref = spec.issues.get(issue)
    if pref is None:
        return {"value": None, "reason": "the party file does not weigh this issue", "source": None}
    entry = pref.values[option]
    source = str(entry[3]) if len(entry) == 4 else cite(pref.source)
    return {
        "value": [float(entry[0]), float(entry[1])],
        "weight": [float(w) / spec.weights_sum for w in pref.weight],
        "reason": str(entry[2]),
        "source": source,
    }


def terms_text(rows: list[dict[str, Any]], indent: str = "  ") -> list[str]:
    """The rows of `package_terms` as plain lines."""
    out = []
    for row in rows:
        if row["option"] is None:
            out.append(f"{indent}{row['issue']}: open")
            continue
        change = row.get("in_plan")
        note = (
            ""
            if change in (None, "kept")
            else " (filled: the plan leaves it open)"
            if change == "open"
            else f" (changed from {change})"
        )
        out.append(f"{indent}{row['issue']}: {row['title']} [{row['option']}]{note}")
        proposers = [
            f"{p['plan']} ({p['term']}; "
            + ", ".join(
                s["doc"] + (f" {s['section']}" if s["section"] else "") for s in p["sources"]
            )
            + ")"
            for p in row["proposed_by"]
        ]
        out.append(f"{indent}  proposed by: {'; '.join(proposers) or 'no shipped plan'}")
        for party, v in row["parties"].items():
            if v["value"] is None:
                out.append(f"{indent}  {party}: not weighed")
            else:
                low, high = v["value"]
                out.append(
                    f"{indent}  {party}: {low:.2f}-{high:.2f}, {v['reason']} [{v['source']}]"
                )
    return out
