"""Export file formats: JSON Lines, CSV and Parquet rows of completions, feedback, feedback tasks and sessions.

A row's JSON is the REST gateway's JSON of the message (proto field names,
lower-case enum names, RFC 3339 times, a completion's `extra` keys merged into
its top level), so `tenlog import` reads a line back with the gateway's own
parser. Completions, by far the most numerous rows, are converted by a
dedicated function that gives the same JSON as the gateway's generic mapping
several times faster; a test holds the two equal.

JSON Lines keys are written sorted, so an export of the same rows is the same
file byte for byte. CSV and Parquet hold one column per field: the lifted
completion fields as plain columns, and documents (request, response,
metadata, extra, json_schema, json_values ...) as JSON strings.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

import orjson
from google.protobuf import struct_pb2, timestamp_pb2
from google.protobuf.message import Message
from tenlog.completions import MAX_SAFE_INTEGER
from tenlog.v1 import completion_pb2 as pb

from tenlog_server.transport.http.json_mapping import message_to_json

PARQUET_ROWS_PER_GROUP = 20_000  # rows buffered before a Parquet row group is written: bounds memory


def _enum_names(enum: Any, prefix: str) -> dict[int, str]:
    names: dict[int, str] = {}
    for value in enum.DESCRIPTOR.values:
        if value.number:
            names.setdefault(value.number, value.name.removeprefix(prefix).lower())
    return names


_KIND = _enum_names(pb.Kind, "KIND_")
_STATUS = _enum_names(pb.Status, "STATUS_")
_SOURCE = _enum_names(pb.Source, "SOURCE_")


# The export's hot path: tenlog.completions.from_struct, unrolled so a document
# costs one Python call per object or list rather than one per value (about a
# fifth of the CLI's time per row). tests/test_transfer_formats.py holds
# the result equal to the gateway's JSON.
def _struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fields = struct.fields
    for key in fields:  # by key: the map's items() view iterates in Python
        v = fields[key]
        kind = v.WhichOneof("kind")
        if kind == "string_value":
            out[key] = v.string_value
        elif kind == "number_value":
            n = v.number_value
            out[key] = int(n) if n.is_integer() and -MAX_SAFE_INTEGER < n < MAX_SAFE_INTEGER else n
        elif kind == "struct_value":
            out[key] = _struct(v.struct_value)
        elif kind == "list_value":
            out[key] = _list(v.list_value)
        elif kind == "bool_value":
            out[key] = v.bool_value
        else:
            out[key] = None
    return out


def _list(values: struct_pb2.ListValue) -> list[Any]:
    out: list[Any] = []
    for v in values.values:
        kind = v.WhichOneof("kind")
        if kind == "string_value":
            out.append(v.string_value)
        elif kind == "number_value":
            n = v.number_value
            out.append(int(n) if n.is_integer() and -MAX_SAFE_INTEGER < n < MAX_SAFE_INTEGER else n)
        elif kind == "struct_value":
            out.append(_struct(v.struct_value))
        elif kind == "list_value":
            out.append(_list(v.list_value))
        elif kind == "bool_value":
            out.append(v.bool_value)
        else:
            out.append(None)
    return out


def _rfc3339(ts: timestamp_pb2.Timestamp) -> str:
    """Timestamp.ToJsonString() (0, 3, 6 or 9 fraction digits), at half its cost."""
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts.seconds))
    nanos = ts.nanos
    if not nanos:
        return f"{seconds}Z"
    if nanos % 1_000_000 == 0:
        return f"{seconds}.{nanos // 1_000_000:03d}Z"
    if nanos % 1000 == 0:
        return f"{seconds}.{nanos // 1000:06d}Z"
    return f"{seconds}.{nanos:09d}Z"


def completion_json(m: pb.Completion) -> dict[str, Any]:
    """The gateway's JSON of a Completion (equal to message_to_json(m)), built directly."""
    out: dict[str, Any] = {"id": m.id, "organization_id": m.organization_id}
    if m.kind:
        out["kind"] = _KIND.get(m.kind, m.kind)
    if m.status:
        out["status"] = _STATUS.get(m.status, m.status)
    out["tags"] = list(m.tags)
    if m.HasField("request"):
        out["request"] = _struct(m.request)
    if m.HasField("response"):
        out["response"] = _struct(m.response)
    out["stacktrace"] = [{"file": f.file, "line": f.line, "lineno": f.lineno, "name": f.name} for f in m.stacktrace]
    out["session_id"] = m.session_id
    out["duration"] = m.duration
    out["failure_kind"] = m.failure_kind
    out["failure_reason"] = m.failure_reason
    if m.HasField("created_at"):
        out["created_at"] = _rfc3339(m.created_at)
    if m.HasField("updated_at"):
        out["updated_at"] = _rfc3339(m.updated_at)
    out["model"] = m.model
    out["prompt_tokens"] = m.prompt_tokens
    out["completion_tokens"] = m.completion_tokens
    out["total_tokens"] = m.total_tokens
    out["cost"] = m.cost
    if m.source:
        out["source"] = _SOURCE.get(m.source, m.source)
    if m.HasField("metadata"):
        out["metadata"] = _struct(m.metadata)
    out["cached_tokens"] = m.cached_tokens
    out["reasoning_tokens"] = m.reasoning_tokens
    if m.HasField("extra"):
        for key, value in _struct(m.extra).items():
            out.setdefault(key, value)  # a named field wins over a stray extra key, as in the gateway
    return out


def row_json(message: Message) -> dict[str, Any]:
    """The JSON object of one exported row."""
    if isinstance(message, pb.Completion):
        return completion_json(message)
    out: dict[str, Any] = message_to_json(message)
    return out


def jsonl_line(row: Mapping[str, Any]) -> bytes:
    """One row as a JSON Lines line, keys sorted (the same rows always give the same bytes)."""
    return orjson.dumps(row, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)


# --- columns of CSV and Parquet ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One flat column: its name and its type (str, int, float, bool, time, json, list)."""

    name: str
    type: str


COMPLETION_COLUMNS = [
    Column("id", "str"),
    Column("organization_id", "str"),
    Column("kind", "str"),
    Column("status", "str"),
    Column("tags", "list"),
    Column("session_id", "str"),
    Column("model", "str"),
    Column("prompt_tokens", "int"),
    Column("completion_tokens", "int"),
    Column("total_tokens", "int"),
    Column("cached_tokens", "int"),
    Column("reasoning_tokens", "int"),
    Column("cost", "float"),
    Column("duration", "float"),
    Column("source", "str"),
    Column("failure_kind", "str"),
    Column("failure_reason", "str"),
    Column("created_at", "time"),
    Column("updated_at", "time"),
    Column("request", "json"),
    Column("response", "json"),
    Column("metadata", "json"),
    Column("extra", "json"),
    Column("stacktrace", "json"),
]
COLUMNS = {
    "completions": COMPLETION_COLUMNS,
    "sessions": [Column("id", "str"), Column("created_at", "time")],
    "feedback_tasks": [
        Column("id", "str"),
        Column("name", "str"),
        Column("instruction", "str"),
        Column("completion_tags_selector", "list"),
        Column("json_schema", "json"),
        Column("created_at", "time"),
    ],
    "feedback": [
        Column("id", "str"),
        Column("task_id", "str"),
        Column("matched_completion_ids", "list"),
        Column("json_values", "json"),
        Column("comment", "str"),
        Column("completions_summary", "str"),
        Column("organization_id", "str"),
        Column("created_at", "time"),
    ],
}
_COMPLETION_NAMED = {c.name for c in COMPLETION_COLUMNS} | {"extra"}


def flat_row(what: str, message: Message) -> dict[str, Any]:
    """One row as flat column values (documents stay JSON-able objects; the writer encodes them)."""
    row = row_json(message)
    if what == "completions":
        # The JSON merged `extra` into the top level; the flat form keeps it as its own column.
        extra = {k: v for k, v in row.items() if k not in _COMPLETION_NAMED}
        row = {k: v for k, v in row.items() if k in _COMPLETION_NAMED}
        row["extra"] = extra or None
    return row


def _json_text(value: Any) -> str:
    return "" if value is None else orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


class CsvWriter:
    """Rows as CSV with a header; lists and documents as JSON strings."""

    def __init__(self, out: IO[str], columns: list[Column]) -> None:
        self.columns = columns
        self.writer = csv.writer(out)
        self.writer.writerow([c.name for c in columns])

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Append rows."""
        cells: list[list[Any]] = []
        for row in rows:
            line = []
            for c in self.columns:
                value = row.get(c.name)
                line.append(_json_text(value) if c.type in ("json", "list") else ("" if value is None else value))
            cells.append(line)
        self.writer.writerows(cells)

    def close(self) -> None:
        """Nothing buffered: CSV rows are written as they come."""


def _parquet_type(column: Column) -> Any:
    import pyarrow as pa

    return {
        "str": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "time": pa.timestamp("us", tz="UTC"),
        "json": pa.string(),
        "list": pa.list_(pa.string()),
    }[column.type]


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


class ParquetWriter:
    """Rows as a Parquet file, a row group per PARQUET_ROWS_PER_GROUP rows (memory stays bounded)."""

    def __init__(self, path: str, columns: list[Column]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.columns = columns
        self.schema = pa.schema([pa.field(c.name, _parquet_type(c)) for c in columns])
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self.pending: dict[str, list[Any]] = {c.name: [] for c in columns}
        self.count = 0
        self._convert: dict[str, Callable[[Any], Any]] = {
            "json": _json_text_or_none,
            "time": _time,
        }

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Append rows; a row group is written whenever enough are buffered."""
        for row in rows:
            for c in self.columns:
                value = row.get(c.name)
                convert = self._convert.get(c.type)
                self.pending[c.name].append(convert(value) if convert else value)
            self.count += 1
        if self.count >= PARQUET_ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self.count:
            self.writer.write_table(pa.Table.from_pydict(self.pending, schema=self.schema))
            self.pending = {c.name: [] for c in self.columns}
            self.count = 0

    def close(self) -> None:
        """Write what is buffered and the file footer."""
        self._flush()
        self.writer.close()


def _json_text_or_none(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
