"""Every setting of tenlog, declared once: name, type, default and help.

From each field here the `tenlog` command makes a flag (`--max-batch-items`),
pydantic-settings reads the environment variable (`TENLOG_MAX_BATCH_ITEMS`) and
a key of the optional TOML file (`tenlog serve --config tenlog.toml`), and
`scripts/settings_table.py` writes the README's configuration table (a test
fails when the README drifts). Adding a setting is adding a field.

Precedence: flag, then environment, then the config file, then the default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from tenlog_server.domain.retention import parse_duration, retention_enabled

MIB = 1024 * 1024
ENV_PREFIX = "TENLOG_"
# The embedded SQLite file in the working directory: `make run` needs no database server.
DEFAULT_DATABASE_URL = "sqlite:///./tenlog.db"


def setting(default: Any, help: str, *, flag: str = "", hidden: bool = False, shown_default: str = "") -> Any:
    """A settings field: its default and help, and optionally its own flag name, hidden from help and README."""
    extra: dict[str, Any] = {"hidden": hidden}
    if flag:
        extra["flag"] = flag
    if shown_default:
        extra["shown_default"] = shown_default
    return Field(default, description=help, json_schema_extra=extra)


class Settings(BaseSettings):
    """Settings read from TENLOG_* variables and an optional TOML file; subclasses list the fields."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")
    config_file: ClassVar[Path | None] = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags (init values), the environment, then the TOML file of --config."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls.config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls.config_file))
        return tuple(sources)


class ServerConfig(Settings):
    """Everything `tenlog serve` can be told."""

    host: str = setting("127.0.0.1", "listen address (gRPC and HTTP)")
    port: int = setting(50051, "gRPC port")
    http_port: int = setting(8080, "REST gateway port; `-1` turns it off")
    database_url: str = setting(DEFAULT_DATABASE_URL, "or `postgresql+psycopg://user@host:5432/db`")
    max_message_bytes: int = setting(16 * MIB, "largest gRPC message and REST body")
    # About a second of streamed SQLite writes: room for several streams' chunks in flight;
    # past it unary callers get RESOURCE_EXHAUSTED with RetryInfo rather than queueing.
    max_pending_writes: int = setting(5000, "write-queue bound; past it, RESOURCE_EXHAUSTED / 429")
    max_batch_items: int = setting(10000, "items per BatchCreateCompletions")
    max_stream_items: int = setting(0, "items per Upload/Stream call", shown_default="`0` (no limit)")
    workers: int = setting(1, "server processes sharing the ports (SO_REUSEPORT)")
    grace_seconds: float = setting(10.0, "on SIGTERM: NOT_SERVING, then this long to finish in-flight calls")
    tls_cert: str = setting("", "PEM certificate chain; with `--tls-key`, gRPC over TLS and REST over HTTPS")
    tls_key: str = setting("", "PEM private key of `--tls-cert` (unencrypted)")
    tls_client_ca: str = setting("", "PEM CA; clients must present a certificate it signed (mTLS)")
    retention: str = setting(
        "",
        "delete completions created longer ago than this (`30d`, `12h`) in the background",
        shown_default="(off)",
    )
    retention_interval_seconds: float = setting(300.0, "how often `--retention` prunes")
    # Below gRPC core's own limit of 3000 unanswered calls (past which it CANCELs calls with no retry hint).
    max_concurrent_rpcs: int = setting(
        2500,
        "calls in progress per process (gRPC and REST) before new ones get "
        "RESOURCE_EXHAUSTED + RetryInfo / 429 + Retry-After",
    )
    write_batch_size: int = setting(2000, "most completions committed in one transaction")
    db_pool_size: int = setting(8, "SQLAlchemy pool size per process")
    log_format: Literal["text", "json"] = setting("text", "`text`, or `json` lines (access-log fields as keys)")
    log_level: Literal["debug", "info", "warning", "error"] = setting(
        "info", "`debug`, `info` (includes one access-log line per call), `warning`, `error`"
    )
    # Per-organization budgets (0: off); past them RESOURCE_EXHAUSTED with RetryInfo / 429 + Retry-After.
    org_requests_per_second: float = setting(
        0.0,
        "per-organization call budget; past it RESOURCE_EXHAUSTED + RetryInfo / 429 + Retry-After",
        shown_default="`0` (off)",
    )
    org_completions_per_second: float = setting(
        0.0, "per-organization completion budget (unary calls are refused, streams slowed)", shown_default="`0` (off)"
    )
    statement_timeout_seconds: float = setting(
        10.0, "longest one database statement may run (`0`: none); past it DEADLINE_EXCEEDED"
    )
    prices_file: str = setting("", "TOML model prices added to or overriding the built-in table (docs/cost.md)")
    cost_at_ingest: bool = setting(
        True, "compute cost from model and tokens at ingest (a client-sent cost is always kept)"
    )
    bootstrap: bool = setting(True, "on first start with an empty database, create org `default` and print a key")
    noop: bool = setting(False, "benchmark only: servicers that store nothing", hidden=True)

    @field_validator("retention")
    @classmethod
    def _retention(cls, value: str) -> str:
        if not retention_enabled(value):
            return ""
        parse_duration(value)  # ValueError names what is wrong
        return value


class GatewayConfig(Settings):
    """What `tenlog gateway` (the REST gateway alone, in front of a remote server) can be told."""

    upstream: str = setting("127.0.0.1:50051", "gRPC server the gateway forwards to")
    host: str = setting("127.0.0.1", "listen address")
    http_port: int = setting(8080, "HTTP port")
    max_message_bytes: int = setting(16 * MIB, "largest REST body")
    grpc_ca: str = setting("", "PEM CA to verify the upstream's certificate; connects over TLS")
    grpc_tls: bool = setting(False, "connect to the upstream over TLS, verified against the system's CAs")
    grpc_cert: str = setting("", "PEM client certificate, for upstreams run with --tls-client-ca")
    grpc_key: str = setting("", "PEM private key of the client certificate")


class ClientConfig(Settings):
    """The server a client command (`tenlog tail`, `tenlog completions ...`) talks to, and its key."""

    target: str = setting("127.0.0.1:50051", "gRPC server to call")
    api_key: str = setting("", "API key")


class TailConfig(ClientConfig):
    """What `tenlog tail` can be told about the server it follows."""

    ca: str = setting("", "PEM CA to verify the server's certificate; connects over TLS")
    tls: bool = setting(False, "connect over TLS, verified against the system's CAs")
    client_cert: str = setting("", "PEM client certificate, for servers run with --tls-client-ca", flag="--cert")
    client_key: str = setting("", "PEM private key of the client certificate", flag="--key")


class ApiConfig(ClientConfig):
    """What `tenlog completions|feedback|feedback-tasks` can be told."""

    organization: str = setting("", "organization to act in; default: the key's own", flag="--org")


class DatabaseConfig(Settings):
    """The database of `tenlog migrate`, `keys` and `prune`."""

    database_url: str = setting(DEFAULT_DATABASE_URL, "or `postgresql+psycopg://user@host:5432/db`")


def flag_name(name: str, cls: type[Settings]) -> str:
    """The command-line flag of a field."""
    extra = cls.model_fields[name].json_schema_extra
    flag = extra.get("flag") if isinstance(extra, dict) else None
    return str(flag) if flag else "--" + name.replace("_", "-")


def env_name(name: str) -> str:
    """The environment variable of a field."""
    return ENV_PREFIX + name.upper()


def describe_error(error: ValidationError, cls: type[Settings]) -> str:
    """One line naming each bad setting (its flag and variable) and what is wrong."""
    parts = []
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "?"
        where = f"{flag_name(name, cls)} / {env_name(name)}" if name in cls.model_fields else name
        given = f" (got {item['input']!r})" if "input" in item and not isinstance(item["input"], dict) else ""
        parts.append(f"{where}: {item['msg']}{given}")
    return "bad setting " + "; ".join(parts)


def _shown_default(name: str, cls: type[Settings]) -> str:
    field = cls.model_fields[name]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if extra.get("shown_default"):
        return str(extra["shown_default"])
    default = field.default
    if default == "":
        return "(none)"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, float) and default.is_integer():
        default = int(default)
    return f"`{default}`"


def settings_table(cls: type[Settings] = ServerConfig) -> str:
    """The README's configuration table of a settings class (markdown), from the fields themselves."""
    lines = ["| flag | environment | default | meaning |", "|---|---|---|---|"]
    for name, field in cls.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if extra.get("hidden"):
            continue
        flag = flag_name(name, cls)
        if field.annotation is bool:
            flag = f"{flag}` / `--no-{flag.removeprefix('--')}"
        lines.append(f"| `{flag}` | `{env_name(name)}` | {_shown_default(name, cls)} | {field.description} |")
    return "\n".join(lines) + "\n"
