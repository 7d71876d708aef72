"""The daily report in English, Ukrainian and Russian, in local time with its offset."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from fastapi.testclient import TestClient
from tests.service.conftest import DAY, Seeded
from typer.testing import CliRunner

from accord.report.daily import build_daily
from accord.report.i18n import translations

SOURCES = [
    (
        "templates/daily.html.j2",
        "jinja2",
        {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"},
    ),
    ("daily.py", "python", {}),
    ("daily_sections.py", "python", {}),
    ("daily_vocabulary.py", "python", {}),
]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[.0-9]*[sd f]")


def messages() -> list[str | tuple[str, str]]:
    found = []
    for name, method, options in SOURCES:
        path = Path(str(resources.files("accord.report") / name))
        found += [m[1] for m in extract_from_file(method, path, options=options)]  # type: ignore[arg-type]
    assert len(found) > 80  # the template's labels really are marked
    return found


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_every_label_is_translated_with_its_placeholders(lang: str) -> None:
    translated = translations(lang)
    for message in messages():
        if isinstance(message, tuple):
            forms = [translated.ngettext(*message, n) for n in (1, 3, 5)]
            source = message[1]
        else:
            forms, source = [translated.gettext(message)], message
        for form in forms:
            assert (form and form != source) or source in {"Map", "zone"} or len(source) <= 2, (
                lang,
                message,
            )
            assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(source)), (
                lang,
                message,
            )


def headings(html: str) -> list[str]:
    return re.findall(r"<h[12]>(.*?)</h[12]>", html)


@pytest.mark.parametrize(
    ("lang", "summary", "harm", "oblast", "unpublished", "presence"),
    [
        (
            "uk",
            "Короткий огляд",
            "Жертви серед цивільного населення",
            "Донецька область",
            "ще не оприлюднено",
            "присутність у зоні",
        ),
        (
            "ru",
            "Краткий обзор",
            "Жертвы среди гражданского населения",
            "Донецкая область",
            "ещё не опубликованы",
            "присутствие в зоне",
        ),
    ],
)
def test_ukrainian_and_russian_editions(
    seeded: Seeded,
    lang: str,
    summary: str,
    harm: str,
    oblast: str,
    unpublished: str,
    presence: str,
) -> None:
    report = build_daily(seeded.store, DAY, edition="mission", lang=lang)
    html = report.html
    assert f'<html lang="{lang}">' in html and report.lang == lang
    assert summary in headings(html) and any(harm in h for h in headings(html))
    assert all(not re.search("[A-Za-z]", h) for h in headings(html)), headings(html)
    assert oblast in html and unpublished in html  # places from the gazetteer, plurals
    # The mission's codes are labels; what a source wrote stays as recorded.
    assert presence in html and ">presence<" not in html
    assert "side reported by the sensor" in html
    english = build_daily(seeded.store, DAY, edition="mission").html
    assert "Summary" in headings(english) and "Donetsk oblast" in english


def test_times_are_local_with_the_offset_and_the_cutoff_stays_utc(seeded: Seeded) -> None:
    kyiv = build_daily(seeded.store, DAY).html
    assert "up to the cut-off at 2026-09-01 21:00 EEST (UTC+03:00)" in kyiv
    assert "the cut-off is 18:00 UTC" in kyiv
    assert "2026-09-01 12:00 EEST" in kyiv  # the published incident, seen at 09:00 UTC
    utc = build_daily(seeded.store, DAY, tz="UTC").html
    assert "cut-off at 2026-09-01 18:00 UTC (UTC+00:00)" in utc
    new_york = build_daily(seeded.store, DAY, tz="America/New_York").html
    assert "cut-off at 2026-09-01 14:00 EDT (UTC-04:00)" in new_york
    winter = build_daily(seeded.store, dt.date(2027, 1, 15)).html
    assert "cut-off at 2027-01-15 20:00 EET (UTC+02:00)" in winter
    for wrong in ("Mars/Olympus", "Europe", "../../etc/passwd", ""):
        with pytest.raises(ValueError, match=f"unknown time zone '{re.escape(wrong)}'"):
            build_daily(seeded.store, DAY, tz=wrong)
    with pytest.raises(ValueError, match="unknown language 'de': use one of en, uk, ru"):
        build_daily(seeded.store, DAY, lang="de")


def test_language_and_zone_from_the_api(client: TestClient, seeded: Seeded) -> None:
    ok = client.get("/api/reports/daily?date=2026-09-01&lang=ru&tz=UTC")
    assert ok.status_code == 200 and "Публичное издание" in ok.text and "18:00 UTC" in ok.text
    bad = client.get("/api/reports/daily?date=2026-09-01&lang=de")
    assert bad.status_code == 400 and "unknown language 'de'" in bad.text
    zone = client.get("/api/reports/daily?date=2026-09-01&tz=Kyiv")
    assert zone.status_code == 400 and "unknown time zone 'Kyiv'" in zone.text


def test_command_languages_and_no_empty_store(
    seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accord.cli.report import app

    url = seeded.store.engine.url.render_as_string(hide_password=False)
    args = ["daily", "--date", "2026-09-01", "-o", str(tmp_path), "--database", url]
    result = CliRunner().invoke(app, [*args, "--lang", "uk", "--edition", "mission"])
    assert result.exit_code == 0, result.output
    assert "Видання місії" in (tmp_path / "daily-2026-09-01-mission-uk.html").read_text()
    bad = CliRunner().invoke(app, [*args, "--lang", "fr"])
    assert bad.exit_code != 0 and "unknown language 'fr'" in bad.output
    # Without --database and no store where it looks: refused, nothing created.
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    monkeypatch.chdir(empty)
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)
    missing = CliRunner().invoke(app, ["daily", "--date", "2026-09-01"])
    assert missing.exit_code != 0 and "no accord store at accord.db" in missing.output
    assert list(empty.iterdir()) == []
