"""Cross-reference checks over an agreement's raw data.

They run on plain mappings, not on validated models, so that a file with a
type error in one term still gets its dangling references reported in the
same pass: a user fixes everything at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from accord.agreement.vocabulary import Area

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


def _items(data: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    value = data.get(key)
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def _strings(value: Any) -> Iterator[tuple[int | None, str]]:
    if isinstance(value, str):
        yield None, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield i, item


def _hint(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; known: {', '.join(sorted(known))}" if known else ""


def _ids(data: dict[str, Any], key: str, what: str, problems: list[Problem]) -> set[str]:
    seen: dict[str, int] = {}
    for i, item in _items(data, key):
        ident = item.get("id")
        if not isinstance(ident, str):
            continue
        if ident in seen:
            problems.append(
                (
                    (key, i, "id"),
                    f"duplicate {what} id '{ident}' (first used by {key}[{seen[ident]}])",
                )
            )
        else:
            seen[ident] = i
    return set(seen)


def check_references(data: dict[str, Any]) -> list[Problem]:
    """Every reference to a party, document, term or deal that does not resolve."""
    problems: list[Problem] = []
    docs = _ids(data, "documents", "document", problems)
    parties = _ids(data, "parties", "party", problems)
    terms = _ids(data, "terms", "term", problems)
    deals = _ids(data, "deals", "deal", problems)

    def need(loc: Loc, value: Any, known: set[str], what: str) -> None:
        for i, name in _strings(value):
            if name not in known:
                where = loc if i is None else (*loc, i)
                problems.append((where, f"unknown {what} '{name}'{_hint(name, known)}"))

    for i, party in _items(data, "parties"):
        need(("parties", i, "members"), party.get("members"), parties, "party")
    for i, term in _items(data, "terms"):
        loc: Loc = ("terms", i)
        for field in ("binds", "consent", "position_of"):
            need((*loc, field), term.get(field), parties, "party")
        for j, source in enumerate(term.get("sources") or []):
            if isinstance(source, dict):
                need((*loc, "sources", j, "doc"), source.get("doc"), docs, "document")
        for field in ("tied_to", "requires"):
            need((*loc, field), term.get(field), terms, "term")
        _check_term_parties(term, loc, parties, need)
    for i, deal in _items(data, "deals"):
        need(("deals", i, "signatories"), deal.get("signatories"), parties, "party")
        need(("deals", i, "terms"), deal.get("terms"), terms, "term")
        need(("deals", i, "after"), deal.get("after"), deals, "deal")
        for j, source in enumerate(deal.get("sources") or []):
            if isinstance(source, dict):
                need(("deals", i, "sources", j, "doc"), source.get("doc"), docs, "document")
    for i, core in _items(data, "core"):
        for j, source in enumerate(core.get("sources") or []):
            if isinstance(source, dict):
                need(("core", i, "sources", j, "doc"), source.get("doc"), docs, "document")
    problems.extend(_deal_cycles(data))
    problems.extend(_coverage(data))
    return problems


def _check_term_parties(term: dict[str, Any], loc: Loc, parties: set[str], need: Any) -> None:
    zone = term.get("zone")
    if isinstance(zone, dict):
        need((*loc, "zone", "side"), zone.get("side"), parties, "party")
        split = zone.get("split")
        if isinstance(split, dict):
            need((*loc, "zone", "split"), list(split), parties, "party")
        along = zone.get("along")
        if isinstance(along, str) and "-" in along:
            need((*loc, "zone", "along"), along.split("-"), parties, "party in border")
    incentive = term.get("incentive")
    if isinstance(incentive, dict):
        need((*loc, "incentive", "beneficiary"), incentive.get("beneficiary"), parties, "party")
        need((*loc, "incentive", "providers"), incentive.get("providers"), parties, "party")
    params = term.get("parameters")
    if isinstance(params, dict):
        for field in ("holdouts", "aid_lead_initial", "aid_lead_later", "deployed", "elections"):
            need((*loc, "parameters", field), params.get(field), parties, "party")


def _deal_cycles(data: dict[str, Any]) -> list[Problem]:
    after = {
        deal["id"]: [a for a in deal.get("after") or [] if isinstance(a, str)]
        for _, deal in _items(data, "deals")
        if isinstance(deal.get("id"), str)
    }
    index = {deal["id"]: i for i, deal in _items(data, "deals") if isinstance(deal.get("id"), str)}
    problems: list[Problem] = []
    for start in after:
        stack, seen = list(after[start]), set()
        while stack:
            node = stack.pop()
            if node == start:
                problems.append(
                    (("deals", index[start], "after"), f"deal '{start}' depends on itself")
                )
                break
            if node not in seen:
                seen.add(node)
                stack.extend(after.get(node, []))
    return problems


def _coverage(data: dict[str, Any]) -> list[Problem]:
    """Each area has terms (deals, for sequencing) or is declared open, never both."""
    covered = {t["area"] for _, t in _items(data, "terms") if isinstance(t.get("area"), str)}
    if any(True for _ in _items(data, "deals")):
        covered.add(Area.sequencing.value)
    declared: dict[str, int] = {}
    problems: list[Problem] = []
    for i, entry in _items(data, "open"):
        area = entry.get("area")
        if isinstance(area, str) and area in covered:
            problems.append(
                (
                    ("open", i, "area"),
                    f"area '{area}' is declared open but the plan has terms in it",
                )
            )
        if isinstance(area, str):
            declared[area] = i
    for area in Area:
        if area.value not in covered and area.value not in declared:
            what = "deals" if area is Area.sequencing else "terms"
            problems.append(
                (
                    ("open",),
                    f"area '{area.value}' has no {what}; add them or declare it open "
                    f"with a note saying the documents are silent on it",
                )
            )
    return problems
