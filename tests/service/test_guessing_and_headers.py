"""Issue 15, part 4: guessing tokens is rate-limited, tokens can expire, and every
response tells the browser not to frame, sniff or load foreign content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from tests.service.conftest import Seeded, make_client

from accord.service.auth import Role, create_token
from accord.store.service import ServiceToken


def test_guessing_tokens_meets_a_429(seeded: Seeded) -> None:
    with make_client(seeded.store, rate_limit_per_minute=100) as client:
        codes = [
            client.get("/api/me", headers={"Authorization": f"Bearer acc_guess{n}"}).status_code
            for n in range(150)
        ]
        assert set(codes[:100]) == {401} and set(codes[100:]) == {429}
        # a real token keeps its own allowance
        assert client.get("/api/me", headers=seeded.headers("analyst")).status_code == 200


def test_an_expired_token_is_refused_as_expired(client: TestClient, seeded: Seeded) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    token_id, secret = create_token(seeded.store, Role.analyst, name="temporary", expires_at=later)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/me", headers=headers).status_code == 200
    with seeded.store.engine.begin() as connection:
        connection.execute(
            update(ServiceToken)
            .where(ServiceToken.id == token_id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    refused = client.get("/api/me", headers=headers)
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]


def test_a_token_cannot_be_made_already_expired(seeded: Seeded) -> None:
    with pytest.raises(ValueError, match="not in the future"):
        create_token(
            seeded.store, Role.analyst, name="x", expires_at=datetime.now(UTC) - timedelta(1)
        )


@pytest.mark.parametrize("path", ["/dashboard/", "/api/zones", "/api/me", "/nowhere"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
