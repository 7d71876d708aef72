"""Sectors cut the main line into fixed lengths; risk weights are read per sector."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from accord.geo.geodesy import great_circle_km
from accord.ops import Sectors, load_risk

# About 222 km due north along 37 E, then 80 km east: not the shipped line.
LINE = shapely.LineString([(37.0, 47.0), (37.0, 49.0), (38.1, 49.0)])


def test_sectors_are_fixed_lengths_of_the_line() -> None:
    sectors = Sectors(LINE, length_km=40.0)
    assert 290 < sectors.line_km < 310
    names = sectors.names()
    assert names == [f"S{n:02d}" for n in range(1, int(np.ceil(sectors.line_km / 40)) + 1)]
    lon, lat = sectors.middles()
    # Each middle lies in its own sector, and consecutive middles are a sector apart.
    assert sectors.of(lon, lat) == names
    apart = great_circle_km(lon[:3], lat[:3], lon[1:4], lat[1:4])
    assert np.allclose(apart, 40.0, rtol=0.02)


def test_far_from_the_line_is_off_line() -> None:
    sectors = Sectors(LINE, reach_km=20.0)
    assert sectors.of(np.array([37.1, 39.0]), np.array([47.1, 47.0])) == ["S01", "off-line"]


def test_risk_from_csv_and_yaml(tmp_path: Path) -> None:
    csv = tmp_path / "risk.csv"
    csv.write_text("sector,risk,note\nS02,3,shelling\nS05,0.5,\n", encoding="utf-8")
    assert load_risk(csv) == {"S02": 3.0, "S05": 0.5}
    yaml = tmp_path / "risk.yaml"
    yaml.write_text("S01: 1\nS03: 2.5\n", encoding="utf-8")
    assert load_risk(yaml) == {"S01": 1.0, "S03": 2.5}


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("r.csv", "sector,weight\nS01,1\n", "columns sector and risk"),
        ("r.csv", "sector,risk\nS01,1\nS02,high\n", "r.csv:3: risk is 'high'"),
        ("r.csv", "sector,risk\nS01,1\nS01,2\n", "S01 is listed twice"),
        ("r.yaml", "S01: -1\n", "write a number 0 or more"),
        ("r.yaml", "- S01\n", "maps each sector to its weight"),
    ],
)
def test_bad_risk_files_say_where(tmp_path: Path, name: str, text: str, says: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=says):
        load_risk(path)
