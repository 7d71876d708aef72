"""Negotiation analysis: parties, preferences, Pareto set, bargaining, sensitivity, ratification."""

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
