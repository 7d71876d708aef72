"""The top-level command: every group listed without importing it, each run through its
stand-in, and the stand-ins' help held to the real commands'."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.main import COMMANDS, app, load

CLI = Path(__file__).resolve().parents[2] / "src" / "accord" / "cli"


def test_every_command_module_is_registered() -> None:
    modules = {p.stem for p in CLI.glob("*.py")} - {"__init__", "main", "common"}
    assert set(COMMANDS) == modules


@pytest.mark.parametrize("name", list(COMMANDS))
def test_stand_in_help_is_the_real_help(name: str) -> None:
    real = load(name)
    first = " ".join(inspect.cleandoc(real.help or "").split("\n\n")[0].split())
    assert COMMANDS[name][1] == first


def test_help_lists_every_command_without_loading_any() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from accord.cli.main import app\n"
        "result = CliRunner().invoke(app, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(result.output)\n"
        "heavy = ['sqlalchemy', 'numba', 'ortools', 'fastapi', 'dask', 'scipy', 'pyarrow']\n"
        "print('LOADED', sorted(m for m in heavy if m in sys.modules))\n"
        "print('CLI', sorted(m for m in sys.modules if m.startswith('accord.cli.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "LOADED []" in out
    assert "CLI ['accord.cli.main']" in out
    for name in COMMANDS:
        assert f" {name} " in out


def test_commands_run_and_answer_help_through_their_stand_ins() -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["plans", "list", "--json"])
    assert listed.exit_code == 0 and "defense-priorities-2025" in listed.output
    helped = runner.invoke(app, ["plans", "--help"])
    assert helped.exit_code == 0 and "compare" in helped.output
    assert "--install-completion" not in helped.output
    single = runner.invoke(app, ["replay", "--help"])
    assert single.exit_code == 0 and "--archive" in single.output
    missing = runner.invoke(app, ["plans", "show", "no-such-plan"])
    assert missing.exit_code != 0 and "no-such-plan" in missing.output
    unknown = runner.invoke(app, ["nosuch"])
    assert unknown.exit_code == 2 and "No such command" in unknown.output
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.output.startswith("accord ")
