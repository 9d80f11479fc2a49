"""The argument parser of `tenlog`: the settings' flags come from config.py, the rest is declared here."""

from __future__ import annotations

import argparse
from importlib.metadata import PackageNotFoundError, version

from tenlog_server.cli import transfer_commands
from tenlog_server.cli.api_commands import add_api_commands
from tenlog_server.cli.settings_flags import add_settings
from tenlog_server.config import DatabaseConfig, GatewayConfig, ServerConfig, TailConfig


def tenlog_version() -> str:
    """The installed version of tenlog-server."""
    try:
        return version("tenlog-server")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _duration(text: str) -> str:
    """argparse type of a duration flag: checks the text (30d, 12h) and keeps it as given."""
    from tenlog_server.domain.retention import parse_duration

    try:
        parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="tenlog", description="tenlog: a self-hosted, gRPC-first log of LLM calls")
    parser.add_argument("--version", action="version", version=f"tenlog {tenlog_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the gRPC server (and the HTTP gateway beside it)")
    serve.add_argument("--config", metavar="PATH", help="TOML file of settings (keys as the fields: max_batch_items)")
    add_settings(serve, ServerConfig)

    gateway = sub.add_parser("gateway", help="run only the HTTP gateway in front of a remote gRPC server")
    gateway.add_argument("--config", metavar="PATH", help="TOML file of settings")
    add_settings(gateway, GatewayConfig)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    add_settings(migrate, DatabaseConfig)

    keys = sub.add_parser("keys", help="manage API keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="mint a key for an organization; prints it once")
    create.add_argument("--org", required=True, help="organization id (created if new)")
    add_settings(create, DatabaseConfig)
    listing = keys_sub.add_parser("list", help="show each key's prefix, organization and creation time")
    listing.add_argument("--org", default="", help="only this organization's keys")
    add_settings(listing, DatabaseConfig)
    revoke = keys_sub.add_parser("revoke", help="delete a key; servers refuse it within seconds")
    revoke.add_argument("key", help="the key, or its prefix as `keys list` shows it")
    add_settings(revoke, DatabaseConfig)

    prune = sub.add_parser("prune", help="delete completions created longer ago than a duration")
    prune.add_argument("--older-than", type=_duration, required=True, metavar="DURATION", help="e.g. 30d, 12h, 90m, 2w")
    prune.add_argument("--org", default="", help="only this organization's completions (default: every one)")
    prune.add_argument(
        "--batch-size", type=int, default=None, help="completions deleted per transaction (default 2000)"
    )
    add_settings(prune, DatabaseConfig)

    add_api_commands(sub)
    transfer_commands.add_commands(sub)  # export, import, prices

    tail = sub.add_parser("tail", help="print new and updated completions as they are committed")
    add_settings(tail, TailConfig)
    tail.add_argument("--tag", action="append", default=[], help="only completions with this tag (repeatable)")
    tail.add_argument("--session-id", default="")
    tail.add_argument("--status", default="", choices=["", "started", "finished", "failed"])
    return parser
