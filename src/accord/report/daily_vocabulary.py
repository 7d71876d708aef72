"""The mission's own codes as the daily report shows them, in its language.

Kinds of weapon and force, rule kinds, incident states, evidence grades and
severities are the mission's vocabulary, not the parties' data, so they are
labels and are translated like the rest (report/i18n.py); attributions,
descriptions a party or observer wrote stay as recorded.
Every code of those vocabularies has an entry here, which a test holds.
"""

from __future__ import annotations

from accord.report.i18n import translations


def N_(message: str) -> str:
    """Mark a label for the catalogue without translating it here (gettext's idiom)."""
    return message


LABELS: dict[str, str] = {
    # agreement.vocabulary.MilitaryItem: what was seen or counted
    "military_forces": N_("military forces"),
    "personnel": N_("personnel"),
    "vehicle": N_("vehicles"),
    "armour": N_("armour"),
    "artillery": N_("artillery"),
    "mlrs": N_("multiple rocket launchers"),
    "air_defence": N_("air defence"),
    "missile_launcher": N_("missile launchers"),
    "aircraft": N_("aircraft"),
    "drone": N_("drones"),
    "fortification": N_("fortifications"),
    "firing": N_("firing"),
    "heavy_weapons": N_("heavy weapons"),
    "short_range_missile": N_("short-range missiles"),
    "intermediate_range_missile": N_("intermediate-range missiles"),
    "long_range_missile": N_("long-range missiles"),
    "ballistic_missile": N_("ballistic missiles"),
    "cruise_missile": N_("cruise missiles"),
    "hypersonic_missile": N_("hypersonic missiles"),
    "heavy_bomber": N_("heavy bombers"),
    "nuclear_capable_bomber": N_("nuclear-capable bombers"),
    "warship": N_("warships"),
    "nuclear_weapon": N_("nuclear weapons"),
    "tactical_nuclear_weapon": N_("tactical nuclear weapons"),
    "foreign_forces": N_("foreign forces"),
    "exercise": N_("military exercise"),
    "base": N_("military base"),
    # verify.rules.RuleKind: which kind of rule an incident broke ("firing",
    # "exercise" and "foreign_forces" above serve both vocabularies)
    "presence": N_("presence in a zone"),
    "restricted": N_("restricted activity"),
    "cap": N_("above a cap"),
    "deadline": N_("missed deadline"),
    # verify.workflow.State
    "detected": N_("detected"),
    "confirmed": N_("confirmed"),
    "handled_locally": N_("handled locally"),
    "referred": N_("referred"),
    "disputed": N_("disputed"),
    "resolved": N_("resolved"),
    "closed": N_("closed"),
    # verify.evidence.Grade
    "reported": N_("reported"),
    "corroborated": N_("corroborated"),
    "verified": N_("verified"),
    # verify.rules.Severity
    "low": N_("low"),
    "medium": N_("medium"),
    "high": N_("high"),
    "critical": N_("critical"),
}


def term_label(code: str, lang: str) -> str:
    """A code of the mission's vocabulary in `lang`; a code this table does not know
    (a store written by a newer accord) is shown as it is rather than hidden."""
    label = LABELS.get(code)
    return code if label is None else translations(lang).gettext(label)
