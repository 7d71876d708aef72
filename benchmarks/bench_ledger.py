"""Ingest with and without the ledger, and with signatures checked, in one run.

The baseline is the same ingest with the two ledger calls in the batch
transaction (signature admission and the entry append) replaced by no-ops:
what ingest cost before the ledger. Signed runs add one Ed25519 check per
record. Each figure is records per second over one file, fresh database.

    source scripts/services.sh
    .venv/bin/python benchmarks/bench_ledger.py --records 50000
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, make_url, text

import accord.store.store as store_module
from accord import book
from accord.ledger.keys import KeyRecord, public_bytes
from accord.ledger.signing import sign_record
from accord.store import open_store
from accord.store.ledger import REQUIRE_SIGNATURES, Admission, set_setting
from accord.verify.ingest import ingest_file


def records(n: int, key: Ed25519PrivateKey | None) -> Iterator[dict[str, Any]]:
    for i in range(n):
        record = {
            "id": f"obs-{i}",
            "source_id": "radar-1",
            "source_type": "radar",
            "observed_at": "2025-06-01T12:00:00Z",
            "lon": 37.5 + (i % 100) / 1000,
            "lat": 47.9,
            "uncertainty_m": 250,
            "kind": "mlrs",
            "count": 1 + i % 5,
        }
        yield sign_record(record, "radar-1-k", key) if key else record


@contextmanager
def without_ledger() -> Iterator[None]:
    admit, recorded = store_module.admit, store_module.record_accepted

    def pass_through(_connection: Any, rows: list[dict[str, Any]]) -> Admission:
        return Admission(rows=rows)

    store_module.admit = pass_through  # type: ignore[assignment]
    store_module.record_accepted = lambda *args: []  # type: ignore[assignment]
    try:
        yield
    finally:
        store_module.admit, store_module.record_accepted = admit, recorded


@contextmanager
def fresh(backend: str, tmp: Path, name: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp / name}.db"
        return
    server = make_url(os.environ["ACCORD_TEST_POSTGRES_URL"])
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "bench_{name}"'))
    try:
        yield server.set(database=f"bench_{name}").render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "bench_{name}" WITH (FORCE)'))
        admin.dispose()


def measure(url: str, path: Path, key: Ed25519PrivateKey | None, ledger: bool) -> float:
    with open_store(url) as store:
        if key is not None:
            record = KeyRecord(
                "radar-1-k",
                "radar-1",
                public_bytes(key),
                datetime(2025, 1, 1, tzinfo=UTC),
            )
            book.change_keys(store, "add", record)
            with book.writing(store) as connection:
                set_setting(connection, REQUIRE_SIGNATURES, "true")
        started = time.perf_counter()
        if ledger:
            summary = ingest_file(store, path)
        else:
            with without_ledger():
                summary = ingest_file(store, path)
        seconds = time.perf_counter() - started
        assert summary.accepted == summary.records, summary
    return summary.records / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=50_000)
    args = parser.parse_args()
    key = Ed25519PrivateKey.generate()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        plain, signed = tmp / "plain.jsonl", tmp / "signed.jsonl"
        for path, k in ((plain, None), (signed, key)):
            path.write_text("".join(json.dumps(r) + "\n" for r in records(args.records, k)))
        backends = ["sqlite"] + (
            ["postgresql"] if os.environ.get("ACCORD_TEST_POSTGRES_URL") else []
        )
        for backend in backends:
            row = {}
            for label, path, k, ledger in (
                ("no_ledger", plain, None, False),
                ("ledger", plain, None, True),
                ("ledger_signed", signed, key, True),
            ):
                with fresh(backend, tmp, label) as url:
                    row[label] = round(measure(url, path, k, ledger))
            row["ledger_vs_no_ledger"] = round(row["ledger"] / row["no_ledger"], 3)
            row["signed_vs_no_ledger"] = round(row["ledger_signed"] / row["no_ledger"], 3)
            results[backend] = row
    print(json.dumps({"records": args.records, "records_per_second": results}, indent=2))


if __name__ == "__main__":
    main()
