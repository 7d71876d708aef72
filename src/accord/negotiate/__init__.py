"""Negotiation analysis: parties, preferences, Pareto set, bargaining, sensitivity, ratification.

Which plan could every party sign, and what would move a holdout? A
`scenario.Scenario` holds the parties' preferences over the issues (from
`files.load_preferences`); `evaluate` scores a plan for a party, with stated
rules for issues a plan leaves open; `pareto.pareto_set` finds the plans no
party can improve on without another losing, `solutions.solve` the bargaining
solutions among them, and `analysis.summary` puts it all together for a
`Setting`. `bridging`, `sensitivity`, `flip`, `ratification`, `durability`,
`backtest` and `genius` answer the follow-up questions.
"""

from accord.negotiate.analysis import Setting, summary
from accord.negotiate.evaluate import OPEN_ISSUE_RULES, OpenIssueRule, open_issue_value
from accord.negotiate.files import NegotiationFileError, load_preferences
from accord.negotiate.pareto import Frontier, pareto_set
from accord.negotiate.scenario import Scenario
from accord.negotiate.solutions import solve

__all__ = [
    "OPEN_ISSUE_RULES",
    "Frontier",
    "NegotiationFileError",
    "OpenIssueRule",
    "Scenario",
    "Setting",
    "load_preferences",
    "open_issue_value",
    "pareto_set",
    "solve",
    "summary",
]
