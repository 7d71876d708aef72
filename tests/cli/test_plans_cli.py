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
    result = runner.invoke(app, ["run", "-o", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert "Safeguarding U.S. Interests" in (out / "plans-compared.html").read_text()
    assert "Reports written to" in result.stdout
    assert "1 of 7 plans acceptable to every party (defense-priorities-2025)" in " ".join(
        result.stdout.split()
    )
    zones = json.loads((out / "zones.geojson").read_text())
    dmz = next(f for f in zones["features"] if f["properties"]["term"] == "ceasefire.dmz")
    assert 10_000 < dmz["properties"]["area_km2"] < 11_000
    assert (out / "zones-map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Rules on the map: defense-priorities-2025" in (out / "zones.html").read_text()
    assert "Negotiation analysis" in (out / "negotiation.html").read_text()
    report = json.loads((out / "monitoring.json").read_text())
    assert report["violations"] > 0 and 0 < report["detection_rate"] <= 1
    assert report["incidents"] > 0 and set(report["compliance"]) == {"RU", "UA"}
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
