"""A mission's teams file: loaded with its figures, every problem named by file, line, team
and field; patrols per team from the file's own counts or its observers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from accord.ops import Base, Teams, TeamsFileError, load_teams, parse_teams

MISSION = """\
observers: 60
observers_per_patrol: 5
on_duty_share: 0.5
speed_kmh: 35
daylight_only: false
bases:
  - {id: KH, name: Kherson, lon: 32.62, lat: 46.64}
  - {id: ZP, name: Zaporizhzhia, lon: 35.14, lat: 47.84, patrols: 4}
  - {id: KR, name: Kramatorsk, lon: 37.56, lat: 48.72}
"""


def test_a_mission_file_is_read_with_its_figures(tmp_path: Path) -> None:
    path = tmp_path / "teams.yaml"
    path.write_text(MISSION, encoding="utf-8")
    teams = load_teams(path)
    assert teams.ids == ("KH", "ZP", "KR")
    assert [b.name for b in teams.bases] == ["Kherson", "Zaporizhzhia", "Kramatorsk"]
    assert teams.speed_kmh == 35 and teams.daylight_only is False
    assert teams.duty_hours == 10  # not in the file: the documented default
    # ZP fields its own 4; the 30 observers on duty are shared by KH and KR, 15 each,
    # 5 to a patrol.
    assert teams.patrols_per_team() == [3, 4, 3]


def test_patrols_without_observers_are_one_a_team() -> None:
    teams = Teams(bases=[Base(id="A", lon=36.0, lat=48.0), Base(id="B", lon=37.0, lat=48.0)])
    assert teams.patrols_per_team() == [1, 1]
    shared = teams.model_copy(update={"observers": 7, "observers_per_patrol": 2})
    # int(7 * 0.5) = 3 on duty: 2 and 1, so 1 patrol each (never none).
    assert shared.patrols_per_team() == [1, 1]


def test_every_problem_is_named_by_file_line_team_and_field() -> None:
    text = MISSION.replace("speed_kmh: 35", "speed_kmh: fast").replace("lon: 35.14", "lon: 235.14")
    text += "  - {name: Sloviansk, lon: 37.6, lat: 48.85, patrol: 2}\n"
    with pytest.raises(TeamsFileError) as caught:
        parse_teams(text, "mission.yaml")
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 4
    assert problems[0].startswith("mission.yaml:4:") and "speed_kmh" in problems[0]
    assert problems[1].startswith("mission.yaml:8:")
    assert "bases[1].lon: team 2 (ZP): " in problems[1] and "180" in problems[1]
    assert any("bases[3].id: team 4: missing required field 'id'" in p for p in problems)
    unknown = next(p for p in problems if "patrol'" in p)
    assert unknown.startswith("mission.yaml:10:") and "valid fields here: id, name" in unknown


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("- KH\n- ZP\n", "a teams file is a mapping"),
        ("bases: []\n", "at least 1"),
        ("bases: [{id: KH, lon: 32.6, lat: 46.6]\n", "not valid YAML"),
        ("bases: [{id: KH, lon: 32.6, lat: 46.6, patrols: 0}]\n", "greater than or equal to 1"),
    ],
)
def test_unusable_files_say_why(text: str, says: str) -> None:
    with pytest.raises(TeamsFileError, match=says):
        parse_teams(text, "mission.yaml")


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TeamsFileError, match=r"absent\.yaml:1:1: cannot read"):
        load_teams(tmp_path / "absent.yaml")


def test_the_shipped_teams_route_to_the_nearest_base() -> None:
    teams = Teams.shipped()
    assert len(teams.ids) == 10 and teams.observers == 480
    lon, lat = teams.lon[[2, 7]] + 0.05, teams.lat[[2, 7]]
    ids, km = teams.route(lon, lat, np.zeros(2, dtype=np.int64))
    assert ids == [teams.ids[2], teams.ids[7]]
    assert np.all((km > 3) & (km < 4))  # 0.05 degrees of longitude near 47-49 N
