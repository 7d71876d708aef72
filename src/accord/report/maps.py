"""Static maps of the line of contact and an agreement's zones (matplotlib).

Drawn from the shipped Natural Earth, regions, gazetteer and control data only,
so a printed or offline report needs no tile server. The legend is written from
each zone's own data (its kind, width, border, regions), the scale bar is
measured on the ellipsoid at the map's latitude, and the colours are the
Okabe-Ito palette, readable with any colour vision and none of them a party's
flag colour; the two sides are neutral greys.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry

from accord.geo import Borders, LineOfContact, Zone
from accord.geo.geodesy import GEOD, KM_PER_DEGREE
from accord.geo.labels import legend_label
from accord.geo.places import Place, load_places
from accord.geo.regions import load_regions

# Okabe-Ito colours by zone kind, as the dashboard draws them (the DMZ bluish
# green); the sides are greys, drawn first, under the rest.
ZONE_STYLE: dict[str, dict[str, Any]] = {
    "side.UA": {"facecolor": "#f0f0f0", "alpha": 1.0},
    "side.RU": {"facecolor": "#c9c9c9", "alpha": 1.0, "hatch": "///"},
    "dmz": {"facecolor": "#009E73", "alpha": 0.85},
    "band": {"facecolor": "#56B4E9", "alpha": 0.35},
    "exclusion": {"facecolor": "#0072B2", "alpha": 0.20},
    "region": {"facecolor": "#999999", "alpha": 0.25},
    "held_area": {"facecolor": "#F0E442", "alpha": 0.45},
}
# Incidents by party: the dashboard's neutral colours (not the friend/hostile blue
# and red), each with its own shape too, so the map reads in grey print as well.
PARTY_MARKERS: dict[str, tuple[str, str]] = {
    "UA": ("#E69F00", "o"),
    "RU": ("#CC79A7", "s"),
    "": ("#BBBBBB", "D"),
}
LINE_COLOUR = "#000000"
# Zones larger than this cover whole countries (a ban on foreign forces in
# Ukraine and Russia, missiles out of Europe): listed, not shaded, so the map
# stays readable.
MAX_SHADED_KM2 = 1_500_000.0
TOWNS = 14
SCALE_BAR_GID = "scale-bar"
TOWN_GID = "town"
_NICE_KM = (10, 20, 25, 50, 100, 150, 200, 250, 300, 500, 1000)


def shaded(zones: Sequence[Zone]) -> list[Zone]:
    """The zones a map shades: sides first, then the rest largest first, so that narrow
    zones (a DMZ) lie on top of wide ones."""
    kept = [z for z in zones if z.area_km2 <= MAX_SHADED_KM2 or z.kind == "side"]
    return sorted(kept, key=lambda z: (z.kind != "side", -z.area_km2 if z.kind != "side" else 0))


def _style(zone: Zone) -> dict[str, Any]:
    key = f"side.{zone.properties.get('side')}" if zone.kind == "side" else zone.kind
    return ZONE_STYLE.get(key, ZONE_STYLE["exclusion"])


def _patch(geometry: BaseGeometry, **style: Any) -> PathPatch | None:
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


def _lines(ax: Axes, geometry: BaseGeometry, **style: Any) -> None:
    for part in shapely.get_parts(geometry):
        if part.geom_type in ("LineString", "LinearRing"):
            x, y = part.xy
            ax.plot(x, y, **style)


def crop(
    line: LineOfContact, zones: Sequence[Zone], margin: float = 0.05
) -> tuple[float, float, float, float]:
    """The map's box: the line, Ukraine's side and every shaded zone's part within the
    line's theatre (the two sides), widened by `margin` of its size on each side."""
    theatre = shapely.union_all([z.geometry for z in zones if z.kind == "side"])
    parts = [line.lines, *(z.geometry for z in zones if z.properties.get("side") == "UA")]
    if not theatre.is_empty:
        parts += [shapely.intersection(z.geometry, theatre) for z in zones if z.kind != "side"]
    west, south, east, north = shapely.total_bounds([p for p in parts if not p.is_empty])
    dx, dy = (east - west) * margin, (north - south) * margin
    return (west - dx, south - dy, east + dx, north + dy)


def scale_bar_km(extent: tuple[float, float, float, float]) -> float:
    """A round length near a fifth of the map's width at its middle latitude."""
    west, south, east, north = extent
    lat = (south + north) / 2
    width_km = GEOD.inv(west, lat, east, lat)[2] / 1000.0
    return max((k for k in _NICE_KM if k <= width_km / 5), default=_NICE_KM[0])


def span_deg(lon: float, lat: float, km: float) -> float:
    """Degrees of longitude eastward from (lon, lat) that make `km` on the ellipsoid."""
    deg = km / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    for _ in range(3):  # the distance grows in proportion, so this converges at once
        deg *= km * 1000.0 / GEOD.inv(lon, lat, lon + deg, lat)[2]
    return deg


def _scale_bar(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    west, south, east, north = extent
    km = scale_bar_km(extent)
    lon0, lat = west + (east - west) * 0.04, south + (north - south) * 0.05
    lon1 = lon0 + span_deg(lon0, lat, km)
    (bar,) = ax.plot([lon0, lon1], [lat, lat], color="black", linewidth=3, solid_capstyle="butt")
    bar.set_gid(SCALE_BAR_GID)
    bar.set_label(f"{km:g} km")
    ax.text(
        (lon0 + lon1) / 2,
        lat + (north - south) * 0.012,
        f"{km:g} km",
        ha="center",
        va="bottom",
        fontsize=7,
    )


def towns(
    extent: tuple[float, float, float, float], limit: int = TOWNS, spacing: float = 0.07
) -> list[Place]:
    """The most populous places in the box, skipping any closer to one already chosen
    than `spacing` of the map's width, so their labels do not pile up."""
    west, south, east, north = extent
    gap = (east - west) * spacing
    aspect = 1 / math.cos(math.radians((south + north) / 2))
    chosen: list[Place] = []
    for place in load_places().within(extent):
        if len(chosen) >= limit:
            break
        if all(math.hypot(place.lon - c.lon, (place.lat - c.lat) * aspect) > gap for c in chosen):
            chosen.append(place)
    return chosen


def _base(ax: Axes, borders: Borders, extent: tuple[float, float, float, float]) -> None:
    view = shapely.box(*extent)
    for country in borders.countries.values():
        patch = _patch(
            country.geometry.intersection(view),
            facecolor="#fbfaf7",
            edgecolor="#6f6f6f",
            linewidth=0.7,
        )
        if patch is not None:
            ax.add_patch(patch)


def _oblasts(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    view = shapely.box(*extent)
    for region in load_regions().values():
        if region.geometry.intersects(view):
            edge = shapely.intersection(region.geometry.boundary, view)
            _lines(ax, edge, color="#8c8c8c", linewidth=0.35, linestyle=(0, (3, 2)))


def draw_zones(
    line: LineOfContact,
    zones: Sequence[Zone],
    borders: Borders,
    title: str,
    *,
    lang: str = "en",
    town_count: int = TOWNS,
    party_names: Mapping[str, str] | None = None,
) -> Figure:
    """The line and the zones on one map cropped to them, with oblast borders, towns
    (names in `lang`), a scale bar and a legend in words; zones covering whole
    countries are listed beneath instead of shaded."""
    kept = shaded(zones)
    extent = crop(line, kept)
    west, south, east, north = extent
    lat = (south + north) / 2
    fig = Figure(figsize=(10, 8))
    ax = fig.add_subplot()
    _base(ax, borders, extent)
    view = shapely.box(*extent)
    handles: dict[str, Patch | Line2D] = {}
    for zone in kept:
        style = _style(zone)
        patch = _patch(zone.geometry.intersection(view), edgecolor="none", **style)
        if patch is not None:
            ax.add_patch(patch)
            label = legend_label(zone, party_names)
            handles.setdefault(
                label, Patch(label=label, edgecolor="#555555", linewidth=0.3, **style)
            )
    _oblasts(ax, extent)
    _lines(ax, line.lines, color=LINE_COLOUR, linewidth=0.6, linestyle=(0, (2, 1)))
    _lines(ax, line.main, color=LINE_COLOUR, linewidth=1.6)
    handles["Line of contact"] = Line2D(
        [], [], color=LINE_COLOUR, linewidth=1.6, label=f"Line of contact, {line.date}"
    )
    if len(shapely.get_parts(line.lines)) > 1:
        handles["pieces"] = Line2D(
            [],
            [],
            color=LINE_COLOUR,
            linewidth=0.6,
            linestyle=(0, (2, 1)),
            label="Line of contact: pieces along coasts and borders",
        )
    for place in towns(extent, town_count):
        (dot,) = ax.plot(place.lon, place.lat, "o", color="#333333", markersize=2.5)
        dot.set_gid(TOWN_GID)
        ax.annotate(
            place.label(lang),
            (place.lon, place.lat),
            xytext=(3, 2),
            textcoords="offset points",
            fontsize=6.5,
            color="#222222",
        )
    _scale_bar(ax, extent)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians(lat)))  # shapes right at the map's latitude
    ax.tick_params(labelsize=7)
    ax.set_title(title, fontsize=11, loc="left")
    for zone in _inset(fig, ax, borders, kept, extent):
        label = legend_label(zone, party_names)
        handles.setdefault(
            label, Patch(label=f"{label} (see overview)", edgecolor="none", **_style(zone))
        )
    ax.legend(handles=list(handles.values()), fontsize=7, loc="upper left", framealpha=0.9)
    listed = [legend_label(z, party_names) for z in zones if z not in kept]
    notes = [line.basis]
    if listed:
        notes.insert(0, "Also in force, too large to shade: " + "; ".join(dict.fromkeys(listed)))
    fig.text(0.01, 0.005, "\n".join(notes), fontsize=6.5, wrap=True)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def _inset(
    fig: Figure,
    ax: Axes,
    borders: Borders,
    zones: Sequence[Zone],
    extent: tuple[float, float, float, float],
) -> list[Zone]:
    """A small overview where shaded zones reach beyond the map, with the map's box;
    returns the zones it shows."""
    outside = [
        z for z in zones if z.kind != "side" and not shapely.box(*extent).contains(z.geometry)
    ]
    if not outside:
        return []
    west, south, east, north = shapely.total_bounds(
        [shapely.box(*extent), *(z.geometry for z in outside)]
    )
    inset = ax.inset_axes((0.72, 0.0, 0.28, 0.32))
    for country in borders.countries.values():
        patch = _patch(
            country.geometry.intersection(shapely.box(west, south, east, north)),
            facecolor="#fbfaf7",
            edgecolor="#9a9a9a",
            linewidth=0.3,
        )
        if patch is not None:
            inset.add_patch(patch)
    for zone in outside:
        patch = _patch(zone.geometry, edgecolor="none", **_style(zone))
        if patch is not None:
            inset.add_patch(patch)
    inset.add_patch(
        Rectangle(
            (extent[0], extent[1]),
            extent[2] - extent[0],
            extent[3] - extent[1],
            fill=False,
            edgecolor="black",
            linewidth=0.8,
        )
    )
    inset.set_xlim(west, east)
    inset.set_ylim(south, north)
    inset.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_title("Overview", fontsize=6)
    return outside


def to_png(fig: Figure, dpi: int = 130) -> bytes:
    """A figure as PNG bytes, cropped to what it draws."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()
