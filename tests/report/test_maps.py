"""Printed maps: legend in words from the zones' data, a true scale bar, oblast borders,
towns inside the crop, and any shipped plan, not only Defense Priorities."""

from __future__ import annotations

import re

import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from accord.agreement import parse_agreement
from accord.geo import LineOfContact, line_of_contact, shipped_control, zones_from_agreement
from accord.geo.geodesy import GEOD
from accord.geo.labels import legend_label
from accord.geo.zones import borders_for
from accord.plans import load_plan
from accord.report.daily import incident_map
from accord.report.maps import (
    MAX_SHADED_KM2,
    PARTY_MARKERS,
    SCALE_BAR_GID,
    TOWN_GID,
    draw_zones,
    scale_bar_km,
    shaded,
    span_deg,
    to_png,
)

# An id: dotted or snake_case (side.UA, ceasefire.dmz, held_area), or a bare kind.
RAW_ID = re.compile(r"\b(dmz|[A-Za-z]+[._][A-Za-z_.]+)\b")
KINDS = {"side", "dmz", "band", "exclusion", "region", "held_area", "ceasefire_line"}


@pytest.fixture(scope="module")
def line() -> LineOfContact:
    return line_of_contact(shipped_control())


def _figure(plan_id: str, line: LineOfContact) -> tuple[Figure, list[str]]:
    plan = load_plan(plan_id)
    zones, _ = zones_from_agreement(plan, line)
    fig = draw_zones(line, zones, borders_for(plan), f"Zones of {plan_id}")
    ax = fig.axes[0]
    legend = ax.get_legend()
    return fig, [t.get_text() for t in legend.get_texts()]


def test_map_of_the_shipped_plan(line: LineOfContact) -> None:
    plan = load_plan("defense-priorities-2025")
    zones, _ = zones_from_agreement(plan, line)
    kept = shaded(zones)
    assert [z.id for z in kept][:2] == ["side.UA", "side.RU"]
    assert "ceasefire.dmz" in {z.id for z in kept}
    assert all(z.area_km2 <= MAX_SHADED_KM2 for z in kept if z.kind != "side")
    assert "assurances.foreign_forces" not in {z.id for z in kept}
    png = to_png(draw_zones(line, zones, borders_for(plan), "test"), dpi=40)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("plan_id", ["defense-priorities-2025", "mcfaul-2024", "russia-plan"])
def test_legend_is_in_words_with_no_raw_ids(line: LineOfContact, plan_id: str) -> None:
    _, texts = _figure(plan_id, line)
    assert "Ukrainian-held side" in texts and "Russian-held side" in texts
    assert any(t.startswith("Line of contact") for t in texts)
    for text in texts:
        assert not RAW_ID.search(text) and text not in KINDS, text


def test_dmz_and_band_labels_carry_their_measures(line: LineOfContact) -> None:
    _, texts = _figure("defense-priorities-2025", line)
    assert "Demilitarized zone (full), 5 mi wide, half on each side" in texts
    band = "Restricted band, 100 mi from the NATO-Russia border, on Russia's side"
    assert any(t.startswith(band) for t in texts)  # beyond the crop: in the overview


def test_legend_follows_a_plan_s_own_measures(line: LineOfContact) -> None:
    from tests.geo.test_zones import AGREEMENT

    zones, _ = zones_from_agreement(parse_agreement(AGREEMENT, "t.yaml"), line)
    labels = {z.id: legend_label(z) for z in zones}
    assert (
        labels["ceasefire.dmz"]
        == "Demilitarized zone (partial), 10 km wide, 60% Russia, 40% Ukraine"
    )
    assert labels["relations.band"] == (
        "Restricted band, 50 km from the NATO-Belarus border, on Belarus's side"
    )
    assert labels["territory.withdrawal"] == "Rules apply in: Kursk"


def test_scale_bar_is_true_on_the_ellipsoid(line: LineOfContact) -> None:
    fig, _ = _figure("mcfaul-2024", line)
    (bar,) = [a for a in fig.axes[0].lines if a.get_gid() == SCALE_BAR_GID]
    assert isinstance(bar, Line2D)
    (x0, x1), (y0, y1) = bar.get_xdata(), bar.get_ydata()
    km = float(bar.get_label().removesuffix(" km"))
    assert y0 == y1 and GEOD.inv(x0, y0, x1, y1)[2] / 1000 == pytest.approx(km, rel=1e-4)
    west, east = fig.axes[0].get_xlim()
    assert 0.1 < (x1 - x0) / (east - west) < 0.3


@pytest.mark.parametrize("lat", [0.0, 48.5, 65.0])
def test_span_makes_the_distance_at_any_latitude(lat: float) -> None:
    deg = span_deg(30.0, lat, 100.0)
    assert GEOD.inv(30.0, lat, 30.0 + deg, lat)[2] == pytest.approx(100_000, rel=1e-6)
    # A round length up to a fifth of the width at that latitude (20 degrees: 2,226 km at
    # the equator, 941 km at 65 N).
    width_km = GEOD.inv(20.0, lat, 40.0, lat)[2] / 1000
    assert width_km / 10 < scale_bar_km((20.0, lat - 5, 40.0, lat + 5)) <= width_km / 5


def test_towns_drawn_lie_inside_the_crop(line: LineOfContact) -> None:
    fig, _ = _figure("russia-plan", line)
    ax = fig.axes[0]
    west, east = ax.get_xlim()
    south, north = ax.get_ylim()
    dots = [a for a in ax.lines if a.get_gid() == TOWN_GID]
    assert len(dots) >= 8
    for dot in dots:
        (x,), (y,) = dot.get_xdata(), dot.get_ydata()
        assert west <= x <= east and south <= y <= north
    labels = {t.get_text() for t in ax.texts}
    assert "Kyiv" in labels or "Kharkiv" in labels


def test_crop_is_the_theatre_not_europe(line: LineOfContact) -> None:
    fig, _ = _figure("defense-priorities-2025", line)
    west, east = fig.axes[0].get_xlim()
    south, north = fig.axes[0].get_ylim()
    assert 21 < west < 23.5 and 43 < south < 45.5 and north < 54 and east < 45


def test_the_daily_map_marks_parties_apart_from_the_zones_and_keeps_both_legends() -> None:
    points = [(37.8, 48.6, "UA"), (37.9, 48.1, "RU"), (38.0, 47.9, "")]
    fig = incident_map("defense-priorities-2025", points, "test")
    ax = fig.axes[0]
    dots = [c for c in ax.collections if c.get_label().startswith("incidents:")]
    colours = {c.get_label(): to_hex(c.get_facecolor()[0]).upper() for c in dots}
    assert colours == {
        "incidents: UA": PARTY_MARKERS["UA"][0],
        "incidents: RU": PARTY_MARKERS["RU"][0],
        "incidents: undetermined": PARTY_MARKERS[""][0],
    }
    assert not {"#0000FF", "#FF0000"} & set(colours.values())
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["incidents: UA", "incidents: RU", "incidents: undetermined"]
    kept = [a for a in ax.artists if a is not ax.get_legend() and hasattr(a, "get_texts")]
    assert kept and any("Line of contact" in t.get_text() for t in kept[0].get_texts())
