"""The Monte Carlo varies red lines, outlooks (shared by all parties), open-issue rules and
stances; every share it reports carries its interval; flip points match a hand computation."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from tests.negotiate.uncertain_domain import (
    A_VALUES,
    A_WEIGHTS,
    B_VALUES,
    B_WEIGHTS,
    load,
    party,
)
from typer.testing import CliRunner

from accord.cli.negotiate import app
from accord.negotiate.analysis import Setting, summary
from accord.negotiate.estimate import Estimate, digits
from accord.negotiate.evaluate import open_value
from accord.negotiate.files import NegotiationFileError, load_domain, load_outlooks
from accord.negotiate.flip import flip_points, flip_text
from accord.negotiate.readings import Readings
from accord.negotiate.sensitivity import analyse, headline, sensitivity_text
from accord.report.negotiation import render

runner = CliRunner()
N = 2000


def _a(**kw: Any) -> str:
    return party("A", A_VALUES, A_WEIGHTS, **kw)


def _b(**kw: Any) -> str:
    return party("B", B_VALUES, B_WEIGHTS, **kw)


def _run(prefs, plans, n=N, **readings: Any) -> dict[str, Any]:
    return analyse(prefs, plans, n=n, seed=1, nash=False, readings=Readings.load(prefs, **readings))


def test_a_red_line_held_half_the_time_gives_acceptance_near_one_half(tmp_path):
    line = (("alpha", ["a1"], 0.5),)
    prefs = load(tmp_path, _a(alternative=(0.1, 0.1), red_lines=line), _b(alternative=(0, 0)))
    # (a1, b1): A gets 0.6 * 1.0 + 0.4 * 0.8 = 0.92 > 0.1 unless its red line on a1 holds
    a = _run(prefs, {"plan": (0, 0)})["plans"]["plan"]["accept"]["A"]
    low, high = a["interval"]
    assert low < 0.5 < high and abs(a["p"] - 0.5) < 0.04
    firm = load(tmp_path, _a(alternative=(0.1, 0.1), red_lines=(("alpha", ["a1"], 1.0),)))
    never = _run(firm, {"plan": (0, 0)})["plans"]["plan"]["accept"]["A"]
    assert never["p"] == 0.0 and never["text"].startswith("0.00 (<= 0.002 at 95%, n=2000)")


UP = {"stalemate": (0.2, 0.3), "western_surge": (0.2, 0.3)}
DOWN = {"attrition_russian_gains": (0.7, 0.8), "russian_breakthrough": (0.7, 0.8)}


def test_one_outlook_per_draw_for_every_party_makes_acceptance_correlated(tmp_path):
    # (a2, b1): A gets 0.3 + 0.32 = 0.62, B gets 0.25 + 0.25 = 0.5; both accept exactly under
    # stalemate and western_surge, whose probabilities are drawn at 0.3 and 0.1
    b_up = {k: (lo - 0.1, hi - 0.1) for k, (lo, hi) in UP.items()}
    b_down = {k: (lo - 0.1, hi - 0.1) for k, (lo, hi) in DOWN.items()}
    together = load(
        tmp_path,
        _a(alternative=(0.2, 0.8), by_outlook=UP | DOWN),
        _b(alternative=(0.1, 0.7), by_outlook=b_up | b_down),
    )
    readings = Readings.load(together)
    q = sum(readings.probabilities[[0, 3]])
    assert q == pytest.approx(0.4)
    plan = _run(together, {"plan": (1, 0)})["plans"]["plan"]
    a, b, both = plan["accept"]["A"], plan["accept"]["B"], plan["all_accept"]
    assert both["p"] == a["p"] == b["p"]
    assert both["interval"][0] < q < both["interval"][1]
    product = a["p"] * b["p"]  # what independent draws of the two alternatives would give
    assert not both["interval"][0] <= product <= both["interval"][1]
    assert (
        a["by_outlook"]["stalemate"]["p"] == 1.0
        and a["by_outlook"]["russian_breakthrough"]["p"] == 0.0
    )
    # over the outlooks' probability ranges, stalemate (0.2-0.4) + surge (0.05-0.15)
    assert both["over_outlook_probabilities"]["range"] == pytest.approx([0.25, 0.55])
    # B reading the war the other way: never both at once, though each often accepts
    opposite = load(
        tmp_path,
        _a(alternative=(0.2, 0.8), by_outlook=UP | DOWN),
        _b(
            alternative=(0.1, 0.7),
            by_outlook={k: (0.1, 0.2) for k in DOWN} | {k: (0.6, 0.7) for k in UP},
        ),
    )
    plan = _run(opposite, {"plan": (1, 0)})["plans"]["plan"]
    assert plan["all_accept"]["p"] == 0.0
    assert plan["accept"]["A"]["p"] * plan["accept"]["B"]["p"] > 0.2


def test_the_open_issue_rule_is_varied_and_reported(tmp_path):
    # (a2, open): A gets 0.3 + 0.4 * (worst 0.2, mean 0.5, best 0.8) = 0.38, 0.50, 0.62
    prefs = load(tmp_path, _a(alternative=(0.45, 0.45)), _b(alternative=(0, 0)))
    a = _run(prefs, {"plan": (1, None)})["plans"]["plan"]["accept"]["A"]
    rules = {r: e["p"] for r, e in a["by_open_issue_rule"].items()}
    assert rules == {"worst": 0.0, "mean": 1.0, "best": 1.0}
    assert a["interval"][0] < 2 / 3 < a["interval"][1]
    only_worst = _run(prefs, {"plan": (1, None)}, rules=("worst",))["plans"]["plan"]
    assert only_worst["accept"]["A"]["p"] == 0.0


def test_open_value_takes_the_worst_mean_or_best_allowed_option():
    import numpy as np

    table = np.array([[0.1, 0.5, 0.9], [0.3, 0.3, 0.0]])
    allowed = np.array([True, False, True])
    assert open_value(table, allowed, "worst").tolist() == [0.1, 0.0]
    assert open_value(table, allowed, "mean") == pytest.approx([0.5, 0.15])
    assert open_value(table, allowed, "best").tolist() == [0.9, 0.3]
    assert np.isnan(open_value(table, np.zeros(3, dtype=bool), "mean")).all()
    per_row = open_value(table, allowed, np.array([0, 2]))
    assert per_row.tolist() == [0.1, 0.3]


STANCES = """
stances:
  - id: pessimist
    party: A
    title: A expects the war to go its way
    probability: 0.3
    overrides:
      - {figure: alternative, range: [0.95, 0.95], source: {doc: doc-a}, reason: "given"}
  - id: cold_on_alpha
    party: A
    title: A cares nothing for a1
    probability: 0.2
    overrides:
      - {figure: value.alpha.a1, range: [0, 0], source: {doc: doc-a}, reason: "given"}
      - {figure: weight.beta, range: [0.4, 0.4], source: {doc: doc-a}, reason: "given"}
"""


def test_a_stance_is_drawn_with_its_probability(tmp_path):
    # (a1, b1): 0.92 against 0.5 on A's own figures; the pessimist's 0.95 beats it, and
    # without a1's value A gets only 0.32
    prefs = load(tmp_path, _a(alternative=(0.5, 0.5)), _b(alternative=(0, 0)))
    stances = tmp_path / "stances.yaml"
    stances.write_text(STANCES, encoding="utf-8")
    result = _run(prefs, {"plan": (0, 0)}, stances_file=stances)
    a = result["plans"]["plan"]["accept"]["A"]
    assert a["interval"][0] < 0.5 < a["interval"][1]
    assert [s["stance"] for s in result["stances"]] == ["pessimist", "cold_on_alpha"]
    assert _run(prefs, {"plan": (0, 0)})["plans"]["plan"]["accept"]["A"]["p"] == 1.0


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("figure: value.alpha.a1", "figure: values.alpha.a1"), "unknown figure 'values.alpha.a1'"),
        (("figure: value.alpha.a1", "figure: value.alpha.zz"), "unknown option of issue 'alpha'"),
        (("figure: weight.beta", "figure: weight.gamma"), "unknown issue 'gamma'"),
        (("figure: alternative,", "figure: alternative.victory,"), "unknown battlefield outlook"),
        (("probability: 0.2", "probability: 0.9"), "sum to 1.2"),
        (("{doc: doc-a}, reason", "{doc: nowhere}, reason"), "unknown document 'nowhere'"),
        (("party: A\n    title: A cares", "party: Z\n    title: A cares"), "unknown party 'Z'"),
        (("range: [0, 0]", "range: [0, 2]"), "0 <= low <= high <= 1"),
    ],
)
def test_a_bad_stance_says_where_and_what(tmp_path, change, words):
    prefs = load(tmp_path, _a(alternative=(0.5, 0.5)), _b(alternative=(0, 0)))
    stances = tmp_path / "stances.yaml"
    stances.write_text(STANCES.replace(*change, 1), encoding="utf-8")
    with pytest.raises(NegotiationFileError, match=re.escape(words)) as err:
        Readings.load(prefs, stances_file=stances)
    assert "stances.yaml" in str(err.value) and "stances" in str(err.value)


def test_red_lines_that_together_forbid_an_open_issue_are_counted_not_nan(tmp_path):
    prefs = load(
        tmp_path,
        _a(alternative=(0, 0), red_lines=(("beta", ["b1", "b2"], 1.0),)),
        _b(alternative=(0, 0), red_lines=(("beta", ["b3"], 0.5),)),
    )
    plan = _run(prefs, {"plan": (1, None)})["plans"]["plan"]
    missing = plan["open_issue_without_option"]
    assert missing["interval"][0] < 0.5 < missing["interval"][1]
    assert plan["accept"]["A"]["p"] == pytest.approx(1 - missing["p"])
    flips = flip_points(prefs, {"plan": (1, None)}, n=50, readings=Readings.load(prefs))
    assert flips["plans"]["plan"]["A"]["flip_point"] is None
    assert "no flip point" in flip_text(flips)


def test_flip_points_match_a_hand_computation(tmp_path):
    outlooks = {
        "stalemate": (0.3, 0.35),
        "attrition_russian_gains": (0.55, 0.6),
        "russian_breakthrough": (0.7, 0.8),
        "western_surge": (0.1, 0.2),
    }
    prefs = load(
        tmp_path,
        _a(alternative=(0.35, 0.45), by_outlook=outlooks, red_lines=(("alpha", ["a3"], 0.6),)),
        _b(alternative=(0.2, 0.3), red_lines=(("beta", ["b2"], 1.0),)),
    )
    plans = {"open_beta": (1, None), "crosses_b": (0, 1), "crosses_a_softly": (2, 0)}
    result = flip_points(prefs, plans, n=400, readings=Readings.load(prefs))
    a = result["plans"]["open_beta"]["A"]
    # beta open, b2 forbidden by B: A's b1 0.8 and b3 0.5 weigh 0.4; a2 gives 0.6 * 0.5 = 0.3
    assert a["by_open_issue_rule"] == pytest.approx({"worst": 0.5, "mean": 0.56, "best": 0.62})
    assert a["flip_point"] == pytest.approx(0.56) and a["margin"] == pytest.approx(0.16)
    assert a["across_draws"]["range"] == pytest.approx([0.5, 0.62])
    assert a["accepts_at_middle"]
    sides = {o: v["versus_flip_point"] for o, v in a["by_outlook"].items()}
    assert sides == {
        "stalemate": "below",
        "attrition_russian_gains": "straddles",
        "russian_breakthrough": "above",
        "western_surge": "below",
    }
    b = result["plans"]["open_beta"]["B"]
    assert b["flip_point"] == pytest.approx(0.5) and b["by_outlook"]["stalemate"][
        "alternative_range"
    ] == [0.2, 0.3]
    # (a1, b2) crosses B's firm red line: no value of continued war makes B accept
    crossed = result["plans"]["crosses_b"]["B"]
    assert crossed["flip_point"] == pytest.approx(0.25) and not crossed["accepts_at_middle"]
    assert crossed["red_lines_crossed"][0]["held"] == 1.0
    soft = result["plans"]["crosses_a_softly"]["A"]
    assert soft["flip_point"] == pytest.approx(0.32)
    text = flip_text(result)
    assert "B: rejects whatever continued war is worth: crosses its red line on beta=b2" in text
    assert "A: rejects while its red line on alpha=a3 (held 0.60) holds; if it gives" in text
    assert "accepts while continued war is worth less than 0.560" in text


BARE = re.compile(r"(?<![\d.])[01]\.0+(?![\d.])(?! \((?:>=|<=) )")


def _bare_shares(node: Any, path: str = "") -> list[str]:
    """Floats in the output that are not part of an estimate with its interval."""
    if isinstance(node, dict):
        if "p" in node:
            assert {"interval", "margin", "n", "text"} <= set(node), path
            return []
        if "intervals" in node and "text" in node:  # the range over outlook probabilities
            return []
        return [b for k, v in node.items() for b in _bare_shares(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [b for k, v in enumerate(node) for b in _bare_shares(v, f"{path}[{k}]")]
    return [path] if isinstance(node, float) else []


def test_every_reported_share_carries_its_interval(tmp_path):
    prefs = load(
        tmp_path,
        _a(alternative=(0.1, 0.1), red_lines=(("alpha", ["a3"], 0.5), ("beta", ["b2"], 1.0))),
        _b(alternative=(0, 0)),
    )
    plans = {"sure": (0, 0), "never": (0, 1), "maybe": (2, 2), "open": (1, None)}
    hand = _run(prefs, plans, n=300)
    setting = Setting.load(["defense-priorities-2025", "mcfaul-2024"])
    shipped = summary(setting, draws=12)
    for result in (hand, shipped["sensitivity"]):
        assert _bare_shares(result["plans"]) == []
        assert _bare_shares(result.get("nash", {})) == []
        texts = re.findall(r'"text": "([^"]*)"', json.dumps(result))
        for text in (sensitivity_text(result), headline(result), *texts):
            assert BARE.findall(text) == [], text
    assert hand["plans"]["sure"]["all_accept"]["text"].startswith("1.00 (>= 0.99")
    assert "never 0.00 (<= 0.01), by outlook 0.00 (<= " in headline(hand, top=4)
    assert headline(hand, top=3).endswith("; the other plan at most 0.01")
    html = render(setting, shipped)
    section = html[html.index("<h2>Acceptance probability") : html.index("<h2>Flip points")]
    cells = [unescape(c) for c in re.findall(r"<td>([01]\.\d+[^<]*)</td>", section)]
    assert len(cells) == 2 * (len(setting.scenario.parties) + 1) + 2 * 5
    before = html[: html.index("<h2>Acceptance")]
    chances = [unescape(c) for c in re.findall(r"<td>([^<]*at 95%[^<]*)</td>", before)]
    assert len(chances) == 2
    for cell in [*cells, *chances, unescape(section[section.index("Share of draws") :])]:
        assert BARE.findall(cell) == [], cell
    assert "Flip points" in html and "by battlefield outlook" in html


def test_estimates_read_as_wilson_intervals():
    assert Estimate(5, 10).interval == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert Estimate(200, 200).text() == "1.00 (>= 0.98 at 95%, n=200)"
    assert Estimate(0, 1000).text() == "0.00 (<= 0.004 at 95%, n=1000)"
    assert digits(0.9995) == "0.9995" and digits(0.004) == "0.004" and digits(0.5) == "0.50"
    assert Estimate(50000, 100000).text() == "0.500 (0.497-0.503 at 95%, n=100000)"


def test_shipped_outlooks_are_sourced_and_their_probabilities_can_sum_to_one():
    outlooks = load_outlooks(domain=load_domain())
    assert [o.id for o in outlooks] == [
        "stalemate",
        "attrition_russian_gains",
        "russian_breakthrough",
        "western_surge",
    ]
    assert all(o.sources and o.reason and o.probability.reason for o in outlooks)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("range: [0.4, 0.6]", "range: [0.8, 0.9]"), "cannot sum to 1"),
        (("      basis: analyst", "      basis: document"), "needs its source"),
        (("{doc: epoch-2025}", "{doc: nowhere}"), "unknown document 'nowhere'"),
        (("id: western_surge", "id: stalemate"), "listed twice"),
        (("range: [0.05, 0.15]", "range: [0.15, 0.05]"), "low <= high"),
    ],
)
def test_a_bad_outlooks_file_says_what(tmp_path, change, words):
    from accord.negotiate.files import DATA

    path = tmp_path / "outlooks.yaml"
    text = (DATA / "outlooks.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace(*change, 1), encoding="utf-8")
    with pytest.raises(NegotiationFileError, match=re.escape(words)) as err:
        load_outlooks(path, load_domain())
    assert "outlooks.yaml" in str(err.value)


def test_cli_flip_and_sensitivity_print_text_and_json(tmp_path):
    result = runner.invoke(app, ["flip", "defense-priorities-2025", "--draws", "40", "--text"])
    assert result.exit_code == 0, result.output
    assert "defense-priorities-2025" in result.output and "RU: " in result.output
    result = runner.invoke(app, ["flip", "mcfaul-2024", "--draws", "40"])
    data = json.loads(result.output)
    assert data["plans"]["mcfaul-2024"]["RU"]["red_lines_crossed"]
    out = tmp_path / "sens.json"
    result = runner.invoke(
        app,
        [
            "sensitivity",
            "mcfaul-2024",
            "--draws",
            "10",
            "--open-rule",
            "worst",
            "--text",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "by open-issue rule: worst" in result.output and BARE.findall(result.output) == []
    assert json.loads(out.read_text())["open_issue_rules"] == ["worst"]
    result = runner.invoke(app, ["sensitivity", "--open-rule", "median", "--draws", "5"])
    assert result.exit_code == 2 and "worst, mean, best" in result.output


def test_a_stances_overrides_land_on_the_figures_they_name(tmp_path: Path):
    prefs = load(tmp_path, _a(alternative=(0.5, 0.5)), _b(alternative=(0, 0)))
    stances = tmp_path / "stances.yaml"
    stances.write_text(STANCES, encoding="utf-8")
    pessimist, cold = Readings.load(prefs, stances_file=str(stances)).stances
    assert (pessimist.party_id, pessimist.party) == ("A", 0)
    assert pessimist.alternatives == {None: (0.95, 0.95)}
    assert cold.values == {(0, 0): (0.0, 0.0)} and cold.weights == {1: (0.4, 0.4)}
