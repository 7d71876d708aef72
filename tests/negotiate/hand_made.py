"""Two hand-made party files over two issues of the shipped domain, with known answers."""

from __future__ import annotations

from pathlib import Path

# Two parties over two issues of the shipped domain. AA wants Ukraine in NATO and the
# 1991 borders and will not give up four oblasts; BB wants the opposite and will not
# have NATO membership. Weights are equal, so a utility is half the sum of the values.
PARTY_A = """
party: AA
name: Party A
weights_sum: 1.0
alternative: {range: [0.4, 0.4], source: {doc: mcfaul-2024}, reason: "war costs A"}
issues:
  line:
    weight: [0.5, 0.5]
    source: {doc: mcfaul-2024}
    reason: "territory"
    values: {borders_1991: [1, 1, "all back"], borders_2022: [0.8, 0.8, "most back"],
             four_oblasts: [0, 0, "worst"], line_with_swaps: [0.6, 0.6, "swaps"],
             line_of_contact: [0.4, 0.4, "freeze", epoch-2025], cede_held: [0, 0, "worst"]}
  alignment:
    weight: [0.5, 0.5]
    source: {doc: dp-2025}
    reason: "security"
    values: {nato_membership: [1, 1, "best"], european_guarantee: [0.6, 0.6, "some"],
             armed_neutrality: [0.2, 0.2, "little"], neutral_demilitarized: [0, 0, "none"]}
red_lines:
  - {issue: line, forbid: [four_oblasts], source: {doc: epoch-2025}, reason: "never all four"}
"""

PARTY_B = """
party: BB
name: Party B
weights_sum: 1.0
alternative:
  range: [0.5, 0.5]
  source: {doc: pry-2022-drafts}
  reason: "war pays B"
  by_outlook:
    stalemate: [0.4, 0.5, "holds"]
    attrition_russian_gains: [0.5, 0.6, "gains"]
    russian_breakthrough: [0.6, 0.7, "wins", epoch-2025]
    western_surge: [0.2, 0.3, "loses"]
issues:
  line:
    weight: [0.5, 0.5]
    source: {doc: pry-2022-drafts}
    reason: "territory"
    values: {borders_1991: [0, 0, "worst"], borders_2022: [0.2, 0.2, "bad"],
             four_oblasts: [1, 1, "best"], line_with_swaps: [0.4, 0.4, "swaps"],
             line_of_contact: [0.6, 0.6, "freeze"], cede_held: [0.8, 0.8, "more"]}
  alignment:
    weight: [0.5, 0.5]
    source: {doc: pry-2022-drafts}
    reason: "security"
    values: {nato_membership: [0, 0, "worst"], european_guarantee: [0.2, 0.2, "bad"],
             armed_neutrality: [0.6, 0.6, "ok"], neutral_demilitarized: [1, 1, "best"]}
red_lines:
  - {issue: alignment, forbid: [nato_membership], source: {doc: pry-2022-drafts},
     reason: "never NATO"}
"""


def write_parties(folder: Path, **replace: str) -> list[Path]:
    """Both party files written to a folder; `a=`/`b=` give 'old=>new' edits to make first."""
    out = []
    for name, text in (("a", PARTY_A), ("b", PARTY_B)):
        if name in replace:
            old, new = replace[name].split("=>")
            text = text.replace(old, new)
        out.append(folder / f"party-{name}.yaml")
        out[-1].write_text(text, encoding="utf-8")
    return out
