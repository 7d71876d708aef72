"""The sources audit and the backtest, on hand-made party and event files with known answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.negotiate.hand_made import PARTY_A, PARTY_B
from typer.testing import CliRunner

from accord.cli.negotiate import app
from accord.negotiate.analysis import Setting, evaluate_json
from accord.negotiate.audit import figure_documents, source_shares
from accord.negotiate.backtest import backtest, load_events
from accord.negotiate.evaluate import explain_empty
from accord.negotiate.files import NegotiationFileError, load_preferences

runner = CliRunner()

# Model answers, worked by hand (open issues: mean, low and high over the options the
# party's own red lines allow):
#   e1 line_of_contact + european_guarantee: A 0.2+0.3 = 0.5 > 0.4 accepted;
#      B 0.3+0.1 = 0.4 <= 0.5 rejected, objecting to alignment (0.2 < mean 0.45), not to
#      the line (0.6 >= mean 0.5)
#   e2 nato_membership, line open: A 0.28+0.5 = 0.78 accepted; B crosses its red line
#   e3 four_oblasts, alignment open: A crosses its red line; B 0.5+0.3 = 0.8 accepted
#   e4 armed_neutrality, line open: A 0.28+0.1 = 0.38 <= 0.4 < 0.5+0.1 basis;
#      B 0.25+0.3 = 0.55 accepted
EVENTS = """
title: Hand-made events
events:
  - id: e1
    date: "2022-01-01"
    title: A freeze with a European guarantee
    doc: mcfaul-2024
    package:
      line: {option: line_of_contact, doc: mcfaul-2024}
      alignment: {option: european_guarantee, doc: epoch-2025}
    responses:
      - {party: AA, response: accepted, doc: mcfaul-2024, said: "yes"}
      - {party: BB, response: rejected, doc: mcfaul-2024, points: [alignment, line],
         said: "not this"}
  - id: e2
    date: "2022-02-01"
    title: NATO membership, territory left open
    doc: mcfaul-2024
    package:
      alignment: {option: nato_membership, doc: mcfaul-2024}
    responses:
      - {party: AA, response: accepted_as_basis, doc: mcfaul-2024, said: "a start"}
      - {party: BB, response: accepted_as_basis, doc: mcfaul-2024, said: "a start too"}
  - id: e3
    date: "2022-03-01"
    title: Four oblasts, alignment left open
    doc: mcfaul-2024
    package:
      line: {option: four_oblasts, doc: mcfaul-2024}
    responses:
      - {party: AA, response: rejected, doc: mcfaul-2024, points: [line], said: "never"}
      - {party: BB, response: accepted, doc: mcfaul-2024, said: "yes"}
  - id: e4
    date: "2022-04-01"
    title: Armed neutrality, territory left open
    doc: mcfaul-2024
    package:
      alignment: {option: armed_neutrality, doc: mcfaul-2024}
    responses:
      - {party: AA, response: accepted_as_basis, doc: mcfaul-2024, said: "perhaps"}
      - {party: BB, response: accepted, doc: mcfaul-2024, said: "yes"}
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("a", PARTY_A), ("b", PARTY_B), ("events", EVENTS)):
        out[name] = tmp_path / f"{name}.yaml"
        out[name].write_text(text, encoding="utf-8")
    return out


def test_sources_count_every_figure_by_the_document_it_cites(files):
    prefs = load_preferences([files["a"], files["b"]])
    a, b = prefs.parties
    # A: alternative, 2 weights, 10 values, 1 red line; B adds 4 outlook values
    assert len(figure_documents(a)) == 14 and len(figure_documents(b)) == 18
    shares = source_shares(prefs.parties)
    assert shares["AA"]["figures"] == 14
    assert [(d["doc"], d["figures"], d["share"]) for d in shares["AA"]["documents"]] == [
        ("mcfaul-2024", 7, 0.5),
        ("dp-2025", 5, 0.3571),
        ("epoch-2025", 2, 0.1429),
    ]
    assert {d["doc"]: d["figures"] for d in shares["BB"]["documents"]} == {
        "pry-2022-drafts": 17,
        "epoch-2025": 1,
    }


def test_backtest_figures_on_hand_made_events(files):
    prefs = load_preferences([files["a"], files["b"]])
    result = backtest(prefs, load_events(prefs, files["events"]))
    model = {(e["event"], r["party"]): r["model"] for e in result["events"] for r in e["responses"]}
    assert model == {
        ("e1", "AA"): "accepted",
        ("e1", "BB"): "rejected",
        ("e2", "AA"): "accepted",
        ("e2", "BB"): "rejected",
        ("e3", "AA"): "rejected",
        ("e3", "BB"): "accepted",
        ("e4", "AA"): "accepted_as_basis",
        ("e4", "BB"): "accepted",
    }
    e1_b = result["events"][0]["responses"][1]
    assert e1_b["utility"] == pytest.approx(0.4) and e1_b["alternative"] == pytest.approx(0.5)
    assert e1_b["objections"] == ["alignment"] and e1_b["points_matched"] == ["alignment"]
    e2_a = result["events"][1]["responses"][0]
    assert e2_a["utility"] == pytest.approx(0.78) and e2_a["utility_range"] == pytest.approx(
        [0.5, 1.0]
    )
    assert result["events"][2]["responses"][0]["red_lines_crossed"] == ["line"]
    assert (result["responses"], result["reproduced"], result["share_reproduced"]) == (8, 7, 0.875)
    assert (result["points_named"], result["points_matched"]) == (3, 2)
    assert [(m["event"], m["party"], m["recorded"], m["model"]) for m in result["misses"]] == [
        ("e2", "BB", "accepted_as_basis", "rejected")
    ]


def test_bad_events_say_where(files, tmp_path):
    prefs = load_preferences([files["a"], files["b"]])
    for old, new, expected in (
        ("option: european_guarantee", "option: membership", "unknown option 'membership'"),
        ("{party: AA, response: accepted,", "{party: ZZ, response: accepted,", "unknown party"),
        ("points: [line]", "points: [borders]", "unknown issue 'borders'"),
        ("id: e2", "id: e1", "event id given twice"),
        (
            "response: rejected, doc: mcfaul-2024, points: [line]",
            "response: maybe, doc: mcfaul-2024",
            r"events\.2\.responses\.0\.response: Input should be 'accepted'",
        ),
    ):
        bad = tmp_path / "bad.yaml"
        bad.write_text(EVENTS.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(NegotiationFileError, match=expected):
            load_events(prefs, bad)


def test_cli_sources_and_backtest_print_text_and_json(files):
    parties = ["--party", str(files["a"]), "--party", str(files["b"])]
    text = runner.invoke(app, ["sources", *parties])
    assert text.exit_code == 0, text.output
    assert "AA (Party A): 14 figures" in text.output and " 50.0%" in text.output
    data = json.loads(runner.invoke(app, ["sources", *parties, "--json"]).output)
    assert data["BB"]["figures"] == 18
    text = runner.invoke(app, ["backtest", "--events", str(files["events"]), *parties])
    assert text.exit_code == 0, text.output
    assert "reproduced 7 of 8 (88%)" in text.output and "MISS BB" in text.output
    data = json.loads(
        runner.invoke(
            app, ["backtest", "--events", str(files["events"]), *parties, "--json"]
        ).output
    )
    assert data["share_reproduced"] == 0.875


def test_shipped_events_read_with_the_shipped_parties():
    prefs = load_preferences()
    result = backtest(prefs, load_events(prefs))
    assert result["responses"] >= 25
    assert {r["party"] for e in result["events"] for r in e["responses"]} == {
        "US",
        "UA",
        "RU",
        "EUR",
    }
    assert all("2021-12-17" <= e["date"] <= "2025-10-31" for e in result["events"])
    assert result["reproduced"] == result["responses"] - len(result["misses"])


def test_stated_territorial_red_lines_leave_no_common_option():
    scenario = load_preferences().scenario()
    line = scenario.issue_index("line")
    assert not scenario.allowed(line).any()
    why = explain_empty(scenario)
    assert why.startswith("the red lines on issue 'line' together forbid every option")
    assert "RU (" in why and "UA (" in why


def test_a_partys_red_lines_together_may_not_forbid_every_option(tmp_path):
    text = PARTY_A.replace(
        'reason: "never all four"}',
        'reason: "never all four"}\n  - {issue: line, forbid: [borders_1991, borders_2022,'
        " line_with_swaps, line_of_contact, cede_held], source: {doc: epoch-2025},"
        ' reason: "nor anything else"}',
    )
    path = tmp_path / "party-a.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NegotiationFileError, match=r"red_lines\[1\].*every option of issue 'line'"):
        load_preferences([path])


def test_an_open_issue_no_option_of_which_every_party_allows_is_reported_not_averaged():
    setting = Setting.load(["russia-drafts-2021"])
    result = evaluate_json(setting)[0]
    assert result["open_issues"][0] == "line" and not result["all_accept"]
    assert [b["issue"] for b in result["blocked_open_issues"]] == ["line"]
    why = result["blocked_open_issues"][0]["why"]
    assert "leaves issue 'line' open" in why and "RU forbids" in why and "UA forbids" in why
    for row in result["parties"].values():
        low, high = row["utility_range"]
        assert low <= row["utility"] <= high  # finite: each party over its own allowed options
