"""Quantities parse from what people write and normalise across units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from accord.agreement.quantities import Bound, Count, Distance, Duration, Money


@pytest.mark.parametrize(
    ("text", "km", "bound"),
    [
        ("5 mi", 8.04672, Bound.exact),
        ("5 miles", 8.04672, Bound.exact),
        ("8 km", 8.0, Bound.exact),
        ("about 600 mi", 965.6064, Bound.about),
        ("~1,045 km", 1045.0, Bound.about),
        ("100 miles", 160.9344, Bound.exact),
        ("500 m", 0.5, Bound.exact),
    ],
)
def test_distance_strings(text: str, km: float, bound: Bound) -> None:
    distance = Distance.model_validate(text)
    assert distance.km == pytest.approx(km)
    assert distance.bound is bound


def test_distance_mapping_and_miles() -> None:
    distance = Distance.model_validate({"value": 8.04672, "unit": "km"})
    assert distance.miles == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5 furlongs", "unknown distance unit 'furlongs'; use one of km, m, mi, nmi"),
        ("five miles", "'five miles' is not a distance; write e.g. '5 mi'"),
        ("-5 km", "'-5 km' is not a distance"),
    ],
)
def test_distance_errors(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Distance.model_validate(text)


def test_duration_bounds_and_ranges() -> None:
    assert Duration.model_validate("up to 5 years").bound is Bound.at_most
    assert Duration.model_validate("up to 5 years").days == pytest.approx(5 * 365.25)
    span = Duration.model_validate("5-10 years")
    assert (span.value, span.upper) == (5, 10)
    with pytest.raises(ValidationError, match="below its lower end"):
        Duration.model_validate({"value": 10, "upper": 5, "unit": "years"})


@pytest.mark.parametrize(
    ("text", "value", "bound"),
    [
        ("<500", 500, Bound.less_than),
        ("fewer than 500", 500, Bound.less_than),
        ("200,000", 200_000, Bound.exact),
        ("about 1 million", 1_000_000, Bound.about),
        ("at least 9,000", 9000, Bound.at_least),
    ],
)
def test_counts(text: str, value: int, bound: Bound) -> None:
    count = Count.model_validate(text)
    assert (count.value, count.bound) == (value, bound)


def test_money() -> None:
    money = Money.model_validate("about USD 300 billion")
    assert (money.amount, money.currency, money.bound) == (300e9, "USD", Bound.about)
    assert str(money) == "~USD 300 billion"
    with pytest.raises(ValidationError, match="money needs a currency"):
        Money.model_validate(300)


@given(
    value=st.floats(min_value=0, max_value=1e5, allow_nan=False).map(lambda x: round(x, 2)),
    unit=st.sampled_from(["km", "mi", "m", "nmi"]),
    bound=st.sampled_from(list(Bound)),
)
def test_distance_text_round_trips(value: float, unit: str, bound: Bound) -> None:
    distance = Distance(value=value, unit=unit, bound=bound)
    text = str(distance).replace("≤", "<=").replace("≥", ">=")
    again = Distance.model_validate(text)
    assert again.km == pytest.approx(distance.km, rel=1e-9, abs=1e-9)
    assert again.bound is bound
