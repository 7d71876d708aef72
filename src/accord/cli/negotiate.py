"""`accord negotiate ...`: negotiation analysis of the plans, with JSON output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from accord.cli.common import err_console, user_errors, write_or_print
from accord.negotiate import analysis
from accord.negotiate.analysis import Setting

app = typer.Typer(
    help="Negotiation analysis: red lines, acceptance, Pareto set, bargaining solutions, "
    "bridging, sensitivity, ratification, durability, GENIUS files and the HTML report.",
    no_args_is_help=True,
)

PlansArg = typer.Argument(None, help="Plan ids or plan files; all shipped plans if none.")
PartyOpt = typer.Option(None, "--party", help="A party file to use instead of the shipped ones.")
DomainOpt = typer.Option(None, "--domain", help="A domain file to use instead of the shipped one.")
OutputOpt = typer.Option(None, "--output", "-o", help="Write JSON here instead of stdout.")


def _setting(plans: list[str] | None, party: list[Path] | None, domain: Path | None) -> Setting:
    return Setting.load(plans or None, list(party) if party else None, domain)


def _emit(data: Any, output: str | None) -> None:
    write_or_print(json.dumps(data, indent=2), output)


@app.command()
def domain(
    plans: list[str] = PlansArg,
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
    output: str = OutputOpt,
) -> None:
    """Issues, options, parties, the size of the space and each plan's package."""
    with user_errors():
        _emit(analysis.domain_json(_setting(plans, party, domain_file)), output)


@app.command()
def evaluate(
    plans: list[str] = PlansArg,
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
    output: str = OutputOpt,
    explain: bool = typer.Option(
        False,
        "--explain",
        help="Print term -> issue -> option for every term instead of JSON (JSON still goes to"
        " --output when given).",
    ),
) -> None:
    """Per plan: each party's utility, red lines crossed, and standing against its alternative."""
    with user_errors():
        setting = _setting(plans, party, domain_file)
        if explain:
            write_or_print(analysis.explain_text(setting), None)
        if output or not explain:
            _emit(analysis.evaluate_json(setting), output)


@app.command()
def pareto(
    limit: int = typer.Option(50, help="How many Pareto packages to list."),
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
    output: str = OutputOpt,
) -> None:
    """The exact Pareto set of packages that respect every red line and beat every alternative."""
    with user_errors():
        _emit(analysis.pareto_json(_setting([], party, domain_file), limit), output)


@app.command()
def solutions(
    party: list[Path] = PartyOpt, domain_file: Path = DomainOpt, output: str = OutputOpt
) -> None:
    """Nash, Kalai-Smorodinsky, egalitarian and utilitarian packages."""
    with user_errors():
        _emit(analysis.solutions_json(_setting([], party, domain_file)), output)


@app.command("bridge")
def bridge_cmd(
    plan: str = typer.Argument(..., help="Plan id or file."),
    top: int = typer.Option(5, help="How many alternatives to rank."),
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
    output: str = OutputOpt,
) -> None:
    """The fewest changes that make a plan acceptable to every party, ranked."""
    with user_errors():
        setting = _setting([plan], party, domain_file)
        _emit(analysis.bridge_json(setting, next(iter(setting.plans)), top), output)


@app.command()
def sensitivity(
    plans: list[str] = PlansArg,
    draws: int = typer.Option(1000, help="Monte Carlo draws."),
    seed: int = typer.Option(0, help="Random seed."),
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
    output: str = OutputOpt,
) -> None:
    """Monte Carlo over the preference ranges: acceptance odds and Nash stability."""
    with user_errors():
        setting = _setting(plans, party, domain_file)
        _emit(analysis.sensitivity_json(setting, draws, seed, show_progress=True), output)


@app.command()
def ratify(
    plans: list[str] = PlansArg,
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
    output: str = OutputOpt,
) -> None:
    """The chance each part of each plan survives its veto players."""
    with user_errors():
        _emit(analysis.ratify_json(_setting(plans, party, domain_file)), output)


@app.command("durability")
def durability_cmd(
    plans: list[str] = PlansArg,
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
    output: str = OutputOpt,
) -> None:
    """Durability score of each plan's ceasefire mechanisms, with weights and sources."""
    with user_errors():
        _emit(analysis.durability_json(_setting(plans, party, domain_file)), output)


@app.command("genius-export")
def genius_export(
    folder: Path = typer.Argument(..., help="Folder to write the GENIUS files to."),
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
) -> None:
    """Write the domain and one utility profile per party as GENIUS XML."""
    from accord.negotiate.genius import write_scenario

    with user_errors():
        paths = write_scenario(_setting([], party, domain_file).scenario, folder)
        err_console.print(f"wrote {len(paths)} files to {folder}", highlight=False)


@app.command("genius-analyse")
def genius_analyse(
    folder: Path = typer.Argument(..., help="Folder with one GENIUS domain and its profiles."),
    limit: int = typer.Option(20, help="How many Pareto packages to list."),
    output: str = OutputOpt,
) -> None:
    """Pareto set and bargaining solutions of a GENIUS scenario; reservation values are the
    alternatives."""
    from accord.negotiate.genius import read_folder
    from accord.negotiate.pareto import pareto_set
    from accord.negotiate.solutions import solve

    with user_errors():
        scenario = read_folder(folder)
        front = pareto_set(scenario)
        _emit(
            {
                "parties": list(scenario.parties),
                "packages_in_space": scenario.size,
                "pareto_size": len(front),
                "pareto": [
                    {
                        "utilities": list(map(float, front.utilities[i])),
                        "package": scenario.describe(tuple(map(int, front.packages[i]))),
                    }
                    for i in range(min(limit, len(front)))
                ],
                "solutions": {k: v.to_json(scenario) for k, v in solve(scenario, front).items()},
            },
            output,
        )


@app.command()
def report(
    path: Path = typer.Argument(Path("negotiation-report.html"), help="Where to write the HTML."),
    plans: list[str] = typer.Option(None, "--plan", help="Plans to include; all if none."),
    draws: int = typer.Option(200, help="Monte Carlo draws for the sensitivity section."),
    seed: int = typer.Option(0, help="Random seed."),
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
) -> None:
    """Write the HTML report: plans, acceptance, charts, Pareto projections, sensitivity."""
    from accord.report.negotiation import write_report

    with user_errors():
        write_report(_setting(plans, party, domain_file), path, draws, seed)
        err_console.print(f"wrote {path}", highlight=False)


@app.command()
def sources(
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
    output: str = OutputOpt,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """Per party, the share of its figures (weights, values, alternatives, red lines) citing
    each document."""
    from accord.negotiate.audit import shares_text, source_shares
    from accord.negotiate.files import load_preferences

    with user_errors():
        prefs = load_preferences(list(party) if party else None, domain_file)
        shares = source_shares(prefs.parties)
        if as_json or output:
            _emit(shares, output)
        else:
            write_or_print(shares_text(shares, prefs.domain), None)


@app.command("backtest")
def backtest_cmd(
    events: Path = typer.Option(None, "--events", help="An events file instead of the shipped."),
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
    output: str = OutputOpt,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """Recorded responses to dated proposals against the model's, with one set of party files:
    the share reproduced and the misses."""
    from accord.negotiate.backtest import backtest, backtest_text, load_events
    from accord.negotiate.files import load_preferences

    with user_errors():
        prefs = load_preferences(list(party) if party else None, domain_file)
        result = backtest(prefs, load_events(prefs, events))
        if as_json or output:
            _emit(result, output)
        else:
            write_or_print(backtest_text(result), None)
