"""The domain model: completions, sessions, feedback tasks, feedback, and how listings are asked for.

Transport maps protobuf to and from these; storage maps rows to and from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .documents import Document
from .tag_selector import TagSelector

JsonObject = dict[str, Any]

STATUSES = ("started", "finished", "failed")
TERMINAL_STATUSES = ("finished", "failed")  # a late `started` never moves these back


@dataclass(slots=True)
class CompletionRecord:
    """A completion as stored. Times are microseconds since the epoch."""

    id: str
    organization_id: str = ""
    kind: str = "chat"
    status: str = "finished"
    tags: list[str] = field(default_factory=list)
    request: Document | None = None
    response: Document | None = None
    stacktrace: list[JsonObject] = field(default_factory=list)
    session_id: str = ""
    duration: float | None = None
    failure_kind: str = ""
    failure_reason: str = ""
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens read from the provider's cache (part of prompt_tokens)
    reasoning_tokens: int = 0  # reasoning tokens (part of completion_tokens)
    cost: float | None = None
    source: str = "log10"
    metadata: Document | None = None
    extra: Document | None = None
    reported_organization_id: str = ""
    created_at_us: int = 0
    updated_at_us: int = 0


@dataclass(slots=True)
class SessionRecord:
    """A session."""

    id: str
    created_at_us: int = 0
    metadata: JsonObject | None = None


@dataclass(slots=True)
class FeedbackTaskRecord:
    """A feedback task."""

    id: str
    name: str
    instruction: str
    json_schema: JsonObject
    completion_tags_selector: list[str]
    created_at_us: int = 0


@dataclass(slots=True)
class FeedbackRecord:
    """A piece of feedback and the completions it is attached to."""

    id: str
    task_id: str
    json_values: JsonObject
    comment: str = ""
    completions_summary: str = ""
    matched_completion_ids: list[str] = field(default_factory=list)
    created_at_us: int = 0


@dataclass(slots=True)
class CompletionFilter:
    """Filters of a completion listing. Empty values do not filter."""

    tags: list[str] = field(default_factory=list)
    session_id: str = ""
    status: str = ""
    model: str = ""
    source: str = ""
    created_after_us: int | None = None
    created_before_us: int | None = None

    @property
    def selector(self) -> TagSelector:
        """The tags as a selector: a completion must carry every one."""
        return TagSelector.of(self.tags)


@dataclass(slots=True)
class Cursor:
    """Keyset position: the last row of the previous page (newest-first order)."""

    created_at_us: int
    id: str


@dataclass(slots=True)
class Page:
    """Where a listing starts and how many rows it returns."""

    limit: int
    offset: int = 0
    after: Cursor | None = None


@dataclass(slots=True)
class UpsertResult:
    """What one upsert did: the completion as it now stands, and whether it was new."""

    record: CompletionRecord
    created: bool
    applied: bool  # False when a late `started` write was ignored
