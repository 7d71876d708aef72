"""Condition terms compiled into state machines, run day by day over the inputs.

A condition's incentive becomes a list of steps, each granted when its
trigger holds: the phases of sanctions relief (the compliance each needs and
for how long, then the review it needs, such as Congress under CAATSA),
yearly aid tranches, or access to frozen assets. Snap-back withdraws every
granted step on a serious violation. `elapsed_days` counts from the
condition taking effect, from the last step granted, or from the last
snap-back or refused review, so "sustained for 6 months" means six months of
figures since then: each phase is earned anew after the one before it.

Snap-back fires on a material breach: `snap_back_material` serious
established violations within `snap_back_within` (the plan's figures), else
one in a day. Where a plan gives no figure the machine uses a stated default
(`DEFAULT_THRESHOLD` over `DEFAULT_WINDOW_DAYS`, `DEFAULT_MATERIAL` in
`DEFAULT_MATERIAL_DAYS`) and says so wherever it reports what it waits for.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Any

from accord.agreement.model import Agreement, Incentive, Term
from accord.agreement.vocabulary import IncentiveKind, TermKind
from accord.conditions.expressions import Expression, parse
from accord.conditions.inputs import Inputs

DEFAULT_THRESHOLD = 0.9
DEFAULT_WINDOW_DAYS = 90
DEFAULT_MATERIAL = 1  # serious established violations that snap back...
DEFAULT_MATERIAL_DAYS = 1  # ...within this many days
DAYS_PER_YEAR = 365.25
AID_KINDS = (IncentiveKind.military_aid, IncentiveKind.economic_aid)


@dataclass(frozen=True)
class Step:
    """One thing a condition grants, and what it takes."""

    name: str
    grants: str
    trigger: Expression
    review: str | None = None
    due_after_days: int = 0  # not before this many days after the condition takes effect
    defaulted: bool = False  # the plan gives no figure; the trigger uses the defaults


@dataclass(frozen=True)
class ConditionMachine:
    """A condition term compiled: whose compliance counts, its steps and its snap-back rule."""

    term_id: str
    label: str
    kind: IncentiveKind
    party: str  # whose compliance counts: the beneficiary
    providers: tuple[str, ...]
    tied_to: tuple[str, ...]
    steps: tuple[Step, ...]
    snap_back: Expression | None
    details: dict[str, Any] = field(default_factory=dict)
    snap_back_defaulted: bool = False  # the plan gives no materiality threshold
    counts: str = "verified"  # the evidence grade a violation needs to count
    counts_defaulted: bool = True  # the plan does not say which grade counts

    def defaults(self) -> list[str]:
        """Plain statements of every figure this condition takes from a default."""
        out = [
            f"{step.name}: the plan gives no compliance level or period; "
            f"{DEFAULT_THRESHOLD} sustained over {DEFAULT_WINDOW_DAYS} days is a default"
            for step in self.steps
            if step.defaulted
        ]
        if self.counts_defaulted:
            out.append(
                "evidence: the plan does not say which violations count; only verified ones "
                "(a patrol saw it, the party declared it, or it was upheld) is a default"
            )
        if self.snap_back is not None and self.snap_back_defaulted:
            out.append(
                f"snap-back: the plan gives no materiality threshold; {DEFAULT_MATERIAL} serious "
                f"established violation(s) in {DEFAULT_MATERIAL_DAYS} day(s) is a default"
            )
        return out


def compile_conditions(agreement: Agreement) -> list[ConditionMachine]:
    """One machine per condition term that carries an incentive."""
    return [
        _compile(term, term.incentive)
        for term in agreement.terms
        if term.kind is TermKind.condition and term.incentive is not None
    ]


def _sustained(party: str, threshold: float | None, days: int | None) -> tuple[Expression, bool]:
    defaulted = threshold is None or days is None
    level = DEFAULT_THRESHOLD if threshold is None else threshold
    window = DEFAULT_WINDOW_DAYS if days is None else days
    return (
        parse(f'min_compliance("{party}", {window}) >= {level} and elapsed_days >= {window}'),
        defaulted,
    )


def _compile(term: Term, incentive: Incentive) -> ConditionMachine:
    party = incentive.beneficiary
    details: dict[str, Any] = {}
    if incentive.amount is not None:
        details["amount"] = str(incentive.amount)
    if incentive.duration is not None:
        details["duration_days"] = round(incentive.duration.days)
    if term.parameters.aid_types:
        details["aid_types"] = list(term.parameters.aid_types)
    steps: list[Step] = []
    if incentive.phases:
        for phase in incentive.phases:
            days = math.ceil(phase.sustained_for.days) if phase.sustained_for else None
            trigger, defaulted = _sustained(party, phase.compliance_at_least, days)
            steps.append(Step(phase.name, phase.grants, trigger, phase.review, 0, defaulted))
    elif incentive.kind in AID_KINDS and incentive.duration is not None:
        years = max(1, math.ceil(incentive.duration.days / DAYS_PER_YEAR))
        trigger, defaulted = _sustained(party, None, None)
        for year in range(years):
            share = f" ({incentive.amount} / {years})" if incentive.amount else ""
            steps.append(
                Step(
                    f"tranche {year + 1} of {years}",
                    f"year {year + 1} of {incentive.kind.value.replace('_', ' ')}{share}",
                    trigger,
                    None,
                    math.floor(year * DAYS_PER_YEAR),
                    defaulted,
                )
            )
    else:
        trigger, defaulted = _sustained(party, None, None)
        review = None
        if incentive.kind is IncentiveKind.frozen_assets:
            review = f"decision by {', '.join(incentive.providers)}"
        grants = incentive.kind.value.replace("_", " ")
        steps.append(Step(f"grant {grants}", grants, trigger, review, 0, defaulted))
    snap, snap_defaulted = _material(party, incentive)
    return ConditionMachine(
        term.id,
        term.label,
        incentive.kind,
        party,
        tuple(incentive.providers),
        tuple(term.tied_to),
        tuple(steps),
        snap,
        details,
        snap_defaulted,
        incentive.counts or "verified",
        incentive.counts is None,
    )


def _material(party: str, incentive: Incentive) -> tuple[Expression | None, bool]:
    """The snap-back trigger: the plan's materiality threshold, or the stated default."""
    if not incentive.snap_back:
        return None, False
    defaulted = incentive.snap_back_material is None or incentive.snap_back_within is None
    count = incentive.snap_back_material or DEFAULT_MATERIAL
    days = (
        max(1, math.ceil(incentive.snap_back_within.days))
        if incentive.snap_back_within is not None
        else DEFAULT_MATERIAL_DAYS
    )
    return parse(f'serious("{party}", {days}) >= {count}'), defaulted


@dataclass(frozen=True)
class State:
    """Where a condition stands: steps granted, a review pending, and when its clock started."""

    granted: int = 0  # steps granted so far
    awaiting_review: bool = False  # the next step's trigger held; its review is pending
    clock_from: dt.date | None = None  # took effect, or last snapped back

    def describe(self, machine: ConditionMachine) -> str:
        """The state in words, such as "granted: phase 1" or "withheld"."""
        if self.awaiting_review:
            step = machine.steps[self.granted]
            return f"awaiting review of {step.name} ({step.review})"
        if self.granted == 0:
            return "withheld"
        return f"granted: {machine.steps[self.granted - 1].name}"


@dataclass(frozen=True)
class DayEvaluation:
    """One day's evaluation of one condition: what it read and what it decided."""

    term_id: str
    day: dt.date
    before: str
    after: str
    checked: str  # the expression or review evaluated
    value: Any
    inputs: dict[str, Any]
    outcome: str  # waiting, granted, awaiting_review, review_refused, snap_back, complete

    def as_payload(self) -> dict[str, Any]:
        """The evaluation as the ledger entry's payload records it."""
        return {
            "term": self.term_id,
            "day": self.day.isoformat(),
            "before": self.before,
            "after": self.after,
            "checked": self.checked,
            "value": self.value,
            "inputs": self.inputs,
            "outcome": self.outcome,
        }


class _Day:
    """The expression context for one condition on one day."""

    def __init__(self, inputs: Inputs, day: dt.date, elapsed_days: int, counts: str) -> None:
        self.inputs, self.day, self.elapsed_days = inputs, day, elapsed_days
        self.counts = counts  # which evidence grade the figures count

    def call(self, name: str, args: tuple[Any, ...]) -> float | int | bool:
        """The value of an expression's function on this day (compliance, a ruling, a deadline)."""
        if name == "compliance":
            figure = self.inputs.compliance.get((args[0], self.day))
            return 0.0 if figure is None else figure.counted(self.counts)[0]
        if name in ("min_compliance", "mean_compliance"):
            window = self.inputs.window(args[0], args[1], self.day)
            if not window:
                return 0.0
            values = [f.counted(self.counts)[0] for f in window]
            return min(values) if name == "min_compliance" else sum(values) / len(values)
        if name == "serious":
            return sum(
                f.counted(self.counts)[1]
                for back in range(args[1])
                if (f := self.inputs.compliance.get((args[0], self.day - dt.timedelta(back))))
            )
        outcome = self.inputs.obligation(args[0], self.day)
        if outcome is None:
            return False
        return outcome.met if name == "met" else not outcome.met


def step_day(
    machine: ConditionMachine, state: State, inputs: Inputs, day: dt.date, since: dt.date
) -> tuple[State, DayEvaluation]:
    """Advance one condition by one day."""
    clock = state.clock_from or since
    context = _Day(inputs, day, (day - clock).days, machine.counts)
    before = state.describe(machine)
    tomorrow = day + dt.timedelta(days=1)

    def done(new: State, checked: str, value: Any, read: dict[str, Any], outcome: str) -> Any:
        evaluation = DayEvaluation(
            machine.term_id, day, before, new.describe(machine), checked, value, read, outcome
        )
        return new, evaluation

    if machine.snap_back is not None:
        snap = machine.snap_back.evaluate(context)
        if snap.value:
            granted_any = state.granted > 0 or state.awaiting_review
            new = State(0, False, day + dt.timedelta(days=1))
            outcome = "snap_back" if granted_any else "clock_restarted"
            return done(new, str(machine.snap_back), True, snap.inputs, outcome)
    if state.granted == len(machine.steps):
        return done(state, "", None, {}, "complete")
    step = machine.steps[state.granted]
    if state.awaiting_review:
        decision = inputs.review(machine.term_id, step.name, day)
        checked = f"review of {step.name} by {step.review}"
        if decision is None:
            return done(state, checked, None, {}, "waiting")
        read = {"review": decision.model_dump(mode="json")}
        if decision.approved:
            return done(State(state.granted + 1, False, tomorrow), checked, True, read, "granted")
        refused = State(state.granted, False, day + dt.timedelta(days=1))
        return done(refused, checked, False, read, "review_refused")
    if (day - since).days < step.due_after_days:
        due = since + dt.timedelta(days=step.due_after_days)
        return done(state, f"{step.name} falls due on {due}", False, {}, "waiting")
    result = step.trigger.evaluate(context)
    if not result.value:
        return done(state, str(step.trigger), False, result.inputs, "waiting")
    if step.review:
        new = replace(state, awaiting_review=True, clock_from=clock)
        return done(new, str(step.trigger), True, result.inputs, "awaiting_review")
    granted = State(state.granted + 1, False, tomorrow)
    return done(granted, str(step.trigger), True, result.inputs, "granted")


@dataclass
class Run:
    """A condition run over a period: every day's evaluation and the final state."""

    machine: ConditionMachine
    evaluations: list[DayEvaluation]
    state: State

    def decisions(self) -> list[DayEvaluation]:
        """The days its state changed."""
        return [e for e in self.evaluations if e.before != e.after]

    def waiting_for(self) -> str:
        """What the condition waits for next, in words: the review, or the next step's trigger and
        day."""
        machine, state = self.machine, self.state
        if state.granted == len(machine.steps):
            return "nothing: every step is granted" + (
                " (snap-back still watches)" if machine.snap_back else ""
            )
        step = machine.steps[state.granted]
        if state.awaiting_review:
            return f"{step.review} to approve {step.name}"
        due = f" from day {step.due_after_days}" if step.due_after_days else ""
        note = " (defaults: the plan gives no figure)" if step.defaulted else ""
        return f"{step.name}{due}: {step.trigger}{note}"


def run(
    machines: list[ConditionMachine], inputs: Inputs, since: dt.date, until: dt.date
) -> list[Run]:
    """Evaluate every condition on every day from `since` (taking effect) to `until`."""
    if until < since:
        raise ValueError(f"the period ends ({until}) before it starts ({since})")
    runs = []
    for machine in machines:
        state, evaluations = State(clock_from=since), []
        day = since
        while day <= until:
            state, evaluation = step_day(machine, state, inputs, day, since)
            evaluations.append(evaluation)
            day += dt.timedelta(days=1)
        runs.append(Run(machine, evaluations, state))
    return runs
