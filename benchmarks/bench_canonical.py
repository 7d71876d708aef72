"""How fast `make_entries` hashes under RFC 8785: with the product's fast path in
front of `rfc8785`, and with the library alone. Entries per second, best of five,
for observation payloads as ingest appends them (unsigned and signed).

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


def drafts(n: int, signed: bool) -> list[tuple[str, str, dict[str, Any], None]]:
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


def rate(batch: list[tuple[str, str, dict[str, Any], None]]) -> float:
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
                kind: round(rate(drafts(args.entries, kind == "signed")))
                for kind in ("unsigned", "signed")
            }
        finally:
            chain.jcs_text = fast
    print(json.dumps({"entries": args.entries, "entries_per_second": results}, indent=2))


if __name__ == "__main__":
    main()
