"""OGC API - Features, read by OWSLib as any GIS client would."""

from __future__ import annotations

import httpx
import pytest
from owslib.ogcapi.features import Features
from tests.service.conftest import Live


@pytest.fixture
def analyst(live: Live) -> Features:
    """Made per test: OWSLib shares request headers between its clients."""
    return Features(f"{live.url}/ogc", headers=live.seeded.headers("analyst"))


def test_landing_conformance_and_collections(analyst: Features) -> None:
    conformance = analyst.conformance()["conformsTo"]
    for part in ("core", "geojson", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{part}" in conformance
    assert sorted(analyst.feature_collections()) == ["incidents", "patrols", "zones"]
    assert analyst.collection("zones")["itemType"] == "feature"
    definition = analyst.api()
    assert definition["openapi"] == "3.0.3"
    assert "/ogc/collections/{cid}/items" in definition["paths"]


def test_zones_are_public_and_page_with_next_links(live: Live) -> None:
    public = Features(f"{live.url}/ogc")
    first = public.collection_items("zones", limit=2)
    assert first["numberReturned"] == 2 and first["numberMatched"] > 2
    assert first["features"][0]["id"] == "line-of-contact"
    after = next(link["href"] for link in first["links"] if link["rel"] == "next")
    assert "offset=2" in after
    second = public.collection_items("zones", limit=2, offset=2)
    assert {f["id"] for f in second["features"]}.isdisjoint(f["id"] for f in first["features"])


def test_incidents_filter_by_bbox_and_datetime(analyst: Features, live: Live) -> None:
    every = analyst.collection_items("incidents")
    assert every["numberMatched"] == 3
    east = analyst.collection_items("incidents", bbox=[38.0, 48.0, 39.0, 49.0])
    assert {f["properties"]["party"] for f in east["features"]} == {"RU"}
    late = analyst.collection_items("incidents", datetime_="2026-09-01T10:30:00Z/..")
    assert [f["id"] for f in late["features"]] == [live.seeded.ua]
    one = analyst.collection_item("incidents", live.seeded.ua)
    assert one["geometry"]["type"] == "Point"


def test_a_party_reads_its_scope_and_the_public_no_incidents(live: Live) -> None:
    ua = Features(f"{live.url}/ogc", headers=live.seeded.headers("liaison:UA"))
    ids = {f["id"] for f in ua.collection_items("incidents")["features"]}
    assert ids == {live.seeded.ua, live.seeded.published_ru}
    # plain HTTP: OWSLib keeps headers in a shared default between clients
    public = httpx.get(f"{live.url}/ogc/collections/incidents/items")
    assert public.status_code == 401 and "needs a token" in public.json()["detail"]


def test_patrol_routes_are_lines_per_patrol_and_day(analyst: Features) -> None:
    routes = analyst.collection_items("patrols")["features"]
    t1 = next(r for r in routes if r["properties"]["patrol"] == "T1-patrol-1")
    assert t1["geometry"]["type"] == "LineString"
    assert t1["properties"]["reports"] == 2


def test_bad_filters_are_400_with_a_reason(live: Live) -> None:
    for query, words in (
        ("bbox=1,2,3", "west,south"),
        ("datetime=yesterday", "RFC 3339"),
        ("limit=0", "limit"),
    ):
        response = httpx.get(f"{live.url}/ogc/collections/zones/items?{query}")
        assert response.status_code == 400
        assert words in response.json()["detail"]
