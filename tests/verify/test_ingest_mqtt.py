"""Live ingest over MQTT against a real Mosquitto broker, on both backends."""

from __future__ import annotations

import json
import threading
import uuid

import paho.mqtt.client as mqtt
import pytest
import typer
from paho.mqtt.enums import CallbackAPIVersion
from tests.support import camera_sighting as sighting
from typer.testing import CliRunner

from accord.cli.ingest import ingest as ingest_command
from accord.store import open_store
from accord.verify.ingest import IngestSummary
from accord.verify.ingest_mqtt import Broker, BrokerError, ingest_mqtt


def publish(url: str, topic: str, payloads: list[bytes]) -> None:
    """Publish with QoS 1 and wait until the broker has every message."""
    broker = Broker.from_url(url)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
    client.connect(broker.host, broker.port)
    client.loop_start()
    infos = [client.publish(topic, payload, qos=1) for payload in payloads]
    for info in infos:
        info.wait_for_publish(timeout=10)
        assert info.is_published()
    client.disconnect()
    client.loop_stop()


def run_while_publishing(
    database_url: str, mqtt_url: str, topic: str, client_id: str, payloads: list[bytes]
) -> IngestSummary:
    """Ingest in a thread; publish once it is subscribed; wait for every message."""
    ready = threading.Event()
    results: list[IngestSummary] = []

    def listen() -> None:
        with open_store(database_url) as store:
            results.append(
                ingest_mqtt(
                    store,
                    mqtt_url,
                    [topic],
                    client_id=client_id,
                    max_messages=len(payloads),
                    idle_timeout_s=20,
                    on_ready=ready.set,
                )
            )

    thread = threading.Thread(target=listen)
    thread.start()
    assert ready.wait(20)
    publish(mqtt_url, topic, payloads)
    thread.join(60)
    assert not thread.is_alive()
    [summary] = results
    return summary


@pytest.fixture
def names() -> tuple[str, str]:
    token = uuid.uuid4().hex[:10]
    return f"accord-test/{token}/sensors", f"accord-test-{token}"


def test_replayed_messages_are_stored_once(
    database_url: str, mqtt_url: str, names: tuple[str, str]
) -> None:
    topic, client_id = names
    payloads = [json.dumps(sighting(i)).encode() for i in range(40)]
    payloads += [
        json.dumps([sighting(100), sighting(101, count=-1)]).encode(),
        b"\xff\xfe not text",
        b"{broken",
        json.dumps(sighting(102, observed_at="2025-06-01T04:00:00")).encode(),
    ]
    first = run_while_publishing(database_url, mqtt_url, topic, client_id, payloads)
    assert (first.records, first.accepted, first.quarantined) == (44, 41, 4)
    replay = run_while_publishing(database_url, mqtt_url, topic, client_id, payloads)
    assert (replay.accepted, replay.duplicates) == (0, 41)
    with open_store(database_url) as store:
        ids = store.observation_ids()
        assert len(ids) == len(set(ids)) == 41
        quarantined = store.quarantined()
    assert len(quarantined) == 4
    details = sorted(q.detail for q in quarantined)
    assert details[0] == f"message 41 on topic {topic}, record 2"
    reasons = " | ".join(q.reason for q in quarantined)
    assert "payload is not UTF-8 text" in reasons and "not valid JSON" in reasons
    assert "count: Input should be greater than or equal to 0" in reasons
    assert "observed_at: time has no timezone" in reasons


def test_messages_sent_while_away_arrive_on_return(
    database_url: str, mqtt_url: str, names: tuple[str, str]
) -> None:
    topic, client_id = names
    with open_store(database_url) as store:
        opened = ingest_mqtt(store, mqtt_url, [topic], client_id=client_id, idle_timeout_s=0.2)
        assert opened.records == 0
        publish(mqtt_url, topic, [json.dumps(sighting(i)).encode() for i in range(25)])
        # Take 10 and stop: the other 15 were received but never acknowledged.
        part = ingest_mqtt(store, mqtt_url, [topic], client_id=client_id, max_messages=10)
        rest = ingest_mqtt(store, mqtt_url, [topic], client_id=client_id, idle_timeout_s=2)
        assert (part.accepted, rest.accepted + rest.duplicates) == (10, 15)
        assert sorted(store.observation_ids()) == sorted(f"cam-{i}" for i in range(25))


def test_cli_listens_until_max_messages(
    database_url: str, mqtt_url: str, names: tuple[str, str]
) -> None:
    topic, client_id = names
    cli = typer.Typer()
    cli.command()(ingest_command)
    args = ["--mqtt", mqtt_url, "--topic", topic, "--client-id", client_id]
    args += ["--database", database_url, "--timeout", "0.2"]
    assert CliRunner().invoke(cli, args).exit_code == 0  # creates the session
    publish(mqtt_url, topic, [json.dumps(sighting(i)).encode() for i in range(3)])
    result = CliRunner().invoke(cli, [*args[:-2], "--max-messages", "3", "--timeout", "20"])
    assert result.exit_code == 0, result.output
    assert "3 messages, 3 accepted, 0 duplicates, 0 quarantined" in result.output


def test_an_unreachable_broker_is_reported(database_url: str) -> None:
    with open_store(database_url) as store, pytest.raises(BrokerError, match="cannot reach"):
        ingest_mqtt(store, "mqtt://127.0.0.1:9", ["t"], idle_timeout_s=1)


def test_a_poison_message_is_quarantined_and_the_stream_goes_on(
    database_url: str, mqtt_url: str, names: tuple[str, str]
) -> None:
    """100,000 levels deep (200 KB): once a RecursionError that stopped ingest for good,
    as the broker redelivered it forever."""
    topic, client_id = names
    poison = ("[" * 100_000 + "]" * 100_000).encode()
    payloads = [json.dumps(sighting(1)).encode(), poison, json.dumps(sighting(2)).encode()]
    payloads.append(b"\xef\xbb\xbf" + json.dumps(sighting(3)).encode())  # a BOM is accepted
    summary = run_while_publishing(database_url, mqtt_url, topic, client_id, payloads)
    assert (summary.accepted, summary.quarantined) == (3, 1)
    with open_store(database_url) as store:
        assert sorted(store.observation_ids()) == ["cam-1", "cam-2", "cam-3"]
        [bad] = store.quarantined()
        assert bad.reason == "not accepted: nested deeper than 65 levels (at character 66)"
        # Acknowledged once quarantined: nothing is left for the same session.
        again = ingest_mqtt(store, mqtt_url, [topic], client_id=client_id, idle_timeout_s=1)
    assert again.records == 0
