"""GENIUS files are read as GENIUS reads them: one hand-written scenario per convention."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from accord.cli.negotiate import app
from accord.negotiate.genius import GeniusFileError, read_folder

DOMAIN = """<negotiation_template><utility_space number_of_issues="2">
<objective index="0" name="root" type="objective" etype="objective">
<issue index="1" name="colour" type="discrete" etype="discrete" vtype="discrete">
<item index="1" value="red"/><item index="2" value="blue"/></issue>
<issue index="2" name="size" type="integer" etype="integer" vtype="integer"
 lowerbound="1" upperbound="5"/>
</objective></utility_space></negotiation_template>"""


def _profile(w1: str, w2: str, size: str, extra: str = "") -> str:
    return f"""<utility_space>{extra}
<objective index="0" name="root" type="objective" etype="objective">
<issue index="1" name="colour" type="discrete" etype="discrete" vtype="discrete">
<item index="1" value="red" evaluation="2"/><item index="2" value="blue" evaluation="4"/></issue>
{size}
<weight index="1" value="{w1}"/><weight index="2" value="{w2}"/>
</objective></utility_space>"""


FLAT = (
    '<issue index="2" name="size" type="integer" etype="integer" lowerbound="1" upperbound="5">'
    '<evaluator ftype="linear" slope="0" offset="1"/></issue>'
)


def _folder(tmp_path: Path, **profiles: str) -> Path:
    (tmp_path / "domain.xml").write_text(DOMAIN)
    for name, text in profiles.items():
        (tmp_path / f"{name}.xml").write_text(text)
    return tmp_path


def test_weights_that_do_not_sum_to_one_are_divided_by_their_sum(tmp_path):
    found = read_folder(_folder(tmp_path, a=_profile("1.2", "0.8", FLAT)))
    colour, size = found.scenario.exact.tables
    # weights 1.2 and 0.8 become 0.6 and 0.4; colour evaluations 2 and 4 become 1/2 and 1
    assert list(colour[0]) == [Fraction(3, 10), Fraction(3, 5)]
    assert set(size[0]) == {Fraction(2, 5)}
    assert any("sum to 2" in note for note in found.notes)
    # as written (NegMAS's reading) the best package would be worth 1.2 * 4 + 0.8 = 5.6
    raw = read_folder(tmp_path, convention="negmas").scenario
    assert raw.exact.tables[0][0, 1] * 1 + raw.exact.tables[1][0, 0] == Fraction(28, 5)


def test_integer_evaluations_use_the_profile_bounds_and_are_clamped(tmp_path):
    # the profile's lower bound is 2 (the domain's is 1): 0.5 * (x - 2) + 0.25, within [0, 1]
    size = (
        '<issue index="2" name="size" type="integer" etype="integer" lowerbound="2"'
        ' upperbound="5"><evaluator ftype="linear" slope="0.5" offset="0.25"/></issue>'
    )
    found = read_folder(_folder(tmp_path, a=_profile("0", "1", size)))
    evaluations = list(found.scenario.exact.tables[1][0])
    assert found.scenario.options[1] == ("1", "2", "3", "4", "5")  # values from the domain
    assert evaluations == [Fraction(0), Fraction(1, 4), Fraction(3, 4), Fraction(1), Fraction(1)]
    # NegMAS evaluates slope * x + offset, unclamped
    negmas = list(read_folder(tmp_path, convention="negmas").scenario.exact.tables[1][0])
    assert negmas[-1] == Fraction(11, 4)


def test_reservation_values_and_discount_factors_are_reported(tmp_path):
    extra = '<reservation value="0.3"/><discount_factor value="0.8"/>'
    found = read_folder(
        _folder(tmp_path, a=_profile("0.5", "0.5", FLAT, extra), b=_profile("0.5", "0.5", FLAT))
    )
    assert found.reservation_values == {"a": 0.3, "b": None}
    assert found.discount_factors == {"a": 0.8, "b": None}
    assert np.array_equal(found.scenario.alternatives, [0.3, 0.0])
    assert found.to_json()["discount_applied"] is False


def test_files_that_are_not_xml_are_skipped_with_a_note(tmp_path):
    folder = _folder(tmp_path, a=_profile("0.5", "0.5", FLAT), b=_profile("0.3", "0.7", FLAT))
    (folder / "README.txt").write_text("not a profile")
    found = read_folder(folder)
    assert found.scenario.parties == ("a", "b")
    assert found.notes == ["skipped README.txt: not an XML file"]


def test_nonlinear_profiles_are_refused_as_nonlinear(tmp_path):
    nonlinear = """<utility_space type="nonlinear"><objective index="0" name="root">
<utility_function maxutility="100"><ufun type="PlainUfun" weight="1" aggregation="sum">
<hyperRectangle utility_function_index="0" utility="10"><INCLUDES index="1" min="1" max="2"/>
</hyperRectangle></ufun></utility_function></objective></utility_space>"""
    folder = _folder(tmp_path, a=_profile("0.5", "0.5", FLAT), b=nonlinear)
    with pytest.raises(GeniusFileError, match="nonlinear profile"):
        read_folder(folder)


def test_genius_analyse_prints_what_it_does_not_apply(tmp_path):
    extra = '<reservation value="0.1"/><discount_factor value="0.9"/>'
    folder = _folder(tmp_path, a=_profile("2", "2", FLAT, extra), b=_profile("0.5", "0.5", FLAT))
    result = CliRunner().invoke(app, ["genius-analyse", str(folder)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["discount_factors"] == {"a": 0.9, "b": None}
    assert data["reservation_values"]["a"] == 0.1
    assert any("sum to 4" in note for note in data["notes"])
