"""Every output format is complete; the terminal view fits 80 columns."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest

from accord.agreement.compare import compare
from accord.plans import load_all
from accord.report.compare import render


@pytest.fixture(scope="module")
def comparison():  # type: ignore[no-untyped-def]
    return compare(load_all())


def test_text_fits_80_columns_and_names_every_plan(comparison) -> None:  # type: ignore[no-untyped-def]
    text = render(comparison, "text", width=80)
    assert max(len(line) for line in text.splitlines()) <= 80
    for plan in comparison.plans:
        assert plan.id in text
    assert "Sequencing" in text


def test_csv_has_one_column_per_plan_and_full_text(comparison) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.reader(io.StringIO(render(comparison, "csv"))))
    assert rows[0] == ["area", "issue", *(p.id for p in comparison.plans)]
    assert len(rows) == len(comparison.rows) + 1
    dmz = next(r for r in rows if r[1] == "dmz")
    dp = rows[0].index("defense-priorities-2025")
    assert "five miles" in dmz[dp]


def test_json_round_trips(comparison) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(render(comparison, "json"))
    assert [p["id"] for p in data["plans"]] == [p.id for p in comparison.plans]
    assert {r["area"] for r in data["rows"]} == {
        "territory",
        "ceasefire",
        "security",
        "relations",
        "assurances",
        "economic",
        "humanitarian",
        "sequencing",
    }


def test_markdown_tables_are_well_formed(comparison) -> None:  # type: ignore[no-untyped-def]
    lines = [line for line in render(comparison, "markdown").splitlines() if line.startswith("|")]
    columns = {line.replace("\\|", "").count("|") for line in lines}
    assert columns == {len(comparison.plans) + 2}


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tables += tag == "table"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_has_a_table_per_area_and_escapes(comparison) -> None:  # type: ignore[no-untyped-def]
    parser = _Cells()
    parser.feed(render(comparison, "html"))
    assert parser.tables == 1 + len({r.area for r in comparison.rows})
    assert "Ukraine's security" in "".join(parser.text)


def test_unknown_format(comparison) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown format 'pdf'; use one of text, markdown"):
        render(comparison, "pdf")
