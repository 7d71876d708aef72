"""Database schema and access: SQLite by default, PostgreSQL for a shared server.

`open_store(url)` opens (and migrates to the newest schema) the database at
`url`, else $ACCORD_DATABASE_URL, else ./accord.db.
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
