"""The bodies of the `tenlog` subcommands; each imports what it needs when it runs."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from tenlog_server.cli.settings_flags import load
from tenlog_server.config import DatabaseConfig, GatewayConfig, ServerConfig, TailConfig

if TYPE_CHECKING:
    import grpc


def serve(args: argparse.Namespace) -> int:
    """`tenlog serve`."""
    from tenlog_server.server import run

    run(load(ServerConfig, args))
    return 0


def gateway(args: argparse.Namespace) -> int:
    """`tenlog gateway --upstream HOST:PORT`."""
    from tenlog_server.transport.http import run_gateway

    config = load(GatewayConfig, args)
    credentials = client_credentials(config.grpc_ca, config.grpc_tls, config.grpc_cert, config.grpc_key, "--grpc-")
    run_gateway(
        config.upstream,
        config.host,
        config.http_port,
        max_body_bytes=config.max_message_bytes,
        upstream_credentials=credentials,
    )
    return 0


def migrate(args: argparse.Namespace) -> int:
    """`tenlog migrate`."""
    from tenlog_server.storage.database import create_db_engine
    from tenlog_server.storage.migrate import upgrade

    upgrade(create_db_engine(load(DatabaseConfig, args).database_url))
    print("tenlog: database is up to date")
    return 0


def tail(args: argparse.Namespace) -> int:
    """`tenlog tail`."""
    from tenlog_server.tail_cli import run_tail

    config = load(TailConfig, args)
    credentials = client_credentials(config.ca, config.tls, config.client_cert, config.client_key, "--")
    return run_tail(config.target, config.api_key, args.tag, args.session_id, args.status, credentials)


def client_credentials(ca: str, tls: bool, cert: str, key: str, flag_prefix: str) -> grpc.ChannelCredentials | None:
    """Channel credentials from the _add_client_tls flags; None for plaintext. Bad files exit with one line."""
    from tenlog_server.tls import TlsConfigError, channel_credentials

    if not (ca or tls or cert or key):
        return None
    try:
        return channel_credentials(ca, cert, key, flag_prefix=flag_prefix)
    except TlsConfigError as exc:
        raise SystemExit(f"tenlog: {exc}") from None


def keys(args: argparse.Namespace) -> int:
    """`tenlog keys create|list|revoke`."""
    from datetime import UTC, datetime

    from tenlog_server.domain.api_keys import CACHE_SECONDS, ApiKeys
    from tenlog_server.domain.errors import DomainError, InvalidArgument
    from tenlog_server.storage.database import create_db_engine
    from tenlog_server.storage.key_store import KeyStore
    from tenlog_server.storage.migrate import upgrade

    engine = create_db_engine(load(DatabaseConfig, args).database_url)
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


def prune(args: argparse.Namespace) -> int:
    """`tenlog prune --older-than DURATION [--org ORG]`: prints how many completions were deleted."""
    from tenlog_server.domain.retention import DEFAULT_BATCH_SIZE, parse_duration, prune_completions
    from tenlog_server.storage.completion_store import CompletionStore
    from tenlog_server.storage.database import create_db_engine
    from tenlog_server.storage.migrate import upgrade

    batch_size = DEFAULT_BATCH_SIZE if args.batch_size is None else args.batch_size
    if batch_size < 1:
        print("tenlog: --batch-size must be at least 1", file=sys.stderr)
        return 2
    engine = create_db_engine(load(DatabaseConfig, args).database_url)
    try:
        upgrade(engine)
        store = CompletionStore(engine)
        deleted = prune_completions(store, parse_duration(args.older_than), org=args.org, batch_size=batch_size)
    finally:
        engine.dispose()
    scope = f" of organization {args.org!r}" if args.org else ""
    print(f"tenlog: deleted {deleted} completions{scope} created more than {args.older_than} ago")
    return 0
