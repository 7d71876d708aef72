"""Verification: from observations to incidents and compliance, on the agreement's rules.

Everything a sensor, drone, patrol or party reports comes in as one schema,
`Observation` (`observation`), through `ingest_file`, `ingest_mqtt` or any
`Transport` under `ingest_stream` (a followed file today), stored durably and
once. The agreement compiles into `Rule`s over the zones (`rules`); a batch of
stored observations (`accord.store.columns.Batch`) becomes findings, column by
column (`findings`), correlated into incidents with an evidence grade
(`incidents`, `linkage`, `evidence`), which move through the mission's
workflow on data time (`workflow`) and add up to each party's compliance by
one formula (`compliance`).

There are two ways through: `verify_batch` (`batch`) is the pure stage, a batch
in and findings and incidents out with no database, which a replay runs over an
archive; `run_verification` (`pipeline`) is the stored live path, reading only
what is new since its checkpoint and writing findings, incidents and their
ledger entries in one transaction.
"""

from accord.verify.batch import BatchResult, Verifier, batch_from_observations, verify_batch
from accord.verify.compliance import Compliance, Weights, compliance
from accord.verify.ingest import IngestSummary, ingest_file, prepare_batch
from accord.verify.ingest_formats import FileFormat, SourceRecord
from accord.verify.ingest_mqtt import ingest_mqtt
from accord.verify.ingest_stream import Delivery, FileTail, Transport, ingest_stream
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
from accord.verify.pipeline import RunSummary, run_verification
from accord.verify.rules import Rule, RuleKind, RuleSet, compile_rules
from accord.verify.workflow import IllegalTransition, State

__all__ = [
    "BatchResult",
    "Compliance",
    "Delivery",
    "ExplosionType",
    "FileFormat",
    "FileTail",
    "Firing",
    "FiringCategory",
    "IllegalTransition",
    "IngestSummary",
    "Notification",
    "NotificationSubject",
    "Observation",
    "ObservedKind",
    "Rule",
    "RuleKind",
    "RuleSet",
    "RunSummary",
    "SourceRecord",
    "SourceType",
    "State",
    "Transport",
    "Verifier",
    "Weights",
    "batch_from_observations",
    "compile_rules",
    "compliance",
    "ingest_file",
    "ingest_mqtt",
    "ingest_stream",
    "observation_json_schema",
    "prepare_batch",
    "run_verification",
    "verify_batch",
]
