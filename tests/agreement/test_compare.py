"""The comparison shows every area for every plan, and what each says."""

from __future__ import annotations

from accord.agreement import Area, parse_agreement
from accord.agreement.compare import CellState, compare
from accord.plans import load_all


def test_every_area_appears_for_every_shipped_plan() -> None:
    plans = load_all()
    comparison = compare(plans)
    for area in Area:
        rows = comparison.rows_in(area)
        assert rows, f"no row for {area}"
        for index, plan in enumerate(plans):
            states = {row.cells[index].state for row in rows}
            if plan.open_note(area):
                assert states == {CellState.open}
            else:
                assert CellState.terms in states, f"{plan.id} shows nothing for {area}"


def test_cells_hold_the_plans_terms(minimal_yaml: str) -> None:
    plan = parse_agreement(minimal_yaml, "a.yaml")
    comparison = compare([plan], [Area.ceasefire, Area.security])
    assert [(r.area, r.issue) for r in comparison.rows] == [
        (Area.ceasefire, "dmz"),
        (Area.security, ""),
    ]
    dmz = comparison.rows[0].cells[0]
    assert dmz.state is CellState.terms
    assert dmz.short() == "Full DMZ"
    assert dmz.full() == "A full DMZ five miles wide along the line of contact."
    security = comparison.rows[1].cells[0]
    assert security.full() == "Open: The document is silent on Ukraine's security."
    assert security.short() == "open"


def test_sequencing_lists_deals() -> None:
    dp = next(p for p in load_all() if p.id == "defense-priorities-2025")
    row = compare([dp], [Area.sequencing]).rows[0]
    labels = [e.label for e in row.cells[0].entries]
    assert labels[0] == "ceasefire (UA-RU)"
    assert "us-ukraine (US-EUR-UA) after ceasefire" in labels
