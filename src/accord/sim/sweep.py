"""Sweeps: which monitoring regimes meet a target, and what each costs a year.

A regime is four figures (observers, sensor spacing, drone sorties a day,
jamming); each is run for a few seeds and pooled, and the target (a share of
one violation kind detected and confirmed within given hours) is met or not.
Runs are independent, so they go to local processes
(`concurrent.futures.ProcessPoolExecutor`) or, given a scheduler address, to
a Dask cluster (`dask.distributed`, an optional extra imported only then).

Yearly cost = observers x cost per observer + for each fixed sensor its unit
price over its life plus upkeep + drone sorties a day x 365 x cost per
sortie. The figures are the scenario's `costs`, planning assumptions whose
basis the scenario states.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.sim.run import simulate
from accord.sim.scenario import Regime, Scenario, Target
from accord.sim.sources import layout
from accord.sim.world import build_world

DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class RegimeResult:
    """A monitoring regime's cost and how well it caught the target kind of violation."""

    regime: Regime
    cost_per_year: float
    violations: int  # of the target's kind, over all seeds
    share: float  # detected and confirmed within the target's hours
    meets: bool
    false_incidents_per_day: float


def yearly_cost(scenario: Scenario) -> tuple[float, dict[str, float]]:
    """The regime's cost a year and its parts (observers, sensors by type, drones)."""
    costs = scenario.costs
    parts = {"observers": scenario.teams.observers * costs.observer_per_year}
    world = build_world(scenario)
    sensors = layout(world, scenario)
    for number, spec in enumerate(scenario.sensors):
        units = int((sensors.group == number).sum())
        unit = costs.sensor_unit.get(spec.type, 0.0) / costs.sensor_life_years
        upkeep = costs.sensor_upkeep_per_year.get(spec.type, 0.0)
        parts[f"sensors.{spec.type}"] = parts.get(f"sensors.{spec.type}", 0.0) + units * (
            unit + upkeep
        )
    sorties = scenario.drones.sorties_per_day if scenario.drones else 0.0
    parts["drones"] = sorties * DAYS_PER_YEAR * costs.drone_sortie
    return sum(parts.values()), parts


def _one(
    scenario_json: str, regime_json: str, days: int, seed: int, target_json: str
) -> dict[str, Any]:
    """One run of one regime and seed (runs in a worker)."""
    scenario = Scenario.model_validate_json(scenario_json).with_regime(
        Regime.model_validate_json(regime_json)
    )
    target = Target.model_validate_json(target_json)
    result = simulate(scenario, days, seed)
    kind = result.scores.by_kind.get(target.kind.value)
    within = 0
    if kind is not None:
        within = sum(
            1 for d, c in kind.both_hours if d <= target.detect_hours and c <= target.confirm_hours
        )
    return {
        "violations": kind.violations if kind else 0,
        "within": within,
        "false": result.scores.false_incidents,
        "days": days,
        "cost": yearly_cost(scenario)[0],
    }


def grid(
    observers: Sequence[int],
    spacing_km: Sequence[float],
    sorties: Sequence[float],
    jamming: Sequence[float],
) -> list[Regime]:
    """Every combination, in a fixed order."""
    return [
        Regime(observers=o, sensor_spacing_km=s, drone_sorties_per_day=d, jamming=j)
        for o, s, d, j in itertools.product(observers, spacing_km, sorties, jamming)
    ]


def sweep(
    scenario: Scenario,
    regimes: Sequence[Regime],
    target: Target,
    *,
    days: int,
    seeds: Sequence[int],
    workers: int = 2,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[RegimeResult]:
    """Run every regime for every seed; results in the regimes' order."""
    jobs = [
        (scenario.model_dump_json(), r.model_dump_json(), days, s, target.model_dump_json())
        for r in regimes
        for s in seeds
    ]
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(jobs))

    outputs: list[dict[str, Any]] = []
    if scheduler is not None:
        outputs = _on_dask(scheduler, jobs, tick)
    elif workers <= 1:
        for job in jobs:
            outputs.append(_one(*job))
            tick()
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_one, *job) for job in jobs]
            for future in futures:
                outputs.append(future.result())
                tick()
    results = []
    per = len(seeds)
    for i, regime in enumerate(regimes):
        mine = outputs[i * per : (i + 1) * per]
        violations = sum(o["violations"] for o in mine)
        within = sum(o["within"] for o in mine)
        share = within / violations if violations else 0.0
        false_per_day = sum(o["false"] for o in mine) / sum(o["days"] for o in mine)
        results.append(
            RegimeResult(
                regime,
                mine[0]["cost"],
                violations,
                share,
                violations > 0 and share >= target.share,
                false_per_day,
            )
        )
    return results


def _on_dask(address: str, jobs: list[tuple], tick: Callable[[], None]) -> list[dict[str, Any]]:
    try:
        from dask.distributed import Client
    except ImportError:
        raise ValueError(
            "--scheduler needs dask.distributed: pip install 'accord[scale]'"
        ) from None
    with Client(address) as client:
        futures = [client.submit(_one, *job, pure=False) for job in jobs]
        outputs = []
        for future in futures:
            outputs.append(future.result())
            tick()
    return outputs


def cheapest(results: Sequence[RegimeResult], limit: int = 3) -> list[RegimeResult]:
    """The cheapest regimes that meet the target (empty when none does)."""
    meeting = [r for r in results if r.meets]
    return sorted(meeting, key=lambda r: (r.cost_per_year, r.regime.model_dump_json()))[:limit]


def chart(results: Sequence[RegimeResult], target: Target, path: Path) -> None:
    """Share achieved against yearly cost, regimes meeting the target marked (PNG or SVG)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 5), layout="constrained")
    axes = figure.add_subplot()
    for meets, colour, label in (
        (False, "#999999", "misses target"),
        (True, "#1b7837", "meets target"),
    ):
        chosen = [r for r in results if r.meets == meets]
        axes.scatter(
            [r.cost_per_year / 1e6 for r in chosen],
            [100 * r.share for r in chosen],
            c=colour,
            label=label,
            s=36,
        )
    for r in cheapest(results, 1):
        axes.annotate(
            f"{r.regime.observers} obs, {r.regime.sensor_spacing_km:g} km, "
            f"{r.regime.drone_sorties_per_day:g} sorties",
            (r.cost_per_year / 1e6, 100 * r.share),
            textcoords="offset points",
            xytext=(6, -12),
        )
    axes.axhline(100 * target.share, color="#b2182b", linestyle="--", label="target")
    axes.set_xlabel("cost per year (USD million, planning assumptions)")
    axes.set_ylabel(
        f"% of {target.kind.value} detected <= {target.detect_hours:g} h "
        f"and confirmed <= {target.confirm_hours:g} h"
    )
    axes.set_ylim(0, 105)
    axes.legend(loc="lower right")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
