"""Shared rendering helpers: one Jinja environment for every HTML report."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape


@cache
def environment() -> Environment:
    """The one Jinja environment of the HTML reports: the package's templates, autoescaped."""
    return Environment(
        loader=PackageLoader("accord.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
