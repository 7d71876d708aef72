"""The daily report, modelled on ceasefire monitoring missions' daily reports.

A report covers the 24 hours up to its cut-off (18:00 UTC by default) and is
numbered by the days since the first stored observation. It gives a summary
with counts by sector against the previous period, the incidents by kind and
party (established ones apart from those only reported, as the OSCE mission
counted them), each with its evidence grade, attribution and confidence, a map,
the restrictions on the observers' freedom of movement and the jamming of
drones, the patrols made, and the day's signed Merkle root from the ledger.

Editions: the public one holds only published incidents; a party's edition
adds the unpublished incidents attributed to that party, never those about the
other party; the mission's own edition holds every incident, how many of them
are still unpublished, and the mission's internal notes, which no other edition
holds.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from matplotlib.figure import Figure
from sqlalchemy import ColumnElement, distinct, func, select, true
from sqlalchemy.orm import Session

from accord import __version__
from accord.geo.control import shipped_control
from accord.geo.line import LineOfContact, line_of_contact
from accord.geo.zones import Zone, borders_for, zones_from_agreement
from accord.plans import load_plan
from accord.report.daily_sections import (
    firing_by_area,
    harm_reported,
    weapons_in_violation,
    where,
)
from accord.report.daily_vocabulary import term_label
from accord.report.i18n import (
    DEFAULT_TZ,
    local_time,
    report_environment,
    translations,
    utc_offset,
    zone,
)
from accord.report.maps import PARTY_MARKERS, draw_zones, to_png
from accord.store import Store
from accord.store.ledger import LedgerDay
from accord.store.schema import StoredObservation
from accord.store.service import (
    PARTIES,
    FieldReport,
    IncidentNote,
    IncidentPublication,
    edition_scope,
)
from accord.store.verification import StoredIncident
from accord.verify.rules import Severity
from accord.verify.workflow import incident_ref

DEFAULT_AGREEMENT = "defense-priorities-2025"
CUTOFF_HOUR = 18
# The editions: the public one, a party's (named by the party) and the mission's own.
PUBLIC, PARTY, MISSION = "public", "party", "mission"
EDITIONS = (PUBLIC, PARTY, MISSION)


@dataclass(frozen=True)
class DailyReport:
    """A rendered daily report: its number, day, edition, HTML and incident count."""

    number: int
    day: dt.date
    party: str | None
    html: str
    incidents: int
    edition: str = PUBLIC
    lang: str = "en"


def _us(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _moment(us: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(us / 1e6, dt.UTC)


@cache
def _map_base(agreement_id: str) -> tuple[Any, LineOfContact, list[Zone]]:
    agreement = load_plan(agreement_id)
    line = line_of_contact(shipped_control())
    zones, _ = zones_from_agreement(agreement, line)
    return agreement, line, zones


@lru_cache(maxsize=16)
def _map_png(agreement_id: str, points: tuple[tuple[float, float, str], ...], title: str) -> str:
    """The map as a PNG; the same points and title give the same picture, so
    editions and repeated requests draw it once."""
    return base64.b64encode(to_png(incident_map(agreement_id, points, title))).decode("ascii")


def incident_map(
    agreement_id: str, points: Sequence[tuple[float, float, str]], title: str
) -> Figure:
    """The zones map with the incidents by party (colour and shape), in a legend of
    their own beside the zones' one."""
    agreement, line, zones = _map_base(agreement_id)
    fig = draw_zones(line, zones, borders_for(agreement), title)
    ax = fig.axes[0]  # the map; an overview inset, when drawn, comes after it
    zones_legend = ax.get_legend()
    dots = []
    for party, (colour, marker) in PARTY_MARKERS.items():
        mine = [(lon, lat) for lon, lat, who in points if who == party]
        if mine:
            dot = ax.scatter(
                [lon for lon, _ in mine],
                [lat for _, lat in mine],
                s=36,
                c=colour,
                marker=marker,
                edgecolors="black",
                linewidths=0.6,
                label=f"incidents: {party or 'undetermined'}",
                zorder=5,
            )
            dots.append(dot)
    if dots:
        ax.legend(handles=dots, fontsize=7, loc="lower right", framealpha=0.9)
        if zones_legend is not None:
            ax.add_artist(zones_legend)  # a second legend would replace the zones' one
    return fig


def edition_of(party: str | None, edition: str | None) -> str:
    """The edition asked for, checked: a party's needs its party, the mission's none."""
    if party is not None and party not in PARTIES:
        raise ValueError(f"party {party!r}: use one of {', '.join(PARTIES)} or none (public)")
    chosen = edition or (PARTY if party else PUBLIC)
    if chosen not in EDITIONS:
        raise ValueError(f"edition {chosen!r}: use one of {', '.join(EDITIONS)}")
    if (chosen == PARTY) != (party is not None):
        need = "needs a party (UA or RU)" if chosen == PARTY else "takes no party"
        raise ValueError(f"the {chosen} edition {need}")
    return chosen


def _scope(party: str | None, edition: str) -> ColumnElement[bool]:
    return true() if edition == MISSION else edition_scope(party)


def _incidents(
    session: Session, scope: ColumnElement[bool], start_us: int, end_us: int
) -> list[Any]:
    query = (
        select(StoredIncident)
        .where(
            scope,
            StoredIncident.first_seen_us >= start_us,
            StoredIncident.first_seen_us < end_us,
        )
        .order_by(StoredIncident.first_seen_us)
    )
    return list(session.scalars(query))


def build_daily(
    store: Store,
    day: dt.date,
    party: str | None = None,
    *,
    edition: str | None = None,
    lang: str = "en",
    tz: str = DEFAULT_TZ,
    agreement_id: str = DEFAULT_AGREEMENT,
    cutoff_hour: int = CUTOFF_HOUR,
) -> DailyReport:
    """The report for the 24 hours up to `day` at the cut-off (`cutoff_hour` UTC), in one
    edition: public (the default without a party), a party's (with `party`) or the
    mission's; labels in `lang`, times in the IANA zone `tz` with its offset stated."""
    edition = edition_of(party, edition)
    _ = translations(lang).gettext
    local = zone(tz)
    scope = _scope(party, edition)
    cutoff = dt.datetime.combine(day, dt.time(cutoff_hour), dt.UTC)
    start, end = cutoff - dt.timedelta(days=1), cutoff
    before = start - dt.timedelta(days=1)
    with Session(store.engine) as session:
        current = _incidents(session, scope, _us(start), _us(end))
        previous = _incidents(session, scope, _us(before), _us(start))
        published = set(
            session.scalars(
                select(IncidentPublication.incident_id).where(
                    IncidentPublication.incident_id.in_([i.id for i in current])
                )
            )
        )
        notes: dict[int, list[str]] = {}
        if edition == MISSION:  # internal notes never leave the mission
            for note in session.scalars(
                select(IncidentNote)
                .where(IncidentNote.incident_id.in_([i.id for i in current]))
                .order_by(IncidentNote.at)
            ):
                notes.setdefault(note.incident_id, []).append(f"{note.author}: {note.text}")
        first_us = session.scalar(select(func.min(StoredObservation.observed_at_us)))
        reports = session.scalars(
            select(FieldReport)
            .where(FieldReport.at_us >= _us(start), FieldReport.at_us < _us(end))
            .order_by(FieldReport.at_us)
        ).all()
        patrols = session.scalar(
            select(func.count(distinct(StoredObservation.source_id))).where(
                StoredObservation.source_type == "patrol",
                StoredObservation.observed_at_us >= _us(start),
                StoredObservation.observed_at_us < _us(end),
            )
        )
        sealed = session.get(LedgerDay, day)
        root = (
            {
                "root": sealed.root,
                "tree_size": sealed.tree_size,
                "key_id": sealed.key_id,
                "statement": sealed.statement,
                "signature": sealed.signature,
            }
            if sealed
            else None
        )
        restrictions = [_field(r, local) for r in reports if r.kind == "restriction"]
        jamming = [_field(r, local) for r in reports if r.kind == "jamming"]
        firing = firing_by_area(session, current, lang)
        weapons = weapons_in_violation(session, current, lang)
        harm = harm_reported(
            session, current, _us(start), _us(end), every_observation=edition == MISSION, lang=lang
        )
    first_day = (
        dt.datetime.fromtimestamp(first_us / 1e6, dt.UTC).date() if first_us is not None else day
    )
    number = max((day - first_day).days + 1, 1)
    now_by_area, then_by_area = (
        Counter((where(i.lon, i.lat, lang).area, i.sector) for i in current),
        Counter((where(i.lon, i.lat, lang).area, i.sector) for i in previous),
    )
    areas = sorted(set(now_by_area) | set(then_by_area))
    # OSCE-style: what was established apart from what was only reported, never mixed.
    established = Counter(
        (i.kind, i.party or _("undetermined")) for i in current if i.grade != "reported"
    )
    reported = Counter(
        (i.kind, i.party or _("undetermined")) for i in current if i.grade == "reported"
    )
    by_kind_party = [
        (key, established[key], reported[key]) for key in sorted(set(established) | set(reported))
    ]
    # A term's rules are checked in the zone drawn for it, which bears the term's id.
    zones = {zone.id for zone in _map_base(agreement_id)[2]}
    unverified = sorted(
        Counter(
            (i.kind, i.term_id if i.term_id in zones else "-", i.sector, _direction(i, lang))
            for i in current
            if i.grade != "verified"
        ).items()
    )
    label = {
        PUBLIC: _("Public edition"),
        PARTY: _("%(party)s edition") % {"party": party},
        MISSION: _("Mission edition"),
    }[edition]
    title = _("Daily report No. %(number)s (%(day)s), %(edition)s") % {
        "number": number,
        "day": day.isoformat(),
        "edition": label,
    }
    html = (
        report_environment(lang)
        .get_template("daily.html.j2")
        .render(
            title=title,
            lang=lang,
            term=lambda code: term_label(code, lang),
            zone=f"{tz}, {utc_offset(cutoff, local)}",
            cutoff_utc=cutoff.strftime("%H:%M UTC"),
            number=number,
            day=day,
            edition=edition,
            edition_label=label,
            unpublished=sum(1 for i in current if i.id not in published),
            cutoff=f"{local_time(cutoff, local)} ({utc_offset(cutoff, local)})",
            since=f"{local_time(start, local)} ({utc_offset(start, local)})",
            total=len(current),
            total_before=len(previous),
            areas=[(a, now_by_area[a], then_by_area[a]) for a in areas],
            firing=firing,
            weapons=weapons,
            harm=[(local_time(_moment(h.at_us), local), h) for h in harm],
            killed=sum(h.killed for h in harm),
            injured=sum(h.injured for h in harm),
            by_kind_party=by_kind_party,
            unverified=unverified,
            incidents=[_incident(i, lang, local) | {"notes": notes.get(i.id, [])} for i in current],
            map_png=_map_png(
                agreement_id,
                tuple((i.lon, i.lat, i.party or "") for i in current),
                _("Incidents to %(cutoff)s") % {"cutoff": local_time(cutoff, local)},
            ),
            restrictions=restrictions,
            jamming=jamming,
            patrols=patrols or 0,
            root=root,
            version=__version__,
        )
    )
    return DailyReport(number, day, party, html, len(current), edition, lang)


def _field(report: FieldReport, local: Any) -> dict[str, Any]:
    where = f"{report.lat:.4f} N {report.lon:.4f} E" if report.lat is not None else "-"
    return {
        "at": local_time(_moment(report.at_us), local),
        "team": report.team,
        "where": where,
        "party": report.party or "-",
        "description": report.description,
    }


def _direction(row: StoredIncident, lang: str = "en") -> str:
    """Where fire came from, as far as the evidence says ("not known" otherwise), the way
    the OSCE mission reported explosions; other kinds have no direction."""
    if row.kind != "firing":
        return "-"
    _ = translations(lang).gettext
    return _("from %(party)s-held ground") % {"party": row.party} if row.party else _("not known")


def _incident(row: StoredIncident, lang: str, local: Any) -> dict[str, Any]:
    return {
        "id": incident_ref(row.id),
        "seen": local_time(_moment(row.first_seen_us), local),
        "kind": row.kind,
        "term": row.term_id,
        "severity": Severity(row.severity).name,
        "sector": row.sector,
        "where": where(row.lon, row.lat, lang),
        "party": row.party or translations(lang).gettext("undetermined"),
        "party_confidence": row.party_confidence,
        "grade": row.grade,
        "attribution": row.attribution,
        "confidence": row.confidence,
        "sources": len(json.loads(row.sources)),
        "state": row.state,
    }


def to_pdf(html: str) -> bytes:
    """The report as PDF (WeasyPrint: needs the Pango and Cairo system libraries)."""
    from weasyprint import HTML  # imported here: loading Pango costs a second

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
