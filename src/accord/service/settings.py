"""Typed settings of the server, read from the environment (prefix ACCORD_) when the
app is built, never at import time, so tests and `accord serve` can pass their own."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
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
        None, description="Where signed CAP 1.2 alerts are POSTed; none: CAP is not sent."
    )
    alert_signing_key: str | None = Field(
        None, description="PEM file of the RSA or ECDSA key that signs CAP alerts."
    )
    alert_signing_cert: str | None = Field(
        None, description="PEM file of that key's X.509 certificate, sent in each signature."
    )
    tak_endpoint: str | None = Field(
        None, description="tls://host:port of a TAK server for CoT (tcp:// or udp:// on a mesh)."
    )
    tak_client_cert: str | None = Field(
        None, description="PEM client certificate presented to the TAK server over TLS."
    )
    tak_client_key: str | None = Field(
        None, description="PEM key of the client certificate, when not in the same file."
    )
    tak_ca_file: str | None = Field(
        None, description="PEM certificates the TAK server's is checked against; none: system's."
    )
    tak_reconnect_s: float = Field(
        1.0, gt=0, description="First wait before reconnecting to TAK; doubles up to 60 s."
    )
    alert_severity: Literal["low", "medium", "high", "critical"] = Field(
        "high", description="Least severity alerted; reaching it is a transition of its own."
    )
    alert_max_age_hours: float = Field(
        24.0,
        gt=0,
        description="On start-up, incidents last seen longer ago than this are skipped.",
    )
    alert_digest_from: int = Field(
        5,
        ge=0,
        description="From this many CAP alerts due at once for one audience, one digest "
        "message goes instead; 1: always a digest; 0: never.",
    )
    cot_stale_minutes: float = Field(
        60.0, gt=0, description="A CoT event goes stale this long after the incident's time."
    )
    alert_timeout_s: float = Field(5.0, gt=0, description="Network timeout for one dispatch.")
    alert_interval_s: float = Field(
        30.0, gt=0, description="How often the server sends the alerts due."
    )

    @model_validator(mode="after")
    def _alert_channels(self) -> ServiceSettings:
        if self.alert_webhook_url and not (self.alert_signing_key and self.alert_signing_cert):
            raise ValueError(
                "ACCORD_ALERT_WEBHOOK_URL needs ACCORD_ALERT_SIGNING_KEY and "
                "ACCORD_ALERT_SIGNING_CERT: CAP alerts are sent signed only"
            )
        if self.tak_endpoint:
            parts = urlsplit(self.tak_endpoint)
            if parts.scheme not in ("tls", "tcp", "udp") or not parts.hostname or not parts.port:
                raise ValueError(
                    f"ACCORD_TAK_ENDPOINT {self.tak_endpoint!r}: write tls://host:port "
                    "(or tcp:// or udp://)"
                )
            if parts.scheme == "tls" and not self.tak_client_cert:
                raise ValueError("a tls:// ACCORD_TAK_ENDPOINT needs ACCORD_TAK_CLIENT_CERT")
        return self
