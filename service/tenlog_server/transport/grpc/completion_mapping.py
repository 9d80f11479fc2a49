"""tenlog.v1 messages <-> storage records."""

from __future__ import annotations

from google.protobuf import timestamp_pb2
from tenlog.enums import short_names
from tenlog.v1 import completion_pb2 as pb

from tenlog_server.domain.documents import Document
from tenlog_server.domain.model import CompletionRecord, FeedbackRecord, FeedbackTaskRecord, SessionRecord

KIND_NAMES = short_names(pb.Kind.DESCRIPTOR)
STATUS_NAMES = short_names(pb.Status.DESCRIPTOR)
SOURCE_NAMES = short_names(pb.Source.DESCRIPTOR)
KIND_VALUES = {v: k for k, v in KIND_NAMES.items()}
STATUS_VALUES = {v: k for k, v in STATUS_NAMES.items()}
SOURCE_VALUES = {v: k for k, v in SOURCE_NAMES.items()}


def timestamp(us: int) -> timestamp_pb2.Timestamp:
    """A Timestamp from microseconds since the epoch."""
    return timestamp_pb2.Timestamp(seconds=us // 1_000_000, nanos=(us % 1_000_000) * 1000)


def timestamp_us(ts: timestamp_pb2.Timestamp) -> int:
    """Microseconds since the epoch from a Timestamp."""
    return ts.seconds * 1_000_000 + ts.nanos // 1000


def _enum_name(names: dict[int, str], number: int) -> str:
    # Unspecified stays empty for the domain to default; an unknown number (proto3
    # enums are open) is kept as a number so validation rejects it by name.
    return names.get(number, str(number) if number else "")


def completion_to_record(msg: pb.Completion) -> CompletionRecord:
    """A Completion message as a record."""
    return CompletionRecord(
        id=msg.id,
        kind=_enum_name(KIND_NAMES, msg.kind),
        status=_enum_name(STATUS_NAMES, msg.status),
        tags=list(msg.tags),
        request=Document.from_struct(msg.request) if msg.HasField("request") else None,
        response=Document.from_struct(msg.response) if msg.HasField("response") else None,
        stacktrace=[{"file": f.file, "line": f.line, "lineno": f.lineno, "name": f.name} for f in msg.stacktrace],
        session_id=msg.session_id,
        duration=msg.duration if msg.duration else None,
        failure_kind=msg.failure_kind,
        failure_reason=msg.failure_reason,
        model=msg.model,
        prompt_tokens=msg.prompt_tokens,
        completion_tokens=msg.completion_tokens,
        total_tokens=msg.total_tokens,
        cached_tokens=msg.cached_tokens,
        reasoning_tokens=msg.reasoning_tokens,
        cost=msg.cost if msg.cost else None,
        source=SOURCE_NAMES.get(msg.source, "log10"),
        metadata=Document.from_struct(msg.metadata) if msg.HasField("metadata") else None,
        extra=Document.from_struct(msg.extra) if msg.HasField("extra") else None,
        reported_organization_id=msg.organization_id,
    )


def record_to_completion(rec: CompletionRecord) -> pb.Completion:
    """A record as a Completion message."""
    msg = pb.Completion(
        id=rec.id,
        # The owning organization, never the value a client reported (kept as reported_organization_id).
        organization_id=rec.organization_id,
        kind=KIND_VALUES.get(rec.kind, 0),  # type: ignore[arg-type]
        status=STATUS_VALUES.get(rec.status, 0),  # type: ignore[arg-type]
        tags=rec.tags,
        stacktrace=[
            pb.StackFrame(
                file=str(f.get("file", "")),
                line=str(f.get("line", "")),
                lineno=int(f.get("lineno") or 0),
                name=str(f.get("name", "")),
            )
            for f in rec.stacktrace
        ],
        session_id=rec.session_id,
        duration=rec.duration or 0.0,
        failure_kind=rec.failure_kind,
        failure_reason=rec.failure_reason,
        model=rec.model,
        prompt_tokens=rec.prompt_tokens,
        completion_tokens=rec.completion_tokens,
        total_tokens=rec.total_tokens,
        cached_tokens=rec.cached_tokens,
        reasoning_tokens=rec.reasoning_tokens,
        cost=rec.cost or 0.0,
        source=SOURCE_VALUES.get(rec.source, 0),  # type: ignore[arg-type]
        created_at=timestamp(rec.created_at_us),
        updated_at=timestamp(rec.updated_at_us),
    )
    for name in ("request", "response", "metadata", "extra"):
        document = getattr(rec, name)
        if document is not None:
            target = getattr(msg, name)
            target.SetInParent()  # an empty document is still a present one
            target.MergeFromString(document.encoded)
    return msg


def session_to_message(rec: SessionRecord) -> pb.Session:
    """A session record as a Session message."""
    msg = pb.Session(id=rec.id, created_at=timestamp(rec.created_at_us))
    if rec.metadata is not None:
        msg.metadata.update(rec.metadata)
    return msg


def task_to_message(rec: FeedbackTaskRecord) -> pb.FeedbackTask:
    """A task record as a FeedbackTask message."""
    msg = pb.FeedbackTask(
        id=rec.id,
        created_at_ms=float(rec.created_at_us // 1000),
        name=rec.name,
        instruction=rec.instruction,
        completion_tags_selector=rec.completion_tags_selector,
        created_at=timestamp(rec.created_at_us),
    )
    msg.json_schema.update(rec.json_schema)
    return msg


def feedback_to_message(rec: FeedbackRecord, org: str, task_name: str = "") -> pb.Feedback:
    """A feedback record of organization `org` as a Feedback message."""
    msg = pb.Feedback(
        id=rec.id,
        organization_id=org,
        task_name=task_name,
        created_at_ms=float(rec.created_at_us // 1000),
        task_id=rec.task_id,
        matched_completion_ids=rec.matched_completion_ids,
        comment=rec.comment,
        completions_summary=rec.completions_summary,
        created_at=timestamp(rec.created_at_us),
    )
    msg.json_values.update(rec.json_values)
    return msg
