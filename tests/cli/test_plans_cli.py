"""The `accord plans` commands, as a user runs them."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.agreement.compare import compare
from accord.agreement.describe import typed_fields
from accord.cli.main import app
from accord.negotiate.files import load_domain
from accord.plans import load_plan, plan_ids, plan_path
from accord.report.compare import render

runner = CliRunner()


def test_list_json_names_every_plan() -> None:
    result = runner.invoke(app, ["plans", "list", "--json"])
    assert result.exit_code == 0, result.output
    assert [p["id"] for p in json.loads(result.stdout)] == plan_ids()


def test_show_by_id_and_by_path() -> None:
    by_id = runner.invoke(app, ["plans", "show", "defense-priorities-2025", "--json"])
    by_path = runner.invoke(
        app, ["plans", "show", str(plan_path("defense-priorities-2025")), "--json"]
    )
    assert by_id.exit_code == by_path.exit_code == 0
    assert json.loads(by_id.stdout) == json.loads(by_path.stdout)
    text = runner.invoke(app, ["plans", "show", "defense-priorities-2025"])
    assert "ceasefire.dmz" in text.stdout


def test_unknown_plan_is_a_clear_error() -> None:
    result = runner.invoke(app, ["plans", "show", "no-such-plan"])
    assert result.exit_code == 2
    assert "no plan 'no-such-plan': use a shipped id (" in result.stderr


def test_compare_area_filter_and_formats(tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    result = runner.invoke(
        app, ["plans", "compare", "--area", "ceasefire", "-f", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert all(line.startswith("ceasefire,") for line in lines[1:])
    bad = runner.invoke(app, ["plans", "compare", "-f", "pdf"])
    assert bad.exit_code == 2 and "unknown format 'pdf'" in bad.stderr


def test_diff_json(tmp_path: Path) -> None:
    source = plan_path("defense-priorities-2025").read_text()
    mine = tmp_path / "mine.yaml"
    mine.write_text(source.replace("width: 5 mi", "width: 10 mi"))
    result = runner.invoke(app, ["plans", "diff", "defense-priorities-2025", str(mine), "--json"])
    assert result.exit_code == 0, result.output
    changed = json.loads(result.stdout)["changed"]
    assert changed[0]["term"] == "ceasefire.dmz"
    assert {"field": "zone.width.value", "old": 5.0, "new": 10.0} in changed[0]["changes"]


def test_validate_exit_codes(tmp_path: Path) -> None:
    good = str(plan_path("defense-priorities-2025"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        plan_path("defense-priorities-2025").read_text().replace("width: 5 mi", "width: 5 leagues")
    )
    ok = runner.invoke(app, ["plans", "validate", good])
    assert ok.exit_code == 0 and "ok" in ok.stdout
    failed = runner.invoke(app, ["plans", "validate", good, str(bad)])
    assert failed.exit_code == 1
    assert "terms[2].zone.width: unknown distance unit 'leagues'" in failed.stderr
    assert "1 of 2 file(s) have problems." in failed.stderr


def test_schema_is_json() -> None:
    result = runner.invoke(app, ["plans", "schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "Agreement"


def test_every_command_has_help() -> None:
    for args in (["--help"], ["run", "--help"], ["plans", "--help"]):
        assert runner.invoke(app, args).exit_code == 0
    for command in ("list", "show", "compare", "diff", "validate", "schema"):
        result = runner.invoke(app, ["plans", command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.stdout


def test_main_job_writes_reports(tmp_path: Path) -> None:
    # As the README's first command runs it: not quiet, so the acceptance table is printed;
    # the full comparison only with --verbose.
    result = runner.invoke(app, ["run", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Who accepts each plan" in result.stdout and "(95% interval)" in result.stdout
    assert len(result.stdout.splitlines()) < 200  # 403 with the whole comparison
    out = tmp_path / "out"
    assert "Safeguarding U.S. Interests" in (out / "plans-compared.html").read_text()
    assert "Reports written to" in result.stdout
    # The line says what the negotiation file says, whatever the party files conclude.
    negotiation = json.loads((out / "negotiation.json").read_text())
    accepted = [p["plan"] for p in negotiation["plans"] if p["all_accept"]]
    assert (
        f"{len(accepted)} of 7 plans acceptable to every party ({', '.join(accepted) or 'none'})"
        in " ".join(result.stdout.split())
    )
    zones = json.loads((out / "zones.geojson").read_text())
    dmz = next(f for f in zones["features"] if f["properties"]["term"] == "ceasefire.dmz")
    assert 7_000 < dmz["properties"]["area_km2"] < 7_500  # the main line only
    assert (out / "zones-map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Rules on the map: defense-priorities-2025" in (out / "zones.html").read_text()
    assert "Negotiation analysis" in (out / "negotiation.html").read_text()
    report = json.loads((out / "monitoring.json").read_text())
    assert report["violations"] > 0 and 0 < report["detection_rate"] <= 1
    # Every party a rule binds is scored: the plan's exercise limits bind the US and Europe too.
    assert report["incidents"] > 0 and set(report["compliance"]) == {"RU", "UA", "US", "EUR"}
    assert report["ledger_ok"] and report["checkpoint"]["statement"]["tree_size"] > 0
    assert {c["term"] for c in report["conditions"]} == {
        "security.aid",
        "relations.sanctions",
        "relations.frozen_assets",
    }
    assert report["checkpoint"]["statement"]["root"] in (out / "monitoring.html").read_text()


def _flat(text: str) -> str:
    """Terminal output with its wrapping undone."""
    return " ".join(text.split())


@pytest.mark.parametrize("plan", plan_ids())
def test_show_prints_every_typed_field(plan: str) -> None:
    result = runner.invoke(app, ["plans", "show", plan])
    assert result.exit_code == 0, result.output
    shown = _flat(result.stdout)
    for term in load_plan(plan).terms:
        for name, value in typed_fields(term):
            assert _flat(f"{name}: {value}") in shown, (term.id, name)


def _with_sequencing_term(tmp_path: Path) -> Path:
    """A shipped plan plus a sequencing term that is not a deal: it used to vanish."""
    text = plan_path("defense-priorities-2025").read_text(encoding="utf-8")
    term = (
        "  - id: sequencing.signing\n"
        "    area: sequencing\n"
        "    issue: deals\n"
        "    kind: obligation\n"
        "    label: Signature within a month\n"
        "    summary: The parties sign the whole settlement within a month of the ceasefire.\n"
        "    binds: [UA, RU]\n"
        "    consent: [UA, RU]\n"
        "    deadline: 30 days after ceasefire\n"
        "    sources: [{doc: dp-2025}]\n"
    )
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace("\nterms:\n", "\nterms:\n" + term, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "csv", "json"])
def test_compare_never_drops_a_term(tmp_path: Path, fmt: str) -> None:
    plans = [*plan_ids(), str(_with_sequencing_term(tmp_path))]
    for plan in plans:
        result = runner.invoke(app, ["plans", "compare", plan, "-f", fmt])
        assert result.exit_code == 0, result.output
        out = _flat(html.unescape(result.stdout) if fmt == "html" else result.stdout)
        if fmt == "text":
            # A wide terminal, so no label wraps into the next row's words.
            out = _flat(render(compare([load_plan(plan)]), "text", width=400))
        for term in load_plan(plan).terms:
            wanted = {
                "json": f'"term_id": "{term.id}"',
                "text": _flat(term.label),
            }.get(fmt, _flat(term.summary))
            assert wanted in out, (plan, term.id)


def test_vocabulary_page_is_what_the_command_prints() -> None:
    result = runner.invoke(app, ["plans", "vocabulary", "-f", "markdown"])
    assert result.exit_code == 0, result.output
    page = (Path(__file__).resolve().parents[2] / "docs" / "vocabulary.md").read_text()
    assert result.stdout.strip() == page.strip(), "regenerate docs/vocabulary.md"


def test_vocabulary_json_has_every_negotiation_option() -> None:
    result = runner.invoke(app, ["plans", "vocabulary", "-f", "json"])
    assert result.exit_code == 0, result.output
    listed = {i["issue"]: list(i["options"]) for i in json.loads(result.stdout)["negotiation"]}
    assert listed == {i.id: [o.id for o in i.options] for i in load_domain().issues}


UNDRAWABLE = """id: undrawable
title: Zones the map cannot draw
proposer: Tests
date: "2025"
summary: One term for each way a zone can fail to reach the map.
documents:
  - {id: doc, title: The test document, organisation: Tests, date: "2025"}
parties:
  - {id: UA, name: Ukraine}
  - {id: RU, name: Russia}
terms:
  - id: territory.misspelt
    area: territory
    issue: withdrawal
    kind: rule
    label: Misspelt oblast
    summary: Russia leaves an oblast whose name is misspelt.
    binds: [RU]
    consent: [UA, RU]
    zone: {type: region, regions: [Luhansk, Donetsc]}
    prohibits: [military_forces]
    sources: [{doc: doc}]
  - id: ceasefire.dmz
    area: ceasefire
    issue: dmz
    kind: rule
    label: DMZ of no width
    summary: A demilitarised zone zero kilometres wide.
    binds: [UA, RU]
    consent: [UA, RU]
    zone: {type: dmz, along: line_of_contact, width: 0 km, regime: full}
    prohibits: [artillery]
    sources: [{doc: doc}]
  - id: ceasefire.nowhere
    area: ceasefire
    issue: pre_ceasefire
    kind: rule
    label: Ban with no zone
    summary: A ban that says nothing of where it applies.
    binds: [UA, RU]
    consent: [UA, RU]
    prohibits: [artillery]
    sources: [{doc: doc}]
  - id: territory.held
    area: territory
    issue: withdrawal
    kind: rule
    label: Ukraine's part of Kursk
    summary: A zone over the part of Kursk oblast Ukraine holds, which is none.
    binds: [UA]
    consent: [UA, RU]
    zone: {type: held_area, regions: [Kursk], held_by: UA, at: signature}
    prohibits: [military_forces]
    sources: [{doc: doc}]
  - id: ceasefire.open
    area: ceasefire
    issue: monitoring
    kind: rule
    label: Left open
    summary: A ban whose zone the plan leaves to negotiation.
    binds: [UA, RU]
    consent: [UA, RU]
    status: to_negotiate
    prohibits: [drone]
    sources: [{doc: doc}]
open:
  - {area: security, note: Silent.}
  - {area: relations, note: Silent.}
  - {area: assurances, note: Silent.}
  - {area: economic, note: Silent.}
  - {area: humanitarian, note: Silent.}
  - {area: sequencing, note: Silent.}
"""


def _at(text: str, needle: str, nth: int = 0) -> str:
    """line:column (1-based) of the nth occurrence of needle in text."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return f"{line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def test_validate_reports_every_undrawable_zone_at_once(tmp_path: Path) -> None:
    plan = tmp_path / "undrawable.yaml"
    plan.write_text(UNDRAWABLE)
    result = runner.invoke(app, ["plans", "validate", str(plan)])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error")]
    where = f"error {plan}:"
    assert errors == [
        f"{where}{_at(UNDRAWABLE, 'Donetsc')}: terms[0].zone.regions[1]: unknown region "
        "'Donetsc': nearest known names: Donetsk",
        f"{where}{_at(UNDRAWABLE, '0 km')}: terms[1].zone.width: a DMZ of zero width covers "
        "nothing: give a width above 0 km, or use type: ceasefire_line for the line alone",
        f"{where}{_at(UNDRAWABLE, 'prohibits', 2)}: terms[2].prohibits: a rule that prohibits "
        "or caps needs a 'zone' saying where it applies (or status: to_negotiate where the "
        "plan leaves that open)",
        f"{where}{_at(UNDRAWABLE, 'zone: {type: held')}: terms[3].zone: held_area draws to "
        "0 km2 on the map of 2026-08-22: it covers no ground there (check its regions, border, "
        "side or held_by)",
    ]
    assert "1 of 1 file(s) have problems." in result.stderr


def test_every_shipped_plan_validates_with_its_zones() -> None:
    result = runner.invoke(app, ["plans", "validate", *map(str, map(plan_path, plan_ids()))])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("ok ") == len(plan_ids())


def test_validate_reports_zone_and_negotiation_problems_at_once(tmp_path: Path) -> None:
    """A misspelt oblast and two terms stating different amnesties: both, positioned."""
    plan = Path(__file__).parents[1] / "plans" / "data" / "analyst-2025.yaml"
    text = plan.read_text(encoding="utf-8")
    text = text.replace("regions: [Donetsk], held_by", "regions: [Donetsc], held_by")
    text = text.replace(
        "    parameters: {amnesty: full}\n",
        "    parameters: {amnesty: full}\n    negotiation: {amnesty: full}\n",
    )
    text = text.replace(
        "    deadline: 90 days after signature\n",
        "    deadline: 90 days after signature\n    negotiation: {amnesty: none}\n",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["plans", "validate", str(bad)])
    assert result.exit_code == 1
    said = [line for line in " ".join(result.stderr.split()).split("error ") if line][:2]
    assert said[0].strip() == (
        f"{bad}:46:39: terms[1].zone.regions[0]: unknown region 'Donetsc': nearest known "
        "names: Donetsk"
    )
    assert said[1].startswith(
        f"{bad}:158:5: terms[12]: issue 'amnesty': term humanitarian.amnesty (line 147) "
        "selects full but term humanitarian.prisoners (line 158) selects none"
    )
