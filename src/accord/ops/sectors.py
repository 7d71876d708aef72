"""Sectors: fixed-length segments of the main line of contact, the unit a patrol covers
and an incident is filed under.

Sectors are numbered from the line's first vertex (S01, S02, ...); a point more
than `reach_km` from the line is "off-line".
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from accord.geo.projection import from_theatre, theatre_xy, to_theatre

OFF_LINE = "off-line"


@dataclass(frozen=True)
class Sectors:
    """Fixed-length segments of the main line of contact.

    A point's sector is found from the nearest of the line's points taken every
    `step_km` along it (a k-d tree in the theatre's metric projection), so a
    sector boundary is placed to within half a step: a batch of incidents is
    placed in milliseconds instead of a projection and a line search per point.
    """

    main: BaseGeometry  # lon/lat LineString
    length_km: float = 50.0
    reach_km: float = 100.0
    step_km: float = 0.5

    @cache  # noqa: B019 - one projection per Sectors, kept for its lifetime
    def _projected(self) -> BaseGeometry:
        return to_theatre(self.main)

    @cache  # noqa: B019 - one tree per Sectors, kept for its lifetime
    def _stations(self) -> tuple[cKDTree, NDArray[np.float64]]:
        line = self._projected()
        along_m = np.arange(0.0, line.length + 1.0, self.step_km * 1000)
        stations = shapely.get_coordinates(shapely.line_interpolate_point(line, along_m))
        return cKDTree(stations), along_m / 1000

    @property
    def line_km(self) -> float:
        """The main line's length in the theatre projection, the one sectors are cut on."""
        return float(self._projected().length) / 1000

    def names(self) -> list[str]:
        """Every sector of the line, in order from its first vertex."""
        count = int(np.ceil(self.line_km / self.length_km))
        return [f"S{n:02d}" for n in range(1, count + 1)]

    def middles(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Lon/lat of each sector's middle on the line (the last, shorter one's is
        clipped to the line's end), where a patrol visiting the sector is placed."""
        middle_km = np.minimum((np.arange(len(self.names())) + 0.5) * self.length_km, self.line_km)
        points = shapely.line_interpolate_point(self._projected(), middle_km * 1000)
        xy = shapely.get_coordinates(from_theatre(shapely.multipoints(points)))
        return xy[:, 0], xy[:, 1]

    def of(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> list[str]:
        """The sector of each point, or `OFF_LINE` beyond the sectors' reach from the line."""
        tree, along_km = self._stations()
        x, y = theatre_xy(lon, lat)
        away_m, nearest = tree.query(np.column_stack([x, y]))
        numbers = (along_km[nearest] // self.length_km).astype(int) + 1
        return [
            f"S{number:02d}" if away <= self.reach_km * 1000 else OFF_LINE
            for number, away in zip(numbers, away_m, strict=True)
        ]


def load_risk(path: str | Path) -> dict[str, float]:
    """Each sector's risk weight from a file: CSV with `sector` and `risk` columns, or a
    YAML mapping of sector to weight (S07: 3). Weights need not sum to anything."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ValueError(f"{where}: cannot read the risk file ({why})") from None
    if Path(path).suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        if not {"sector", "risk"} <= set(reader.fieldnames or ()):
            raise ValueError(f"{where}: a risk CSV has the columns sector and risk")
        rows = [(f"{where}:{n}", r["sector"], r["risk"]) for n, r in enumerate(reader, start=2)]
    else:
        try:
            data = YAML(typ="safe").load(text)
        except YAMLError as exc:
            raise ValueError(f"{where}: not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError(f"{where}: a risk file maps each sector to its weight (S07: 3)")
        rows = [(f"{where}: {k}", k, v) for k, v in data.items()]
    risk: dict[str, float] = {}
    for at, sector, value in rows:
        try:
            weight = float(value)
        except (TypeError, ValueError):
            weight = math.nan
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"{at}: risk is {value!r}; write a number 0 or more")
        if str(sector) in risk:
            raise ValueError(f"{at}: sector {sector} is listed twice")
        risk[str(sector)] = weight
    return risk
