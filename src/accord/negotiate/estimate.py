"""A probability estimated from Monte Carlo draws, never printed without its margin.

A share of draws is an estimate: 200 draws that all accept say the odds are at
least 0.98 at 95% confidence, not that they are 1. Every share the negotiation
analysis reports goes through `Estimate`, whose JSON and text carry the Wilson
score interval (sound at 0 and n successes, where the normal approximation
collapses to a width of zero) and the number of draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from scipy.stats import binomtest

CONFIDENCE = 0.95


@lru_cache(maxsize=4096)
def wilson(successes: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion."""
    ci = binomtest(successes, n).proportion_ci(confidence, method="wilson")
    return float(ci.low), float(ci.high)


def digits(x: float, places: int = 2) -> str:
    """`places` decimals, or as many more as it takes for a figure short of 0 or 1 not to read
    as 0.00 or 1.00."""
    for more in range(places, 7):
        text = f"{x:.{more}f}"
        if x in (0.0, 1.0) or float(text) not in (0.0, 1.0):
            return text
    return text


def with_margin(p: float, low: float, high: float, note: str = "", short: bool = False) -> str:
    """'0.62 (0.55-0.68 at 95%...)', or one-sided where the interval reaches 0 or 1:
    '1.00 (>= 0.98 ...)', '0.85 (>= 0.64 ...)'; `short`
    leaves out the confidence level where the sentence has already given it."""
    tail = ("" if short else f" at {CONFIDENCE:.0%}") + (f", {note}" if note else "")
    top, bottom = high >= 1 - 1e-12, low <= 1e-12
    if top and bottom:
        return f"{digits(p)} (anywhere from 0 to 1{tail})"
    if top:
        return f"{digits(p)} (>= {digits(low)}{tail})"
    if bottom:
        return f"{digits(p)} (<= {digits(high)}{tail})"
    places = 2  # enough decimals that a narrow interval does not read as one figure
    while places < 6 and digits(low, places) == digits(high, places):
        places += 1
    return f"{digits(p, places)} ({digits(low, places)}-{digits(high, places)}{tail})"


def brief(p: float, interval: tuple[float, float] | list[float]) -> str:
    """A share and its interval, inside a sentence that gives the confidence level."""
    return with_margin(p, interval[0], interval[1], short=True)


@dataclass(frozen=True)
class Estimate:
    """The share of n draws in which something happened."""

    successes: int
    n: int

    @property
    def p(self) -> float:
        """The share of draws in which it happened; NaN with no draws."""
        return self.successes / self.n if self.n else float("nan")

    @property
    def interval(self) -> tuple[float, float]:
        """The Wilson interval of the share; all of [0, 1] with no draws."""
        return wilson(self.successes, self.n) if self.n else (0.0, 1.0)

    @property
    def margin(self) -> float:
        """Half the interval's width."""
        low, high = self.interval
        return (high - low) / 2

    def brief(self) -> str:
        """The share and its interval, short, for inside a sentence."""
        return brief(self.p, self.interval) if self.n else "no draws"

    def text(self) -> str:
        """The share with its margin and the number of draws."""
        if not self.n:
            return "no draws"
        return with_margin(self.p, *self.interval, note=f"n={self.n}")

    def to_json(self) -> dict[str, Any]:
        """The share, its interval, margin and confidence, as JSON."""
        low, high = self.interval
        return {
            "p": round(self.p, 6) if self.n else None,
            "interval": [round(low, 6), round(high, 6)],
            "margin": round(self.margin, 6),
            "confidence": CONFIDENCE,
            "n": self.n,
            "text": self.text(),
        }
