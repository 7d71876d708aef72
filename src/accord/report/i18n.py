"""The reports' labels in English, Ukrainian and Russian, from gettext catalogues.

The catalogues (`report/locale/<lang>/LC_MESSAGES/accord.po`) are compiled in
memory with Babel when first used, so a fresh install needs no build step. Only
labels are translated, the mission's codes among them (kinds, states, grades:
report/daily_vocabulary.py); what the parties and observers wrote (descriptions,
attributions) stays as recorded; place names come in each language from the
gazetteer.

A new or changed label: `pybabel extract -F src/accord/report/locale/babel.cfg -o
accord.pot .`, then `pybabel update -i accord.pot -d src/accord/report/locale -D
accord` and translate the new entries; a test fails while one is untranslated.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment

from accord.geo.places import check_language
from accord.report.render import environment

DOMAIN = "accord"
DEFAULT_TZ = "Europe/Kyiv"


def catalogue_text(lang: str) -> str:
    """The shipped .po catalogue of one language."""
    path = resources.files("accord.report") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    return path.read_text(encoding="utf-8")


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The labels of one language; English is the catalogues' source language."""
    check_language(lang)
    if lang == "en":
        return gettext.NullTranslations()
    catalogue = read_po(io.StringIO(catalogue_text(lang)), locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@cache
def report_environment(lang: str) -> Environment:
    """The shared report environment's settings with `_` and `ngettext` in one
    language: an environment of its own, since an overlay shares its globals."""
    base = environment()
    env = Environment(
        loader=base.loader,
        autoescape=base.autoescape,
        trim_blocks=base.trim_blocks,
        lstrip_blocks=base.lstrip_blocks,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone(name: str) -> ZoneInfo:
    """An IANA time zone by name, or a clear error; only the database's own names, so a
    folder of it ("Europe") or a path never reaches the file system."""
    if name not in _zone_names():
        raise ValueError(
            f"unknown time zone {name!r}: give an IANA name such as {DEFAULT_TZ} or UTC"
        )
    return ZoneInfo(name)


def local_time(moment: dt.datetime, tz: ZoneInfo) -> str:
    """A moment in local time with its abbreviation: "2026-09-01 21:00 EEST"."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def utc_offset(moment: dt.datetime, tz: ZoneInfo) -> str:
    """The zone's offset at that moment, stated: "UTC+03:00"."""
    offset = moment.astimezone(tz).utcoffset() or dt.timedelta(0)
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
