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

from accord.cli.common import EdgeOption, console, err_console, user_errors, write_or_print
from accord.geo import derive
from accord.geo.borders import load_borders
from accord.geo.classify import ZoneIndex
from accord.geo.control import control_for, load_control
from accord.geo.export import format_for, write_collection
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
GisOutput = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the zones and the line to this file: .geojson, .gpkg, .fgb or .kml.",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _date(text: str | None, what: str = "--date") -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what}: '{text}' is not a date; write YYYY-MM-DD") from None


def _line(
    control: str | None, date: dt.date | None, tolerance_km: float, edge: float | None = None
) -> LineOfContact:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = line_of_contact(control_for(control, date, edge), tolerance_km=tolerance_km)
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
    edge_uncertainty_m: EdgeOption = None,
    output: Output = None,
    as_json: AsJson = False,
) -> None:
    """Length of the line of contact (main part and all parts) and the area each side holds."""
    with user_errors():
        line = _line(control, _date(date), tolerance_km, edge_uncertainty_m)
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
    edge_uncertainty_m: EdgeOption = None,
    output: GisOutput = None,
) -> None:
    """Compile an agreement's zones on a control map; print their areas; write them and the
    line of contact as GeoJSON, GeoPackage, FlatGeobuf or KML."""
    from accord.plans import load_plan

    with user_errors():
        if output and output != "-":
            format_for(output)  # refuse an unknown extension before any work
        plan = load_plan(agreement)
        line = _line(control, _date(date), tolerance_km, edge_uncertainty_m)
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
        collection = zones_geojson(zones, meta, line)
        if output == "-":
            write_or_print(json.dumps(collection), None)
            return
        with user_errors():
            write_collection(collection, output)
        err_console.print(f"wrote {output}", highlight=False)


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


def _compile(
    agreement: str, control: str | None, date: str | None, kinds: str, edge: float | None
) -> ZoneIndex:
    from accord.plans import load_plan

    plan = load_plan(agreement)
    line = _line(control, _date(date), DEFAULT_TOLERANCE_KM, edge)
    zones, _ = zones_from_agreement(plan, line)
    wanted = {k.strip() for k in kinds.split(",")}
    chosen: list[Zone] = [z for z in zones if z.kind in wanted]
    if not chosen:
        raise ValueError(f"--kinds {kinds}: the agreement has no zones of these kinds")
    return ZoneIndex.build(chosen)


@app.command("edges")
def edges_cmd(
    reference: Annotated[
        str, typer.Option("--reference", "-r", help="The map the control map was derived from.")
    ],
    agreement: Annotated[
        str, typer.Option("--agreement", "-a", help="Plan id or file.")
    ] = "defense-priorities-2025",
    control: Control = None,
    step_m: Annotated[float, typer.Option(help="Spacing of the points measured.", min=1.0)] = 100.0,
    as_json: AsJson = False,
) -> None:
    """How far each DMZ's edge on the control map lies from the same DMZ drawn on the
    reference map: percentiles over points every STEP_M metres along the edge."""
    from accord.plans import load_plan

    with user_errors():
        plan = load_plan(agreement)
        ours, _ = zones_from_agreement(plan, _line(control, None, DEFAULT_TOLERANCE_KM))
        theirs, _ = zones_from_agreement(plan, _line(reference, None, DEFAULT_TOLERANCE_KM))
    drawn = {z.id: z for z in theirs if z.kind == "dmz"}
    rows = []
    for zone in ours:
        if zone.id not in drawn:
            continue
        off = derive.edge_offsets(zone.geometry, drawn[zone.id].geometry, step_m)
        p50, p95 = np.percentile(off, [50, 95]) if off.size else (0.0, 0.0)
        rows.append({
            "zone": zone.id, "points": int(off.size), "p50_m": round(float(p50), 1),
            "p95_m": round(float(p95), 1), "max_m": round(float(off.max(initial=0.0)), 1),
            "stated_m": zone.edge_uncertainty_m,
        })  # fmt: skip
    if as_json:
        write_or_print(json.dumps(rows, indent=2), None)
        return
    table = Table(title=f"DMZ edges of {plan.id}: control map against {reference}")
    for col in ("zone", "points", "p50_m", "p95_m", "max_m", "stated_m"):
        table.add_column(col, justify="left" if col == "zone" else "right")
    for row in rows:
        table.add_row(*(f"{v:,}" if not isinstance(v, str) else v for v in row.values()))
    console.print(table)


@app.command("compile")
def compile_cmd(
    agreement: Annotated[str, typer.Option("--agreement", "-a", help="Plan id or file.")],
    output: Annotated[str, typer.Option("--output", "-o", help="Index file (.npz).")],
    control: Control = None,
    date: DateOpt = None,
    edge_uncertainty_m: EdgeOption = None,
    kinds: Annotated[
        str, typer.Option("--kinds", help="Zone kinds to index, comma separated.")
    ] = "side,dmz,band",
) -> None:
    """Compile an agreement's zones into a point classifier index and save it."""
    with user_errors():
        start = time.perf_counter()
        index = _compile(agreement, control, date, kinds, edge_uncertainty_m)
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
    out: Annotated[Path, typer.Option(help="Folder for the derived files.")],
    natural_earth: Annotated[
        Path | None, typer.Option(help="Natural Earth 1:50m admin-0 GeoJSON.")
    ] = None,
    control: Annotated[Path | None, typer.Option(help="DeepStateMap snapshot to simplify.")] = None,
    admin1: Annotated[
        list[Path] | None,
        typer.Option(help="Natural Earth 1:10m admin-1 GeoJSON (world file or per country)."),
    ] = None,
    marine: Annotated[
        Path | None, typer.Option(help="Natural Earth 1:50m geography_marine_polys GeoJSON.")
    ] = None,
) -> None:
    """Re-make the shipped data: each source given re-makes its file (countries, control
    map, regions, seas); regions and seas are cut to the shipped countries."""
    with user_errors():
        if not (natural_earth or control or admin1 or marine):
            raise ValueError("give at least one of --natural-earth, --control, --admin1, --marine")
        out.mkdir(parents=True, exist_ok=True)
        files: dict[str, dict[str, Any]] = {}
        if natural_earth:
            files["countries_50m_europe.geojson"] = derive.trim_countries(natural_earth)
        if control:
            cmap = load_control(control)
            day = cmap.date.isoformat() if cmap.date else "undated"
            name = f"control_{day.replace('-', '')}.geojson"
            files[name] = derive.control_collection(cmap.area, day)
        if admin1:
            files["regions.geojson"] = derive.regions_collection(
                admin1,
                {iso: load_borders().country(iso) for iso in derive.SHIPPED_REGIONS},
                derive.REGIONS_SIMPLIFY_M,
            )
        if marine:
            files["seas.geojson"] = derive.seas_collection(
                marine,
                shapely.union_all([c.geometry for c in load_borders().countries.values()]),
                derive.SEAS_SIMPLIFY_M,
            )
        for name, doc in files.items():
            (out / name).write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
            console.print(f"wrote {out / name}", highlight=False)
