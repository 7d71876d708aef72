"""`accord negotiate ...`: negotiation analysis of the plans, with JSON output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from accord.cli.common import err_console, user_errors, write_or_print
from accord.negotiate import analysis
from accord.negotiate.analysis import Setting
from accord.negotiate.flip import flip_text
from accord.negotiate.readings import RULES, Readings
from accord.negotiate.sensitivity import sensitivity_text

app = typer.Typer(
    help="Negotiation analysis: red lines, acceptance, Pareto set, bargaining solutions, "
    "bridging, sensitivity, flip points, ratification, durability, sources, backtest, GENIUS "
    "files and the HTML report.",
    no_args_is_help=True,
)

PlansArg = typer.Argument(None, help="Plan ids or plan files; all shipped plans if none.")
PartyOpt = typer.Option(None, "--party", help="A party file to use instead of the shipped ones.")
DomainOpt = typer.Option(None, "--domain", help="A domain file to use instead of the shipped one.")
OutputOpt = typer.Option(None, "--output", "-o", help="Write JSON here instead of stdout.")
TextOpt = typer.Option(False, "--text", help="Print plain text instead of JSON.")
KsOpt = typer.Option(
    "zone",
    "--ks",
    help="Kalai-Smorodinsky: 'zone' (ideal point of the zone of agreement) or 'negmas' "
    "(NegMAS's ks_points: least spread of gain shares, ideal over the whole space).",
)


def _setting(plans: list[str] | None, party: list[Path] | None, domain: Path | None) -> Setting:
    return Setting.load(plans or None, list(party) if party else None, domain)


def _emit(data: Any, output: str | None) -> None:
    write_or_print(json.dumps(data, indent=2), output)


def _emit_or_text(data: Any, render: Any, output: str | None, text: bool) -> None:
    """Plain text on stdout with --text (JSON still goes to --output when given)."""
    if text:
        write_or_print(render(data), None)
    if output or not text:
        _emit(data, output)


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
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
    output: str = OutputOpt,
    text: bool = TextOpt,
    ks: str = KsOpt,
) -> None:
    """Nash, Kalai-Smorodinsky, egalitarian and utilitarian packages, with their terms: each
    option's title, the plans that propose it, and each party's value with reason and source."""
    with user_errors():
        data = analysis.solutions_json(_setting([], party, domain_file), ks=ks)
        _emit_or_text(data, analysis.solutions_text, output, text)


@app.command("bridge")
def bridge_cmd(
    plan: str = typer.Argument(..., help="Plan id or file."),
    top: int = typer.Option(5, help="How many alternatives to rank."),
    lock: list[str] = typer.Option(
        None, "--lock", help="An issue the plan settles that must not change (repeatable)."
    ),
    core: bool = typer.Option(
        True, "--core/--no-core", help="Keep the issues the plan declares as its core."
    ),
    max_changes: int = typer.Option(None, help="Change at most this many settled issues."),
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
    output: str = OutputOpt,
    text: bool = TextOpt,
) -> None:
    """The fewest changes that make a plan acceptable to every party, ranked, with their terms
    and, when fewer than --top come back, why."""
    with user_errors():
        setting = _setting([plan], party, domain_file)
        name = next(iter(setting.plans))
        data = analysis.bridge_json(setting, name, top, lock or (), core, max_changes)
        _emit_or_text(data, analysis.bridge_text, output, text)


StancesOpt = typer.Option(
    None,
    "--stances",
    help="A file of analyst stances: alternative readings of a party's figures, each drawn with "
    "its probability.",
)
RuleOpt = typer.Option(
    None,
    "--open-rule",
    help="How an open issue is valued: worst, mean or best allowed option (repeatable; each draw "
    "takes one; all three if none).",
)
TextOpt = typer.Option(
    False, "--text", help="Print plain lines instead of JSON (JSON still goes to --output)."
)


def _readings(setting: Setting, stances: Path | None, rules: list[str] | None) -> Readings:
    return Readings.load(setting.prefs, stances, tuple(rules) if rules else RULES)


@app.command()
def sensitivity(
    plans: list[str] = PlansArg,
    draws: int = typer.Option(1000, min=1, help="Monte Carlo draws."),
    seed: int = typer.Option(0, help="Random seed."),
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
    stances: Path = StancesOpt,
    open_rule: list[str] = RuleOpt,
    text: bool = TextOpt,
    output: str = OutputOpt,
) -> None:
    """Monte Carlo over the ranges, red lines, battlefield outlooks, open-issue rules and
    stances: acceptance odds with their intervals, and Nash stability."""
    with user_errors():
        setting = _setting(plans, party, domain_file)
        readings = _readings(setting, stances, open_rule)
        data = analysis.sensitivity_json(setting, draws, seed, True, readings)
        _emit_or_text(data, sensitivity_text, output, text)


@app.command()
def flip(
    plans: list[str] = PlansArg,
    draws: int = typer.Option(1000, min=1, help="Monte Carlo draws for the spread."),
    seed: int = typer.Option(0, help="Random seed."),
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
    stances: Path = StancesOpt,
    open_rule: list[str] = RuleOpt,
    text: bool = TextOpt,
    output: str = OutputOpt,
) -> None:
    """Per plan and party, the value of continued war at which acceptance flips, its spread
    across draws, and the party's value under each battlefield outlook."""
    with user_errors():
        setting = _setting(plans, party, domain_file)
        data = analysis.flip_json(setting, draws, seed, _readings(setting, stances, open_rule))
        _emit_or_text(data, flip_text, output, text)


@app.command()
def ratify(
    plans: list[str] = PlansArg,
    party: list[Path] = PartyOpt,
    domain_file: Path = DomainOpt,
    output: str = OutputOpt,
    text: bool = TextOpt,
    martial_law: bool = typer.Option(
        None,
        "--martial-law/--no-martial-law",
        help="Whether martial law holds in Ukraine when the plan is ratified (default: the"
        " rules file says).",
    ),
) -> None:
    """How each part of each plan is ratified and how it fares: a probability with its range,
    a block, a referendum against the polls, or "not modelled"."""
    with user_errors():
        conditions = None if martial_law is None else {"martial_law": martial_law}
        data = analysis.ratify_json(_setting(plans, party, domain_file), conditions)
        _emit_or_text(data, analysis.ratify_text_all, output, text)


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
    ks: str = KsOpt,
) -> None:
    """Pareto set and bargaining solutions of a GENIUS scenario; reservation values are the
    alternatives, discount factors are reported."""
    from accord.negotiate.genius import read_folder
    from accord.negotiate.pareto import pareto_set
    from accord.negotiate.solutions import solve

    with user_errors():
        found = read_folder(folder)
        scenario = found.scenario
        front = pareto_set(scenario)
        _emit(
            {
                "parties": list(scenario.parties),
                "packages_in_space": scenario.size,
                **found.to_json(),
                "pareto_size": len(front),
                "pareto": [
                    {
                        "utilities": list(map(float, front.utilities[i])),
                        "package": scenario.describe(tuple(map(int, front.packages[i]))),
                    }
                    for i in range(min(limit, len(front)))
                ],
                "solutions": {
                    k: v.to_json(scenario) for k, v in solve(scenario, front, ks=ks).items()
                },
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
