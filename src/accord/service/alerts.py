"""Alerts people can act on: new transitions of incidents, to the parties and to TAK.

An incident at or above the alert severity is due an alert on a channel when,
since what that channel last acted on (`alert_marks`), it was referred to
headquarters and is still referred, or it rose to the alert severity from below
(an incident never acted on counts as from below). Resolved and closed
incidents are not alerted. Each channel then sends:

- CAP (`accord.service.cap`): a signed CAP 1.2 message per incident, POSTed to
  the webhook; from `alert_digest_from` incidents of one audience due in one
  dispatch, one digest message for them instead;
- CoT (`accord.service.cot`): one event per incident (a marker on the map,
  which TAK replaces by uid) over one PyTAK stream, at the incident's own
  time; an event that would be stale on arrival is skipped.

The first dispatch after start-up skips incidents whose own data time is older
than `alert_max_age_hours`. Every attempt and every skip is a row in
`alert_deliveries` with its reason; a sent or skipped incident is marked, a
failed one is not, and is tried again on the next dispatch.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from accord.service.access import require
from accord.service.auth import Actor
from accord.service.cap import CapSigner, Due, audience, cap_digest, cap_message, data_time
from accord.service.cot import TakStream, cot_event, pytak_config, stale_at
from accord.service.settings import ServiceSettings
from accord.store import Store
from accord.store.database import WRITE
from accord.store.service import AlertDelivery, AlertMark
from accord.store.verification import IncidentTransition, StoredIncident
from accord.verify.rules import Severity
from accord.verify.workflow import State, incident_ref

INACTIVE = (State.resolved.value, State.closed.value)


def post_webhook(url: str, body: bytes, timeout_s: float) -> tuple[int, str]:
    """POST a CAP document to a party's webhook: the HTTP status and the outcome to record."""
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


class Alerts:
    """Finds the incidents due an alert on each configured channel and sends them."""

    def __init__(self, store: Store, settings: ServiceSettings) -> None:
        self.store = store
        self.settings = settings
        self.signer = (
            CapSigner.from_files(settings.alert_signing_key, settings.alert_signing_cert)
            if settings.alert_signing_key and settings.alert_signing_cert
            else None
        )
        self._tak: TakStream | None = None
        self._lock = threading.Lock()  # the server's loop and the API both dispatch
        # What came before this point is the start-up backlog: workflow steps up to
        # this one, and changes of an incident's row before this time.
        self._started_at = datetime.now(UTC)
        with store.engine.connect() as connection:
            self._boot_step = connection.execute(
                select(func.coalesce(func.max(IncidentTransition.id), 0))
            ).scalar_one()

    @property
    def tak(self) -> TakStream:
        """The one TAK stream, opened on first use and kept open for every later event."""
        if self._tak is None:
            endpoint = self.settings.tak_endpoint
            assert endpoint, "no TAK endpoint configured"
            self._tak = TakStream(
                pytak_config(
                    endpoint,
                    client_cert=self.settings.tak_client_cert,
                    client_key=self.settings.tak_client_key,
                    ca_file=self.settings.tak_ca_file,
                    reconnect_s=self.settings.tak_reconnect_s,
                )
            )
        return self._tak

    def close(self) -> None:
        """Close the TAK stream, if one was opened, when the server stops."""
        if self._tak is not None:
            self._tak.close()
            self._tak = None

    def _due(self, channel: str) -> list[tuple[Due, int, bool]]:
        """The incidents due on the channel, each with its latest workflow step and whether
        its transition came before this server started (the start-up backlog)."""
        threshold = int(Severity[self.settings.alert_severity])
        steps = select(func.max(IncidentTransition.id)).where(
            IncidentTransition.incident_id == StoredIncident.id
        )
        step = func.coalesce(steps.scalar_subquery(), 0)
        referral = func.coalesce(
            steps.where(IncidentTransition.to_state == State.referred.value).scalar_subquery(), 0
        )
        referred_now = and_(
            StoredIncident.state == State.referred.value,
            referral > func.coalesce(AlertMark.step, 0),
        )
        query = (
            select(StoredIncident, step, referral, referred_now, AlertMark.severity)
            .outerjoin(
                AlertMark,
                and_(AlertMark.incident_id == StoredIncident.id, AlertMark.channel == channel),
            )
            .where(
                StoredIncident.severity >= threshold,
                StoredIncident.state.not_in(INACTIVE),
                or_(AlertMark.incident_id.is_(None), AlertMark.severity < threshold, referred_now),
            )
            .order_by(StoredIncident.id)
        )
        with Session(self.store.engine, expire_on_commit=False) as session:
            found = session.execute(query).all()
        due = []
        for incident, latest, referred_at, referred, marked in found:
            name = Severity(incident.severity).name
            if referred:
                reason = f"referred to headquarters, severity {name}"
                backlog = referred_at <= self._boot_step
            else:
                backlog = incident.updated_at < self._started_at
                if marked is None:
                    reason = f"severity {name} (alerts from {self.settings.alert_severity})"
                else:
                    reason = f"severity rose to {name} from {Severity(marked).name}"
            due.append((Due(incident, reason), int(latest), bool(backlog)))
        return due

    def dispatch_due(self, now: datetime | None = None) -> int:
        """Send what is due on every configured channel; the number of deliveries made
        (skips not counted)."""
        with self._lock:
            now = now or datetime.now(UTC)
            channels = [
                (name, send)
                for name, send, on in (
                    ("cap", self._send_cap, self.settings.alert_webhook_url),
                    ("cot", self._send_cot, self.settings.tak_endpoint),
                )
                if on
            ]
            rows: list[dict[str, Any]] = []
            marks: list[dict[str, Any]] = []
            for channel, send in channels:
                due = self._skip_old(channel, self._due(channel), now, rows, marks)
                for (item, step), (status, detail, target) in zip(
                    due, send([d for d, _ in due], now), strict=True
                ):
                    rows.append(_row(item, channel, target, status, detail, now))
                    if _outcome(status) != "failed":
                        marks.append(_mark(item, channel, step, now))
            self._record(rows, marks)
            return sum(1 for r in rows if r["status"] is not None)

    def _skip_old(
        self,
        channel: str,
        due: list[tuple[Due, int, bool]],
        now: datetime,
        rows: list[dict[str, Any]],
        marks: list[dict[str, Any]],
    ) -> list[tuple[Due, int]]:
        """Record as skipped, and mark, what of the start-up backlog is older than the
        age limit by the incident's own data time."""
        oldest = now - timedelta(hours=self.settings.alert_max_age_hours)
        kept = []
        for item, step, backlog in due:
            seen = data_time(item.incident)
            if not backlog or seen >= oldest:
                kept.append((item, step))
                continue
            detail = (
                f"skipped at start-up: last seen {seen:%Y-%m-%d %H:%M}Z, more than "
                f"{self.settings.alert_max_age_hours:g} h ago"
            )
            rows.append(_row(item, channel, "", None, detail, now))
            marks.append(_mark(item, channel, step, now))
        return kept

    def _send_cap(self, due: Sequence[Due], now: datetime) -> list[tuple[int | None, str, str]]:
        """Per incident: (status, detail, target). One POST per message; a digest's
        outcome is each of its incidents'."""
        url = self.settings.alert_webhook_url
        assert url and self.signer, "CAP needs a webhook and a signing key"
        timeout = self.settings.alert_timeout_s
        groups: dict[tuple[str, ...], list[int]] = {}
        for i, item in enumerate(due):
            groups.setdefault(audience(item.incident), []).append(i)
        results: list[tuple[int | None, str, str]] = [(None, "", url)] * len(due)
        digest_from = self.settings.alert_digest_from
        for indices in groups.values():
            if digest_from and len(indices) >= digest_from:
                body = cap_digest([due[i] for i in indices], now, self.signer)
                status, detail = post_webhook(url, body, timeout)
                note = f"{detail} (in a digest of {len(indices)})"
                for i in indices:
                    results[i] = (status, note, url)
            else:
                for i in indices:
                    status, detail = post_webhook(
                        url, cap_message(due[i], now, self.signer), timeout
                    )
                    results[i] = (status, detail, url)
        return results

    def _send_cot(self, due: Sequence[Due], now: datetime) -> list[tuple[int | None, str, str]]:
        endpoint = self.settings.tak_endpoint
        assert endpoint
        minutes = self.settings.cot_stale_minutes
        results: list[tuple[int | None, str, str]] = []
        fresh = [i for i, d in enumerate(due) if stale_at(d.incident, minutes) > now]
        sent = self.tak.send(
            [cot_event(due[i].incident, minutes) for i in fresh], self.settings.alert_timeout_s
        )
        outcome = dict(zip(fresh, sent, strict=True))
        for i, item in enumerate(due):
            if i in outcome:
                status, detail = outcome[i]
                results.append((status, detail, endpoint))
            else:
                stale = stale_at(item.incident, minutes)
                results.append((None, f"skipped: stale since {stale:%Y-%m-%d %H:%M}Z", endpoint))
        return results

    def _record(self, rows: list[dict[str, Any]], marks: list[dict[str, Any]]) -> None:
        if not rows:
            return
        with self.store.engine.connect() as connection:
            connection = connection.execution_options(**WRITE)
            with connection.begin():
                connection.execute(insert(AlertDelivery), rows)
                for channel in {m["channel"] for m in marks}:
                    ids = [m["incident_id"] for m in marks if m["channel"] == channel]
                    connection.execute(
                        delete(AlertMark).where(
                            AlertMark.channel == channel, AlertMark.incident_id.in_(ids)
                        )
                    )
                if marks:
                    connection.execute(insert(AlertMark), marks)

    def deliveries(self, actor: Actor) -> list[dict[str, Any]]:
        """Every alert sent, failed or skipped, oldest first, for the mission's staff."""
        require(actor, "alerts.read")
        with Session(self.store.engine) as session:
            found = session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)).all()
            return [
                {
                    "incident": incident_ref(d.incident_id),
                    "channel": d.channel,
                    "target": d.target,
                    "reason": d.reason,
                    "outcome": _outcome(d.status),
                    "status": d.status,
                    "detail": d.detail,
                    "at": d.at.isoformat().replace("+00:00", "Z"),
                }
                for d in found
            ]


def _outcome(status: int | None) -> str:
    if status is None:
        return "skipped"
    return "delivered" if status == 0 or 200 <= status < 300 else "failed"


def _row(
    item: Due, channel: str, target: str, status: int | None, detail: str, at: datetime
) -> dict[str, Any]:
    return {
        "incident_id": item.incident.id,
        "channel": channel,
        "target": target,
        "reason": item.reason[:200],
        "status": status,
        "detail": detail,
        "at": at,
    }


def _mark(item: Due, channel: str, step: int, at: datetime) -> dict[str, Any]:
    row = item.incident
    return {
        "incident_id": row.id,
        "channel": channel,
        "state": row.state,
        "severity": row.severity,
        "step": step,
        "at": at,
    }
