"""Live ingest from sensors over MQTT: at-least-once delivery, stored exactly once.

The subscriber keeps a persistent session (MQTT 5, clean start off, a session
expiry) and subscribes with QoS 1, so the broker holds messages while it is
away. Messages are acknowledged by hand, only after the batch holding them is
committed: a crash before the commit means the broker sends them again, and
the observation id turns the second copy into a duplicate that is not stored.
A message holds one observation (native or SensorThings) or a JSON array of
them.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from accord import limits
from accord.limits import MAX_DEPTH, MAX_RECORD_BYTES, TooDeep
from accord.store import Store
from accord.verify.ingest import IngestSummary, OnCommit
from accord.verify.ingest_formats import SourceRecord, decode
from accord.verify.ingest_stream import Delivery, ingest_stream

DEFAULT_CLIENT_ID = "accord-ingest"
SESSION_EXPIRY_S = 7 * 24 * 3600  # the broker keeps our queue this long while we are away
CONNECT_TIMEOUT_S = 15.0


class BrokerError(ConnectionError):
    """The broker could not be reached or refused the connection or subscription."""


@dataclass(frozen=True)
class Broker:
    """Where to connect, from a URL: mqtt://[user:password@]host[:port] or mqtts://."""

    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> Broker:
        """The broker a URL names, or an error saying what a broker URL looks like."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise ValueError(f"broker URL {url!r}: expected mqtt://host:port or mqtts://host:port")
        tls = parts.scheme == "mqtts"
        return cls(
            host=parts.hostname,
            port=parts.port or (8883 if tls else 1883),
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    @property
    def name(self) -> str:
        """The broker as a source name, without credentials."""
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def message_records(number: int, message: mqtt.MQTTMessage) -> list[SourceRecord]:
    """The records in one message; a bad message yields one record with its error."""
    where = f"message {number} on topic {message.topic}"
    try:
        text = message.payload.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raw = message.payload.decode("utf-8", "backslashreplace")
        return [SourceRecord(number, where, raw, None, "payload is not UTF-8 text")]
    if len(text) > MAX_RECORD_BYTES:
        error = f"the payload is {len(text):,} characters; the limit is {MAX_RECORD_BYTES:,}"
        return [SourceRecord(number, where, text, None, error)]
    try:
        # An array of records is one level more than a record.
        value = limits.loads(text, MAX_DEPTH + 1)
    except TooDeep as exc:
        return [
            SourceRecord(
                number, where, text, None, f"not accepted: {exc} (at character {exc.offset + 1})"
            )
        ]
    except json.JSONDecodeError as exc:
        return [SourceRecord(number, where, text, None, f"not valid JSON: {exc}")]
    if not isinstance(value, list):
        return [decode(number, where, text, value)]
    if not value:
        return [SourceRecord(number, where, text, None, "an empty array holds no observation")]
    return [
        decode(number, f"{where}, record {index}", json.dumps(item, ensure_ascii=False), item)
        for index, item in enumerate(value, start=1)
    ]


class MqttTransport:
    """An MQTT 5 subscription as a `Transport`: the paho client and the queue its network
    thread fills. The session persists (clean start off, a week's expiry), so what is
    published while we are away waits; messages are acknowledged by hand."""

    position_label = "message"
    checkpoint: str | None = None  # the broker's session remembers what was acknowledged

    def __init__(self, broker: Broker, topics: Sequence[str], client_id: str, inflight: int):
        self.name = broker.name
        self.number = 0  # messages received, numbering them for their records
        self.inbox: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self.ready = threading.Event()
        self.gone = threading.Event()
        self.flushed = threading.Event()
        self.failure: str | None = None
        self.topics = list(topics)
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        if broker.username is not None:
            client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            client.tls_set()
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.on_disconnect = self._on_disconnect
        client.on_unsubscribe = self._on_unsubscribe
        self.client = client
        self.broker = broker
        self.inflight = inflight

    def start(self, store: Store | None = None) -> int:
        """Connect and subscribe; the store is not needed (the session is the broker's)."""
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY_S
        properties.ReceiveMaximum = self.inflight
        try:
            self.client.connect(
                self.broker.host,
                self.broker.port,
                keepalive=30,
                clean_start=False,
                properties=properties,
            )
        except OSError as exc:
            raise BrokerError(f"cannot reach the broker at {self.broker.name}: {exc}") from exc
        self.client.loop_start()
        if not self.ready.wait(CONNECT_TIMEOUT_S) or self.failure:
            self.stop()
            why = self.failure or f"no answer in {CONNECT_TIMEOUT_S:.0f} s"
            raise BrokerError(f"broker {self.broker.name}: {why}")
        return 0

    def stop(self) -> None:
        """Disconnect once the broker has taken every acknowledgement sent before.

        `ack` only queues the PUBACK for the network thread, and a PUBACK on the
        wire is not yet one the broker has read: if the same client id connects
        again at once, the broker may take the session over before reading the
        old connection's last packets, drop them, and send those messages again
        (a CI run failed so). A broker answers a connection's packets
        in order, so the answer to an UNSUBSCRIBE of a topic nobody subscribes
        to (a request with no effect) means every PUBACK before it was taken.
        Then DISCONNECT, waiting for paho to report it written.
        """
        self.flushed.clear()
        code, _ = self.client.unsubscribe(f"accord-flush/{uuid.uuid4().hex}")
        if code == mqtt.MQTT_ERR_SUCCESS:
            self.flushed.wait(CONNECT_TIMEOUT_S)
        self.gone.clear()
        if self.client.disconnect() == mqtt.MQTT_ERR_SUCCESS:
            self.gone.wait(CONNECT_TIMEOUT_S)
        self.client.loop_stop()

    def receive(self, room: int, wait_s: float, idle_s: float | None) -> list[Delivery]:
        """Up to `room` messages: wait for the first (at most `idle_s`), then `wait_s` more."""
        try:
            messages = [self.inbox.get(timeout=idle_s)]
        except queue.Empty:
            return []
        deadline = time.monotonic() + wait_s
        while len(messages) < room:
            left = deadline - time.monotonic()
            try:
                messages.append(
                    self.inbox.get(timeout=left) if left > 0 else self.inbox.get_nowait()
                )
            except queue.Empty:
                break
        deliveries = []
        for message in messages:
            self.number += 1
            deliveries.append(Delivery(message_records(self.number, message), message))
        return deliveries

    def acknowledge(self, deliveries: Sequence[Delivery]) -> None:
        """PUBACK each message: the broker may forget it now."""
        for delivery in deliveries:
            self.client.ack(delivery.receipt.mid, delivery.receipt.qos)

    def _on_unsubscribe(self, *_: Any) -> None:
        self.flushed.set()

    def _on_disconnect(self, *_: Any) -> None:
        self.gone.set()

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, code: ReasonCode, _p: Any) -> None:
        if code.is_failure:
            self.failure = f"connection refused: {code}"
            self.ready.set()
            return
        client.subscribe([(topic, SubscribeOptions(qos=1)) for topic in self.topics])

    def _on_subscribe(
        self, _c: mqtt.Client, _u: Any, _mid: int, codes: list[ReasonCode], _p: Any
    ) -> None:
        refused = [str(code) for code in codes if code.is_failure]
        if refused:
            self.failure = f"subscription refused: {', '.join(refused)}"
        self.ready.set()

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        self.inbox.put(message)


def ingest_mqtt(
    store: Store,
    url: str,
    topics: Sequence[str],
    *,
    client_id: str = DEFAULT_CLIENT_ID,
    max_messages: int | None = None,
    idle_timeout_s: float | None = None,
    batch_size: int = 500,
    batch_wait_s: float = 0.2,
    on_commit: OnCommit | None = None,
    on_ready: Callable[[], None] | None = None,
) -> IngestSummary:
    """Subscribe and store messages as they come (`ingest_stream` over MQTT)."""
    broker = Broker.from_url(url)
    transport = MqttTransport(broker, topics, client_id, inflight=max(batch_size * 2, 20))
    return ingest_stream(
        store,
        transport,
        max_messages=max_messages,
        idle_timeout_s=idle_timeout_s,
        batch_size=batch_size,
        batch_wait_s=batch_wait_s,
        on_commit=on_commit,
        on_ready=on_ready,
    )
