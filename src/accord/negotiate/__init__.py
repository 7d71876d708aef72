"""Negotiation analysis: parties, preferences, Pareto set, bargaining, sensitivity, ratification."""

from accord.negotiate.analysis import Setting, summary
from accord.negotiate.files import NegotiationFileError, load_preferences
from accord.negotiate.pareto import Frontier, pareto_set
from accord.negotiate.scenario import Scenario
from accord.negotiate.solutions import solve

__all__ = [
    "Frontier",
    "NegotiationFileError",
    "Scenario",
    "Setting",
    "load_preferences",
    "pareto_set",
    "solve",
    "summary",
]
