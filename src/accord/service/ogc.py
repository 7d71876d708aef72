"""OGC API - Features (Part 1: Core, and Part 3's queryables) over zones, incidents
and patrol routes.

Conformance: core, GeoJSON, OpenAPI 3.0, queryables and queryables as query
parameters. Items page with limit/offset and `next`/`prev` links (a limit above
the server's largest page is cut to it, and the links say so), and filter by
`bbox` (WGS 84 lon/lat), `datetime` (an instant or an interval, open ends as
`..`) and each queryable property (`?state=referred`). A parameter the items
do not take is a 400 that names it, as Part 1 asks. Extents come from the
data, of the features the caller may list. The same access rules as the rest
of the API apply: zones are public, incidents follow the caller's scope, patrol
routes are for mission staff and observers.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

import shapely
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from shapely.geometry import box, shape

from accord.service import models
from accord.service.access import require
from accord.service.catalog import Catalog, Extent
from accord.service.core import Core, Page, iso_to_us
from accord.service.deps import Caller, Offset
from accord.service.errors import BadRequest, NotFound
from accord.service.queryables import (
    QUERYABLES,
    incident_conditions,
    matches,
    property_filters,
    queryables_document,
)

GEOJSON = "application/geo+json"
JSON_SCHEMA = "application/schema+json"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
REL_QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
]
COLLECTIONS = {
    "zones": "Line of contact and the agreement's zones (DMZ, bands)",
    "incidents": "Incidents: fused findings about one event, with their workflow state",
    "patrols": "Patrol routes, one per patrol and day, as the patrols reported them",
}
# What the items take besides the collection's queryables (Part 1, and Part 2's
# crs and bbox-crs, which take CRS84, the only one served).
ITEM_PARAMETERS = ("bbox", "bbox-crs", "crs", "datetime", "f", "limit", "offset")
FORMATS = ("json", "geojson")
GENERIC_ITEMS = "/ogc/collections/{cid}/items"

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])


class GeoJSONResponse(JSONResponse):
    """A JSON answer served as GeoJSON."""

    media_type = GEOJSON


class SchemaResponse(JSONResponse):
    """A JSON answer served as a JSON Schema (the queryables)."""

    media_type = JSON_SCHEMA


class OpenAPI30Response(JSONResponse):
    """A JSON answer served as an OpenAPI 3.0 document."""

    media_type = OPENAPI_30


Format = Annotated[
    str | None,
    Query(
        description="json (GeoJSON for items); the only encoding served.",
        json_schema_extra={"enum": list(FORMATS)},
    ),
]
CRS_QUERY: dict[str, Any] = {
    "description": "CRS84, the only one served.",
    "json_schema_extra": {"enum": [CRS84]},
}
Crs = Annotated[str | None, Query(**CRS_QUERY)]
BboxCrs = Annotated[str | None, Query(alias="bbox-crs", **CRS_QUERY)]
# Not bounded above: OGC API - Features asks that a larger limit be cut, not refused.
OgcLimit = Annotated[
    int | None,
    Query(
        ge=1,
        description="Page size; above the server's page_limit_max it is cut to it "
        "(the next link and numberReturned show the page size used).",
    ),
]


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


# An RFC 3339 time with its offset, and only real days (February 29th in leap years),
# so that every `datetime` the OpenAPI's pattern allows is one the server takes.
_LEAP = r"(?:[1-9][0-9](?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)"
_DAY = (
    r"(?:[1-9][0-9]{3}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)|" + _LEAP + r"-02-29)"
)
_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
INSTANT = _DAY + "T" + _CLOCK + r":[0-5][0-9](?:\.[0-9]{1,6})?(?:Z|[+-]" + _CLOCK + ")"
DATETIME_PATTERN = f"^(?:{INSTANT}|(?:{INSTANT}|\\.\\.)?/(?:{INSTANT}|\\.\\.)?)$"


def parse_datetime(text: str | None) -> tuple[int | None, int | None]:
    """An instant or `start/end` (either may be `..` or empty) as microsecond bounds."""
    if text is None:
        return None, None
    if not re.fullmatch(DATETIME_PATTERN, text):
        raise BadRequest(
            f"datetime={text!r}: give an RFC 3339 time like 2025-06-01T00:00:00Z, "
            "or start/end with .. (or nothing) for an open end"
        )
    bounds = [
        None
        if part in ("", "..")
        else iso_to_us(datetime.fromisoformat(part.replace("Z", "+00:00")))
        for part in text.split("/")
    ]
    if len(bounds) == 1:
        return bounds[0], bounds[0]
    return bounds[0], bounds[1]


def check_parameters(request: Request, allowed: Iterable[str], where: str) -> None:
    """A 400 naming any query parameter the resource does not take, or one given twice:
    a client that misspells a filter would otherwise read every feature as a match."""
    known = set(allowed)
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        if name not in known:
            takes = ", ".join(sorted(known)) or "no parameters"
            raise BadRequest(f"unknown parameter {name!r}: {where} takes {takes}")
        if name in seen:
            raise BadRequest(f"parameter {name!r} is given twice; give it once")
        seen.add(name)


def check_format(f: str | None, crs: Iterable[str | None] = ()) -> None:
    """Refuse a format other than JSON, or a CRS other than CRS84, the only ones served."""
    if f is not None and f not in FORMATS:
        raise BadRequest(f"f={f!r}: this server answers json (GeoJSON for items) only")
    for name, value in zip(("crs", "bbox-crs"), crs, strict=False):
        if value is not None and value != CRS84:
            raise BadRequest(f"{name}={value!r}: only {CRS84} is served")


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _known(cid: str) -> None:
    if cid not in COLLECTIONS:
        raise NotFound(f"no collection {cid!r}; there are {', '.join(COLLECTIONS)}")


def _extent(extent: Extent | None) -> dict[str, Any]:
    """The collection's `extent` member; none at all when the caller sees no feature."""
    if extent is None:
        return {}
    out: dict[str, Any] = {"spatial": {"bbox": [list(extent.bbox)], "crs": CRS84}}
    if extent.start is not None:
        out["temporal"] = {"interval": [[extent.start, extent.end]], "trs": GREGORIAN}
    return {"extent": out}


def _collection(request: Request, who: Any, cid: str) -> dict[str, Any]:
    base = _base(request)
    catalog: Catalog = request.app.state.catalog
    return {
        "id": cid,
        "title": COLLECTIONS[cid],
        "itemType": "feature",
        "crs": [CRS84],
        **_extent(catalog.extent(who, cid)),
        "links": [
            {"rel": "self", "type": "application/json", "href": f"{base}/collections/{cid}"},
            {"rel": "items", "type": GEOJSON, "href": f"{base}/collections/{cid}/items"},
            {
                "rel": REL_QUERYABLES,
                "type": JSON_SCHEMA,
                "href": f"{base}/collections/{cid}/queryables",
            },
        ],
    }


@router.get("", response_model=models.Landing)
def landing(request: Request, f: Format = None) -> dict[str, Any]:
    """The landing page: links to the API definition, conformance and collections."""
    check_format(f)
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
    """This OGC API's definition as OpenAPI 3.0, its paths relative to /ogc (the whole
    server's, OGC routes included, is /openapi.json, 3.1)."""
    return OpenAPI30Response(ogc_openapi_30(openapi(request.app), _base(request)))


@router.get("/conformance", response_model=models.Conformance)
def conformance(f: Format = None) -> dict[str, Any]:
    """The conformance classes (OGC API - Features Part 1 and Part 3) this server implements."""
    check_format(f)
    return {"conformsTo": CONFORMANCE}


@router.get("/collections", response_model=models.Collections, response_model_exclude_unset=True)
def collections(request: Request, who: Caller, f: Format = None) -> dict[str, Any]:
    """The collections, each with the extent of the features the caller may list."""
    check_format(f)
    base = _base(request)
    return {
        "links": [{"rel": "self", "type": "application/json", "href": f"{base}/collections"}],
        "collections": [_collection(request, who, cid) for cid in COLLECTIONS],
    }


@router.get(
    "/collections/{cid}", response_model=models.Collection, response_model_exclude_unset=True
)
def collection(request: Request, who: Caller, cid: str, f: Format = None) -> dict[str, Any]:
    """One collection's description: its item type, CRS, extent and links."""
    _known(cid)
    check_format(f)
    return _collection(request, who, cid)


@router.get("/collections/{cid}/queryables", response_class=SchemaResponse)
def queryables(request: Request, cid: str, f: Format = None) -> JSONResponse:
    """The properties items may be filtered on, as a JSON Schema (Part 3); the same
    for every caller, since the types and value sets come from the code."""
    _known(cid)
    check_format(f)
    href = f"{_base(request)}/collections/{cid}/queryables"
    return SchemaResponse(queryables_document(cid, href))


@router.get(
    GENERIC_ITEMS.removeprefix("/ogc"),
    response_class=GeoJSONResponse,
    response_model=models.FeaturePage,
)
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
    bbox_crs: BboxCrs = None,
    datetime_: Annotated[
        str | None,
        Query(
            alias="datetime",
            description="An RFC 3339 time, or start/end with .. or nothing for an open end.",
            json_schema_extra={"pattern": DATETIME_PATTERN},
        ),
    ] = None,
    crs: Crs = None,
    f: Format = None,
    limit: OgcLimit = None,
    offset: Offset = None,
) -> JSONResponse:
    """Features of a collection, filtered by bbox, datetime and its queryables, and paged."""
    _known(cid)
    where = f"/ogc/collections/{cid}/items"
    check_parameters(request, [*ITEM_PARAMETERS, *(q.name for q in QUERYABLES[cid])], where)
    check_format(f, (crs, bbox_crs))
    page = Page.parse(limit, offset, request.app.state.settings)
    area = parse_bbox(bbox)
    since, until = parse_datetime(datetime_)
    filters = property_filters(cid, request.query_params)
    core: Core = request.app.state.core
    catalog: Catalog = request.app.state.catalog
    if cid == "incidents":
        found = core.incidents(
            who, page, since_us=since, until_us=until, bbox=area, where=incident_conditions(filters)
        )
        features, matched = [_incident_feature(i) for i in found["items"]], found["total"]
    else:
        if cid == "zones":
            require(who, "zones.read")
            every = catalog.zones["features"]
        else:
            every = catalog.patrols(who, since, until)
        every = [f for f in every if matches(f, filters)]
        if area is not None:
            window = box(*area)
            every = [f for f in every if shapely.intersects(shape(f["geometry"]), window)]
        matched = len(every)
        features = every[page.offset : page.offset + page.limit]
    query = {k: v for k, v in request.query_params.items() if k not in ("limit", "offset")}
    href = f"{_base(request)}/collections/{cid}/items"
    links = [
        {"rel": "self", "type": GEOJSON, "href": _page_href(href, query, page)},
        {"rel": "collection", "type": "application/json", "href": href.removesuffix("/items")},
    ]
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


@router.get(
    "/collections/{cid}/items/{fid:path}",
    response_class=GeoJSONResponse,
    response_model=models.Feature,
)
def item(
    request: Request, who: Caller, cid: str, fid: str, f: Format = None, crs: Crs = None
) -> JSONResponse:
    """One feature by id."""
    _known(cid)
    check_parameters(request, ("crs", "f"), f"/ogc/collections/{cid}/items/{{id}}")
    check_format(f, (crs,))
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


def openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI (3.1) with one items path per collection instead of
    `{cid}`, each listing its queryables as parameters: GDAL reads a collection's
    filters from its own path (`/collections/zones/items`). Installed as `app.openapi`."""
    document: dict[str, Any] = FastAPI.openapi(app)
    paths = document["paths"]
    generic = paths.pop(GENERIC_ITEMS, None)
    if generic is None:  # already split (FastAPI keeps the document it built)
        return document
    for cid in COLLECTIONS:
        operation = copy.deepcopy(generic["get"])
        operation["operationId"] = f"{operation['operationId']}_{cid}"
        operation["summary"] = f"Features of {cid}"
        operation["parameters"] = [
            *(p for p in operation["parameters"] if p["name"] != "cid"),
            *(
                {"name": q.name, "in": "query", "required": False, "schema": q.schema()}
                for q in QUERYABLES[cid]
            ),
        ]
        paths[GENERIC_ITEMS.replace("{cid}", cid)] = {"get": operation}
    return document


def ogc_openapi_30(document: dict[str, Any], base: str) -> dict[str, Any]:
    """The OGC routes of the server's OpenAPI as 3.0, relative to the /ogc server."""
    ogc = copy.deepcopy(document)
    ogc["paths"] = {
        (path.removeprefix("/ogc") or "/"): item
        for path, item in document["paths"].items()
        if path == "/ogc" or path.startswith("/ogc/")
    }
    ogc["servers"] = [{"url": base}]
    return openapi_30(ogc)


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
