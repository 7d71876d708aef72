"""Quantities with units: distances, durations, counts and money.

Plan files are written by people, so each quantity accepts a short string
("5 mi", "up to 5 years", "<500", "USD 300 billion") as well as a mapping, and
normalises to one unit so plans written in miles and kilometres compare.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

KM_PER = {"km": 1.0, "m": 0.001, "mi": 1.609344, "nmi": 1.852}
DAYS_PER = {"hours": 1 / 24, "days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}
UNIT_ALIASES = {
    "kilometre": "km",
    "kilometres": "km",
    "kilometer": "km",
    "kilometers": "km",
    "metre": "m",
    "metres": "m",
    "meter": "m",
    "meters": "m",
    "mile": "mi",
    "miles": "mi",
    "nautical_mile": "nmi",
    "nautical_miles": "nmi",
    "hour": "hours",
    "h": "hours",
    "day": "days",
    "d": "days",
    "week": "weeks",
    "month": "months",
    "year": "years",
}
SCALES = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


class Bound(StrEnum):
    """How a figure is meant: exactly, about, at most, below, at least, above."""

    exact = "exact"
    about = "about"
    at_most = "at_most"
    less_than = "less_than"
    at_least = "at_least"
    more_than = "more_than"


BOUND_PREFIXES = [
    ("up to ", Bound.at_most),
    ("at most ", Bound.at_most),
    ("fewer than ", Bound.less_than),
    ("less than ", Bound.less_than),
    ("at least ", Bound.at_least),
    ("more than ", Bound.more_than),
    ("over ", Bound.more_than),
    ("about ", Bound.about),
    ("around ", Bound.about),
    ("<=", Bound.at_most),
    (">=", Bound.at_least),
    ("<", Bound.less_than),
    (">", Bound.more_than),
    ("~", Bound.about),
]
_BOUND_SYMBOL = {
    Bound.exact: "",
    Bound.about: "~",
    Bound.at_most: "≤",
    Bound.less_than: "<",
    Bound.at_least: "≥",
    Bound.more_than: ">",
}
_NUMBER = r"(?P<value>\d[\d,_]*(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(?P<upper>\d[\d,_]*(?:\.\d+)?))?"


def _split_bound(text: str) -> tuple[Bound, str]:
    lowered = text.strip().lower()
    for prefix, bound in BOUND_PREFIXES:
        if lowered.startswith(prefix):
            return bound, lowered[len(prefix) :].strip()
    return Bound.exact, lowered


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("_", ""))


def _unit(raw: str, table: dict[str, float], what: str, example: str) -> str:
    unit = UNIT_ALIASES.get(raw, raw)
    if unit not in table:
        valid = ", ".join(table)
        raise ValueError(f"unknown {what} unit '{raw}'; use one of {valid} (e.g. '{example}')")
    return unit


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


class _Measure(BaseModel):
    """A value with a unit, an optional upper end of a range, and a bound."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    UNITS: ClassVar[dict[str, float]]
    WHAT: ClassVar[str]
    EXAMPLE: ClassVar[str]

    value: float = Field(ge=0)
    upper: float | None = Field(default=None, ge=0)
    unit: str
    bound: Bound = Bound.exact

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            raise ValueError(
                f"a {cls.WHAT} needs a unit: write e.g. '{cls.EXAMPLE}', not a bare number"
            )
        if isinstance(data, str):
            bound, rest = _split_bound(data)
            match = re.fullmatch(_NUMBER + r"\s*(?P<unit>[a-z_]+)", rest)
            if not match:
                raise ValueError(f"'{data}' is not a {cls.WHAT}; write e.g. '{cls.EXAMPLE}'")
            data = {
                "value": _number(match["value"]),
                "unit": match["unit"],
                "bound": bound,
                "upper": _number(match["upper"]) if match["upper"] else None,
            }
        if isinstance(data, dict) and isinstance(data.get("unit"), str):
            data = {**data, "unit": _unit(data["unit"], cls.UNITS, cls.WHAT, cls.EXAMPLE)}
        return data

    @model_validator(mode="after")
    def _range(self) -> _Measure:
        if self.upper is not None and self.upper < self.value:
            raise ValueError(f"range upper end {self.upper} is below its lower end {self.value}")
        return self

    def __str__(self) -> str:
        text = _fmt(self.value)
        if self.upper is not None:
            text += f"-{_fmt(self.upper)}"
        return f"{_BOUND_SYMBOL[self.bound]}{text} {self.unit}"


class Distance(_Measure):
    """A distance; `km` is the normalised figure used in every comparison."""

    UNITS = KM_PER
    WHAT = "distance"
    EXAMPLE = "5 mi"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def km(self) -> float:
        """The distance in kilometres, whatever unit the plan wrote."""
        return self.value * KM_PER[self.unit]

    @property
    def miles(self) -> float:
        """The distance in statute miles."""
        return self.km / KM_PER["mi"]


class Duration(_Measure):
    """A span of time; `days` is the normalised figure."""

    UNITS = DAYS_PER
    WHAT = "duration"
    EXAMPLE = "5 years"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def days(self) -> float:
        """The duration in days, whatever unit the plan wrote."""
        return self.value * DAYS_PER[self.unit]


class Count(BaseModel):
    """A number of people or things, possibly a bound ("fewer than 500")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: int = Field(ge=0)
    upper: int | None = Field(default=None, ge=0)
    bound: Bound = Bound.exact

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if isinstance(data, bool):
            raise ValueError("a count must be a number such as 400 or '<500'")
        if isinstance(data, int):
            return {"value": data}
        if isinstance(data, str):
            bound, rest = _split_bound(data)
            match = re.fullmatch(_NUMBER + r"(?:\s*(?P<scale>thousand|million))?", rest)
            if not match:
                raise ValueError(f"'{data}' is not a count; write e.g. 400, '<500' or '~1 million'")
            scale = SCALES[match["scale"] or ""]
            upper = match["upper"]
            return {
                "value": round(_number(match["value"]) * scale),
                "upper": round(_number(upper) * scale) if upper else None,
                "bound": bound,
            }
        return data

    def __str__(self) -> str:
        text = _fmt(self.value) + (f"-{_fmt(self.upper)}" if self.upper is not None else "")
        return f"{_BOUND_SYMBOL[self.bound]}{text}"


class Money(BaseModel):
    """An amount of money in a named currency (ISO 4217 code)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: float = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    bound: Bound = Bound.exact

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            raise ValueError("money needs a currency: write e.g. 'USD 300 billion'")
        if isinstance(data, str):
            bound, rest = _split_bound(data)
            match = re.fullmatch(
                r"(?P<cur>[a-z]{3})\s+(?P<value>\d[\d,_]*(?:\.\d+)?)\s*(?P<scale>[a-z]*)", rest
            )
            if not match or match["scale"] not in SCALES:
                raise ValueError(
                    f"'{data}' is not an amount of money; write e.g. 'USD 300 billion' "
                    f"(scale one of {', '.join(s for s in SCALES if s)})"
                )
            return {
                "amount": _number(match["value"]) * SCALES[match["scale"]],
                "currency": match["cur"].upper(),
                "bound": bound,
            }
        return data

    def __str__(self) -> str:
        prefix = f"{_BOUND_SYMBOL[self.bound]}{self.currency}"
        for name, factor in reversed(SCALES.items()):
            if name and self.amount >= factor:
                return f"{prefix} {_fmt(self.amount / factor)} {name}"
        return f"{prefix} {_fmt(self.amount)}"
