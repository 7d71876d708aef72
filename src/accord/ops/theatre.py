"""The theatre's sky: when the sun is up, which bounds a daylight-only patrol's day
and a drone's sortie, and makes a violation at night harder to see."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def daylight(
    time_ns: NDArray[np.int64], lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Whether the sun is above the horizon (NOAA's low-precision solar position)."""
    days = time_ns / 86_400e9  # since 1970-01-01
    day_of_year = np.mod(days - 0.0, 365.2422)
    gamma = 2 * np.pi / 365.0 * (day_of_year + (np.mod(days, 1.0) * 24 - 12) / 24)
    decl = (
        0.006918
        - 0.399912 * np.cos(gamma)
        + 0.070257 * np.sin(gamma)
        - 0.006758 * np.cos(2 * gamma)
        + 0.000907 * np.sin(2 * gamma)
    )
    eqtime = 229.18 * (
        0.000075
        + 0.001868 * np.cos(gamma)
        - 0.032077 * np.sin(gamma)
        - 0.014615 * np.cos(2 * gamma)
        - 0.040849 * np.sin(2 * gamma)
    )
    minutes = np.mod(days, 1.0) * 1440 + eqtime + 4 * lon
    hour_angle = np.radians(minutes / 4 - 180)
    phi = np.radians(lat)
    sin_elevation = np.sin(phi) * np.sin(decl) + np.cos(phi) * np.cos(decl) * np.cos(hour_angle)
    return np.asarray(sin_elevation > 0)
