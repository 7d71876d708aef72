"""CI fails when a command is missing from the README, the README's set-up commands
and CI's entry point drift apart, or the server's documentation misses a setting
or a route (or names one that is gone)."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main
from tests.service.conftest import api_routes

from accord.cli.main import app
from accord.service.app import create_app
from accord.service.settings import ServiceSettings
from accord.store import open_store

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SERVICE = (ROOT / "docs" / "service.md").read_text(encoding="utf-8")


def _table(section: str, first_cell: str) -> list[list[str]]:
    """The rows of the table under `## section` in docs/service.md whose first cell
    starts with `first_cell`, as lists of cells."""
    text = SERVICE.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if re.match(rf"\| *{first_cell}", line)
    ]


def _commands(group: typer.Typer, prefix: str) -> list[str]:
    names = []
    click_group = typer.main.get_group(group)
    for name, command in click_group.commands.items():
        full = f"{prefix} {name}"
        names.extend(_subcommands(command, full))
    return names


def _subcommands(command: object, full: str) -> list[str]:
    children = getattr(command, "commands", None)
    if not children:
        return [full]
    out = []
    for name, child in children.items():
        out.extend(_subcommands(child, f"{full} {name}"))
    return out


def test_every_command_is_in_the_readme() -> None:
    missing = [c for c in _commands(app, "accord") if c not in README]
    assert missing == []


def test_readme_names_exactly_two_setup_commands() -> None:
    block = re.search(r"## Two commands.*?```sh\n(.*?)```", README, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == ["bash scripts/main.sh", "bash scripts/test.sh"]
    for command in commands:
        assert (ROOT / command.split()[1]).is_file()


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci


def test_the_settings_table_lists_every_setting_with_its_default_and_meaning() -> None:
    rows = {cells[0]: (cells[1], cells[2]) for cells in _table("Settings (environment)", "ACCORD_")}
    wanted = {}
    for name, field in ServiceSettings.model_fields.items():
        default = field.default
        shown = "none" if default is None else str(default)
        shown = f"{default:g}" if isinstance(default, float) else shown
        assert field.description, f"setting {name} has no description"
        wanted[f"ACCORD_{name.upper()}"] = (shown, field.description)
    assert rows == wanted


def test_the_endpoints_table_lists_every_route() -> None:
    """Each /api and /ogc route (method and path, path parameters by name) is one row
    saying who may call it and what it answers; a row of a route that is gone fails."""
    with open_store("sqlite://") as store:
        routes = api_routes(create_app(ServiceSettings(), store))
    served = {
        (method, route.path_format)
        for route in routes
        if route.path.startswith(("/api", "/ogc"))
        for method in route.methods
    }
    rows = _table("Endpoints", "(GET|POST|PUT|PATCH|DELETE) ")
    assert all(len(cells) == 4 and cells[2] and cells[3] for cells in rows)
    documented = [(cells[0], cells[1]) for cells in rows]
    assert len(documented) == len(set(documented)), "a route has two rows"
    assert set(documented) == served
