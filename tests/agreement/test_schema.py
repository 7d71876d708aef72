"""The published JSON Schema accepts every shipped plan and rejects bad ones."""

from __future__ import annotations

import jsonschema
import pytest
from ruamel.yaml import YAML

from accord.agreement.schema import agreement_json_schema, fields_at
from accord.plans import plan_ids, plan_path


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = agreement_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("plan", plan_ids())
def test_shipped_plans_validate_against_schema(validator, plan: str) -> None:  # type: ignore[no-untyped-def]
    data = YAML(typ="safe").load(plan_path(plan).read_text())
    errors = [e.message for e in validator.iter_errors(data)]
    assert errors == []


def test_schema_rejects_unknown_field(validator, minimal_yaml: str) -> None:  # type: ignore[no-untyped-def]
    data = YAML(typ="safe").load(minimal_yaml)
    data["terms"][0]["colour"] = "red"
    assert any("colour" in e.message for e in validator.iter_errors(data))


def test_fields_at_walks_nested_models() -> None:
    assert "width" in fields_at(("terms", 0, "zone"))
    assert "beneficiary" in fields_at(("terms", 2, "incentive"))
    assert fields_at(("terms", 0, "zone", "width")) == []
