"""How fast `make_entries` hashes under RFC 8785: with the product's fast path in
front of `rfc8785`, and with the library alone. Entries per second, best of five,
for observation payloads as ingest appends them (unsigned and signed) and for
incident snapshots as the workflow appends them (coordinates, confidences and
distances as floats, the case the fast path must not hand to the library).

    .venv/bin/python benchmarks/bench_canonical.py --entries 50000
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import time
from typing import Any

import rfc8785

import accord.ledger.chain as chain

AT = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)


Draft = tuple[str, str, dict[str, Any], None]


def incident(i: int) -> Draft:
    """An incident snapshot with the stored row's columns: floats in most of them."""
    payload: dict[str, Any] = {
        "id": i,
        "agreement_id": "defense-priorities-2025",
        "rule_id": "dmz.no-heavy-weapons",
        "term_id": "dmz",
        "kind": "heavy_weapon",
        "state": "open",
        "severity": 3,
        "first_seen_us": 1_748_779_200_000_000 + i * 60_000_000,
        "last_seen_us": 1_748_779_200_000_000 + i * 60_000_000 + 5_000_000,
        "lon": 37.0 + (i % 997) * 0.001317,
        "lat": 47.5 + (i % 991) * 0.000913,
        "sector": f"S{i % 20 + 1:02d}",
        "party": "RU" if i % 2 else "UA",
        "party_confidence": 0.5 + (i % 89) / 211,
        "attribution": "side of the line",
        "confidence": 0.6 + (i % 61) / 173,
        "sources": '["radar-1", "drone-7"]',
        "source_types": '["radar", "drone"]',
        "networks": '["mission"]',
        "grade": "corroborated",
        "investigation": "",
        "ruling": "",
        "kinds": "heavy_weapon",
        "findings": 2,
        "count": 1,
        "team": "team-3",
        "team_distance_km": 4.0 + (i % 503) * 0.0731,
        "escalation": "",
        "confirmed": True,
        "cleared_us": None,
    }
    return ("incident", f"INC-{i:06d}", payload, None)


def drafts(n: int, kind: str) -> list[Draft]:
    if kind == "incident":
        return [incident(i) for i in range(n)]
    signed = kind == "signed"
    made = []
    for i in range(n):
        payload: dict[str, Any] = {
            "batch": 1,
            "digest": hashlib.sha256(str(i).encode()).hexdigest(),
            "source_id": "radar-1",
        }
        if signed:
            payload |= {
                "key_id": "radar-1-k",
                "signature": "A" * 86 + "==",
                "signed_sha256": "f" * 64,
            }
        made.append(("observation", f"obs-{i}", payload, None))
    return made


def rate(batch: list[Draft]) -> float:
    best = 0.0
    for _ in range(5):
        started = time.perf_counter()
        chain.make_entries(None, batch, AT)
        best = max(best, len(batch) / (time.perf_counter() - started))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=50_000)
    args = parser.parse_args()
    results: dict[str, dict[str, int]] = {}
    fast = chain.jcs_text

    def library(value: Any) -> str:
        return rfc8785.dumps(value).decode("utf-8")

    for label, encode in (("fast_path", fast), ("library_only", library)):
        chain.jcs_text = encode  # type: ignore[assignment]
        try:
            results[label] = {
                kind: round(rate(drafts(args.entries, kind)))
                for kind in ("unsigned", "signed", "incident")
            }
        finally:
            chain.jcs_text = fast
    print(json.dumps({"entries": args.entries, "entries_per_second": results}, indent=2))


if __name__ == "__main__":
    main()
