"""Keys: good signatures pass; forged, revoked, expired and foreign ones do not."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.ledger.keys import (
    KeyRecord,
    KeyRegistry,
    Refusal,
    SignatureRefused,
    new_private_key,
    public_bytes,
    sign,
)

T0 = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
MESSAGE = b'{"id":"obs-1"}'


@pytest.fixture
def setup() -> tuple[KeyRegistry, object]:
    key = new_private_key()
    registry = KeyRegistry()
    registry.add(KeyRecord("sensor-1-k1", "sensor-1", public_bytes(key), valid_from=T0))
    return registry, key


def refusal(registry: KeyRegistry, *args: object) -> Refusal:
    with pytest.raises(SignatureRefused) as info:
        registry.check(*args)  # type: ignore[arg-type]
    return info.value.reason


def test_good_signature(setup) -> None:  # type: ignore[no-untyped-def]
    registry, key = setup
    record = registry.check("sensor-1-k1", "sensor-1", MESSAGE, sign(key, MESSAGE), T0)
    assert record.owner == "sensor-1"


def test_forged_signature(setup) -> None:  # type: ignore[no-untyped-def]
    registry, _ = setup
    forged = sign(new_private_key(), MESSAGE)
    assert (
        refusal(registry, "sensor-1-k1", "sensor-1", MESSAGE, forged, T0) is Refusal.bad_signature
    )


def test_altered_message(setup) -> None:  # type: ignore[no-untyped-def]
    registry, key = setup
    signature = sign(key, MESSAGE)
    altered = MESSAGE.replace(b"1", b"2")
    assert (
        refusal(registry, "sensor-1-k1", "sensor-1", altered, signature, T0)
        is Refusal.bad_signature
    )


def test_unknown_and_foreign_keys(setup) -> None:  # type: ignore[no-untyped-def]
    registry, key = setup
    signature = sign(key, MESSAGE)
    assert refusal(registry, "nope", "sensor-1", MESSAGE, signature, T0) is Refusal.unknown_key
    assert (
        refusal(registry, "sensor-1-k1", "drone-4", MESSAGE, signature, T0) is Refusal.wrong_owner
    )


def test_rotation_and_revocation(setup) -> None:  # type: ignore[no-untyped-def]
    registry, old_key = setup
    new_key = new_private_key()
    switch = T0 + dt.timedelta(days=10)
    registry.rotate(
        "sensor-1-k1", KeyRecord("sensor-1-k2", "sensor-1", public_bytes(new_key), switch)
    )
    late = switch + dt.timedelta(hours=1)
    assert (
        refusal(registry, "sensor-1-k1", "sensor-1", MESSAGE, sign(old_key, MESSAGE), late)
        is Refusal.key_not_valid_then
    )
    assert registry.check("sensor-1-k2", "sensor-1", MESSAGE, sign(new_key, MESSAGE), late)
    registry.revoke("sensor-1-k2", late, "tablet lost")
    assert (
        refusal(registry, "sensor-1-k2", "sensor-1", MESSAGE, sign(new_key, MESSAGE), late)
        is Refusal.revoked_key
    )
    assert registry.get("sensor-1-k1").replaced_by == "sensor-1-k2"
