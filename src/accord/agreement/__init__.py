"""The settlement model: typed terms, loading with precise errors, diff and comparison.

Every other package reads a settlement through this one, so a plan is data, not
prose: `model.Agreement` holds its parties, documents and `Term`s, each of a
`vocabulary.TermKind` under an `Area`; `loader.load_agreement` reads a YAML
file and fails with every `FileProblem` at its line (`AgreementFileError`).
`compare.compare` sets plans side by side by issue, `diff.diff_agreements`
lists what changed between two versions, `quantities` reads figures with units
(distances, durations, money), `references` checks cross-references, `describe`
shows terms to people, and `schema` is the file format's JSON Schema.
"""

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
