"""A two-issue, two-party domain small enough to compute every figure by hand."""

from __future__ import annotations

from pathlib import Path

from accord.negotiate.files import Preferences, load_preferences

OUTLOOKS = ("stalemate", "attrition_russian_gains", "russian_breakthrough", "western_surge")

DOMAIN = """
title: Hand-made domain
documents:
  - {id: doc-a, title: A, author: Someone, date: "2025"}
issues:
  - id: alpha
    title: Alpha
    area: territory
    options: [{id: a1, title: A1}, {id: a2, title: A2}, {id: a3, title: A3}]
  - id: beta
    title: Beta
    area: security
    options: [{id: b1, title: B1}, {id: b2, title: B2}, {id: b3, title: B3}]
"""


def party(
    pid: str,
    values: dict[str, dict[str, float]],
    weights: dict[str, float],
    alternative: tuple[float, float],
    by_outlook: dict[str, tuple[float, float]] | None = None,
    red_lines: tuple[tuple[str, list[str], float], ...] = (),
) -> str:
    """A party file with point figures (every range has low == high unless given)."""
    issues = []
    for issue, w in weights.items():
        entries = ", ".join(f'{o}: [{v}, {v}, "given"]' for o, v in values[issue].items())
        issues.append(
            f"  {issue}:\n    weight: [{w}, {w}]\n    source: {{doc: doc-a}}\n"
            f'    reason: "given"\n    values: {{{entries}}}'
        )
    outlook = ""
    if by_outlook:
        outlook = (
            ", by_outlook: {"
            + ", ".join(f'{o}: [{lo}, {hi}, "given"]' for o, (lo, hi) in by_outlook.items())
            + "}"
        )
    lines = "".join(
        f"\n  - {{issue: {issue}, forbid: [{', '.join(forbid)}], source: {{doc: doc-a}}, "
        f'reason: "given", held: {held}}}'
        for issue, forbid, held in red_lines
    )
    return (
        f"party: {pid}\nname: Party {pid}\nweights_sum: {sum(weights.values())}\n"
        f"alternative: {{range: [{alternative[0]}, {alternative[1]}], source: {{doc: doc-a}}, "
        f'reason: "given"{outlook}}}\n'
        "issues:\n" + "\n".join(issues) + "\nred_lines:" + (lines or " []") + "\n"
    )


# Party A: alpha a1 1.0, a2 0.5, a3 0.0 (weight 0.6); beta b1 0.8, b2 0.2, b3 0.5 (weight 0.4).
A_VALUES = {"alpha": {"a1": 1.0, "a2": 0.5, "a3": 0.0}, "beta": {"b1": 0.8, "b2": 0.2, "b3": 0.5}}
A_WEIGHTS = {"alpha": 0.6, "beta": 0.4}
# Party B wants the opposite on alpha and is indifferent on beta.
B_VALUES = {"alpha": {"a1": 0.0, "a2": 0.5, "a3": 1.0}, "beta": {"b1": 0.5, "b2": 0.5, "b3": 0.5}}
B_WEIGHTS = {"alpha": 0.5, "beta": 0.5}


def load(tmp_path: Path, *parties: str) -> Preferences:
    domain = tmp_path / "domain.yaml"
    domain.write_text(DOMAIN, encoding="utf-8")
    files = []
    for k, text in enumerate(parties):
        path = tmp_path / f"party-{k}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return load_preferences(files, domain)
