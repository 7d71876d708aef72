"""What in an agreement cannot be put on the map, for `plans validate`.

A rule that bans or caps something somewhere is only verifiable where its zone
is drawn; a zone that is undrawable, or draws to nothing, would otherwise pass
silently and be enforced nowhere. Terms left to negotiation on purpose
(status: to_negotiate) are not problems: they stay notes of `geo zones`.
"""

from __future__ import annotations

from accord.agreement import Agreement
from accord.agreement.references import Loc
from accord.agreement.vocabulary import TermKind
from accord.geo.borders import Borders
from accord.geo.line import LineOfContact
from accord.geo.zones import compile_zones

OPEN = "to_negotiate"


def zone_problems(
    agreement: Agreement, line: LineOfContact, borders: Borders | None = None
) -> list[tuple[Loc, str]]:
    """Each zone the map cannot draw and each rule with nowhere to apply, as
    (location in the agreement, message) pairs."""
    _, undrawn = compile_zones(agreement, line, borders)
    problems: list[tuple[Loc, str]] = [
        (("terms", u.term, "zone", *u.field), u.message) for u in undrawn if u.status != OPEN
    ]
    for index, term in enumerate(agreement.terms):
        if (
            term.kind is TermKind.rule
            and (term.prohibits or term.caps)
            and term.zone is None
            and term.status != OPEN
        ):
            problems.append((
                ("terms", index, "prohibits" if term.prohibits else "caps"),
                "a rule that prohibits or caps needs a 'zone' saying where it applies "
                "(or status: to_negotiate where the plan leaves that open)",
            ))  # fmt: skip
    return problems
