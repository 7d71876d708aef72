"""The negotiation report: one self-contained HTML page, charts inline as SVG."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from markupsafe import Markup

# The object-oriented Figure API needs no pyplot state or backend switch, so
# reports render the same from the CLI, a server thread or a test.
from matplotlib.figure import Figure

from accord import __version__
from accord.negotiate.analysis import Setting, summary
from accord.negotiate.evaluate import utility_range
from accord.negotiate.pareto import pareto_set
from accord.negotiate.solutions import solve
from accord.report.render import environment


def _svg(fig: Figure) -> Markup:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    return Markup(buffer.getvalue())


def _bars(setting: Setting) -> Markup:
    s = setting.scenario
    fig = Figure(figsize=(3.2 * len(s.parties), 3.2))
    axes = fig.subplots(1, len(s.parties), sharey=True)
    for p, ax in enumerate(axes):
        names = list(setting.plans)
        means = [utility_range(s, setting.plans[n])[0][p] for n in names]
        ax.barh(names, means, color="#6a8caf")
        ax.axvline(s.alternatives[p], color="red", linestyle="--", label="alternative")
        ax.set_title(s.parties[p])
    fig.tight_layout()
    return _svg(fig)


def _projections(setting: Setting) -> Markup:
    s = setting.scenario
    front = pareto_set(s)
    found = solve(s, front)
    pairs = [(a, b) for a in range(len(s.parties)) for b in range(a + 1, len(s.parties))]
    columns = min(3, len(pairs))
    rows = -(-len(pairs) // columns)
    fig = Figure(figsize=(3.6 * columns, 3.4 * rows))
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax in axes[len(pairs) :]:
        ax.set_visible(False)
    for ax, (a, b) in zip(axes, pairs, strict=False):
        ax.scatter(
            front.utilities[:, a],
            front.utilities[:, b],
            s=3,
            color="#bbb",
            label="Pareto",
            rasterized=True,
        )
        for name, pkg in setting.plans.items():
            u = utility_range(s, pkg)[0]
            ax.scatter(u[a], u[b], marker="x")
            ax.annotate(name.split("-")[0], (u[a], u[b]), fontsize=6)
        for name, sol in found.items():
            ax.scatter(sol.utilities[a], sol.utilities[b], marker="*", s=60, label=name)
        ax.set_xlabel(s.parties[a])
        ax.set_ylabel(s.parties[b])
    axes[0].legend(fontsize=6)
    fig.tight_layout()
    return _svg(fig)


def render(setting: Setting, analysis: dict[str, Any]) -> str:
    """The report as an HTML string, over the `summary` of the same setting (computed
    once by the caller: its Monte Carlo is the slow part)."""
    return (
        environment()
        .get_template("negotiation.html.j2")
        .render(
            title="Negotiation analysis",
            version=__version__,
            s=analysis,
            parties=list(setting.scenario.parties),
            bars=_bars(setting),
            projections=_projections(setting),
        )
    )


def write_report(setting: Setting, path: str | Path, draws: int = 200, seed: int = 0) -> Path:
    """Write the negotiation report to `path`, analysed over `draws` draws; the path written."""
    out = Path(path)
    out.write_text(render(setting, summary(setting, draws=draws, seed=seed)), encoding="utf-8")
    return out
