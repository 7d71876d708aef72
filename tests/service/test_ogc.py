"""OGC API - Features, read by OWSLib as any GIS client would."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from owslib.ogcapi.features import Features
from tests.service.conftest import Live, Seeded, make_client

from accord.service.auth import Role, create_token

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


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
    assert definition["servers"] == [{"url": f"{analyst.url.rstrip('/')}"}]  # paths under /ogc
    assert "/collections/incidents/items" in definition["paths"]


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


def test_unknown_or_repeated_parameters_are_400_naming_them(live: Live) -> None:
    items = f"{live.url}/ogc/collections/incidents/items"
    headers = live.seeded.headers("analyst")
    for query, words in (
        ("stat=referred", "unknown parameter 'stat'"),
        ("state=referred&filter=x", "unknown parameter 'filter'"),
        ("patrol=T1-patrol-1", "unknown parameter 'patrol'"),  # a queryable of patrols only
        ("state=referred&state=closed", "'state' is given twice"),
        ("state=lost", "use one of detected"),
        ("confirmed=yes", "true or false"),
        ("crs=EPSG:3857", "only http://www.opengis.net/def/crs/OGC/1.3/CRS84"),
        ("f=html", "json"),
    ):
        response = httpx.get(f"{items}?{query}", headers=headers)
        assert response.status_code == 400, query
        body = response.json()
        assert set(body) == {"status", "title", "detail"} and words in body["detail"], body
    # the parameters the standard names are taken, CRS84 written out included
    crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    fine = httpx.get(items, params={"crs": crs84, "bbox-crs": crs84, "f": "json"}, headers=headers)
    assert fine.status_code == 200 and fine.json()["numberMatched"] == 3
    # a day that is no date, on the patrols' queryable
    day = httpx.get(f"{live.url}/ogc/collections/patrols/items?day=2026-02-30", headers=headers)
    assert day.status_code == 400 and "YYYY-MM-DD" in day.json()["detail"]


def test_queryables_are_typed_json_schemas_and_in_the_openapi(
    analyst: Features, live: Live
) -> None:
    incidents = analyst.collection_queryables("incidents")
    assert incidents["type"] == "object" and incidents["additionalProperties"] is False
    properties = incidents["properties"]
    assert properties["state"]["enum"][:2] == ["detected", "confirmed"]
    assert properties["severity"]["enum"] == ["low", "medium", "high", "critical"]
    assert properties["confirmed"]["type"] == "boolean"
    assert properties["geometry"]["format"] == "geometry-point"
    assert analyst.collection_queryables("patrols")["properties"]["day"]["format"] == "date"
    links = analyst.collection("incidents")["links"]
    assert any(link["rel"].endswith("/queryables") for link in links)
    # each collection's own items path lists its queryables, in both OpenAPI documents
    ogc = analyst.api()["paths"]["/collections/incidents/items"]["get"]["parameters"]
    assert {"state", "severity", "bbox", "limit"} <= {p["name"] for p in ogc}
    whole = httpx.get(f"{live.url}/openapi.json").json()
    patrols = whole["paths"]["/ogc/collections/patrols/items"]["get"]["parameters"]
    assert {"patrol", "day"} <= {p["name"] for p in patrols}
    assert "state" not in {p["name"] for p in patrols}


def test_property_filters_narrow_within_the_callers_scope(live: Live) -> None:
    analyst = Features(f"{live.url}/ogc", headers=live.seeded.headers("analyst"))
    every = analyst.collection_items("incidents")["features"]
    for name, value in (("severity", "medium"), ("party", "RU"), ("state", "detected")):
        expected = {f["id"] for f in every if f["properties"][name] == value}
        found = analyst.collection_items("incidents", **{name: value})
        assert {f["id"] for f in found["features"]} == expected, (name, value)
        assert found["numberMatched"] == len(expected)
    # the next link keeps the filter
    page = analyst.collection_items("incidents", party="RU", limit=1)
    after = next(link["href"] for link in page["links"] if link["rel"] == "next")
    assert "party=RU" in after and "limit=1" in after
    # UA's liaison filtering on RU finds only the published one, never the hidden one
    ua = httpx.get(
        f"{live.url}/ogc/collections/incidents/items?party=RU",
        headers=live.seeded.headers("liaison:UA"),
    ).json()
    assert [f["id"] for f in ua["features"]] == [live.seeded.published_ru]
    assert ua["numberMatched"] == 1
    zones = Features(f"{live.url}/ogc").collection_items("zones", kind="dmz")["features"]
    assert [z["id"] for z in zones] == ["ceasefire.dmz"]
    patrols = analyst.collection_items("patrols", patrol="T1-patrol-1", day="2026-09-01")
    assert [r["id"] for r in patrols["features"]] == ["T1-patrol-1/2026-09-01"]


def _extent(live: Live, role: str, collection: str) -> Any:
    url = f"{live.url}/ogc/collections/{collection}"
    return httpx.get(url, headers=live.seeded.headers(role)).json().get("extent")


def test_extents_are_of_the_features_the_caller_may_list(live: Live) -> None:
    analyst = _extent(live, "analyst", "incidents")
    assert analyst == {
        "spatial": {"bbox": [[37.7, 48.0, 38.3, 48.5]], "crs": CRS84},
        "temporal": {
            "interval": [["2026-09-01T09:00:00Z", "2026-09-01T11:05:00Z"]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        },
    }
    # RU's liaison sees the incidents about RU: the UA one (east of 37.7, at 11:00)
    # is neither in its bbox nor in its interval
    ru = _extent(live, "liaison:RU", "incidents")
    assert ru["spatial"] == {"bbox": [[38.1, 48.3, 38.3, 48.5]], "crs": CRS84}
    assert ru["temporal"]["interval"] == [["2026-09-01T09:00:00Z", "2026-09-01T10:05:00Z"]]
    # team T1's observer: its patrol's two reports only (T2's patrol is at 10:00)
    t1 = _extent(live, "observer", "patrols")
    assert t1["spatial"] == {"bbox": [[37.5, 47.9, 37.6, 47.9]], "crs": CRS84}
    assert t1["temporal"]["interval"] == [["2026-09-01T09:00:00Z", "2026-09-01T11:00:00Z"]]
    # the public may not list incidents or patrols, so learns no extent of them
    public = httpx.get(f"{live.url}/ogc/collections").json()["collections"]
    assert [c["id"] for c in public if "extent" in c] == ["zones"]
    zones = next(c for c in public if c["id"] == "zones")["extent"]
    west, south, east, north = zones["spatial"]["bbox"][0]
    assert west < 37.5 < east and south < 47.9 < north and "temporal" not in zones


def test_a_caller_that_sees_no_feature_gets_no_extent(live: Live) -> None:
    _, secret = create_token(live.seeded.store, Role.observer, name="team T9", team="T9")
    headers = {"Authorization": f"Bearer {secret}"}
    for collection in ("incidents", "patrols"):
        body = httpx.get(f"{live.url}/ogc/collections/{collection}", headers=headers).json()
        assert "extent" not in body and body["id"] == collection
        items = httpx.get(f"{body['links'][1]['href']}", headers=headers).json()
        assert items["numberMatched"] == 0


def test_paging_reads_every_feature_once_through_next_links(analyst: Features) -> None:
    whole = analyst.collection_items("zones", limit=100)["features"]
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = analyst.collection_items("zones", limit=3, offset=offset)
        assert page["numberReturned"] == len(page["features"]) <= 3
        seen += [f["id"] for f in page["features"]]
        after = [link["href"] for link in page["links"] if link["rel"] == "next"]
        offset = int(after[0].split("offset=")[1]) if after else None
    assert seen == [f["id"] for f in whole] and len(seen) > 6


def test_a_limit_above_the_largest_page_is_cut_to_it(sqlite_seeded: Seeded) -> None:
    with make_client(sqlite_seeded.store, page_limit_max=2) as client:
        response = client.get("/ogc/collections/zones/items?limit=5000")
        assert response.status_code == 200
        body = response.json()
        assert body["numberReturned"] == 2 and body["numberMatched"] > 2
        links = {link["rel"]: link["href"] for link in body["links"]}
        assert "limit=2&offset=0" in links["self"] and "limit=2&offset=2" in links["next"]
        huge = client.get(f"/ogc/collections/zones/items?limit={10**30}")
        assert huge.status_code == 200 and huge.json()["numberReturned"] == 2
