"""The agreement file's JSON Schema and field look-ups for error messages."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel

from accord.agreement.model import Agreement
from accord.agreement.quantities import Count, Distance, Duration, Money

# Quantities accept a short string as well as a mapping; the published schema
# says so, so that other tools accept the same files accord does.
_STRING_FORMS = {
    "Distance": ("distance with a unit", "5 mi"),
    "Duration": ("duration with a unit", "up to 5 years"),
    "Count": ("count, possibly bounded", "<500"),
    "Money": ("amount with an ISO 4217 currency", "USD 300 billion"),
}


def agreement_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) for an agreement file."""
    schema = Agreement.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://accord.invalid/schema/agreement.json"
    for name, (what, example) in _STRING_FORMS.items():
        definition = schema["$defs"].get(name)
        if definition is None:
            continue
        schema["$defs"][name] = {
            "anyOf": [{"type": "string", "description": what, "examples": [example]}, definition],
            "title": name,
        }
        if name == "Count":
            schema["$defs"][name]["anyOf"].insert(0, {"type": "integer", "minimum": 0})
    return schema


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as `list[Term] | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def fields_at(loc: tuple[str | int, ...]) -> list[str]:
    """Field names valid at a location of an agreement file, for 'unknown field' hints."""
    model: type[BaseModel] | None = Agreement
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        info = model.model_fields.get(part)
        model = _model_of(info.annotation) if info else None
    if model is None or model in (Distance, Duration, Count, Money):
        return []
    return list(model.model_fields)
