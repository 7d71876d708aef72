"""Static maps of the line of contact and an agreement's zones (matplotlib).

Drawn from the shipped Natural Earth and control data only, so a printed or
offline report needs no tile server.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry

from accord.geo import Borders, LineOfContact, Zone

# Colours by zone kind; sides are drawn first, lighter, under everything else.
ZONE_STYLE: dict[str, dict[str, object]] = {
    "side.RU": {"facecolor": "#e8b4a9", "alpha": 0.55},
    "side.UA": {"facecolor": "#c9dbe9", "alpha": 0.35},
    "dmz": {"facecolor": "#f2c14e", "alpha": 0.85},
    "band": {"facecolor": "#9b72aa", "alpha": 0.25},
    "exclusion": {"facecolor": "#7a7a7a", "alpha": 0.12},
    "region": {"facecolor": "#5b8c5a", "alpha": 0.30},
}


def _patch(geometry: BaseGeometry, **style: object) -> PathPatch | None:
    """One patch for a (multi)polygon, holes included."""
    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    move, line_to, close = int(MplPath.MOVETO), int(MplPath.LINETO), int(MplPath.CLOSEPOLY)
    for polygon in shapely.get_parts(geometry):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            coords = list(ring.coords)
            vertices.extend(coords)
            codes.extend([move] + [line_to] * (len(coords) - 2) + [close])
    if not vertices:
        return None
    return PathPatch(MplPath(vertices, codes), **style)


def _lines(ax: Axes, geometry: BaseGeometry, **style: object) -> None:
    for part in shapely.get_parts(geometry):
        if part.geom_type == "LineString":
            x, y = part.xy
            ax.plot(x, y, **style)  # type: ignore[arg-type]


# Zones larger than this cover whole countries (a ban on foreign forces in
# Ukraine and Russia, missiles out of Europe): listed, not shaded, so the map
# stays readable.
MAX_SHADED_KM2 = 1_500_000.0
# Overview of the theatre and NATO's eastern border: lon, lat limits.
OVERVIEW = (19.0, 43.0, 46.0, 61.0)


def shaded(zones: Sequence[Zone]) -> list[Zone]:
    """The zones a map shades, sides first so the others lie on top."""
    kept = [z for z in zones if z.area_km2 <= MAX_SHADED_KM2 or z.id.startswith("side.")]
    return sorted(kept, key=lambda z: not z.id.startswith("side."))


def _draw(
    ax: Axes,
    line: LineOfContact,
    zones: Sequence[Zone],
    borders: Borders,
    extent: tuple[float, float, float, float],
) -> list[str]:
    west, south, east, north = extent
    view = shapely.box(west, south, east, north)
    for country in borders.countries.values():
        patch = _patch(
            country.geometry.intersection(view),
            facecolor="#f4f2ec",
            edgecolor="#9a958a",
            linewidth=0.5,
        )
        if patch is not None:
            ax.add_patch(patch)
    drawn = []
    for zone in zones:
        style = ZONE_STYLE.get(zone.id) or ZONE_STYLE.get(zone.kind, ZONE_STYLE["exclusion"])
        patch = _patch(zone.geometry.intersection(view), edgecolor="none", **style)
        if patch is not None:
            ax.add_patch(patch)
            drawn.append(_legend_key(zone))
    _lines(ax, line.lines, color="#8b1a1a", linewidth=0.6)
    _lines(ax, line.main, color="#8b1a1a", linewidth=1.4)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / 0.66)  # about 1/cos(49 N): keeps shapes right in lon/lat
    ax.tick_params(labelsize=7)
    return drawn


def draw_zones(line: LineOfContact, zones: Sequence[Zone], borders: Borders, title: str) -> Figure:
    """Two panels: the theatre with NATO's eastern border, and the line close up."""
    fig = Figure(figsize=(12, 6.6))
    overview, close = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.25]})
    kept = shaded(zones)
    drawn = _draw(overview, line, kept, borders, OVERVIEW)
    west, south, east, north = line.main.bounds
    margin = 0.6
    drawn += _draw(
        close, line, kept, borders, (west - margin, south - margin, east + margin, north + margin)
    )
    overview.set_title(title, fontsize=11, loc="left")
    close.set_title(
        f"Line of contact, {line.date}: {line.main_length_km:,.0f} km main part (bold)",
        fontsize=9,
        loc="left",
    )
    fig.text(0.01, 0.01, line.basis, fontsize=7)
    handles = [
        Patch(label=name, edgecolor="none", **ZONE_STYLE.get(name, ZONE_STYLE["exclusion"]))  # type: ignore[arg-type]
        for name in dict.fromkeys(drawn)
    ]
    overview.legend(handles=handles, fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def _legend_key(zone: Zone) -> str:
    return zone.id if zone.id in ZONE_STYLE else zone.kind


def to_png(fig: Figure, dpi: int = 130) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def to_svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    return buffer.getvalue()
