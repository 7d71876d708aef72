"""A bug is a 500 that shows the client a correlation id and nothing of the exception;
the server's log has the traceback under that id. Only accord's own errors are 4xx."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.service.conftest import Seeded

from accord.service.core import Core


def _broken(error: Exception) -> Callable[..., object]:
    """A stand-in for a core method that fails the way a bug does."""

    def fail(*_: object, **__: object) -> object:
        raise error

    return fail


@pytest.mark.parametrize(
    "error",
    [KeyError("secret internal"), ValueError("secret internal"), LookupError("secret internal")],
)
def test_a_bug_is_a_500_with_a_correlation_id_and_its_traceback_in_the_log(
    client: TestClient,
    seeded: Seeded,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
) -> None:
    monkeypatch.setattr(Core, "incidents", _broken(error))
    with caplog.at_level(logging.ERROR, logger="accord.service"):
        answer = client.get("/api/incidents", headers=seeded.headers("analyst"))
    assert answer.status_code == 500
    body = answer.json()
    assert body["status"] == 500 and body["title"] == "Internal error"
    assert "secret" not in answer.text
    found = re.search(r"correlation id ([0-9a-f-]{36})$", body["detail"])
    assert found is not None, body
    logged = [r for r in caplog.records if found.group(1) in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert "secret internal" in caplog.text  # the traceback, for the operator
    assert "Traceback" in caplog.text


def test_the_other_middleware_still_stands_after_a_fault(
    client: TestClient, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Core, "data_span", _broken(KeyError("secret internal")))
    answer = client.get("/api/span", headers=seeded.headers("analyst"))
    assert answer.status_code == 500
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert client.get("/api/me", headers=seeded.headers("analyst")).status_code == 200


def test_a_fault_logs_its_path_with_any_token_in_it_redacted(
    client: TestClient,
    seeded: Seeded,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from accord.service.catalog import Catalog

    monkeypatch.setattr(Catalog, "ledger_proof", _broken(KeyError("secret internal")))
    secret = seeded.tokens["analyst"]
    with caplog.at_level(logging.ERROR, logger="accord.service"):
        answer = client.get(f"/api/ledger/proofs/{secret}", headers=seeded.headers("analyst"))
    assert answer.status_code == 500
    assert "/api/ledger/proofs/acc_[redacted]" in caplog.text
    assert secret not in caplog.text


def test_the_error_table_maps_accords_own_errors_only() -> None:
    from accord.book import LedgerError
    from accord.plans import UnknownPlanError
    from accord.service.errors import as_service_error
    from accord.verify.workflow import IllegalTransition

    for bug in (KeyError("k"), ValueError("v"), LookupError("l"), TypeError("t")):
        assert as_service_error(bug) is None
    statuses = {
        kind.__name__: getattr(as_service_error(kind("why")), "status", None)
        for kind in (IllegalTransition, UnknownPlanError, LedgerError)
    }
    assert statuses == {"IllegalTransition": 409, "UnknownPlanError": 404, "LedgerError": 404}
