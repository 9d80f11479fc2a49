"""SQLAlchemy models of tenlog's tables.

Times are integer microseconds since the epoch: exact, portable across SQLite
and PostgreSQL, and cheap to index and compare. A completion's documents
(request, response, metadata, extra) are stored as serialized
google.protobuf.Struct bytes (see documents.py), with messages and other large
repeated values stored once per organization in `contents`; other JSON (tags, stack
traces, feedback) as JSON text. The fields worth querying are lifted into
indexed columns.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Double,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations are stable."""

    metadata = MetaData(naming_convention=NAMING)


class Organization(Base):
    """A tenant; every other row belongs to exactly one."""

    __tablename__ = "organizations"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at_us: Mapped[int] = mapped_column(BigInteger)


class ApiKey(Base):
    """An API key, stored only as its SHA-256 hash; belongs to one organization."""

    __tablename__ = "api_keys"
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(String(128), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at_us: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (ForeignKeyConstraint(["organization_id"], ["organizations.id"]),)


class Session(Base):
    """A session groups completions; created explicitly or by first use."""

    __tablename__ = "sessions"
    organization_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    id: Mapped[str] = mapped_column(String(256), primary_key=True)
    created_at_us: Mapped[int] = mapped_column(BigInteger)
    metadata_json: Mapped[str | None] = mapped_column("metadata", Text)  # JSON object (Freeplay session metadata)
    __table_args__ = (Index("ix_sessions_org_created", "organization_id", "created_at_us"),)


class Completion(Base):
    """One LLM call. Primary key (organization_id, id): ids are client-chosen per organization."""

    __tablename__ = "completions"
    organization_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    id: Mapped[str] = mapped_column(String(256), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    tags: Mapped[str] = mapped_column(Text)  # JSON list, returned as sent; completion_tags indexes it
    # Serialized google.protobuf.Struct skeletons: messages, tool lists and other large values are cut out
    # into `contents` and named by content_refs (see message_codec.py); NULL content_refs: the whole documents.
    request: Mapped[bytes | None] = mapped_column(LargeBinary)
    response: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_refs: Mapped[bytes | None] = mapped_column(LargeBinary)
    stacktrace: Mapped[str | None] = mapped_column(Text)
    session_id: Mapped[str] = mapped_column(String(256))
    duration: Mapped[float | None] = mapped_column(Double)
    failure_kind: Mapped[str] = mapped_column(Text)
    failure_reason: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(256))
    prompt_tokens: Mapped[int] = mapped_column(Integer)
    completion_tokens: Mapped[int] = mapped_column(Integer)
    total_tokens: Mapped[int] = mapped_column(Integer)
    cached_tokens: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    reasoning_tokens: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    cost: Mapped[float | None] = mapped_column(Double)
    source: Mapped[str] = mapped_column(String(32))
    metadata_: Mapped[bytes | None] = mapped_column("metadata", LargeBinary)
    extra: Mapped[bytes | None] = mapped_column(LargeBinary)
    reported_organization_id: Mapped[str] = mapped_column(String(128))
    created_at_us: Mapped[int] = mapped_column(BigInteger)
    updated_at_us: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (
        # Newest-first listing, alone or narrowed by session, status, model.
        # Each ends in (created_at_us, id): the newest-first ORDER BY is read off the index, no sort.
        Index("ix_completions_org_created", "organization_id", "created_at_us", "id"),
        Index("ix_completions_org_session_created_id", "organization_id", "session_id", "created_at_us", "id"),
        Index("ix_completions_org_status_created_id", "organization_id", "status", "created_at_us", "id"),
        Index("ix_completions_org_model_created_id", "organization_id", "model", "created_at_us", "id"),
        # The change feed behind live tail reads every organization's writes in commit-time order.
        Index("ix_completions_updated", "updated_at_us"),
        # order_by cost/duration/total_tokens: keyset pages off the index. On PostgreSQL the
        # nullable ones are built NULLS FIRST (migration 0005) so `desc` reads NULLs last, as SQLite does.
        Index("ix_completions_org_cost_id", "organization_id", "cost", "id"),
        Index("ix_completions_org_duration_id", "organization_id", "duration", "id"),
        Index("ix_completions_org_total_tokens_id", "organization_id", "total_tokens", "id"),
    )


class CompletionMetadata(Base):
    """metadata.<key> index: one row per top-level scalar metadata value of a completion."""

    __tablename__ = "completion_metadata"
    organization_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    completion_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))
    number: Mapped[float | None] = mapped_column(Double)  # the value when it is a number
    created_at_us: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "completion_id"],
            ["completions.organization_id", "completions.id"],
            ondelete="CASCADE",
        ),
        # metadata.k = "v" newest first off the index, as tags are.
        Index(
            "ix_completion_metadata_org_key_value_created",
            "organization_id",
            "key",
            "value",
            "created_at_us",
            "completion_id",
        ),
        Index("ix_completion_metadata_org_key_number", "organization_id", "key", "number"),
    )


class CompletionRollup(Base):
    """Totals per (hour or day, model, status, source, kind), kept by ingest (domain/completion_rollups.py)."""

    __tablename__ = "completion_rollups"
    organization_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    width_us: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    bucket_us: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    model: Mapped[str] = mapped_column(String(256), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    prompt_tokens: Mapped[int] = mapped_column(BigInteger)
    completion_tokens: Mapped[int] = mapped_column(BigInteger)
    total_tokens: Mapped[int] = mapped_column(BigInteger)
    cost: Mapped[float] = mapped_column(Double)


class CompletionRollupDuration(Base):
    """The duration histogram of a rollup: completions per logarithmic duration bin."""

    __tablename__ = "completion_rollup_durations"
    organization_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    width_us: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    bucket_us: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    model: Mapped[str] = mapped_column(String(256), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    bin: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)


class Content(Base):
    """A message, system prompt or tool list stored once per organization, zstd-compressed (content_store.py).

    Keyed by a hash of its canonical form; refcount is how many references
    completions hold to it, and the row goes when that reaches zero.
    """

    __tablename__ = "contents"
    organization_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    hash: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    refcount: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # WITHOUT ROWID: the table is its primary-key b-tree, not a table plus an index repeating the key.
    __table_args__ = ({"sqlite_with_rowid": False},)


class CompletionTag(Base):
    """Tag index: one row per (completion, tag), ordered by time for newest-first tag listing."""

    __tablename__ = "completion_tags"
    organization_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    completion_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    tag: Mapped[str] = mapped_column(String(256), primary_key=True)
    created_at_us: Mapped[int] = mapped_column(BigInteger)
    # Mirrors "has feedback" so ungraded listings read only ungraded rows off an index.
    graded: Mapped[bool] = mapped_column(Boolean, server_default=false())
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "completion_id"],
            ["completions.organization_id", "completions.id"],
            ondelete="CASCADE",
        ),
        # Newest-first by tag; graded last, so ungraded listings skip graded rows in the index itself.
        Index(
            "ix_completion_tags_org_tag_created_graded",
            "organization_id",
            "tag",
            "created_at_us",
            "completion_id",
            "graded",
        ),
    )


class FeedbackTask(Base):
    """What graders judge, the JSON Schema of their answers, and which completions need it."""

    __tablename__ = "feedback_tasks"
    organization_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    id: Mapped[str] = mapped_column(String(256), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    instruction: Mapped[str] = mapped_column(Text)
    json_schema: Mapped[str] = mapped_column(Text)
    completion_tags_selector: Mapped[str] = mapped_column(Text)  # JSON list
    created_at_us: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_feedback_tasks_org_created", "organization_id", "created_at_us"),)


class Feedback(Base):
    """Graded values for a task, attached to one or more completions."""

    __tablename__ = "feedback"
    organization_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    id: Mapped[str] = mapped_column(String(256), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(256))
    json_values: Mapped[str] = mapped_column(Text)
    comment: Mapped[str] = mapped_column(Text)
    completions_summary: Mapped[str] = mapped_column(Text)
    created_at_us: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "task_id"], ["feedback_tasks.organization_id", "feedback_tasks.id"]),
        Index("ix_feedback_org_task_created", "organization_id", "task_id", "created_at_us"),
        Index("ix_feedback_org_created", "organization_id", "created_at_us"),
    )


class FeedbackCompletion(Base):
    """Which completions a piece of feedback is attached to; drives 'ungraded'."""

    __tablename__ = "feedback_completions"
    organization_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    feedback_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    completion_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "feedback_id"],
            ["feedback.organization_id", "feedback.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(["organization_id", "completion_id"], ["completions.organization_id", "completions.id"]),
        Index("ix_feedback_completions_org_completion", "organization_id", "completion_id"),
    )


__all__ = [
    "ApiKey",
    "Base",
    "Completion",
    "CompletionMetadata",
    "CompletionRollup",
    "CompletionRollupDuration",
    "CompletionTag",
    "Content",
    "Feedback",
    "FeedbackCompletion",
    "FeedbackTask",
    "Organization",
    "Session",
]
