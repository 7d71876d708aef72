"""The daily report: contents, editions, HTML and PDF, from the API and the command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient
from tests.service.conftest import DAY, Seeded
from typer.testing import CliRunner

from accord.report.daily import build_daily
from accord.service.core import FieldReportRequest


def test_public_and_party_editions(seeded: Seeded) -> None:
    public = build_daily(seeded.store, DAY)
    ua = build_daily(seeded.store, DAY, "UA")
    assert (
        "Daily report No. 1" in public.html
        and "cut-off at 2026-09-01 21:00 EEST (UTC+03:00)" in public.html
    )
    assert seeded.published_ru in public.html and seeded.ua not in public.html
    assert seeded.ua in ua.html and seeded.ru not in ua.html  # never the other party's
    assert "radar-2 is flaky" not in public.html + ua.html  # no internal notes
    assert "not closed yet" in public.html
    assert public.incidents == 1 and ua.incidents == 2
    # Established apart from only reported, OSCE-style: the seeded incidents are reported.
    assert "<th>established</th><th>reported only</th>" in public.html
    assert '<td>RU</td><td class="n">0</td><td class="n">1</td>' in public.html
    assert '<table id="unverified">' in public.html  # counted, not established
    # By kind, zone, sector and direction: the seeded incident lies in the DMZ's zone.
    assert (
        "<tr><td>presence in a zone</td><td>ceasefire.dmz</td><td>S07</td><td>-</td>"
        '<td class="n">1</td></tr>' in public.html
    )


def test_field_reports_and_counts_against_the_previous_period(
    client: TestClient, seeded: Seeded
) -> None:
    report = FieldReportRequest(
        kind="restriction",
        at=dt.datetime(2026, 9, 1, 8, tzinfo=dt.UTC),
        party="RU",
        description="stopped at a checkpoint for 2 h",
    )
    assert (
        client.post(
            "/api/field-reports",
            json=report.model_dump(mode="json"),
            headers=seeded.headers("observer"),
        ).status_code
        == 200
    )
    html = build_daily(seeded.store, DAY, "RU").html
    assert "stopped at a checkpoint for 2 h" in html
    assert "1 restriction of the observers' freedom of movement" in html
    assert '<td>S07</td><td class="n">2</td><td class="n">0</td>' in html
    next_day = build_daily(seeded.store, DAY + dt.timedelta(days=1), "RU").html
    assert "holds 0 incidents for the period" in next_day and "(previous period: 2)" in next_day


def test_pdf_from_the_api(client: TestClient, seeded: Seeded) -> None:
    response = client.get(
        "/api/reports/daily.pdf?date=2026-09-01", headers=seeded.headers("liaison:UA")
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-") and len(response.content) > 20_000
    ukrainian = client.get(
        "/api/reports/daily.pdf?date=2026-09-01&lang=uk", headers=seeded.headers("liaison:UA")
    )
    assert ukrainian.status_code == 200 and ukrainian.content.startswith(b"%PDF-")


def test_command_writes_html_and_pdf(seeded: Seeded, tmp_path: Path) -> None:
    from accord.cli.report import app

    url = seeded.store.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app,
        [
            "daily",
            "--date",
            "2026-09-01",
            "--party",
            "RU",
            "--pdf",
            "-o",
            str(tmp_path),
            "--database",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "daily-2026-09-01-RU.pdf").read_bytes().startswith(b"%PDF-")
    assert "Daily report No. 1" in (tmp_path / "daily-2026-09-01-RU.html").read_text()
    bad = CliRunner().invoke(app, ["daily", "--date", "1 Sept", "-o", str(tmp_path)])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_direction_of_fire_is_what_the_evidence_says() -> None:
    from types import SimpleNamespace

    from accord.report.daily import _direction

    assert _direction(SimpleNamespace(kind="firing", party="RU")) == "from RU-held ground"  # type: ignore[arg-type]
    assert _direction(SimpleNamespace(kind="firing", party="")) == "not known"  # type: ignore[arg-type]
    assert _direction(SimpleNamespace(kind="presence", party="RU")) == "-"  # type: ignore[arg-type]


def test_the_signed_root_can_be_checked_from_the_report_alone(seeded: Seeded) -> None:
    import html
    import re

    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

    from accord.book import close_day
    from accord.ledger.keys import public_bytes, unb64

    key = Ed25519PrivateKey.generate()
    sealed = close_day(seeded.store, DAY, key)
    for lang in ("en", "uk", "ru"):
        report = build_daily(seeded.store, DAY, "UA", lang=lang).html
        field = {
            name: html.unescape(re.search(rf'id="root-{name}">(.*?)</span>', report)[1])  # type: ignore[index]
            for name in ("hash", "statement", "signature")
        }
        assert field["hash"] == sealed.root and sealed.key_id in report
        public = Ed25519PublicKey.from_public_bytes(public_bytes(key))
        public.verify(unb64(field["signature"]), field["statement"].encode("utf-8"))
        assert f'"root":"{sealed.root}"' in field["statement"].replace(" ", "")
    assert "not closed yet" not in report
