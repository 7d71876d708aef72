"""CI fails when a command is missing from the README, or the README's set-up
commands and CI's entry point drift apart."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from accord.cli.main import app
from accord.service.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


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


def test_the_settings_table_lists_every_setting_with_its_default() -> None:
    text = (ROOT / "docs" / "service.md").read_text(encoding="utf-8")
    table = text.split("## Settings (environment)", 1)[1].split("\n## ", 1)[0]
    rows = {
        cells[0]: cells[1]
        for line in table.splitlines()
        if line.startswith("| ACCORD_")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    wanted = {}
    for name, field in ServiceSettings.model_fields.items():
        default = field.default
        shown = "none" if default is None else str(default)
        wanted[f"ACCORD_{name.upper()}"] = f"{default:g}" if isinstance(default, float) else shown
    assert rows == wanted
