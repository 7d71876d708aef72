"""`accord geo`: the line of contact, zones from an agreement, change over time, classifier."""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
import warnings
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import shapely
import typer
from rich.table import Table
from shapely.geometry import mapping

from accord.cli.common import console, err_console, user_errors, write_or_print
from accord.geo import derive
from accord.geo.borders import load_borders
from accord.geo.classify import ZoneIndex
from accord.geo.control import control_for, load_control
from accord.geo.line import DEFAULT_TOLERANCE_KM, LineOfContact, change, line_of_contact
from accord.geo.zones import Zone, zones_from_agreement, zones_geojson

app = typer.Typer(help="Geography: line of contact, zones, change over time, point classifier.")

Control = Annotated[
    str | None,
    typer.Option(
        "--control",
        "-c",
        help="Control map file, or a folder of dated maps (*_YYYYMMDD.geojson); "
        "default: the shipped 2026-08-22 map.",
    ),
]
DateOpt = Annotated[
    str | None, typer.Option("--date", "-d", help="Map date YYYY-MM-DD (latest on or before).")
]
Tolerance = Annotated[
    float,
    typer.Option("--tolerance-km", help="Corridor around borders and coasts not counted as line."),
]
Output = Annotated[str | None, typer.Option("--output", "-o", help="Write GeoJSON to this file.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _date(text: str | None, what: str = "--date") -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what}: '{text}' is not a date; write YYYY-MM-DD") from None


def _line(control: str | None, date: dt.date | None, tolerance_km: float) -> LineOfContact:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = line_of_contact(control_for(control, date), tolerance_km=tolerance_km)
    for warning in caught:
        err_console.print(f"[yellow]warning[/yellow] {warning.message}", highlight=False)
    for repair in line.control.repairs:
        err_console.print(f"[yellow]repaired[/yellow] {repair}", highlight=False)
    return line


def _print_summary(summary: dict[str, Any], title: str) -> None:
    table = Table(title=title, show_header=False)
    for key, value in summary.items():
        table.add_row(key, f"{value:,}" if isinstance(value, int | float) else str(value))
    console.print(table)


@app.command("line")
def line_cmd(
    control: Control = None,
    date: DateOpt = None,
    tolerance_km: Tolerance = DEFAULT_TOLERANCE_KM,
    output: Output = None,
    as_json: AsJson = False,
) -> None:
    """Length of the line of contact (main part and all parts) and the area each side holds."""
    with user_errors():
        line = _line(control, _date(date), tolerance_km)
    summary = line.summary()
    if as_json:
        write_or_print(json.dumps(summary, indent=2), None)
    else:
        _print_summary(summary, "Line of contact")
    if output:
        features = [
            {
                "type": "Feature",
                "properties": {"main": part.equals(line.main), **summary},
                "geometry": mapping(part),
            }
            for part in shapely.get_parts(line.lines)
        ]
        write_or_print(json.dumps({"type": "FeatureCollection", "features": features}), output)


@app.command("zones")
def zones_cmd(
    agreement: Annotated[str, typer.Option("--agreement", "-a", help="Plan id or file.")],
    control: Control = None,
    date: DateOpt = None,
    tolerance_km: Tolerance = DEFAULT_TOLERANCE_KM,
    output: Output = None,
) -> None:
    """Compile an agreement's zones on a control map; print their areas, write GeoJSON."""
    from accord.plans import load_plan

    with user_errors():
        plan = load_plan(agreement)
        line = _line(control, _date(date), tolerance_km)
        zones, notes = zones_from_agreement(plan, line)
    table = Table(title=f"Zones of {plan.id} on the map of {line.date}")
    for col in ("term", "kind", "binds", "area km2", "detail"):
        table.add_column(col, justify="right" if col == "area km2" else "left")
    for zone in zones:
        detail = {
            k: zone.properties[k]
            for k in ("width_km", "distance_km", "along", "side", "regions", "held_by", "on",
                      "regime", "note")
            if zone.properties.get(k) is not None
        }  # fmt: skip
        # A ceasefire line is a line: its measure is its length.
        size = f"{zone.area_km2:,.0f}"
        if zone.kind == "ceasefire_line":
            size = f"{zone.properties['length_km']:,.0f} km long"
        table.add_row(zone.id, zone.kind, ",".join(zone.binds), size, str(detail))
    console.print(table)
    console.print(f"line of contact: {line.main_length_km:,.1f} km main part, "
                  f"{line.length_km:,.1f} km all parts; {line.basis}", highlight=False)  # fmt: skip
    for note in notes:
        err_console.print(f"[yellow]not drawn[/yellow] {note}", highlight=False)
    if output:
        meta = {"agreement": plan.id, "line": line.summary(), "notes": notes}
        write_or_print(json.dumps(zones_geojson(zones, meta)), output)


@app.command("change")
def change_cmd(
    date1: Annotated[str, typer.Argument(help="Earlier date, YYYY-MM-DD.")],
    date2: Annotated[str, typer.Argument(help="Later date, YYYY-MM-DD.")],
    control: Annotated[
        str, typer.Option("--control", "-c", help="Folder of dated control maps.")
    ] = ".",
    tolerance_km: Tolerance = DEFAULT_TOLERANCE_KM,
    as_json: AsJson = False,
) -> None:
    """Area that changed hands between two dates, by direction, and how far the line moved."""
    with user_errors():
        before = _line(control, _date(date1, "DATE1"), tolerance_km)
        after = _line(control, _date(date2, "DATE2"), tolerance_km)
        moved = change(before, after)
    summary: dict[str, Any] = {"from": str(before.date), "to": str(after.date), **moved.summary()}
    if as_json:
        write_or_print(json.dumps(summary, indent=2), None)
    else:
        _print_summary(summary, "Change of the line of contact")


def _compile(agreement: str, control: str | None, date: str | None, kinds: str) -> ZoneIndex:
    from accord.plans import load_plan

    plan = load_plan(agreement)
    line = _line(control, _date(date), DEFAULT_TOLERANCE_KM)
    zones, _ = zones_from_agreement(plan, line)
    wanted = {k.strip() for k in kinds.split(",")}
    chosen: list[Zone] = [z for z in zones if z.kind in wanted]
    if not chosen:
        raise ValueError(f"--kinds {kinds}: the agreement has no zones of these kinds")
    return ZoneIndex.build(chosen)


@app.command("compile")
def compile_cmd(
    agreement: Annotated[str, typer.Option("--agreement", "-a", help="Plan id or file.")],
    output: Annotated[str, typer.Option("--output", "-o", help="Index file (.npz).")],
    control: Control = None,
    date: DateOpt = None,
    kinds: Annotated[
        str, typer.Option("--kinds", help="Zone kinds to index, comma separated.")
    ] = "side,dmz,band",
) -> None:
    """Compile an agreement's zones into a point classifier index and save it."""
    with user_errors():
        start = time.perf_counter()
        index = _compile(agreement, control, date, kinds)
        index.save(output)
    console.print(
        f"{len(index.zone_ids)} zones ({', '.join(index.zone_ids)}), "
        f"{index.nbytes / 1e6:.1f} MB, {time.perf_counter() - start:.1f} s; wrote {output}",
        highlight=False,
    )


@app.command("classify")
def classify_cmd(
    index_file: Annotated[Path, typer.Argument(help="Index made by `accord geo compile`.")],
    points: Annotated[Path, typer.Argument(help="CSV with lon and lat columns.")],
    output: Annotated[str | None, typer.Option("--output", "-o", help="CSV out.")] = None,
) -> None:
    """Zones and side of the line for each point of a CSV (adds zones, mask, side columns)."""
    with user_errors():
        index = ZoneIndex.load(index_file)
        with points.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        if rows and not {"lon", "lat"} <= rows[0].keys():
            raise ValueError(f"{points}: needs columns 'lon' and 'lat', has {list(rows[0])}")
        try:
            lon = np.array([float(r["lon"]) for r in rows])
            lat = np.array([float(r["lat"]) for r in rows])
        except ValueError as exc:
            raise ValueError(f"{points}: lon/lat must be numbers ({exc})") from None
    result = index.classify(lon, lat)
    sides = {0: "", 1: "UA", 2: "RU"}
    lines = []
    for row, mask, side in zip(rows, result.mask, result.side, strict=True):
        names = [z for i, z in enumerate(index.zone_ids) if int(mask) >> i & 1]
        lines.append({**row, "zones": ";".join(names), "mask": int(mask), "side": sides[side]})
    fields = [*(rows[0].keys() if rows else ["lon", "lat"]), "zones", "mask", "side"]
    text = (
        ",".join(fields) + "\n" + "".join(",".join(str(r[f]) for f in fields) + "\n" for r in lines)
    )
    write_or_print(text, output)


@app.command("derive")
def derive_cmd(
    natural_earth: Annotated[Path, typer.Option(help="Natural Earth 1:50m admin-0 GeoJSON.")],
    control: Annotated[Path, typer.Option(help="DeepStateMap snapshot to simplify.")],
    admin1: Annotated[
        list[Path],
        typer.Option(help="Natural Earth 1:10m admin-1 GeoJSON (world file or per country)."),
    ],
    marine: Annotated[
        Path, typer.Option(help="Natural Earth 1:50m geography_marine_polys GeoJSON.")
    ],
    out: Annotated[Path, typer.Option(help="Folder for the derived files.")],
) -> None:
    """Re-make the shipped data (trimmed countries, control map, regions, seas)."""
    with user_errors():
        out.mkdir(parents=True, exist_ok=True)
        countries = derive.trim_countries(natural_earth)
        cmap = load_control(control)
        simple = derive.simplify_control(
            cmap.area, derive.SHIPPED_SIMPLIFY_M, derive.SHIPPED_MIN_AREA_KM2
        )
        day = cmap.date.isoformat() if cmap.date else "undated"
        props = {
            "date": day,
            "derived_from": f"DeepStateMap (deepstatemap.live), GPL-3.0, snapshot of {day}",
            "by": f"accord: simplified {derive.SHIPPED_SIMPLIFY_M:.0f} m, pockets under "
            f"{derive.SHIPPED_MIN_AREA_KM2:.0f} km2 dropped",
        }
        files = {
            "countries_50m_europe.geojson": countries,
            f"control_{day.replace('-', '')}.geojson": derive.feature_collection(simple, props),
            "regions.geojson": derive.regions_collection(
                admin1,
                {iso: load_borders().country(iso) for iso in derive.SHIPPED_REGIONS},
                derive.REGIONS_SIMPLIFY_M,
            ),
            "seas.geojson": derive.seas_collection(
                marine,
                shapely.union_all([c.geometry for c in load_borders().countries.values()]),
                derive.SEAS_SIMPLIFY_M,
            ),
        }
        for name, doc in files.items():
            (out / name).write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
            console.print(f"wrote {out / name}", highlight=False)
