"""Alerts to the parties and to field devices.

When an incident is referred to headquarters, or reaches the alert severity,
the server sends once per incident and channel:

- an OASIS CAP 1.2 message, scope Restricted, addressed to the duty officer of
  the party the incident is attributed to (both parties' when unattributed),
  POSTed to the configured webhook;
- a Cursor-on-Target event for TAK devices, with a stable uid per incident (a
  later event replaces the earlier one on the map), a stale time and a 2525
  type code by what was seen, over TCP or UDP to the configured TAK endpoint.

Every attempt, failed ones too, is a row in `alert_deliveries`; a failed one is
tried again on the next dispatch.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from accord.service.access import require
from accord.service.auth import PARTIES, Actor
from accord.service.settings import ServiceSettings
from accord.store import Store
from accord.store.database import WRITE
from accord.store.service import AlertDelivery
from accord.store.verification import StoredIncident
from accord.verify.rules import Severity
from accord.verify.workflow import State, incident_ref

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
SENDER = "accord-mission@monitoring.invalid"
# CoT type (MIL-STD-2525 function as CoT letters) by observed kind; affiliation u
# (unknown): the mission attributes, it does not take sides.
COT_TYPES = {
    "personnel": "a-u-G-U-C-I",
    "vehicle": "a-u-G-E-V",
    "armour": "a-u-G-U-C-A",
    "artillery": "a-u-G-U-C-F",
    "mlrs": "a-u-G-U-C-F-R",
    "air_defence": "a-u-G-U-C-D",
    "missile_launcher": "a-u-G-U-C-F-M",
    "aircraft": "a-u-A",
    "drone": "a-u-A-M-F-Q",
    "fortification": "a-u-G-I",
    "firing": "a-u-G-U-C-F",
}
CAP_SEVERITY = {"low": "Minor", "medium": "Moderate", "high": "Severe", "critical": "Extreme"}


def cap_time(moment: datetime) -> str:
    """CAP's dateTime: seconds, numeric offset, UTC written -00:00 (CAP 1.2, 3.3.2)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + "-00:00"


def cot_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def _first_kind(row: StoredIncident) -> str:
    return next((k for k in row.kinds.split(",") if k), row.kind)


def cap_message(row: StoredIncident, reason: str, now: datetime) -> bytes:
    """The CAP 1.2 alert for an incident, addressed to the parties' duty officers."""
    ref = incident_ref(row.id)
    parties = [row.party] if row.party in PARTIES else list(PARTIES)
    alert = ET.Element("alert", xmlns=CAP_NS)
    for name, text in (
        ("identifier", f"accord-{ref}-{int(now.timestamp())}"),
        ("sender", SENDER),
        ("sent", cap_time(now)),
        ("status", "Actual"),
        ("msgType", "Alert"),
        ("scope", "Restricted"),
        ("restriction", "For the parties' duty officers under the ceasefire agreement"),
        ("addresses", " ".join(f"duty-officer-{p}" for p in parties)),
        ("incidents", ref),
    ):
        ET.SubElement(alert, name).text = text
    info = ET.SubElement(alert, "info")
    severity = Severity(row.severity).name
    seen = datetime.fromtimestamp(row.first_seen_us / 1e6, UTC)
    for name, text in (
        ("language", "en"),
        ("category", "Security"),
        ("event", f"Ceasefire violation: {row.term_id}"),
        ("urgency", "Immediate" if row.state == State.referred else "Expected"),
        ("severity", CAP_SEVERITY[severity]),
        ("certainty", "Observed" if row.confirmed else "Likely"),
        ("onset", cap_time(seen)),
        ("senderName", "accord monitoring mission"),
        ("headline", f"{ref}: {row.kind} in sector {row.sector} ({reason})"),
        (
            "description",
            f"{ref}, breach of {row.term_id} ({row.rule_id}); seen {seen:%Y-%m-%d %H:%M}Z; "
            f"attributed to {row.party or 'no party'} ({row.party_confidence:.2f}): "
            f"{row.attribution}; confidence {row.confidence:.2f}; state {row.state}.",
        ),
    ):
        ET.SubElement(info, name).text = text
    for name, value in (("incident", ref), ("state", row.state), ("party", row.party or "")):
        parameter = ET.SubElement(info, "parameter")
        ET.SubElement(parameter, "valueName").text = name
        ET.SubElement(parameter, "value").text = value
    area = ET.SubElement(info, "area")
    ET.SubElement(area, "areaDesc").text = f"sector {row.sector}"
    ET.SubElement(area, "circle").text = f"{row.lat:.5f},{row.lon:.5f} 2.0"
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True)


def cot_event(row: StoredIncident, now: datetime, stale_minutes: float) -> bytes:
    """A CoT event; its uid is the incident's, so TAK updates one marker per incident."""
    ref = incident_ref(row.id)
    event = ET.Element(
        "event",
        version="2.0",
        uid=f"accord-{ref}",
        type=COT_TYPES.get(_first_kind(row), "a-u-G"),
        how="h-e",
        time=cot_time(now),
        start=cot_time(now),
        stale=cot_time(now + timedelta(minutes=stale_minutes)),
    )
    ET.SubElement(
        event,
        "point",
        lat=f"{row.lat:.6f}",
        lon=f"{row.lon:.6f}",
        hae="9999999.0",
        ce="2000.0",
        le="9999999.0",
    )
    detail = ET.SubElement(event, "detail")
    ET.SubElement(detail, "contact", callsign=ref)
    ET.SubElement(
        detail, "remarks"
    ).text = f"{row.kind} {Severity(row.severity).name}, {row.state}, party {row.party or '?'}"
    return ET.tostring(event, encoding="utf-8", xml_declaration=True)


def post_webhook(url: str, body: bytes, timeout_s: float) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/cap+xml"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return int(response.status), "delivered"
    except urllib.error.HTTPError as exc:
        return exc.code, f"webhook answered {exc.code}"
    except OSError as exc:
        return -1, f"webhook unreachable: {exc}"


def send_cot(endpoint: str, body: bytes, timeout_s: float) -> tuple[int, str]:
    """Send one event to tcp://host:port or udp://host:port; 0 when sent."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("tcp", "udp") or not parts.hostname or not parts.port:
        return -1, f"TAK endpoint {endpoint!r}: write tcp://host:port or udp://host:port"
    kind = socket.SOCK_STREAM if parts.scheme == "tcp" else socket.SOCK_DGRAM
    try:
        with socket.socket(socket.AF_INET, kind) as sock:
            sock.settimeout(timeout_s)
            sock.connect((parts.hostname, parts.port))
            sock.sendall(body)
    except OSError as exc:
        return -1, f"TAK endpoint unreachable: {exc}"
    return 0, "sent"


class Alerts:
    """Finds the incidents due an alert and sends each once per channel."""

    def __init__(self, store: Store, settings: ServiceSettings) -> None:
        self.store = store
        self.settings = settings

    def _due(self, channel: str) -> list[StoredIncident]:
        threshold = Severity[self.settings.alert_severity]
        done = select(AlertDelivery.incident_id).where(
            AlertDelivery.channel == channel,
            or_(AlertDelivery.status == 0, AlertDelivery.status.between(200, 299)),
        )
        query = (
            select(StoredIncident)
            .where(
                or_(
                    StoredIncident.state == State.referred.value,
                    StoredIncident.severity >= int(threshold),
                ),
                StoredIncident.id.not_in(done),
            )
            .order_by(StoredIncident.id)
        )
        with Session(self.store.engine) as session:
            return list(session.scalars(query))

    def dispatch_due(self, now: datetime | None = None) -> int:
        """Send what is due on every configured channel; the number of deliveries made."""
        now = now or datetime.now(UTC)
        rows: list[dict[str, Any]] = []
        timeout = self.settings.alert_timeout_s
        if self.settings.alert_webhook_url:
            url = self.settings.alert_webhook_url
            for incident in self._due("cap"):
                reason = _reason(incident, self.settings)
                status, detail = post_webhook(url, cap_message(incident, reason, now), timeout)
                rows.append(_row(incident.id, "cap", url, reason, status, detail, now))
        if self.settings.tak_endpoint:
            endpoint = self.settings.tak_endpoint
            stale = self.settings.cot_stale_minutes
            for incident in self._due("cot"):
                status, detail = send_cot(endpoint, cot_event(incident, now, stale), timeout)
                reason = _reason(incident, self.settings)
                rows.append(_row(incident.id, "cot", endpoint, reason, status, detail, now))
        if rows:
            with self.store.engine.connect() as connection:
                connection = connection.execution_options(**WRITE)
                with connection.begin():
                    connection.execute(insert(AlertDelivery), rows)
        return len(rows)

    def deliveries(self, actor: Actor) -> list[dict[str, Any]]:
        require(actor, "alerts.read")
        with Session(self.store.engine) as session:
            found = session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)).all()
            return [
                {
                    "incident": incident_ref(d.incident_id),
                    "channel": d.channel,
                    "target": d.target,
                    "reason": d.reason,
                    "status": d.status,
                    "detail": d.detail,
                    "at": d.at.isoformat().replace("+00:00", "Z"),
                }
                for d in found
            ]


def _reason(row: StoredIncident, settings: ServiceSettings) -> str:
    if row.state == State.referred:
        return "referred to headquarters"
    return f"severity {Severity(row.severity).name} (alerts from {settings.alert_severity})"


def _row(
    incident_id: int,
    channel: str,
    target: str,
    reason: str,
    status: int,
    detail: str,
    at: datetime,
) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "channel": channel,
        "target": target,
        "reason": reason,
        "status": status,
        "detail": detail,
        "at": at,
    }
