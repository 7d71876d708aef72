"""Typed settings of the server, read from the environment (prefix ACCORD_) when the
app is built, never at import time, so tests and `accord serve` can pass their own."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# What the OpenAPI document promises; settings may lower these, never raise them.
PAGE_LIMIT_CEILING = 1_000
MAX_BATCH_RECORDS = 5_000


class ServiceSettings(BaseSettings):
    """Every knob of the server; docs/service.md lists them with their variables."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_", extra="ignore")

    database_url: str | None = Field(
        None, description="Database URL; default sqlite:///accord.db (ACCORD_DATABASE_URL)."
    )
    agreement: str = Field(
        "defense-priorities-2025", description="The agreement whose zones the map and OGC show."
    )
    max_body_bytes: int = Field(5_000_000, ge=1_000, description="Largest request body.")
    max_batch_records: int = Field(
        MAX_BATCH_RECORDS, ge=1, le=MAX_BATCH_RECORDS, description="Most observations in one batch."
    )
    page_limit_default: int = Field(50, ge=1, description="Page size when none is asked.")
    page_limit_max: int = Field(
        1_000,
        ge=1,
        le=PAGE_LIMIT_CEILING,
        description="Largest page size; a larger limit is cut to it.",
    )
    rate_limit_per_minute: int = Field(
        600, ge=1, description="Requests per token (or per client address) per minute."
    )
    alert_webhook_url: str | None = Field(
        None, description="Where CAP 1.2 alerts are POSTed; none: alerts are not sent."
    )
    tak_endpoint: str | None = Field(
        None, description="tcp://host:port or udp://host:port of a TAK server for CoT events."
    )
    alert_severity: str = Field(
        "high", description="Severity (name) from which an incident is alerted at once."
    )
    cot_stale_minutes: float = Field(60.0, gt=0, description="How long a CoT event stays fresh.")
    alert_timeout_s: float = Field(5.0, gt=0, description="Network timeout for one alert.")
    alert_interval_s: float = Field(
        30.0, gt=0, description="How often the server sends the alerts verification made due."
    )
