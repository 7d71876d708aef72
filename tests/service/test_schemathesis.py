"""Property-based requests from the published OpenAPI, judged by every schemathesis
check (no 5xx, documented statuses, content types and bodies, schema-valid data
accepted, schema-invalid data refused), and every error is a message. Each answer
is held to its response model's schema (`response_schema_conformance`, named
here so a change of schemathesis's defaults cannot drop it).
Bounded: a few examples per operation."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    positive_data_acceptance,
    response_schema_conformance,
)
from tests.service.conftest import seed

from accord.service.app import create_app
from accord.service.settings import ServiceSettings
from accord.store import open_store

_PATH = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"accord-schemathesis-{os.getpid()}.db")
if os.path.exists(_PATH):
    os.remove(_PATH)
_STORE = open_store(f"sqlite:///{_PATH}")
_SEEDED = seed(_STORE)
APP = create_app(ServiceSettings(rate_limit_per_minute=100_000), _STORE)
# Reports draw maps and the negotiation runs Monte Carlo: one example each suffices.
SLOW = "^/api/(reports|negotiation)"
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).exclude(path_regex=SLOW)
slow_schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(path_regex=SLOW)


@pytest.fixture(scope="module", autouse=True)
def _close() -> object:
    yield
    _STORE.close()


@schema.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_every_request_without_a_server_error(case: schemathesis.Case) -> None:
    _check(case, timeout_s=10)


@slow_schema.parametrize()
@settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck))
def test_reports_and_negotiation_answer_without_a_server_error(case: schemathesis.Case) -> None:
    # These check what the answer is, not how fast: the negotiation's first request runs
    # its Monte Carlo (about 9 s alone on this machine, more under CI's load), which
    # overran schemathesis's 10 s read timeout now and then.
    _check(case, timeout_s=300)


# Rules across values, which OpenAPI cannot state: `until` not before `since` and
# a period of at most ten years; a bbox's west <= east and south <= north; the
# sizes of a consistency proof in order and within the log as it stands; a daily
# report's edition and party agreeing (a party only with edition=party or none).
# Schema-valid requests that break them are 400, so only they skip that check.
ACROSS_PARAMETERS = {"/api/conditions", "/api/ledger/consistency"}
DAILY = {"/api/reports/daily", "/api/reports/daily.pdf"}


def _across_values(case: schemathesis.Case) -> bool:
    if case.path in ACROSS_PARAMETERS:
        return True
    query = case.query or {}
    if case.path in DAILY and query.get("edition") is not None:
        return (query.get("party") is not None) != (query["edition"] == "party")
    bbox = query.get("bbox")
    if not isinstance(bbox, str) or bbox.count(",") != 3:
        return False
    west, south, east, north = (float(v) for v in bbox.split(","))
    return west > east or south > north


def _check(case: schemathesis.Case, timeout_s: float) -> None:
    excluded = [positive_data_acceptance] if _across_values(case) else []
    response = case.call_and_validate(
        headers=_SEEDED.headers("analyst"),
        additional_checks=[response_schema_conformance],
        excluded_checks=excluded,
        timeout=timeout_s,
    )
    if response.status_code >= 400:
        problem = response.json()
        assert problem["detail"], f"{case.method} {case.path}: error without a message"
        documented = case.operation.definition.raw.get("responses", {})
        assert str(response.status_code) in documented, (
            f"{case.method} {case.path}: {response.status_code} is not documented"
        )
