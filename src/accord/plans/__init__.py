"""The published proposals as agreement files shipped with the package.

A plan is named by its short id (the file's stem) or by a path to a file of the
user's own, so every command takes both.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from accord.agreement import Agreement, load_agreement

_DATA = resources.files("accord.plans") / "data"


class UnknownPlanError(LookupError):
    """A plan name that is neither a shipped id nor an existing file."""

    def __init__(self, name: str):
        self.name = name
        known = ", ".join(plan_ids())
        super().__init__(f"no plan '{name}': use a shipped id ({known}) or a path to a .yaml file")


def plan_ids() -> list[str]:
    """Ids of the shipped plans, sorted."""
    return sorted(p.name.removesuffix(".yaml") for p in _DATA.iterdir() if p.name.endswith(".yaml"))


def plan_path(name: str) -> Path:
    """The file behind a plan id or path."""
    candidate = Path(name)
    if candidate.suffix in {".yaml", ".yml"} or candidate.exists():
        if not candidate.is_file():
            raise UnknownPlanError(name)
        return candidate
    if name not in plan_ids():
        raise UnknownPlanError(name)
    return Path(str(_DATA / f"{name}.yaml"))


@cache
def _load_shipped(name: str) -> Agreement:
    return load_agreement(plan_path(name))


def load_plan(name: str) -> Agreement:
    """Load a shipped plan by id (cached) or a user's plan file by path."""
    if name in plan_ids():
        return _load_shipped(name)
    return load_agreement(plan_path(name))


def load_all() -> list[Agreement]:
    """Every shipped plan, in id order."""
    return [load_plan(name) for name in plan_ids()]
