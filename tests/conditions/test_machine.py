"""The shipped plan's conditions as state machines: phases, reviews, tranches, snap-back."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.agreement.model import Incentive
from accord.conditions.inputs import ComplianceDay, Inputs, ReviewOutcome
from accord.conditions.machine import Run, compile_conditions, run
from accord.plans import load_plan

START = dt.date(2026, 1, 1)
CAATSA = "CAATSA phase"


def _days(n: int) -> list[dt.date]:
    return [START + dt.timedelta(days=i) for i in range(n)]


def _inputs(
    index: float, n: int, violations: dict[dt.date, int] | None = None, **more: object
) -> Inputs:
    figures = [
        ComplianceDay(party=p, day=d, index=index, serious_violations=(violations or {}).get(d, 0))
        for d in _days(n)
        for p in ("RU", "UA")
    ]
    return Inputs.of(figures, **more)  # type: ignore[arg-type]


def _by_term(runs: list[Run]) -> dict[str, Run]:
    return {r.machine.term_id: r for r in runs}


@pytest.fixture(scope="module")
def machines() -> list:
    return compile_conditions(load_plan("defense-priorities-2025"))


def test_the_plan_compiles_to_phases_tranches_and_a_reviewed_asset_release(machines: list) -> None:
    compiled = {m.term_id: m for m in machines}
    sanctions = compiled["relations.sanctions"]
    assert [s.name for s in sanctions.steps] == ["first phase", CAATSA]
    assert str(sanctions.steps[0].trigger) == (
        'min_compliance("RU", 183) >= 0.9 and elapsed_days >= 183'
    )
    assert "CAATSA" in (sanctions.steps[1].review or "") and not sanctions.steps[1].defaulted
    aid = compiled["security.aid"]
    assert aid.party == "UA" and len(aid.steps) == 5 and aid.steps[4].due_after_days == 1461
    assert "JDAM" in aid.details["aid_types"] and all(s.defaulted for s in aid.steps)
    assets = compiled["relations.frozen_assets"]
    assert assets.steps[0].review == "decision by US, EUR"
    assert assets.details["amount"].startswith("300") or "300" in assets.details["amount"]
    assert all(m.snap_back is not None for m in machines)


def test_sustained_compliance_earns_phase_one_then_waits_for_congress(machines: list) -> None:
    runs = _by_term(run(machines, _inputs(0.95, 700), START, START + dt.timedelta(days=699)))
    sanctions = runs["relations.sanctions"]
    assert [(d.day, d.outcome) for d in sanctions.decisions()] == [
        (START + dt.timedelta(days=183), "granted"),
        (START + dt.timedelta(days=183 + 367), "awaiting_review"),
    ]
    assert "US Congress under CAATSA" in sanctions.waiting_for()


def test_congress_approving_completes_relief_and_a_refusal_restarts_the_clock(
    machines: list,
) -> None:
    review_day = START + dt.timedelta(days=600)
    for approved, final in ((True, f"granted: {CAATSA}"), (False, "granted: first phase")):
        reviews = [
            ReviewOutcome(
                term="relations.sanctions", phase=CAATSA, day=review_day, approved=approved
            )
        ]
        inputs = _inputs(0.95, 650, reviews=reviews)
        runs = _by_term(run(machines, inputs, START, START + dt.timedelta(days=649)))
        assert (
            runs["relations.sanctions"].state.describe(runs["relations.sanctions"].machine) == final
        )


def test_low_compliance_withholds_everything(machines: list) -> None:
    runs = run(machines, _inputs(0.7, 400), START, START + dt.timedelta(days=399))
    assert all(r.state.granted == 0 and not r.decisions() for r in runs)
    first = _by_term(runs)["relations.sanctions"].evaluations[200]
    assert first.outcome == "waiting" and first.inputs["min_compliance('RU', 183)"] == 0.7


def test_a_serious_violation_snaps_relief_back_and_restarts_the_clock(machines: list) -> None:
    strike = START + dt.timedelta(days=250)
    inputs = _inputs(0.95, 500, violations={strike: 1})
    sanctions = _by_term(run(machines, inputs, START, START + dt.timedelta(days=499)))[
        "relations.sanctions"
    ]
    outcomes = [(d.day, d.outcome) for d in sanctions.decisions()]
    assert outcomes[:2] == [(START + dt.timedelta(days=183), "granted"), (strike, "snap_back")]
    assert outcomes[2] == (strike + dt.timedelta(days=184), "granted")
    snap = next(e for e in sanctions.evaluations if e.outcome == "snap_back")
    assert snap.inputs == {"serious('RU', 1)": 1} and snap.after == "withheld"


def test_missing_figures_never_count_as_compliance(machines: list) -> None:
    gap = _inputs(0.99, 400)
    del gap.compliance[("RU", START + dt.timedelta(days=100))]
    sanctions = _by_term(run(machines, gap, START, START + dt.timedelta(days=399)))[
        "relations.sanctions"
    ]
    assert sanctions.decisions()[0].day == START + dt.timedelta(days=100 + 183)


def test_snap_back_waits_for_the_plans_materiality_threshold() -> None:
    """With a threshold of two serious violations in a week, one does not snap back, a
    second within the week does; with none the default (one in a day) is stated."""
    plan = load_plan("defense-priorities-2025")
    [sanctions] = [t for t in plan.terms if t.id == "relations.sanctions"]
    assert sanctions.incentive is not None
    within = Incentive.model_validate(
        {
            "kind": "sanctions_relief",
            "beneficiary": "RU",
            "providers": ["US"],
            "snap_back_within": "7 days",
        }
    ).snap_back_within
    material = sanctions.incentive.model_copy(
        update={"snap_back_material": 2, "snap_back_within": within}
    )
    strict = sanctions.model_copy(update={"incentive": material})
    [machine] = compile_conditions(plan.model_copy(update={"terms": [strict]}))
    assert str(machine.snap_back) == 'serious("RU", 7) >= 2' and not machine.snap_back_defaulted
    assert not any("snap-back" in d for d in machine.defaults())
    one = START + dt.timedelta(days=10)
    [once] = run([machine], _inputs(0.95, 30, {one: 1}), START, START + dt.timedelta(days=29))
    assert not any(e.outcome in ("snap_back", "clock_restarted") for e in once.evaluations)
    second = one + dt.timedelta(days=3)
    [twice] = run(
        [machine], _inputs(0.95, 30, {one: 1, second: 1}), START, START + dt.timedelta(days=29)
    )
    assert next(e.day for e in twice.evaluations if e.outcome == "clock_restarted") == second
    [default] = [m for m in compile_conditions(plan) if m.term_id == "relations.sanctions"]
    assert default.snap_back_defaulted
    assert any("no materiality threshold" in d for d in default.defaults())


def test_an_agreement_may_count_corroborated_violations() -> None:
    """Verified violations alone leave Russia's index at 0.95; counting corroborated ones as
    its plan says, 0.5: the first phase waits. Inputs without those figures are refused."""
    plan = load_plan("defense-priorities-2025")
    [sanctions] = [t for t in plan.terms if t.id == "relations.sanctions"]
    assert sanctions.incentive is not None
    wider = sanctions.incentive.model_copy(update={"counts": "corroborated"})
    [machine] = compile_conditions(
        plan.model_copy(update={"terms": [sanctions.model_copy(update={"incentive": wider})]})
    )
    assert machine.counts == "corroborated" and not machine.counts_defaulted
    [default] = [m for m in compile_conditions(plan) if m.term_id == "relations.sanctions"]
    assert any("only verified ones" in d for d in default.defaults())
    days = [
        ComplianceDay(party=p, day=d, index=0.95, corroborated_index=0.5, corroborated_serious=0)
        for d in _days(200)
        for p in ("RU", "UA")
    ]
    end = START + dt.timedelta(days=199)
    [strict] = run([machine], Inputs.of(days), START, end)
    [lenient] = run([default], Inputs.of(days), START, end)
    assert strict.state.granted == 0 and lenient.state.granted == 1
    with pytest.raises(ValueError, match="no figures counting corroborated"):
        run([machine], _inputs(0.95, 10), START, START + dt.timedelta(days=9))
