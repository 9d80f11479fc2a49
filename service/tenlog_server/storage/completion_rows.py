"""Completion rows <-> domain records: the completions table's columns, the tag-index rows, and reading records back."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Row, Table

from tenlog_server.domain.documents import Document
from tenlog_server.domain.model import CompletionRecord

from . import message_codec
from .content_store import load_pieces
from .json_columns import dump_json, load_json
from .schema import Completion

completions = cast(Table, Completion.__table__)

# The columns a write replaces: the key and the creation time stay as first written.
DATA_COLUMNS = [c.name for c in completions.columns if c.name not in ("organization_id", "id", "created_at_us")]


def _encoded(document: Document | None) -> bytes | None:
    return None if document is None else document.encoded


def _document(encoded: bytes | None) -> Document | None:
    return None if encoded is None else Document(encoded)


def record_to_row(org: str, rec: CompletionRecord, stored: message_codec.SplitDocuments) -> dict[str, Any]:
    """Map a record onto the completions table's columns, its request/response as split into stored.

    The pieces stored names must be counted in the same transaction
    (content_store.change_references), or the row's references dangle.
    """
    return {
        "organization_id": org,
        "id": rec.id,
        "kind": rec.kind,
        "status": rec.status,
        "tags": dump_json(rec.tags),
        "request": stored.request,
        "response": stored.response,
        "content_refs": stored.refs,
        "stacktrace": dump_json(rec.stacktrace) if rec.stacktrace else None,
        "session_id": rec.session_id,
        "duration": rec.duration,
        "failure_kind": rec.failure_kind,
        "failure_reason": rec.failure_reason,
        "model": rec.model,
        "prompt_tokens": rec.prompt_tokens,
        "completion_tokens": rec.completion_tokens,
        "total_tokens": rec.total_tokens,
        "cached_tokens": rec.cached_tokens,
        "reasoning_tokens": rec.reasoning_tokens,
        "cost": rec.cost,
        "source": rec.source,
        "metadata": _encoded(rec.metadata),
        "extra": _encoded(rec.extra),
        "reported_organization_id": rec.reported_organization_id,
        "created_at_us": rec.created_at_us,
        "updated_at_us": rec.updated_at_us,
    }


def row_to_record(row: Row[Any], pieces: Mapping[bytes, bytes]) -> CompletionRecord:
    """Map a completions row back onto a record; pieces holds the content its references name (rows_to_records)."""
    m = row._mapping
    refs = message_codec.decode_refs(m["content_refs"])
    return CompletionRecord(
        id=m["id"],
        organization_id=m["organization_id"],
        kind=m["kind"],
        status=m["status"],
        tags=load_json(m["tags"]) or [],
        request=message_codec.join(m["request"], message_codec.REQUEST, refs, pieces),
        response=message_codec.join(m["response"], message_codec.RESPONSE, refs, pieces),
        stacktrace=load_json(m["stacktrace"]) or [],
        session_id=m["session_id"],
        duration=m["duration"],
        failure_kind=m["failure_kind"],
        failure_reason=m["failure_reason"],
        model=m["model"],
        prompt_tokens=m["prompt_tokens"],
        completion_tokens=m["completion_tokens"],
        total_tokens=m["total_tokens"],
        cached_tokens=m["cached_tokens"],
        reasoning_tokens=m["reasoning_tokens"],
        cost=m["cost"],
        source=m["source"],
        metadata=_document(m["metadata"]),
        extra=_document(m["extra"]),
        reported_organization_id=m["reported_organization_id"],
        created_at_us=m["created_at_us"],
        updated_at_us=m["updated_at_us"],
    )


class ContentMissing(Exception):
    """A row names content that is gone: a delete or update committed between reading the row and its content."""


def rows_to_records(conn: Connection, rows: Sequence[Row[Any]]) -> list[CompletionRecord]:
    """Records of completions rows, with the content their references name loaded in one query per organization."""
    wanted: dict[str, set[bytes]] = {}
    for row in rows:
        refs = row._mapping["content_refs"]
        if refs:
            wanted.setdefault(row._mapping["organization_id"], set()).update(message_codec.ref_hashes(refs))
    pieces: dict[bytes, bytes] = {}
    for org, hashes in wanted.items():
        pieces.update(load_pieces(conn, org, hashes))  # a hash names the same bytes in every organization
    try:
        return [row_to_record(row, pieces) for row in rows]
    except KeyError as exc:
        raise ContentMissing from exc


_READ_ATTEMPTS = 5


def read_records(conn: Connection, run: Callable[[], Any]) -> list[CompletionRecord]:
    """Run a query of completions rows and return their records.

    Rows and content are two statements; a delete committing between them can
    take content a row just read names. That row is then gone or changed too,
    so the read is simply run again.
    """
    for attempt in range(_READ_ATTEMPTS):
        try:
            return rows_to_records(conn, run().all())
        except ContentMissing:
            if attempt == _READ_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def tag_rows(org: str, rec: CompletionRecord, graded: bool) -> list[dict[str, Any]]:
    """The tag-index rows of one completion."""
    return [
        {
            "organization_id": org,
            "completion_id": rec.id,
            "tag": tag,
            "created_at_us": rec.created_at_us,
            "graded": graded,
        }
        for tag in dict.fromkeys(rec.tags)
    ]
