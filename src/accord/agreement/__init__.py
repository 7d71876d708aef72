"""The settlement model: typed terms, loading with precise errors, diff."""

from accord.agreement.loader import (
    AgreementFileError,
    FileProblem,
    SourceMap,
    load_agreement,
    parse_agreement,
)
from accord.agreement.model import Agreement, Deal, Document, Party, Term
from accord.agreement.vocabulary import AREA_TITLES, ISSUES, Area, TermKind

__all__ = [
    "AREA_TITLES",
    "ISSUES",
    "Agreement",
    "AgreementFileError",
    "Area",
    "Deal",
    "Document",
    "FileProblem",
    "Party",
    "SourceMap",
    "Term",
    "TermKind",
    "load_agreement",
    "parse_agreement",
]
