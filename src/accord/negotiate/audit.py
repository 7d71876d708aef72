"""Which documents each party's figures rest on: the share of its figures citing each one.

A party model is only as good as the words it is read from, so the audit counts
every figure the analysis uses - each issue weight, each option value, the value
of continued war (overall and per battlefield outlook) and each red line - by
the document it cites. An option or outlook value cites its own document when it
names one and its issue's (or the alternative's) otherwise, as the loader reads it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from accord.negotiate.specs import DomainSpec, PartySpec


def figure_documents(spec: PartySpec) -> list[str]:
    """The document each of a party's figures cites, one entry per figure."""
    docs = [spec.alternative.source.doc]
    docs += [_own_doc(e, spec.alternative.source.doc) for e in spec.alternative.by_outlook.values()]
    for pref in spec.issues.values():
        docs.append(pref.source.doc)
        docs += [_own_doc(entry, pref.source.doc) for entry in pref.values.values()]
    docs += [line.source.doc for line in spec.red_lines]
    return docs


def _own_doc(entry: list[Any], default: str) -> str:
    return str(entry[3]) if len(entry) == 4 else default


def source_shares(parties: tuple[PartySpec, ...] | list[PartySpec]) -> dict[str, Any]:
    """Per party: how many figures it has and, per document, how many cite it and what share."""
    out: dict[str, Any] = {}
    for spec in parties:
        docs = figure_documents(spec)
        counts = Counter(docs)
        out[spec.party] = {
            "name": spec.name,
            "figures": len(docs),
            "documents": [
                {"doc": doc, "figures": n, "share": round(n / len(docs), 4)}
                for doc, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
        }
    return out


def shares_text(shares: dict[str, Any], domain: DomainSpec) -> str:
    """The audit as plain lines: party, then share, count and title of each document."""
    titles = {d.id: f"{d.author}, {d.title} ({d.date})" for d in domain.documents}
    lines: list[str] = []
    for party, row in shares.items():
        lines.append(f"{party} ({row['name']}): {row['figures']} figures")
        for d in row["documents"]:
            lines.append(
                f"  {d['share']:6.1%}  {d['figures']:3d}  {d['doc']}: {titles.get(d['doc'], '')}"
            )
    return "\n".join(lines)
