"""CoT to a local TLS listener standing in for a TAK server: mutual TLS with
certificates made here, events at the incident's own time, one connection for
many events, and a reconnect after the listener drops the stream."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree
from sqlalchemy.orm import Session
from tests.service.test_alerts import fresh_incident, pem

from accord.service.alerts import Alerts
from accord.service.auth import Actor, Role
from accord.service.settings import ServiceSettings
from accord.store import Store, open_store
from accord.verify.workflow import incident_ref


def issue(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
) -> x509.Certificate:
    """A certificate for `key`, by the CA (self-signed, as a CA, without one)."""
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca[0].subject if ca else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca is None, path_length=None), critical=True)
    )
    if name == "tak-server":
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        builder = builder.add_extension(san, critical=False)
    return builder.sign(ca[1] if ca else key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A CA, the listener's certificate (for 127.0.0.1) and the mission's client one."""
    folder = tmp_path_factory.mktemp("tak-pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = issue("test-ca", ca_key, None)
    files = {"ca": folder / "ca.pem"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for name in ("tak-server", "accord"):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = issue(name, key, (ca, ca_key))
        files[f"{name}.crt"] = folder / f"{name}.crt"
        files[f"{name}.key"] = folder / f"{name}.key"
        files[f"{name}.crt"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        files[f"{name}.key"].write_bytes(pem(key))
    return files


class TakListener:
    """Accepts TLS connections that present a client certificate of the CA and keeps
    what each sends; `drop` closes the current one."""

    def __init__(self, pki: dict[str, Path]) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=pki["ca"])
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.context.load_cert_chain(pki["tak-server.crt"], pki["tak-server.key"])
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received: list[bytearray] = []
        self.peers: list[str] = []  # the client certificate's common name, per connection
        self.current: ssl.SSLSocket | None = None
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                raw, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                connection = self.context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError):
                raw.close()
                continue
            subject = dict(x[0] for x in connection.getpeercert()["subject"])
            self.peers.append(subject["commonName"])
            buffer = bytearray()
            self.received.append(buffer)
            self.current = connection
            threading.Thread(target=self._read, args=(connection, buffer), daemon=True).start()

    @staticmethod
    def _read(connection: ssl.SSLSocket, buffer: bytearray) -> None:
        try:
            while chunk := connection.recv(65536):
                buffer.extend(chunk)
        except OSError:
            return

    def events(self, connection: int) -> list[etree._Element]:
        chunks = bytes(self.received[connection]).split(b"</event>")[:-1]
        return [etree.fromstring(c.split(b"?>", 1)[-1] + b"</event>") for c in chunks]

    def count(self) -> int:
        return sum(len(self.events(i)) for i in range(len(self.received)))

    def wait_for(self, events: int) -> None:
        deadline = time.monotonic() + 10
        while self.count() < events and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.count() == events

    def drop(self) -> None:
        assert self.current is not None
        self.current.shutdown(socket.SHUT_RDWR)
        self.current.close()

    def close(self) -> None:
        self.running = False
        self.server.close()
        self.thread.join(timeout=5)


@pytest.fixture
def listener(pki: dict[str, Path]) -> Iterator[TakListener]:
    tak = TakListener(pki)
    yield tak
    tak.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'cot.db'}") as opened:
        yield opened


def add(store: Store, seen: dt.datetime, party: str = "RU") -> int:
    with Session(store.engine) as session:
        row = fresh_incident(party, seen, state="detected", kind="artillery")
        session.add(row)
        session.commit()
        return row.id


def test_cot_over_one_tls_stream_at_the_incidents_time(
    store: Store,
    listener: TakListener,
    pki: dict[str, Path],
) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    seen = [now - dt.timedelta(minutes=m) for m in (3, 20, 40)]
    first = [add(store, t) for t in seen]
    week_old = add(store, now - dt.timedelta(days=7))
    settings = ServiceSettings(
        tak_endpoint=f"tls://127.0.0.1:{listener.port}",
        tak_client_cert=str(pki["accord.crt"]),
        tak_client_key=str(pki["accord.key"]),
        tak_ca_file=str(pki["ca"]),
        tak_reconnect_s=0.1,
        cot_stale_minutes=60,
        alert_max_age_hours=24 * 30,  # let the week-old one through the start-up limit
    )
    alerts = Alerts(store, settings)
    try:
        assert alerts.dispatch_due() == 3  # the week-old one is stale on arrival
        listener.wait_for(3)
        assert listener.peers == ["accord"]
        events = listener.events(0)
        assert [e.get("uid") for e in events] == [f"accord-{incident_ref(i)}" for i in first]
        for event, moment in zip(events, seen, strict=True):
            stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            assert event.get("time") == event.get("start") == stamp
            stale = (moment + dt.timedelta(minutes=60)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            assert event.get("stale") == stale
            assert event.get("type") == "a-u-G-U-C-F"

        later = add(store, now - dt.timedelta(minutes=1))
        assert alerts.dispatch_due() == 1
        listener.wait_for(4)
        assert len(listener.received) == 1  # the same connection

        listener.drop()
        rest = [add(store, now - dt.timedelta(minutes=2)), add(store, now)]
        assert alerts.dispatch_due() == 2
        listener.wait_for(6)
        assert len(listener.received) == 2  # reconnected once
        uids = [e.get("uid") for e in listener.events(1)]
        assert uids == [f"accord-{incident_ref(i)}" for i in rest]

        deliveries = alerts.deliveries(Actor(Role.admin, "admin"))
        outcome = {d["incident"]: (d["outcome"], d["detail"]) for d in deliveries}
        for incident in [*first, later, *rest]:
            assert outcome[incident_ref(incident)] == ("delivered", "sent")
        state, detail = outcome[incident_ref(week_old)]
        assert state == "skipped" and detail.startswith("skipped: stale since")
        assert alerts.dispatch_due() == 0
    finally:
        alerts.close()


def test_a_server_that_refuses_the_certificate_is_recorded_and_retried(
    store: Store,
    listener: TakListener,
    pki: dict[str, Path],
) -> None:
    """Without the CA the listener's certificate is not trusted: nothing is sent, the
    failure says why, and the next dispatch tries again."""
    add(store, dt.datetime.now(dt.UTC))
    settings = ServiceSettings(
        tak_endpoint=f"tls://127.0.0.1:{listener.port}",
        tak_client_cert=str(pki["accord.crt"]),
        tak_client_key=str(pki["accord.key"]),
        alert_timeout_s=0.5,
    )
    alerts = Alerts(store, settings)
    try:
        assert alerts.dispatch_due() == 1
        assert alerts.dispatch_due() == 1
        deliveries = alerts.deliveries(Actor(Role.admin, "admin"))
        assert [d["outcome"] for d in deliveries] == ["failed", "failed"]
        assert "not reached" in deliveries[0]["detail"]
        assert listener.count() == 0
    finally:
        alerts.close()


def test_tls_needs_a_client_certificate() -> None:
    with pytest.raises(ValueError, match="ACCORD_TAK_CLIENT_CERT"):
        ServiceSettings(tak_endpoint="tls://127.0.0.1:8089")
    with pytest.raises(ValueError, match="write tls://host:port"):
        ServiceSettings(tak_endpoint="127.0.0.1:8089")
