"""The OGC API as GDAL reads it: `ogrinfo` and `ogr2ogr` with the OAPIF driver against
the live server, the token passed as GIS users pass it (docs/service.md).

Needs Debian's `gdal-bin` (scripts/gdal.sh installs it). Without it the tests
skip locally and fail in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
from tests.service.conftest import Live
from tests.support import missing


def _tool(name: str) -> str:
    found = os.environ.get(f"ACCORD_{name.upper()}") or shutil.which(name)
    if not found:
        missing(f"{name} is missing; source scripts/gdal.sh")
    return found


def _gdal(live: Live, role: str | None, *args: str, debug: bool = False) -> Any:
    """Run a GDAL tool; the token goes in GDAL_HTTP_HEADERS, as GDAL 3.6 takes it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GDAL_", "CPL_"))}
    if role is not None:
        env["GDAL_HTTP_HEADERS"] = f"Authorization: Bearer {live.seeded.tokens[role]}"
    if debug:
        env["CPL_DEBUG"] = "ON"
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)


def _export(live: Live, tmp_path: Path, role: str, layer: str, *options: str) -> Any:
    """`ogr2ogr` a collection to GeoJSON; the features and GDAL's debug log."""
    out = tmp_path / f"{layer}.geojson"
    done = _gdal(
        live,
        role,
        _tool("ogr2ogr"),
        "-f",
        "GeoJSON",
        str(out),
        f"OAPIF:{live.url}/ogc",
        layer,
        *options,
        debug=True,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text())["features"], done.stderr


def _ids(live: Live, role: str, collection: str, query: str = "") -> list[str]:
    url = f"{live.url}/ogc/collections/{collection}/items?limit=100{query}"
    body = httpx.get(url, headers=live.seeded.headers(role)).json()
    return [f["id"] for f in body["features"]]


def test_ogrinfo_lists_the_collections_with_their_extents(live: Live) -> None:
    done = _gdal(
        live, "analyst", _tool("ogrinfo"), "-ro", "-so", f"OAPIF:{live.url}/ogc", "incidents"
    )
    assert done.returncode == 0, done.stderr
    assert "Extent: (37.700000, 48.000000) - (38.300000, 48.500000)" in done.stdout
    assert "TEMPORAL_INTERVAL_MIN=2026-09-01T09:00:00Z" in done.stdout
    assert "Feature Count: 3" in done.stdout
    listing = _gdal(live, "analyst", _tool("ogrinfo"), "-ro", "-q", f"OAPIF:{live.url}/ogc")
    layers = [line.split(":")[1].split("(")[0].strip() for line in listing.stdout.splitlines()]
    assert layers == ["zones", "incidents", "patrols"], listing.stdout


def test_ogr2ogr_reads_every_feature_across_pages(live: Live, tmp_path: Path) -> None:
    features, log = _export(live, tmp_path, "analyst", "zones", "-oo", "PAGE_SIZE=3")
    expected = _ids(live, "analyst", "zones")
    assert [f["properties"]["id"] for f in features] == expected and len(expected) > 6
    # GDAL asked for pages of 3 and followed the next links to the last one
    assert "limit=3&offset=6" in log


def test_ogr2ogr_sends_a_property_filter_to_the_server(live: Live, tmp_path: Path) -> None:
    features, log = _export(
        live,
        tmp_path,
        "analyst",
        "incidents",
        "-where",
        "severity = 'medium'",
        "-oo",
        "PAGE_SIZE=1",
    )
    expected = _ids(live, "analyst", "incidents", "&severity=medium")
    assert sorted(f["properties"]["id"] for f in features) == sorted(expected)
    assert len(expected) == 2
    # read from the OpenAPI's queryables: filtered by the server, not after download
    assert "severity=medium" in log and "evaluated on client side" not in log


def test_an_unknown_parameter_fails_with_its_name(live: Live) -> None:
    url = f"OAPIF:{live.url}/ogc/collections/incidents?stat=referred"
    done = _gdal(live, "analyst", _tool("ogrinfo"), "-ro", "-al", "-q", url)
    assert "HTTP error code : 400" in done.stderr
    assert "unknown parameter 'stat'" in done.stderr
    assert "id (String)" not in done.stdout


def test_the_token_decides_what_gdal_reads(live: Live, tmp_path: Path) -> None:
    public = _gdal(
        live, None, _tool("ogrinfo"), "-ro", "-al", "-q", f"OAPIF:{live.url}/ogc", "incidents"
    )
    assert "HTTP error code : 401" in public.stderr and "INC-" not in public.stdout
    features, _ = _export(live, tmp_path, "liaison:UA", "incidents")
    assert sorted(f["properties"]["id"] for f in features) == sorted(
        [live.seeded.ua, live.seeded.published_ru]
    )
