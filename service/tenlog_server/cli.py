"""The `tenlog` command: serve, gateway, migrate, keys, prune, tail."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tenlog_server.api_commands import add_api_commands, run_api_command
from tenlog_server.config import ServerConfig, env_str

if TYPE_CHECKING:
    import grpc


def _add_database(parser: argparse.ArgumentParser, defaults: ServerConfig) -> None:
    parser.add_argument(
        "--database-url",
        default=defaults.database_url,
        help="SQLAlchemy URL: sqlite:///./tenlog.db (default) or postgresql+psycopg://... [TENLOG_DATABASE_URL]",
    )


def _add_client_tls(
    parser: argparse.ArgumentParser, flag_prefix: str, env_names: tuple[str, str, str], peer: str
) -> None:
    """Flags to dial a TLS server: its CA, and a client certificate for servers that require one.

    env_names are the TENLOG_* suffixes of the CA, certificate and key flags.
    """
    ca_env, cert_env, key_env = env_names
    parser.add_argument(
        f"{flag_prefix}ca",
        default=env_str(ca_env, ""),
        metavar="PATH",
        help=f"PEM CA to verify {peer}'s certificate; connects over TLS [TENLOG_{ca_env}]",
    )
    parser.add_argument(
        f"{flag_prefix}tls",
        action="store_true",
        help=f"connect to {peer} over TLS, verified against the system's CAs",
    )
    parser.add_argument(
        f"{flag_prefix}cert",
        default=env_str(cert_env, ""),
        metavar="PATH",
        help=f"PEM client certificate, for servers run with --tls-client-ca [TENLOG_{cert_env}]",
    )
    parser.add_argument(
        f"{flag_prefix}key",
        default=env_str(key_env, ""),
        metavar="PATH",
        help=f"PEM private key of the client certificate [TENLOG_{key_env}]",
    )


def _client_credentials(ca: str, tls: bool, cert: str, key: str, flag_prefix: str) -> grpc.ChannelCredentials | None:
    """Channel credentials from the _add_client_tls flags; None for plaintext. Bad files exit with one line."""
    from tenlog_server.tls import TlsConfigError, channel_credentials

    if not (ca or tls or cert or key):
        return None
    try:
        return channel_credentials(ca, cert, key, flag_prefix=flag_prefix)
    except TlsConfigError as exc:
        raise SystemExit(f"tenlog: {exc}") from None


def _duration(text: str) -> str:
    """argparse type of a duration flag: checks the text (30d, 12h) and keeps it as given."""
    from tenlog_server.domain.retention import parse_duration

    try:
        parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _retention(text: str) -> str:
    """argparse type of --retention: a duration, or empty / `off`."""
    from tenlog_server.domain.retention import retention_enabled

    return _duration(text) if retention_enabled(text) else ""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    defaults = ServerConfig()
    parser = argparse.ArgumentParser(prog="tenlog", description="tenlog: a self-hosted, gRPC-first log of LLM calls")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the gRPC server (and the HTTP gateway beside it)")
    _add_database(serve, defaults)
    serve.add_argument("--host", default=defaults.host, help="listen address [TENLOG_HOST]")
    serve.add_argument("--port", type=int, default=defaults.port, help="gRPC port [TENLOG_PORT]")
    serve.add_argument(
        "--http-port",
        type=int,
        default=defaults.http_port,
        help="HTTP gateway port, -1 to disable [TENLOG_HTTP_PORT]",
    )
    serve.add_argument(
        "--max-message-bytes", type=int, default=defaults.max_message_bytes, help="[TENLOG_MAX_MESSAGE_BYTES]"
    )
    serve.add_argument(
        "--max-pending-writes",
        type=int,
        default=defaults.max_pending_writes,
        help="write queue bound; past it calls get RESOURCE_EXHAUSTED [TENLOG_MAX_PENDING_WRITES]",
    )
    serve.add_argument(
        "--max-batch-items",
        type=int,
        default=defaults.max_batch_items,
        help="items per batch [TENLOG_MAX_BATCH_ITEMS]",
    )
    serve.add_argument(
        "--max-stream-items",
        type=int,
        default=defaults.max_stream_items,
        help="items per stream, 0 for no limit [TENLOG_MAX_STREAM_ITEMS]",
    )
    serve.add_argument("--workers", type=int, default=defaults.workers, help="server processes [TENLOG_WORKERS]")
    serve.add_argument("--grace-seconds", type=float, default=defaults.grace_seconds, help="[TENLOG_GRACE_SECONDS]")
    serve.add_argument(
        "--tls-cert",
        default=defaults.tls_cert,
        metavar="PATH",
        help="PEM certificate chain: serve gRPC over TLS and REST over HTTPS (needs --tls-key) [TENLOG_TLS_CERT]",
    )
    serve.add_argument(
        "--tls-key", default=defaults.tls_key, metavar="PATH", help="PEM private key of --tls-cert [TENLOG_TLS_KEY]"
    )
    serve.add_argument(
        "--tls-client-ca",
        default=defaults.tls_client_ca,
        metavar="PATH",
        help="PEM CA: require client certificates it signed (mTLS) [TENLOG_TLS_CLIENT_CA]",
    )
    serve.add_argument(
        "--retention",
        type=_retention,
        default=defaults.retention,
        metavar="DURATION",
        help="delete completions older than this (30d, 12h) in the background, every "
        "TENLOG_RETENTION_INTERVAL_SECONDS (300); off by default [TENLOG_RETENTION]",
    )
    serve.add_argument(
        "--log-format", default=defaults.log_format, choices=["text", "json"], help="[TENLOG_LOG_FORMAT]"
    )
    serve.add_argument(
        "--log-level",
        default=defaults.log_level,
        choices=["debug", "info", "warning", "error"],
        help="access-log lines are info [TENLOG_LOG_LEVEL]",
    )
    serve.add_argument("--no-bootstrap", action="store_true", help="do not create org `default` on first start")
    serve.add_argument("--noop", action="store_true", help=argparse.SUPPRESS)  # benchmark ceiling only

    gateway = sub.add_parser("gateway", help="run only the HTTP gateway in front of a remote gRPC server")
    gateway.add_argument("--upstream", default=env_str("UPSTREAM", "127.0.0.1:50051"), help="[TENLOG_UPSTREAM]")
    gateway.add_argument("--host", default=defaults.host, help="[TENLOG_HOST]")
    gateway.add_argument("--http-port", type=int, default=defaults.http_port, help="[TENLOG_HTTP_PORT]")
    gateway.add_argument("--max-message-bytes", type=int, default=defaults.max_message_bytes)
    _add_client_tls(gateway, "--grpc-", ("GRPC_CA", "GRPC_CERT", "GRPC_KEY"), "the upstream")

    migrate = sub.add_parser("migrate", help="apply database migrations")
    _add_database(migrate, defaults)

    keys = sub.add_parser("keys", help="manage API keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="mint a key for an organization; prints it once")
    create.add_argument("--org", required=True, help="organization id (created if new)")
    _add_database(create, defaults)
    listing = keys_sub.add_parser("list", help="show each key's prefix, organization and creation time")
    listing.add_argument("--org", default="", help="only this organization's keys")
    _add_database(listing, defaults)
    revoke = keys_sub.add_parser("revoke", help="delete a key; servers refuse it within seconds")
    revoke.add_argument("key", help="the key, or its prefix as `keys list` shows it")
    _add_database(revoke, defaults)

    prune = sub.add_parser("prune", help="delete completions created longer ago than a duration")
    prune.add_argument("--older-than", type=_duration, required=True, metavar="DURATION", help="e.g. 30d, 12h, 90m, 2w")
    prune.add_argument("--org", default="", help="only this organization's completions (default: every one)")
    prune.add_argument(
        "--batch-size", type=int, default=None, help="completions deleted per transaction (default 2000)"
    )
    _add_database(prune, defaults)

    add_api_commands(sub)

    tail = sub.add_parser("tail", help="print new and updated completions as they are committed")
    tail.add_argument("--target", default=env_str("TARGET", "127.0.0.1:50051"), help="[TENLOG_TARGET]")
    tail.add_argument("--api-key", default=env_str("API_KEY", ""), help="[TENLOG_API_KEY]")
    _add_client_tls(tail, "--", ("CA", "CLIENT_CERT", "CLIENT_KEY"), "the server")
    tail.add_argument("--tag", action="append", default=[], help="only completions with this tag (repeatable)")
    tail.add_argument("--session-id", default="")
    tail.add_argument("--status", default="", choices=["", "started", "finished", "failed"])
    return parser


def _keys(args: argparse.Namespace) -> int:
    """`tenlog keys create|list|revoke`."""
    from datetime import UTC, datetime

    from tenlog_server.domain.api_keys import CACHE_SECONDS, ApiKeys
    from tenlog_server.domain.errors import DomainError, InvalidArgument
    from tenlog_server.storage.database import create_db_engine
    from tenlog_server.storage.key_store import KeyStore
    from tenlog_server.storage.migrate import upgrade

    engine = create_db_engine(args.database_url)
    upgrade(engine)
    keys = ApiKeys(KeyStore(engine))
    try:
        if args.keys_command == "create":
            key = keys.mint(args.org)
            print(
                f"tenlog: API key for organization {args.org!r} (store it now; it is not shown again):", file=sys.stderr
            )
            print(key)
        elif args.keys_command == "list":
            for prefix, org, created_us in keys.list(args.org):
                created = datetime.fromtimestamp(created_us / 1e6, UTC).isoformat(timespec="seconds")
                print(f"{prefix}...\t{org}\t{created}")
        else:
            shown = keys.revoke(args.key)
            print(f"tenlog: revoked {shown}...; servers refuse it within {CACHE_SECONDS:g} seconds", file=sys.stderr)
    except DomainError as exc:
        detail = "; ".join(v.description for v in exc.violations) if isinstance(exc, InvalidArgument) else ""
        print(f"tenlog: {exc.message}" + (f": {detail}" if detail else ""), file=sys.stderr)
        return 2
    return 0


def _prune(args: argparse.Namespace) -> int:
    """`tenlog prune --older-than DURATION [--org ORG]`: prints how many completions were deleted."""
    from tenlog_server.domain.retention import DEFAULT_BATCH_SIZE, parse_duration, prune_completions
    from tenlog_server.storage.completion_store import CompletionStore
    from tenlog_server.storage.database import create_db_engine
    from tenlog_server.storage.migrate import upgrade

    batch_size = DEFAULT_BATCH_SIZE if args.batch_size is None else args.batch_size
    if batch_size < 1:
        print("tenlog: --batch-size must be at least 1", file=sys.stderr)
        return 2
    engine = create_db_engine(args.database_url)
    try:
        upgrade(engine)
        store = CompletionStore(engine)
        deleted = prune_completions(store, parse_duration(args.older_than), org=args.org, batch_size=batch_size)
    finally:
        engine.dispose()
    scope = f" of organization {args.org!r}" if args.org else ""
    print(f"tenlog: deleted {deleted} completions{scope} created more than {args.older_than} ago")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tenlog` command."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        from tenlog_server.server import run

        config = ServerConfig(
            host=args.host,
            port=args.port,
            http_port=args.http_port,
            database_url=args.database_url,
            max_message_bytes=args.max_message_bytes,
            max_pending_writes=args.max_pending_writes,
            max_batch_items=args.max_batch_items,
            max_stream_items=args.max_stream_items,
            workers=args.workers,
            grace_seconds=args.grace_seconds,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            tls_client_ca=args.tls_client_ca,
            retention=args.retention,
            log_format=args.log_format,
            log_level=args.log_level,
            bootstrap=not args.no_bootstrap,
            noop=args.noop,
        )
        run(config)
        return 0
    if args.command == "gateway":
        from tenlog_server.transport.http import run_gateway

        credentials = _client_credentials(args.grpc_ca, args.grpc_tls, args.grpc_cert, args.grpc_key, "--grpc-")
        run_gateway(
            args.upstream,
            args.host,
            args.http_port,
            max_body_bytes=args.max_message_bytes,
            upstream_credentials=credentials,
        )
        return 0
    if args.command == "migrate":
        from tenlog_server.storage.database import create_db_engine
        from tenlog_server.storage.migrate import upgrade

        upgrade(create_db_engine(args.database_url))
        print("tenlog: database is up to date")
        return 0
    if args.command == "keys":
        return _keys(args)
    if args.command == "prune":
        return _prune(args)
    if args.command in ("completions", "feedback", "feedback-tasks"):
        return run_api_command(args)
    if args.command == "tail":
        from tenlog_server.tail_cli import run_tail

        credentials = _client_credentials(args.ca, args.tls, args.cert, args.key, "--")
        return run_tail(args.target, args.api_key, args.tag, args.session_id, args.status, credentials)
    return 2


if __name__ == "__main__":
    sys.exit(main())
