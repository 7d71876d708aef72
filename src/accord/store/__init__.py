"""Database schema and access: SQLite by default, PostgreSQL for a shared server.

Everything the mission keeps (observations, quarantined records, findings,
incidents, the ledger's entries, sources, tokens) lives in one database, so
one transaction can make a verdict and its ledger entry true together.
`open_store(url)` opens (and migrates to the newest schema) the database at
`url`, else $ACCORD_DATABASE_URL, else ./accord.db; `Store` stores batches
and `load_columns` hands stored observations back as NumPy columns. The
tables are in `schema`, `verification`, `ledger`, `sources` and `service`.
"""

# The verification and ledger tables register on the shared metadata when
# imported; importing them here keeps the models and the migrations one schema.
from accord.store import ledger as ledger_tables  # noqa: F401
from accord.store import service as service_tables  # noqa: F401
from accord.store import sources as source_tables  # noqa: F401
from accord.store import verification as verification_tables  # noqa: F401
from accord.store.columns import Batch, ObservationColumns, ObservationDetails, load_columns
from accord.store.database import DATABASE_URL_ENV, DEFAULT_DATABASE_URL, StoreError, database_url
from accord.store.schema import IngestBatch, QuarantinedRecord, StoredObservation
from accord.store.store import BatchOutcome, PendingBatch, Reject, Store, open_store

__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "Batch",
    "BatchOutcome",
    "IngestBatch",
    "ObservationColumns",
    "ObservationDetails",
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
