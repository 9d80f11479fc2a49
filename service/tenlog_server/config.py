"""Server configuration: flags default to TENLOG_* environment variables, which default to laptop values."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from tenlog_server.storage.database import DEFAULT_DATABASE_URL

MIB = 1024 * 1024


def env_str(name: str, default: str) -> str:
    """TENLOG_<name> from the environment, or default."""
    return os.environ.get(f"TENLOG_{name}", default)


def env_int(name: str, default: int) -> int:
    """TENLOG_<name> as an int, or default."""
    raw = os.environ.get(f"TENLOG_{name}")
    return int(raw) if raw else default


def env_float(name: str, default: float) -> float:
    """TENLOG_<name> as a float, or default."""
    raw = os.environ.get(f"TENLOG_{name}")
    return float(raw) if raw else default


@dataclass(slots=True)
class ServerConfig:
    """Everything `tenlog serve` can be told."""

    host: str = field(default_factory=lambda: env_str("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: env_int("PORT", 50051))
    http_port: int = field(default_factory=lambda: env_int("HTTP_PORT", 8080))  # -1 disables the gateway
    database_url: str = field(default_factory=lambda: env_str("DATABASE_URL", DEFAULT_DATABASE_URL))
    max_message_bytes: int = field(default_factory=lambda: env_int("MAX_MESSAGE_BYTES", 16 * MIB))
    # About a second of streamed SQLite writes: room for several streams' chunks in flight;
    # past it unary callers get RESOURCE_EXHAUSTED with RetryInfo rather than queueing.
    max_pending_writes: int = field(default_factory=lambda: env_int("MAX_PENDING_WRITES", 5000))
    max_batch_items: int = field(default_factory=lambda: env_int("MAX_BATCH_ITEMS", 10000))
    max_stream_items: int = field(default_factory=lambda: env_int("MAX_STREAM_ITEMS", 0))  # 0: unlimited
    write_batch_size: int = field(default_factory=lambda: env_int("WRITE_BATCH_SIZE", 2000))
    # Below gRPC core's own limit of 3000 unanswered calls (past which it CANCELs calls
    # with no retry hint).
    max_concurrent_rpcs: int = field(default_factory=lambda: env_int("MAX_CONCURRENT_RPCS", 2500))
    db_pool_size: int = field(default_factory=lambda: env_int("DB_POOL_SIZE", 8))
    workers: int = field(default_factory=lambda: env_int("WORKERS", 1))
    grace_seconds: float = field(default_factory=lambda: env_float("GRACE_SECONDS", 10.0))
    # PEM files; TLS is on when cert and key are both given, and a client CA also requires client certificates.
    tls_cert: str = field(default_factory=lambda: env_str("TLS_CERT", ""))
    tls_key: str = field(default_factory=lambda: env_str("TLS_KEY", ""))
    tls_client_ca: str = field(default_factory=lambda: env_str("TLS_CLIENT_CA", ""))
    # Delete completions older than this duration (30d, 12h) in the background; empty or `off` keeps everything.
    retention: str = field(default_factory=lambda: env_str("RETENTION", ""))
    retention_interval_seconds: float = field(default_factory=lambda: env_float("RETENTION_INTERVAL_SECONDS", 300.0))
    log_format: str = field(default_factory=lambda: env_str("LOG_FORMAT", "text"))  # text or json
    log_level: str = field(default_factory=lambda: env_str("LOG_LEVEL", "info"))
    # Per-organization budgets (0: off); past them RESOURCE_EXHAUSTED with RetryInfo / 429 + Retry-After.
    org_requests_per_second: float = field(default_factory=lambda: env_float("ORG_REQUESTS_PER_SECOND", 0.0))
    org_completions_per_second: float = field(default_factory=lambda: env_float("ORG_COMPLETIONS_PER_SECOND", 0.0))
    # Longest a single database statement may run (0: no limit).
    statement_timeout_seconds: float = field(default_factory=lambda: env_float("STATEMENT_TIMEOUT_SECONDS", 10.0))
    bootstrap: bool = True  # create org `default` and a key on first start with an empty database
    noop: bool = False  # benchmark only: servicers that store nothing
