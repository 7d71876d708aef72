"""accord's exact Pareto set and bargaining solutions against NegMAS, on the same random
additive domains; time and peak traced memory from one run, reported as ratios.

    python benchmarks/bench_pareto.py            # full table (NegMAS up to 1e6 packages)
    python benchmarks/bench_pareto.py --quick    # 1e4 and 1e5 only
    python benchmarks/bench_pareto.py --interactions 4 5   # only the interacting domains

With interactions (5 interacting pairs, 4 parties) the figures are 3-place decimals and
the interactions hundredths, so the set is exact; NegMAS gets the same utility functions
as Python callables over its enumerated outcomes.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from accord.negotiate.analysis import Setting
from accord.negotiate.genius import write_scenario
from accord.negotiate.pareto import pareto_set
from accord.negotiate.scenario import Interaction, RedLine, Scenario
from accord.negotiate.sensitivity import analyse
from accord.negotiate.solutions import solve


def random_domain(parties: int, issues: int, options: int, seed: int = 0) -> Scenario:
    """Random weights times random values, as NegMAS's generators make them."""
    rng = np.random.default_rng(seed)
    weights = rng.random((parties, issues))
    weights /= weights.sum(axis=1, keepdims=True)
    tables = tuple(weights[:, j : j + 1] * rng.random((parties, options)) for j in range(issues))
    return Scenario(
        tuple(f"i{j}" for j in range(issues)),
        tuple(tuple(f"v{o}" for o in range(options)) for _ in range(issues)),
        tuple(f"p{p}" for p in range(parties)),
        tables,
        np.zeros(parties),
    )


def measure(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Seconds and peak traced MiB of one call."""
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, result


def negmas_frontier(scenario: Scenario) -> Callable[[], Any]:
    from negmas.inout import Scenario as NegmasScenario
    from negmas.preferences import pareto_frontier

    folder = tempfile.mkdtemp()
    write_scenario(scenario, folder)
    loaded = NegmasScenario.from_genius_folder(folder, ignore_discount=True, ignore_reserved=True)
    assert loaded is not None

    def run() -> Any:
        outcomes = list(loaded.outcome_space.enumerate_or_sample())
        return pareto_frontier(loaded.ufuns, outcomes=outcomes)

    return run


def versus_negmas(sizes: list[int]) -> None:
    print(
        "| parties | packages | accord s | accord MiB | NegMAS s | NegMAS MiB "
        "| time ratio | memory ratio | same set |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    pareto_set(random_domain(2, 2, 3))  # load the compiled sweep once
    for parties in (2, 3, 4):
        for exponent in sizes:
            scenario = random_domain(parties, exponent, 10, seed=exponent)
            t_a, m_a, front = measure(lambda s=scenario: pareto_set(s, beat_alternatives=False))
            t_n, m_n, (theirs, _) = measure(negmas_frontier(scenario))
            scale = np.array([sum(t[p].max() for t in scenario.tables) for p in range(parties)])
            ours = np.unique((front.utilities / scale).round(9), axis=0)
            their = np.unique(np.array(theirs, dtype=float).round(9), axis=0)
            same = ours.shape == their.shape and bool(np.allclose(ours, their, atol=1e-9))
            print(
                f"| {parties} | 1e{exponent} | {t_a:.3f} | {m_a:.1f} | {t_n:.2f} | {m_n:.1f} "
                f"| {t_n / t_a:,.0f}x | {m_n / max(m_a, 0.01):,.1f}x | {same} |",
                flush=True,
            )


def at_scale() -> None:
    pareto_set(random_domain(2, 2, 3))  # load the compiled sweep once
    print("\n| what | parties | packages | seconds | peak MiB | size |")
    print("|---|---|---|---|---|---|")
    for parties in (2, 3, 4):
        scenario = random_domain(parties, 15, 4, seed=parties)  # 4**15 = 1.07e9
        t, m, front = measure(lambda s=scenario: pareto_set(s, beat_alternatives=False))
        print(
            f"| Pareto set | {parties} | {scenario.size:.2e} | {t:.3f} | {m:.1f} | {len(front)} |"
        )
    for parties in (2, 3, 4):
        scenario = random_domain(parties, 15, 4, seed=10 + parties)
        rng = np.random.default_rng(parties)
        lines = tuple(
            RedLine(f"p{j % parties}", j, frozenset({int(rng.integers(4))}))
            for j in range(0, 15, 3)
        )
        top = sum(t.max(axis=1) for t in scenario.tables)
        scenario = Scenario(
            scenario.issues, scenario.options, scenario.parties, scenario.tables, 0.5 * top, lines
        )
        t, m, found = measure(lambda s=scenario: solve(s))
        print(
            f"| Nash, KS, egalitarian, utilitarian with red lines | {parties} "
            f"| {scenario.size:.2e} | {t:.3f} | {m:.1f} | {len(found)} solutions |"
        )
    setting = Setting.load()
    t, m, _ = measure(lambda: analyse(setting.prefs, setting.plans, n=1000, seed=0))
    print(
        f"| 1,000 Monte Carlo draws, shipped domain, all plans | {len(setting.scenario.parties)} "
        f"| {setting.scenario.size:.2e} | {t:.1f} | {m:.1f} | |"
    )


def interacting_domain(issues: int, options: int, pairs: int = 5, seed: int = 0) -> Scenario:
    """Four parties, decimal figures, and `pairs` interactions tying issues 2k and 2k+1."""
    from fractions import Fraction

    base = random_domain(4, issues, options, seed)
    rng = np.random.default_rng(seed)
    links = tuple(
        Interaction(
            f"p{int(rng.integers(4))}",
            (2 * k, int(rng.integers(options))),
            (2 * k + 1, int(rng.integers(options))),
            Fraction(int(rng.integers(-5, 6)), 100),
        )
        for k in range(min(pairs, issues // 2))
    )
    return Scenario(
        base.issues,
        base.options,
        base.parties,
        tuple(np.round(t, 3) for t in base.tables),
        np.zeros(4),
        interactions=links,
    )


def negmas_interacting(scenario: Scenario) -> Callable[[], Any]:
    from negmas.outcomes import make_issue, make_os
    from negmas.preferences import MappingUtilityFunction, pareto_frontier

    space = make_os(
        [
            make_issue(list(o), name=i)
            for i, o in zip(scenario.issues, scenario.options, strict=True)
        ]
    )
    index = [{v: k for k, v in enumerate(o)} for o in scenario.options]

    def ufun(p: int) -> MappingUtilityFunction:
        def value(outcome: tuple[str, ...]) -> float:
            package = tuple(index[j][v] for j, v in enumerate(outcome))
            return float(scenario.utilities(package)[p])

        return MappingUtilityFunction(value, outcome_space=space)

    ufuns = [ufun(p) for p in range(len(scenario.parties))]

    def run() -> Any:
        return pareto_frontier(ufuns, outcomes=list(space.enumerate_or_sample()))

    return run


def with_interactions(sizes: list[int]) -> None:
    pareto_set(interacting_domain(4, 3))  # load the compiled sweep once
    print(
        "\n| packages | accord s | accord MiB | Pareto size | NegMAS s | NegMAS MiB | time ratio "
        "| same set |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for exponent in sizes:
        scenario = interacting_domain(exponent, 10, seed=exponent)
        t_a, m_a, front = measure(lambda s=scenario: pareto_set(s, beat_alternatives=False))
        t_n, m_n, (theirs, _) = measure(negmas_interacting(scenario))
        exact = {tuple(np.round(np.array(u, dtype=float), 9)) for u in front.utilities}
        theirs_unique = {tuple(np.round(np.array(u, dtype=float), 9)) for u in theirs}
        print(
            f"| 1e{exponent} | {t_a:.3f} | {m_a:.1f} | {len(front)} | {t_n:.2f} | {m_n:.1f} "
            f"| {t_n / t_a:,.0f}x | {exact == theirs_unique} |",
            flush=True,
        )
    scenario = interacting_domain(15, 4, seed=15)  # 4**15 = 1.07e9
    t, m, front = measure(lambda s=scenario: pareto_set(s, beat_alternatives=False))
    print(f"| {scenario.size:.2e} | {t:.3f} | {m:.1f} | {len(front)} | cannot enumerate | | | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="NegMAS on 1e4 and 1e5 only")
    parser.add_argument("--no-negmas", action="store_true", help="only accord at scale")
    parser.add_argument(
        "--interactions", type=int, nargs="*", help="only the interacting domains, NegMAS at 1eN"
    )
    args = parser.parse_args()
    if args.interactions is not None:
        with_interactions(args.interactions)
        return
    if not args.no_negmas:
        versus_negmas([4, 5] if args.quick else [4, 5, 6])
        with_interactions([4, 5] if args.quick else [4, 5, 6])
    at_scale()


if __name__ == "__main__":
    main()
