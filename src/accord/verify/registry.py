"""Source registry files: rows of YAML, JSON or CSV checked into registry entries.

A registry file lists the sources the mission counts, one row each. A bad row
(a misspelt type, a missing network, a place outside the theatre, a source
given twice) is named by file and line (or record) and left out; the good rows
around it are registered all the same, in one transaction with their ledger
entries (`accord.store.sources.register`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import Field, ValidationError, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from accord.agreement.model import StrictModel
from accord.limits import MAX_PLAN_BYTES, TooDeep, check_depth
from accord.store import Store
from accord.store.database import WRITE
from accord.store.sources import Registration, Source, register
from accord.verify.ingest import validation_reason
from accord.verify.ingest_formats import FileFormat, SourceRecord, read_file
from accord.verify.observation import Identifier, SourceType, UtcTime, place_problem

# Who runs a source: the mission itself, or a party (its id, as observations give it).
Operator = Annotated[str, Field(pattern=r"^(mission|[A-Z]{2,8})$", examples=["mission", "UA"])]
_FORMATS = {".csv": FileFormat.csv, ".json": FileFormat.json}
_YAML = (".yaml", ".yml")


class SourceSpec(StrictModel):
    """One row of a registry file."""

    source_id: Identifier
    source_type: SourceType
    network: Identifier = Field(
        description="Sources that share failure modes: one sensor array, one drone fleet, "
        "one observer team, one party office."
    )
    operator: Operator
    lon: float | None = Field(None, ge=-180, le=180, description="A fixed sensor's place.")
    lat: float | None = Field(None, ge=-90, le=90)
    registered_at: UtcTime | None = Field(None, description="Default: when first registered.")
    retired_at: UtcTime | None = Field(
        None, description="From when its observations are no longer accepted."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problem = place_problem(self.lon, self.lat)
        if problem:
            raise ValueError(problem)
        if self.registered_at and self.retired_at and self.retired_at < self.registered_at:
            raise ValueError(
                f"retired_at {self.retired_at.isoformat()} is before registered_at "
                f"{self.registered_at.isoformat()}"
            )
        return self

    def source(self) -> Source:
        """The entry as the store's source row."""
        return Source(**self.model_dump() | {"source_type": self.source_type.value})


@dataclass(frozen=True, slots=True)
class RegistryProblem:
    """A row left out, and why."""

    file: str
    detail: str  # "line 7" or "record 3"
    message: str

    def __str__(self) -> str:
        return f"{self.file}, {self.detail}: {self.message}"


@dataclass(frozen=True, slots=True)
class RegistryFile:
    """The good rows of a file, and a problem for each bad one."""

    sources: tuple[Source, ...]
    problems: tuple[RegistryProblem, ...]


def read_registry(path: Path) -> RegistryFile:
    """Check every row of a registry file (YAML, JSON or CSV, by its suffix)."""
    suffix = path.suffix.lower()
    if suffix in _YAML:
        records: Iterator[SourceRecord] = _yaml_rows(path)
    elif suffix in _FORMATS:
        records = read_file(path, _FORMATS[suffix])
    else:
        raise ValueError(
            f"{path}: cannot tell the format from '{path.suffix}'; a registry file is "
            ".yaml, .yml, .json or .csv"
        )
    sources: dict[str, tuple[str, Source]] = {}
    problems = []
    for record in records:
        reason = record.error
        if record.fields is not None:
            try:
                spec = SourceSpec.model_validate(record.fields)
            except ValidationError as exc:
                reason = validation_reason(exc)
            else:
                first = sources.get(spec.source_id)
                if first is None:
                    sources[spec.source_id] = (record.detail, spec.source())
                    continue
                reason = f"source {spec.source_id!r} is given again (first at {first[0]})"
        problems.append(RegistryProblem(str(path), record.detail, reason or "unreadable"))
    return RegistryFile(tuple(s for _, s in sources.values()), tuple(problems))


def _yaml_rows(path: Path) -> Iterator[SourceRecord]:
    """A YAML list of mappings, each row positioned by the line it starts on."""
    text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    if len(text) > MAX_PLAN_BYTES:
        raise ValueError(f"{path}: {len(text):,} characters; the limit is {MAX_PLAN_BYTES:,}")
    try:
        check_depth(text)
        rows = YAML(typ="rt").load(text)
    except TooDeep as exc:
        raise ValueError(f"{path}: not accepted: {exc}") from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}" if mark else ""
        raise ValueError(f"{path}{where}: not valid YAML: {exc.problem}") from None
    except YAMLError as exc:
        raise ValueError(f"{path}: not readable as YAML: {exc}") from None
    if not isinstance(rows, CommentedSeq):
        got = "an empty file" if rows is None else f"a {type(rows).__name__}"
        raise ValueError(f"{path}: a registry file is a list of sources, not {got}")
    for number, row in enumerate(rows):
        line = rows.lc.item(number)[0] + 1
        # Through JSON, so times are ISO text: ruamel's timestamps lose their offset on copy.
        raw = json.dumps(row, default=_iso, ensure_ascii=False)
        if isinstance(row, dict):
            yield SourceRecord(line, f"line {line}", raw, json.loads(raw))
        else:
            error = f"a source is a mapping of its fields, not {type(row).__name__}"
            yield SourceRecord(line, f"line {line}", raw, None, error)


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def register_file(store: Store, path: Path) -> tuple[Registration, RegistryFile]:
    """Register the good rows of a file (with their ledger entries, in one transaction)."""
    read = read_registry(path)
    with store.engine.connect() as connection:
        connection = connection.execution_options(**WRITE)
        with connection.begin():
            done = register(connection, list(read.sources))
    return done, read


def registry_row(source: Source) -> dict[str, Any]:
    """A source as `accord sources list --json` and the docs show it."""
    return {"source_id": source.source_id, **source.ledger_payload()}
