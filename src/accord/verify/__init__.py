"""Verification: observations in (this half), rules, findings, incidents, compliance.

`Observation` is the one schema for every input; `ingest_file` and
`ingest_mqtt` store them durably; `accord.store.load_columns` hands stored
observations to the batch stages as NumPy columns.
"""

from accord.verify.ingest import IngestSummary, ingest_file, prepare_batch
from accord.verify.ingest_formats import FileFormat, SourceRecord
from accord.verify.ingest_mqtt import ingest_mqtt
from accord.verify.observation import (
    ExplosionType,
    Firing,
    FiringCategory,
    Notification,
    NotificationSubject,
    Observation,
    ObservedKind,
    SourceType,
    observation_json_schema,
)

__all__ = [
    "ExplosionType",
    "FileFormat",
    "Firing",
    "FiringCategory",
    "IngestSummary",
    "Notification",
    "NotificationSubject",
    "Observation",
    "ObservedKind",
    "SourceRecord",
    "SourceType",
    "ingest_file",
    "ingest_mqtt",
    "observation_json_schema",
    "prepare_batch",
]
