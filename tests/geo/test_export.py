"""`accord geo zones -o` writes the zones and the line of contact in the format its
extension names, readable by GDAL, and refuses any other extension."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from accord.cli.geo import app
from accord.geo import LineOfContact, Zone
from accord.geo.export import FORMATS, format_for, write_collection
from accord.geo.zones import LINE_KIND, line_features, zones_geojson

runner = CliRunner()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Defense Priorities zones written once in each format."""
    folder = tmp_path_factory.mktemp("zones")
    files = {}
    for suffix in (".geojson", ".gpkg", ".fgb", ".kml"):
        out = folder / f"zones{suffix}"
        result = runner.invoke(
            app, ["zones", "--agreement", "defense-priorities-2025", "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
        files[suffix] = out
    return files


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".fgb", ".kml"])
def test_each_format_reads_back_with_zones_and_the_line(
    written: dict[str, Path], suffix: str
) -> None:
    path = written[suffix]
    info = pyogrio.read_info(path)
    meta, _, geometry, fields = pyogrio.raw.read(path)
    names = list(meta["fields"])
    kinds = list(fields[names.index("kind")])
    expected = {".geojson": "GeoJSON", ".gpkg": "GPKG", ".fgb": "FlatGeobuf", ".kml": "KML"}
    assert info["driver"] in (expected[suffix], "LIBKML")
    assert "4326" in (info["crs"] or "") or "WGS 84" in (info["crs"] or "")
    # Both sides, the DMZ, the bands and regions, the main line and its fragments.
    doc = json.loads(written[".geojson"].read_text())
    assert len(geometry) == len(doc["features"]) == info["features"]
    types = {shapely.from_wkb(g).geom_type for g in geometry}
    assert {"LineString", "MultiLineString"} <= types
    assert types & {"Polygon", "MultiPolygon"}
    assert kinds.count(LINE_KIND) == 2
    assert {"side", "dmz", "band"} <= set(kinds)


def test_geojson_keeps_accord_metadata(written: dict[str, Path]) -> None:
    doc = json.loads(written[".geojson"].read_text())
    assert "2013" in doc["accord"]["line"]["borders"]
    lines = [f for f in doc["features"] if f["properties"]["kind"] == LINE_KIND]
    assert [f["properties"]["part"] for f in lines] == ["main", "fragments"]
    assert lines[0]["geometry"]["type"] == "LineString"


def test_nested_properties_are_json_text_in_a_geopackage(written: dict[str, Path]) -> None:
    meta, _, _, fields = pyogrio.raw.read(written[".gpkg"])
    names = list(meta["fields"])
    binds = fields[names.index("binds")]
    assert json.loads(binds[0]) == ["UA"]
    area = fields[names.index("area_km2")]
    assert area.dtype.kind == "f"


def test_kml_placemarks_are_named_by_their_term(written: dict[str, Path]) -> None:
    meta, _, _, fields = pyogrio.raw.read(written[".kml"])
    names = list(meta["fields"])
    assert "ceasefire.dmz" in set(fields[names.index("Name")])


@pytest.mark.parametrize("name", ["zones.shp", "zones.txt", "zones"])
def test_unknown_extension_is_refused_and_nothing_is_written(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    result = runner.invoke(app, ["zones", "--agreement", "defense-priorities-2025", "-o", str(out)])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "cannot write" in message and ".gpkg" in message and ".kml" in message
    assert not out.exists()


def test_format_for_names_the_extension_and_every_allowed_one() -> None:
    with pytest.raises(ValueError, match=r"'\.shp'") as exc:
        format_for("a/b.SHP")
    assert all(suffix in str(exc.value) for suffix in FORMATS)
    assert format_for("x.GPKG") == "GPKG"


def test_a_line_without_fragments_writes_one_line_feature(
    shipped_line: LineOfContact, shipped_zones: list[Zone], tmp_path: Path
) -> None:
    single = replace(shipped_line, lines=shapely.MultiLineString([shipped_line.main]))
    assert [f["properties"]["part"] for f in line_features(single)] == ["main"]
    out = tmp_path / "z.fgb"
    write_collection(zones_geojson(shipped_zones, {}, single), out)
    assert pyogrio.read_info(out)["features"] == len(shipped_zones) + 1


def test_a_folder_that_does_not_exist_is_a_clear_error(
    shipped_zones: list[Zone], tmp_path: Path
) -> None:
    out = tmp_path / "missing" / "z.gpkg"
    with pytest.raises(OSError, match="could not write GPKG"):
        write_collection(zones_geojson(shipped_zones, {}), out)
