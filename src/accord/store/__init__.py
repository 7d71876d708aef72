"""Database schema and access: SQLite by default, PostgreSQL for a shared server.

`open_store(url)` opens (and migrates to the newest schema) the database at
`url`, else $ACCORD_DATABASE_URL, else ./accord.db.
"""

from accord.store.columns import KIND_CODES, KIND_NAMES, ObservationColumns, load_columns
from accord.store.database import DATABASE_URL_ENV, DEFAULT_DATABASE_URL, StoreError, database_url
from accord.store.schema import IngestBatch, QuarantinedRecord, StoredObservation
from accord.store.store import BatchOutcome, PendingBatch, Reject, Store, open_store

__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "KIND_CODES",
    "KIND_NAMES",
    "BatchOutcome",
    "IngestBatch",
    "ObservationColumns",
    "PendingBatch",
    "QuarantinedRecord",
    "Reject",
    "Store",
    "StoreError",
    "StoredObservation",
    "database_url",
    "load_columns",
    "open_store",
]
