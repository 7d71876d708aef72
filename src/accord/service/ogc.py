"""OGC API - Features (Part 1: Core) over zones, incidents and patrol routes.

Conformance: core, GeoJSON and OpenAPI 3.0. Items page with limit/offset and
`next`/`prev` links, and filter by `bbox` (WGS 84 lon/lat) and `datetime` (an
instant or an interval, open ends as `..`). The same access rules as the rest
of the API apply: zones are public, incidents follow the caller's scope, patrol
routes are for mission staff and observers.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

import shapely
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from shapely.geometry import box, shape

from accord.service.access import require
from accord.service.catalog import Catalog
from accord.service.core import Core, Page, iso_to_us
from accord.service.deps import Caller, Limit, Offset
from accord.service.errors import BadRequest, NotFound

GEOJSON = "application/geo+json"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
COLLECTIONS = {
    "zones": "Line of contact and the agreement's zones (DMZ, bands)",
    "incidents": "Incidents: fused findings about one event, with their workflow state",
    "patrols": "Patrol routes, one per patrol and day, as the patrols reported them",
}
THEATRE_BBOX = [22.0, 44.0, 41.0, 53.0]

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])


class GeoJSONResponse(JSONResponse):
    media_type = GEOJSON


class OpenAPI30Response(JSONResponse):
    media_type = OPENAPI_30


# Degrees within ±180 (longitude) and ±90 (latitude), so the schema states the range.
NUMBER = r"-?[0-9]+(\.[0-9]+)?"
LON = r"-?(180(\.0+)?|(1[0-7][0-9]|[0-9]{1,2})(\.[0-9]+)?)"
LAT = r"-?(90(\.0+)?|[0-8]?[0-9](\.[0-9]+)?)"
BBOX_PATTERN = f"{LON},{LAT},{LON},{LAT}"
BBOX_RANGES = (("west", 180.0), ("south", 90.0), ("east", 180.0), ("north", 90.0))


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """`west,south,east,north` in degrees: finite, in range, west <= east, south <= north,
    each a plain decimal (what BBOX_PATTERN, in the OpenAPI, says)."""
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) != 4 or not all(re.fullmatch(NUMBER, p) for p in parts):
        raise BadRequest(f"bbox={text!r}: give west,south,east,north as decimal degrees")
    values = [float(p) for p in parts]
    for value, (name, largest) in zip(values, BBOX_RANGES, strict=True):
        if not -largest <= value <= largest:
            raise BadRequest(f"bbox={text!r}: {name}={value} is not within ±{largest:g} degrees")
    if not re.fullmatch(BBOX_PATTERN, text):
        raise BadRequest(f"bbox={text!r}: write each degree as a plain decimal, like 37.5")
    west, south, east, north = values
    if west > east or south > north:
        raise BadRequest(f"bbox={text!r}: west must be <= east and south <= north")
    return west, south, east, north


def parse_datetime(text: str | None) -> tuple[int | None, int | None]:
    """An instant or `start/end` (either may be `..` or empty) as microsecond bounds."""
    if text is None:
        return None, None
    parts = text.split("/")
    if len(parts) > 2:
        raise BadRequest(f"datetime={text!r}: give an instant or start/end")
    bounds: list[int | None] = []
    for part in parts:
        if part in ("", ".."):
            bounds.append(None)
            continue
        try:
            moment = datetime.fromisoformat(part.replace("Z", "+00:00"))
        except ValueError:
            raise BadRequest(
                f"datetime={text!r}: {part!r} is not an RFC 3339 time like 2025-06-01T00:00:00Z"
            ) from None
        bounds.append(iso_to_us(moment))
    if len(bounds) == 1:
        return bounds[0], bounds[0]
    return bounds[0], bounds[1]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _collection(request: Request, cid: str) -> dict[str, Any]:
    base = _base(request)
    return {
        "id": cid,
        "title": COLLECTIONS[cid],
        "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": {"spatial": {"bbox": [THEATRE_BBOX]}},
        "links": [
            {"rel": "self", "type": "application/json", "href": f"{base}/collections/{cid}"},
            {"rel": "items", "type": GEOJSON, "href": f"{base}/collections/{cid}/items"},
        ],
    }


@router.get("")
def landing(request: Request) -> dict[str, Any]:
    """The landing page: links to the API definition, conformance and collections."""
    base = _base(request)
    return {
        "title": "accord: OGC API - Features",
        "description": "Zones, incidents and patrol routes of the monitoring mission.",
        "links": [
            {"rel": "self", "type": "application/json", "href": base},
            {"rel": "service-desc", "type": OPENAPI_30, "href": f"{base}/api"},
            {"rel": "conformance", "type": "application/json", "href": f"{base}/conformance"},
            {"rel": "data", "type": "application/json", "href": f"{base}/collections"},
        ],
    }


@router.get("/api", response_class=OpenAPI30Response)
def api_definition(request: Request) -> JSONResponse:
    """The API definition as OpenAPI 3.0 (the same routes as /openapi.json, 3.1)."""
    return OpenAPI30Response(openapi_30(request.app.openapi()))


@router.get("/conformance")
def conformance() -> dict[str, Any]:
    return {"conformsTo": CONFORMANCE}


@router.get("/collections")
def collections(request: Request) -> dict[str, Any]:
    base = _base(request)
    return {
        "links": [{"rel": "self", "type": "application/json", "href": f"{base}/collections"}],
        "collections": [_collection(request, cid) for cid in COLLECTIONS],
    }


@router.get("/collections/{cid}")
def collection(request: Request, cid: str) -> dict[str, Any]:
    if cid not in COLLECTIONS:
        raise NotFound(f"no collection {cid!r}; there are {', '.join(COLLECTIONS)}")
    return _collection(request, cid)


@router.get("/collections/{cid}/items", response_class=GeoJSONResponse)
def items(
    request: Request,
    who: Caller,
    cid: str,
    bbox: Annotated[
        str | None,
        Query(
            description="west,south,east,north in decimal degrees.",
            json_schema_extra={"pattern": f"^{BBOX_PATTERN}$"},
        ),
    ] = None,
    datetime_: Annotated[str | None, Query(alias="datetime")] = None,
    limit: Limit = None,
    offset: Offset = None,
) -> JSONResponse:
    """Features of a collection, filtered and paged."""
    if cid not in COLLECTIONS:
        raise NotFound(f"no collection {cid!r}; there are {', '.join(COLLECTIONS)}")
    page = Page.parse(limit, offset, request.app.state.settings)
    area = parse_bbox(bbox)
    since, until = parse_datetime(datetime_)
    core: Core = request.app.state.core
    catalog: Catalog = request.app.state.catalog
    if cid == "incidents":
        found = core.incidents(who, page, since_us=since, until_us=until, bbox=area)
        features, matched = [_incident_feature(i) for i in found["items"]], found["total"]
    else:
        if cid == "zones":
            require(who, "zones.read")
            every = catalog.zones["features"]
        else:
            every = catalog.patrols(who, since, until)
        if area is not None:
            window = box(*area)
            every = [f for f in every if shapely.intersects(shape(f["geometry"]), window)]
        matched = len(every)
        features = every[page.offset : page.offset + page.limit]
    query = {k: v for k, v in (("bbox", bbox), ("datetime", datetime_)) if v is not None}
    href = f"{_base(request)}/collections/{cid}/items"
    links = [{"rel": "self", "type": GEOJSON, "href": _page_href(href, query, page)}]
    if page.offset + page.limit < matched:
        after = Page(page.limit, page.offset + page.limit)
        links.append({"rel": "next", "type": GEOJSON, "href": _page_href(href, query, after)})
    if page.offset > 0:
        before = Page(page.limit, max(page.offset - page.limit, 0))
        links.append({"rel": "prev", "type": GEOJSON, "href": _page_href(href, query, before)})
    body = {
        "type": "FeatureCollection",
        "features": features,
        "numberMatched": matched,
        "numberReturned": len(features),
        "timeStamp": datetime.now().astimezone().isoformat(),
        "links": links,
    }
    return GeoJSONResponse(body)


@router.get("/collections/{cid}/items/{fid:path}", response_class=GeoJSONResponse)
def item(request: Request, who: Caller, cid: str, fid: str) -> JSONResponse:
    """One feature by id."""
    if cid not in COLLECTIONS:
        raise NotFound(f"no collection {cid!r}; there are {', '.join(COLLECTIONS)}")
    catalog: Catalog = request.app.state.catalog
    if cid == "incidents":
        core: Core = request.app.state.core
        feature = _incident_feature(core.incident(who, fid))
    else:
        if cid == "zones":
            require(who, "zones.read")
            every = catalog.zones["features"]
        else:
            every = catalog.patrols(who)
        found = [f for f in every if f["id"] == fid]
        if not found:
            raise NotFound(f"no feature {fid!r} in collection {cid}")
        feature = found[0]
    return GeoJSONResponse(feature)


def _page_href(href: str, query: dict[str, str], page: Page) -> str:
    return f"{href}?{urlencode({**query, 'limit': page.limit, 'offset': page.offset})}"


def _incident_feature(incident: dict[str, Any]) -> dict[str, Any]:
    properties = {k: v for k, v in incident.items() if k not in ("lon", "lat")}
    return {
        "type": "Feature",
        "id": incident["id"],
        "geometry": {"type": "Point", "coordinates": [incident["lon"], incident["lat"]]},
        "properties": properties,
    }


def openapi_30(document: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI 3.1 document written as 3.0: `anyOf [X, null]` becomes X with
    `nullable: true`, and `examples` lists become one `example`."""

    def convert(node: Any) -> Any:
        if isinstance(node, list):
            return [convert(n) for n in node]
        if not isinstance(node, dict):
            return node
        out = {k: convert(v) for k, v in node.items()}
        options = out.get("anyOf")
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            out.pop("anyOf")
            if len(rest) == 1:
                out.update(rest[0])
            else:
                out["anyOf"] = rest
            out["nullable"] = True
        if out.get("type") == "null":
            out.pop("type")
            out["nullable"] = True
        if isinstance(out.get("examples"), list):
            examples = out.pop("examples")
            if examples:
                out["example"] = examples[0]
        return out

    converted: dict[str, Any] = convert(document)
    converted["openapi"] = "3.0.3"
    return converted
