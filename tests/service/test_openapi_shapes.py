"""The OpenAPI describes the shape of every answer: a JSON or GeoJSON answer has
its schema, so a client can generate its types and the schemathesis run can hold
each response to it. HTML, PDF and the two documents that are schemas themselves
(a JSON Schema, an OpenAPI) are named by their media type only."""

from __future__ import annotations

from accord.service.app import create_app
from accord.service.settings import ServiceSettings
from accord.store import open_store

SELF_DESCRIBED = {
    "text/html",
    "application/pdf",
    "application/schema+json",
    "application/vnd.oai.openapi+json;version=3.0",
}


def _modelled(schema: dict[str, object]) -> bool:
    """A named model, or a list of one; not the open object a bare `dict` gives."""
    items = schema.get("items")
    return "$ref" in schema or (isinstance(items, dict) and "$ref" in items)


def test_every_answer_has_its_schema_in_the_openapi() -> None:
    with open_store("sqlite://") as store:
        document = create_app(ServiceSettings(), store).openapi()
    bare = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = operation["responses"]["200"].get("content", {})
            assert content, f"{method.upper()} {path}: no media type for its answer"
            for media, spec in content.items():
                if media not in SELF_DESCRIBED and not _modelled(spec.get("schema", {})):
                    bare.append(f"{method.upper()} {path} ({media})")
    assert bare == []
