"""The mission's ledger book: the chain of `accord.ledger` as the store keeps it.

`accord.ledger` is the chain itself (canonical JSON, entries, Merkle roots,
signatures, proofs), with no database. Entries are appended by
`accord.store.ledger.append` in the transaction that makes them true; this
package is what the mission and the parties do with them afterwards: close and
sign days, verify the chain and every table the verdicts read against it
(`coverage`), prove an entry, export a day, change keys and re-hash under a new
ledger version. It sits above the store and verification, which it reads.
"""

from accord.book.keeping import (
    LedgerError,
    Verification,
    change_keys,
    checkpoint,
    close_day,
    ensure_mission_key,
    everyone,
    export_day,
    find_entry,
    load_entries,
    on_clock,
    open_days,
    parse_public_key,
    prove,
    rehash,
    verify,
    writing,
)

__all__ = [
    "LedgerError",
    "Verification",
    "change_keys",
    "checkpoint",
    "close_day",
    "ensure_mission_key",
    "everyone",
    "export_day",
    "find_entry",
    "load_entries",
    "on_clock",
    "open_days",
    "parse_public_key",
    "prove",
    "rehash",
    "verify",
    "writing",
]
