"""Differences between two agreements, term by term.

Terms line up by id across plans (shipped plans share ids such as
`ceasefire.dmz`), so a diff says what one plan adds, drops and changes
relative to another, with old and new values for every changed field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accord.agreement.model import Agreement, Term

# Fields that describe where a term comes from rather than what it says.
_NOT_CONTENT = {"sources"}


@dataclass(frozen=True)
class FieldChange:
    """One typed field of a term that differs between two versions of a plan."""

    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class TermChange:
    """A term in both versions of a plan, and its fields that changed."""

    term_id: str
    changes: list[FieldChange]


@dataclass
class AgreementDiff:
    """What changes from agreement `a` to agreement `b`."""

    a: str
    b: str
    added: list[Term] = field(default_factory=list)
    removed: list[Term] = field(default_factory=list)
    changed: list[TermChange] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether the two versions say the same thing."""
        return not (self.added or self.removed or self.changed or self.opened or self.closed)

    def to_json(self) -> dict[str, Any]:
        """The differences as JSON: terms added, removed and changed, areas opened and closed."""
        return {
            "a": self.a,
            "b": self.b,
            "added": [t.model_dump(mode="json", exclude_defaults=True) for t in self.added],
            "removed": [t.model_dump(mode="json", exclude_defaults=True) for t in self.removed],
            "changed": [
                {
                    "term": c.term_id,
                    "changes": [{"field": f.path, "old": f.old, "new": f.new} for f in c.changes],
                }
                for c in self.changed
            ],
            "areas_opened": self.opened,
            "areas_closed": self.closed,
        }


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else key, out)
    else:
        out[prefix] = value


def term_changes(old: Term, new: Term) -> list[FieldChange]:
    """Field-by-field changes, with quantities compared in normalised units."""
    flat_old: dict[str, Any] = {}
    flat_new: dict[str, Any] = {}
    _flatten(old.model_dump(mode="json", exclude=_NOT_CONTENT, exclude_defaults=True), "", flat_old)
    _flatten(new.model_dump(mode="json", exclude=_NOT_CONTENT, exclude_defaults=True), "", flat_new)
    changes = []
    for path in sorted(set(flat_old) | set(flat_new)):
        before, after = flat_old.get(path), flat_new.get(path)
        if before != after and not _same_measure(path, flat_old, flat_new):
            changes.append(FieldChange(path, before, after))
    return changes


def _same_measure(path: str, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """A distance written in km in one plan and in miles in another is the same
    distance: its value and unit differ but its normalised figure does not."""
    stem, _, leaf = path.rpartition(".")
    if leaf not in {"value", "unit"}:
        return False
    for normalised in (f"{stem}.km", f"{stem}.days"):
        if normalised in old or normalised in new:
            return old.get(normalised) == new.get(normalised)
    return False


def diff_agreements(a: Agreement, b: Agreement) -> AgreementDiff:
    """Terms added, removed and changed from `a` to `b`, and areas opened or closed."""
    result = AgreementDiff(a=a.id, b=b.id)
    old = {t.id: t for t in a.terms}
    new = {t.id: t for t in b.terms}
    result.added = [t for t in b.terms if t.id not in old]
    result.removed = [t for t in a.terms if t.id not in new]
    for term_id, term in old.items():
        if term_id in new:
            changes = term_changes(term, new[term_id])
            if changes:
                result.changed.append(TermChange(term_id, changes))
    open_a = {o.area.value for o in a.open}
    open_b = {o.area.value for o in b.open}
    result.opened = sorted(open_b - open_a)
    result.closed = sorted(open_a - open_b)
    return result
