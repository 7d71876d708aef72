"""Whether verification's verdicts can be trusted: the simulator's scenarios scored against
their ground truth, and the compliance a party that breaks nothing gets.

1. For each scenario and seed: detection of true violations (any grade), incidents per
   detected violation (episodes), incidents presented as established (corroborated or
   verified) and how many of them are true, false established incidents a day, and
   false single-network reports a day (counted beside, never in compliance).
2. The default scenario with every violation removed (the parties only do lawful things;
   the sensors keep their ordinary false alarms): each party's weekly compliance index
   and whether any condition stays withheld for lack of compliance in that week.

    .venv/bin/python benchmarks/bench_verdicts.py --days 7 --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from accord.sim.run import simulate
from accord.sim.scenario import Party, load_scenario
from accord.store import open_store
from accord.verify.compliance import compliance


def _row(name: str, seed: int, days: int, scenario: Any = None) -> dict[str, Any]:
    result = simulate(scenario or name, days, seed)
    s = result.scores
    total = s.total()
    detected = total.detected
    true_incidents = s.incidents - s.false_incidents
    return {
        "scenario": name,
        "seed": seed,
        "violations": total.violations,
        "detected": round(total.detection_rate, 3) if total.violations else None,
        "incidents_per_detected_violation": round(true_incidents / detected, 3)
        if detected
        else None,
        "established": s.established,
        "precision_established": None if not s.established else round(s.precision_established, 3),
        "false_established_per_day": round(s.false_established / days, 3),
        "false_reports_per_day": round((s.false_incidents - s.false_established) / days, 3),
    }


def quiet_week(seed: int, days: int) -> dict[str, Any]:
    """The default scenario with no violations at all: weekly index of each party."""
    scenario = load_scenario("default")
    calm = scenario.model_copy(
        update={
            "parties": {
                p: party.model_copy(update={"violations": []})
                for p, party in scenario.parties.items()
            },
            "others": Party(),
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'quiet.db'}"
        result = simulate(calm, days, seed, database_url=url)
        assert result.violations == 0
        out: dict[str, Any] = {"seed": seed, "incidents": result.scores.incidents}
        with open_store(url) as store:
            for party in scenario.parties:
                weeks = []
                day = scenario.start.date()
                while day < scenario.start.date() + timedelta(days=days):
                    week = compliance(store, party, "week", day, record=False).current
                    weeks.append(round(week.index, 4))
                    day += timedelta(days=7)
                out[party] = min(weeks)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--scenarios", nargs="+", default=["default", "iran-iraq"])
    args = parser.parse_args()
    rows = [_row(name, seed, args.days) for name in args.scenarios for seed in args.seeds]
    quiet = [quiet_week(seed, args.days) for seed in args.seeds]
    print(json.dumps({"scenarios": rows, "no_violations": quiet}, indent=2))


if __name__ == "__main__":
    main()
