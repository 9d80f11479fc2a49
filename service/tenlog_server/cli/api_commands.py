"""`tenlog completions|feedback|feedback-tasks ...`: thin calls of the public gRPC API for people at a terminal.

They go through the Python client like any program would (no database access),
print a table by default or JSON with `--json`, and exit 1 with the server's
error on a refused call.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import grpc
import tenlog
from google.protobuf import json_format
from google.protobuf.message import Message
from rich.console import Console
from rich.table import Table
from tenlog.completions import from_struct
from tenlog.enums import short_name
from tenlog.errors import field_violations
from tenlog.v1 import completion_pb2

from tenlog_server.cli.settings_flags import add_settings, load
from tenlog_server.config import ApiConfig

STRUCT_FIELDS = ("request", "response", "metadata", "extra", "json_values", "json_schema")
DEFAULT_LIMIT = 20


def message_json(message: Message) -> dict[str, Any]:
    """A message as JSON-ready values: snake_case keys, short enum names, and Struct integers as sent."""
    value: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=True)
    for name in STRUCT_FIELDS:
        if name in value:  # Struct numbers are doubles: give back the integers that were sent
            value[name] = from_struct(getattr(message, name))
    for field, number in message.ListFields():
        if field.enum_type is not None and not field.is_repeated:
            value[field.name] = short_name(field.enum_type, number) or number
    return value


def add_api_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the completions, feedback and feedback-tasks commands on the `tenlog` parser."""
    completions = _group(sub, "completions", "list and read completions")
    listing = _command(completions, "list", "newest completions first, with filters")
    listing.add_argument("--tag", action="append", default=[], help="only completions with this tag (repeatable)")
    listing.add_argument("--session-id", default="")
    listing.add_argument("--status", default="", choices=["", "started", "finished", "failed"])
    listing.add_argument("--model", default="")
    listing.add_argument("--filter", default="", help="e.g. 'model = \"gpt-4o\" AND cost > 0.01' (docs/read-side.md)")
    listing.add_argument("--search", default="", help="full-text search over messages")
    listing.add_argument("--order-by", default="", help='e.g. "cost desc" (default: newest first)')
    listing.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help=f"rows to print (default {DEFAULT_LIMIT})")
    listing.set_defaults(run=_list_completions)
    get = _command(completions, "get", "one completion, in full")
    get.add_argument("id")
    get.set_defaults(run=_get_completion)

    feedback = _group(sub, "feedback", "list and read feedback")
    listing = _command(feedback, "list", "newest feedback first")
    listing.add_argument("--task-id", default="")
    listing.add_argument("--completion-id", default="")
    listing.add_argument("--limit", type=int, default=DEFAULT_LIMIT)
    listing.set_defaults(run=_list_feedback)
    get = _command(feedback, "get", "one piece of feedback")
    get.add_argument("id")
    get.set_defaults(run=_get_feedback)

    tasks = _group(sub, "feedback-tasks", "list and read feedback tasks")
    listing = _command(tasks, "list", "newest feedback tasks first")
    listing.add_argument("--limit", type=int, default=DEFAULT_LIMIT)
    listing.set_defaults(run=_list_tasks)
    get = _command(tasks, "get", "one feedback task with its JSON Schema")
    get.add_argument("id")
    get.set_defaults(run=_get_task)


def _group(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    parser = sub.add_parser(name, help=help_text)
    return parser.add_subparsers(dest=f"{name}_command", required=True)


def _command(
    group: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse.ArgumentParser:
    parser = group.add_parser(name, help=help_text)
    add_settings(parser, ApiConfig)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def run_api_command(args: argparse.Namespace) -> int:
    """Run the chosen command; a refused call prints the server's error and returns 1."""
    config = load(ApiConfig, args)
    if not config.api_key:
        print("tenlog: an API key is needed: --api-key or TENLOG_API_KEY", file=sys.stderr)
        return 2
    try:
        with tenlog.Client(config.target, config.api_key, organization=config.organization or None) as client:
            args.run(client, args)
    except grpc.RpcError as exc:
        where = "; ".join(f"{field}: {description}" for field, description in field_violations(exc))
        print(f"tenlog: {exc.code().name}: {exc.details()}" + (f" ({where})" if where else ""), file=sys.stderr)
        return 1
    return 0


def _time(message: Message, name: str) -> str:
    stamp = getattr(message, name)
    if not stamp.seconds and not stamp.nanos:
        return ""
    return datetime.fromtimestamp(stamp.seconds + stamp.nanos / 1e9, UTC).isoformat(timespec="seconds")


def _print_json(values: Iterable[Message] | Message) -> None:
    if isinstance(values, Message):
        print(json.dumps(message_json(values), indent=2, ensure_ascii=False))
        return
    for value in values:
        line = json.dumps(message_json(value), ensure_ascii=False)
        # One JSON value per line: escape the separators that line splitters (str.splitlines) also break at.
        print(line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _print_table(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    table = Table(*columns, box=None, pad_edge=False, header_style="bold")
    for row in rows:
        table.add_row(*row)
    # Piped into a file or grep, nothing is truncated to a terminal's width.
    Console(soft_wrap=False, width=None if sys.stdout.isatty() else 100_000).print(table)


def _pages(fetch: Callable[[str], Any], field: str, limit: int) -> list[Any]:
    """Up to `limit` items, following next_page_token."""
    found: list[Any] = []
    token = ""
    while len(found) < limit:
        page = fetch(token)
        found.extend(getattr(page, field))
        token = page.next_page_token
        if not token:
            break
    return found[:limit]


def _list_completions(client: tenlog.Client, args: argparse.Namespace) -> None:
    rows = _pages(
        lambda token: client.list_completions(
            tags=args.tag,
            session_id=args.session_id,
            status=args.status or None,
            model=args.model,
            filter=args.filter,
            search=args.search,
            order_by=args.order_by,
            page_size=min(args.limit, 100),
            page_token=token,
        ),
        "completions",
        args.limit,
    )
    if args.json:
        _print_json(rows)
        return
    _print_table(
        ["created", "id", "status", "model", "tokens", "cost", "duration", "tags"],
        (
            [
                _time(c, "created_at"),
                c.id,
                short_name(completion_pb2.Status.DESCRIPTOR, c.status),
                c.model,
                str(c.total_tokens),
                f"{c.cost:.6f}" if c.cost else "",
                f"{c.duration:.3f}s" if c.duration else "",
                ",".join(c.tags),
            ]
            for c in rows
        ),
    )


def _get_completion(client: tenlog.Client, args: argparse.Namespace) -> None:
    _print_json(client.get_completion(args.id))


def _list_feedback(client: tenlog.Client, args: argparse.Namespace) -> None:
    rows = _pages(
        lambda token: client.list_feedback(
            task_id=args.task_id, completion_id=args.completion_id, page_size=min(args.limit, 100), page_token=token
        ),
        "feedback",
        args.limit,
    )
    if args.json:
        _print_json(rows)
        return
    _print_table(
        ["created", "id", "task", "completions", "values", "comment"],
        (
            [
                _time(f, "created_at"),
                f.id,
                f.task_id,
                ",".join(f.matched_completion_ids),
                json.dumps(from_struct(f.json_values), ensure_ascii=False),
                f.comment,
            ]
            for f in rows
        ),
    )


def _get_feedback(client: tenlog.Client, args: argparse.Namespace) -> None:
    _print_json(client.get_feedback(args.id))


def _list_tasks(client: tenlog.Client, args: argparse.Namespace) -> None:
    rows = _pages(
        lambda token: client.list_feedback_tasks(page_size=min(args.limit, 100), page_token=token),
        "tasks",
        args.limit,
    )
    if args.json:
        _print_json(rows)
        return
    _print_table(
        ["created", "id", "name", "selector", "instruction"],
        ([_time(t, "created_at"), t.id, t.name, ",".join(t.completion_tags_selector), t.instruction] for t in rows),
    )


def _get_task(client: tenlog.Client, args: argparse.Namespace) -> None:
    _print_json(client.get_feedback_task(args.id))
