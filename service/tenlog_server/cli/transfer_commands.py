"""`tenlog export`, `tenlog import` and `tenlog prices`.

Export and import talk to a tenlog server through its public gRPC API (the
Python client), never to a database: an organization is moved between servers
by exporting from one and importing into the other.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from google.protobuf.message import Message

# The file formats and the row kinds; transfer_formats itself (protobuf, the gateway's JSON
# mapping, pyarrow) is imported only when a command runs, so other `tenlog` commands start fast.
FORMATS = ("jsonl", "csv", "parquet")
WHATS = ("completions", "feedback", "feedback_tasks", "sessions")
IMPORT_ORDER = "feedback_tasks, sessions, completions, feedback"


def _add_connection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", default=None, help="HOST:PORT of the gRPC server [TENLOG_TARGET, 127.0.0.1:50051]")
    parser.add_argument("--api-key", default=None, help="[TENLOG_API_KEY]")
    parser.add_argument("--org", default=None, help="organization (default: the key's own) [TENLOG_ORGANIZATION]")
    parser.add_argument(
        "--ca", default=os.environ.get("TENLOG_CA", ""), metavar="PATH", help="PEM CA; connects over TLS"
    )
    parser.add_argument("--tls", action="store_true", help="connect over TLS, verified against the system's CAs")
    parser.add_argument("--cert", default=os.environ.get("TENLOG_CLIENT_CERT", ""), metavar="PATH")
    parser.add_argument("--key", default=os.environ.get("TENLOG_CLIENT_KEY", ""), metavar="PATH")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (it is drawn on stderr)")


def add_commands(sub: Any) -> None:
    """Register export, import and prices on the `tenlog` subcommand parser."""
    export = sub.add_parser(
        "export", help="write an organization's completions (or feedback, tasks, sessions) to a file"
    )
    export.add_argument("-o", "--output", required=True, help="file to write; `-` for stdout (jsonl, csv)")
    export.add_argument("--what", choices=WHATS, default="completions")
    export.add_argument("--format", choices=FORMATS, default=None, help="default: from the file extension, else jsonl")
    export.add_argument("--filter", default="", help="filter expression (ListCompletions' filter language)")
    export.add_argument("--search", default="", help="full-text search words")
    export.add_argument("--tag", action="append", default=[], help="only completions with this tag (repeatable)")
    export.add_argument("--session-id", default="")
    export.add_argument("--status", default="", choices=["", "started", "finished", "failed"])
    export.add_argument("--model", default="")
    export.add_argument("--created-after", default="", metavar="RFC3339", help="e.g. 2026-01-31T00:00:00Z")
    export.add_argument("--created-before", default="", metavar="RFC3339")
    export.add_argument("--after", default="", metavar="ID", help="resume: only rows whose id sorts after this one")
    _add_connection(export)

    load = sub.add_parser("import", help="import a JSON Lines file written by `tenlog export` (idempotent by id)")
    load.add_argument("file", help=f"the .jsonl file; import {IMPORT_ORDER} in that order")
    load.add_argument("--what", choices=WHATS, default="completions")
    _add_connection(load)

    prices = sub.add_parser("prices", help="print the model price table in effect (dollars per million tokens)")
    prices.add_argument(
        "--prices-file",
        default=os.environ.get("TENLOG_PRICES_FILE", ""),
        metavar="PATH",
        help="TOML prices added to or overriding the built-in table [TENLOG_PRICES_FILE]",
    )
    prices.add_argument("--model", default="", help="show only the price this model name resolves to")


def _client(args: argparse.Namespace) -> Any:
    import tenlog

    def read(path: str) -> bytes | None:
        if not path:
            return None
        with open(path, "rb") as f:
            return f.read()

    return tenlog.Client(
        args.target,
        args.api_key,
        organization=args.org,
        tls=True if args.tls or args.ca else None,
        root_certificates=read(args.ca),
        private_key=read(args.key),
        certificate_chain=read(args.cert),
    )


class _Progress:
    """A progress bar on stderr (rich): rows done of the total, rate and time left; nothing with --no-progress."""

    def __init__(self, args: argparse.Namespace, unit: str, total: int | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TimeRemainingColumn
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task: Task) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:,.0f} {unit}/s" if speed else f"- {unit}/s")

        self.progress = Progress(
            BarColumn(),
            MofNCompleteColumn(),
            Rate(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            disable=args.no_progress,
        )
        self.task = self.progress.add_task(unit, total=total)

    def __enter__(self) -> _Progress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def total(self, total: int) -> None:
        """Set the total the server announced."""
        self.progress.update(self.task, total=total)

    def advance(self, rows: int) -> None:
        """Count rows done (thread-safe: import streams count on gRPC's request thread)."""
        self.progress.advance(self.task, rows)


def _timestamp(text: str, flag: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"tenlog export: {flag} {text!r} is not an RFC 3339 time") from None


def _pages(client: Any, args: argparse.Namespace) -> Iterator[tuple[list[Message], str, int]]:
    """(rows, last id, total on the first page) of the chosen export RPC."""
    if args.what == "completions":
        stream = client.export_completions(
            filter=args.filter,
            search=args.search,
            after=args.after,
            tags=args.tag,
            session_id=args.session_id,
            status=args.status or None,
            model=args.model,
            created_after=_timestamp(args.created_after, "--created-after"),
            created_before=_timestamp(args.created_before, "--created-before"),
        )
        for page in stream:
            yield list(page.completions), page.last_id, page.total_count
        return
    if args.filter or args.search or args.tag or args.session_id or args.status or args.model:
        raise SystemExit(f"tenlog export: filters apply to completions, not to {args.what}")
    method, field = {
        "sessions": (client.export_sessions, "sessions"),
        "feedback_tasks": (client.export_feedback_tasks, "tasks"),
        "feedback": (client.export_feedback, "feedback"),
    }[args.what]
    for page in method(after=args.after):
        yield list(getattr(page, field)), page.last_id, page.total_count


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    extension = os.path.splitext(args.output)[1].lower()
    return {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}.get(extension, "jsonl")


def run_export(args: argparse.Namespace) -> int:
    """`tenlog export`: stream the rows from the server into the file, with a progress bar."""
    import grpc

    from tenlog_server.transfer_formats import COLUMNS, CsvWriter, ParquetWriter, flat_row, jsonl_line, row_json

    fmt = _format(args)
    if fmt == "parquet" and args.output == "-":
        raise SystemExit("tenlog export: Parquet cannot be written to stdout; give a file name")
    resume_after = ""
    count = 0
    with ExitStack() as stack:
        client = stack.enter_context(_client(args))
        bar = stack.enter_context(_Progress(args, args.what))
        writer: Any
        out: IO[Any]
        if fmt == "parquet":
            writer = ParquetWriter(args.output, COLUMNS[args.what])
        elif fmt == "csv":
            out = sys.stdout if args.output == "-" else stack.enter_context(open(args.output, "w", newline=""))
            writer = CsvWriter(out, COLUMNS[args.what])
        else:
            out = sys.stdout.buffer if args.output == "-" else stack.enter_context(open(args.output, "wb"))
        try:
            for rows, last_id, total in _pages(client, args):
                if total:
                    bar.total(total)
                if fmt == "jsonl":
                    out.write(b"".join(jsonl_line(row_json(m)) for m in rows))
                else:
                    writer.write([flat_row(args.what, m) for m in rows])
                bar.advance(len(rows))
                count += len(rows)
                resume_after = last_id
        except grpc.RpcError as exc:
            resume = f"; resume with --after {resume_after!r}" if resume_after else ""
            print(f"\ntenlog export: {exc.code().name}: {exc.details()}{resume}", file=sys.stderr)
            return 1
        finally:
            if fmt != "jsonl":
                writer.close()
    print(f"tenlog export: wrote {count} {args.what} to {args.output} ({fmt})", file=sys.stderr)
    return 0


def _messages(path: str, what: str, errors: list[str]) -> Iterator[Message]:
    """Each line of a JSON Lines file as the message `what` names; a bad line stops the import, named."""
    import orjson
    from tenlog.v1 import completion_pb2 as pb

    from tenlog_server.transport.http.json_mapping import JsonMappingError, parse_message

    make = {
        "completions": pb.Completion,
        "sessions": pb.Session,
        "feedback_tasks": pb.FeedbackTask,
        "feedback": pb.Feedback,
    }[what]
    with open(path, "rb") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            message = make()
            try:
                parse_message(orjson.loads(line), message)
            except (orjson.JSONDecodeError, JsonMappingError) as exc:
                errors.append(f"{path}:{number}: {exc}")
                return  # ends the stream: rows before it are imported, and a rerun is harmless
            yield message


def run_import(args: argparse.Namespace) -> int:
    """`tenlog import FILE.jsonl`: send every line to the server's import stream, with a progress bar."""
    import grpc

    try:
        with open(args.file, "rb") as f:
            total = sum(1 for line in f if line.strip())
    except OSError as exc:
        raise SystemExit(f"tenlog import: cannot read {args.file}: {exc.strerror}") from None
    errors: list[str] = []
    with _client(args) as client, _Progress(args, args.what, total) as bar:

        def counted() -> Iterator[Message]:
            for message in _messages(args.file, args.what, errors):
                bar.advance(1)
                yield message

        method = {
            "completions": client.import_completions,
            "sessions": client.import_sessions,
            "feedback_tasks": client.import_feedback_tasks,
            "feedback": client.import_feedback,
        }[args.what]
        try:
            result = method(counted())
        except grpc.RpcError as exc:
            print(f"\ntenlog import: {exc.code().name}: {exc.details()}", file=sys.stderr)
            return 1
    for rejection in result.rejected[:20]:
        print(
            f"tenlog import: row {rejection.index + 1} ({rejection.id!r}) rejected: {rejection.reason}", file=sys.stderr
        )
    for error in errors:
        print(f"tenlog import: stopped at a line that is not a {args.what} row: {error}", file=sys.stderr)
    print(
        f"tenlog import: imported {result.imported_count} {args.what}, rejected {result.rejected_count}",
        file=sys.stderr,
    )
    return 1 if errors or result.rejected_count else 0


def run_prices(args: argparse.Namespace) -> int:
    """`tenlog prices`: the price table in effect, one model per line."""
    from tenlog_server.domain.pricing import PriceTableError, load_prices

    try:
        table = load_prices(args.prices_file)
    except PriceTableError as exc:
        print(f"tenlog prices: {exc}", file=sys.stderr)
        return 2
    if args.model:
        price = table.lookup(args.model)
        if price is None:
            print(f"tenlog prices: no price for {args.model!r}; its cost is left empty", file=sys.stderr)
            return 1
        prices = [price]
    else:
        prices = sorted(table.prices.values(), key=lambda p: (p.provider, p.model))
    print(f"# US dollars per million tokens; built-in table as of {table.as_of}")
    print(f"{'model':<28} {'provider':<10} {'input':>9} {'cached':>9} {'output':>9} {'reasoning':>9}  source")
    for p in prices:
        print(
            f"{p.model:<28} {p.provider or '-':<10} {p.input:>9g} {p.cached_input:>9g} {p.output:>9g} "
            f"{p.reasoning:>9g}  {p.source}"
        )
    return 0


COMMANDS = {"export": run_export, "import": run_import, "prices": run_prices}


def run(args: argparse.Namespace) -> int:
    """Run the export, import or prices command the arguments name."""
    return COMMANDS[args.command](args)
