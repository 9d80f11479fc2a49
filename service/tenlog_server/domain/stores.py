"""What the domain needs from storage: the store interfaces, and the errors they raise.

storage/ implements these (SQLAlchemy on SQLite or PostgreSQL); the domain is
written against them alone, so it never imports storage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from .completion_aggregates import AggregateGroup
from .completion_query import CompletionQuery, QueryPage
from .model import (
    CompletionFilter,
    CompletionRecord,
    FeedbackRecord,
    FeedbackTaskRecord,
    Page,
    SessionRecord,
    UpsertResult,
)
from .tag_selector import TagSelector

CommitListener = Callable[[list[UpsertResult]], None]


class Overloaded(Exception):
    """The write queue is full; the caller should retry after `retry_after` seconds."""

    def __init__(self, pending: int, limit: int, retry_after: float) -> None:
        super().__init__(f"write queue is full ({pending} of {limit} completions pending)")
        self.pending = pending
        self.limit = limit
        self.retry_after = retry_after


class DuplicateId(Exception):
    """A row with this id already exists in the organization."""


class CompletionGone(Exception):
    """A completion the feedback links to was deleted before the feedback was written."""


# The fields an update sets, or how to compute them from the stored completion.
FieldChanges = Mapping[str, Any] | Callable[[CompletionRecord], Mapping[str, Any]]


class CompletionStore(Protocol):
    """Completions of every organization (all calls are blocking; the domain runs them in threads)."""

    def upsert_batch(self, items: Sequence[tuple[str, CompletionRecord]]) -> list[UpsertResult]:
        """Upsert (organization, completion) pairs in one transaction, following domain.upsert_merge."""
        ...

    def update(self, org: str, completion_id: str, changes: FieldChanges) -> CompletionRecord | None:
        """Set fields of one completion and return it as stored; None when there is no such completion.

        `changes` is the fields to set, or a function of the stored completion that
        returns them ({}: nothing is written), called inside the write transaction
        while no other write can change that completion: a read-modify-write
        (a merge into metadata) cannot lose a concurrent one's change.
        """
        ...

    def get(self, org: str, completion_id: str) -> CompletionRecord | None:
        """One completion, or None."""
        ...

    def get_many(self, org: str, ids: Sequence[str]) -> dict[str, CompletionRecord]:
        """The completions among ids that exist, by id."""
        ...

    def existing_ids(self, org: str, ids: Sequence[str]) -> set[str]:
        """Which of ids exist in the organization."""
        ...

    def list_completions(self, org: str, flt: CompletionFilter, page: Page) -> list[CompletionRecord]:
        """Completions matching the filter, newest first."""
        ...

    def query_completions(self, org: str, query: CompletionQuery, page: QueryPage) -> list[CompletionRecord]:
        """A page of the completions matching a query (filter, search, fixed fields), in its order."""
        ...

    def aggregate(
        self, org: str, query: CompletionQuery, group_by: Sequence[str], interval_us: int | None
    ) -> list[AggregateGroup]:
        """Counts, sums and exact duration percentiles of the query's completions, by group and time bucket."""
        ...

    def ids_matching_tags(self, org: str, selector: TagSelector, limit: int) -> list[str]:
        """Ids of up to limit completions the selector matches, newest first."""
        ...

    def list_ungraded(self, org: str, selectors: Sequence[TagSelector], page: Page) -> list[CompletionRecord]:
        """Completions matching any selector that no feedback grades yet, newest first (domain.ungraded)."""
        ...

    def delete(self, org: str, completion_id: str) -> bool:
        """Delete one completion with its tags and feedback links; False when there was none."""
        ...

    def delete_created_before(self, org: str, cutoff_us: int, limit: int) -> int:
        """Delete up to limit completions created before cutoff_us in one transaction; returns the count."""
        ...

    def organizations_with_completions(self) -> list[str]:
        """Every organization that has a completion."""
        ...


class WriteQueue(Protocol):
    """Group commit of completion upserts (storage.write_batcher.WriteBatcher)."""

    async def submit(
        self, items: Sequence[tuple[str, CompletionRecord]], *, wait_for_room: bool = False
    ) -> list[UpsertResult]:
        """Upsert items; returns once committed. Raises Overloaded when full, unless wait_for_room."""
        ...

    def has_room(self, count: int = 1) -> bool:
        """Whether count more completions fit now."""
        ...

    def retry_after(self) -> float:
        """Seconds after which a refused caller should retry."""
        ...

    def notify(self, results: list[UpsertResult]) -> None:
        """Hand results of a write made outside the queue to the commit listeners (live tail)."""
        ...


class FeedbackStore(Protocol):
    """Feedback tasks and feedback."""

    def create_task(self, org: str, task: FeedbackTaskRecord) -> None:
        """Insert a task; DuplicateId when the id is taken."""
        ...

    def get_task(self, org: str, task_id: str) -> FeedbackTaskRecord | None:
        """One task, or None."""
        ...

    def list_tasks(self, org: str, page: Page) -> list[FeedbackTaskRecord]:
        """Tasks, newest first."""
        ...

    def all_selectors(self, org: str, task_id: str = "") -> list[TagSelector]:
        """The tag selectors of every task (or of one)."""
        ...

    def create_feedback(self, org: str, fb: FeedbackRecord) -> None:
        """Insert feedback with its links; DuplicateId, or CompletionGone when a linked completion vanished."""
        ...

    def get_feedback(self, org: str, feedback_id: str) -> FeedbackRecord | None:
        """One piece of feedback, or None."""
        ...

    def list_feedback(self, org: str, task_id: str, completion_id: str, page: Page) -> list[FeedbackRecord]:
        """Feedback, newest first, optionally of one task or one completion."""
        ...


class SessionStore(Protocol):
    """Sessions."""

    def create(self, org: str, session_id: str, now_us: int) -> SessionRecord:
        """Create (or find) a session."""
        ...

    def get(self, org: str, session_id: str) -> SessionRecord | None:
        """One session, or None."""
        ...

    def list(self, org: str, page: Page) -> list[SessionRecord]:
        """Sessions, newest first."""
        ...


class KeyStore(Protocol):
    """Hashed API keys and the organizations they belong to."""

    def add_key(self, org: str, key_hash: str, prefix: str, now_us: int) -> None:
        """Store a key hash (creating the organization if new)."""
        ...

    def org_of_key(self, key_hash: str) -> str | None:
        """The organization of a key hash, or None."""
        ...

    def list_keys(self, org: str = "") -> list[tuple[str, str, int]]:
        """(prefix, organization, created_at_us) of every key (or of one organization's)."""
        ...

    def matching_keys(self, key_hash: str, prefix: str) -> list[tuple[str, str]]:
        """(hash, prefix) of the keys with this hash or prefix."""
        ...

    def delete_key(self, key_hash: str) -> None:
        """Delete a key."""
        ...

    def organization_count(self) -> int:
        """How many organizations exist."""
        ...


class TransferStore(Protocol):
    """Keyset export pages and verbatim imports of an organization's rows (storage/transfer_store.py)."""

    def count(self, what: str, org: str, after: str, query: CompletionQuery | None = None) -> int:
        """How many rows of `what` (completions, sessions, feedback_tasks, feedback) an export will send."""
        ...

    def completions_page(self, org: str, query: CompletionQuery, after: str, limit: int) -> list[CompletionRecord]:
        """Up to `limit` completions matching the query (filter, search, fixed fields) after `after`, by id."""
        ...

    def import_completions(self, org: str, recs: Sequence[CompletionRecord]) -> None:
        """Write completions as given (ids, times, cost kept) in one transaction; existing ids are replaced."""
        ...

    def sessions_page(self, org: str, after: str, limit: int) -> list[SessionRecord]:
        """Up to `limit` sessions whose id sorts after `after`, by ascending id."""
        ...

    def import_sessions(self, org: str, recs: Sequence[SessionRecord]) -> None:
        """Write sessions as given."""
        ...

    def tasks_page(self, org: str, after: str, limit: int) -> list[FeedbackTaskRecord]:
        """Up to `limit` feedback tasks whose id sorts after `after`, by ascending id."""
        ...

    def import_tasks(self, org: str, recs: Sequence[FeedbackTaskRecord]) -> None:
        """Write feedback tasks as given; an existing id is replaced."""
        ...

    def existing_task_ids(self, org: str, ids: Sequence[str]) -> set[str]:
        """The ids among `ids` that name feedback tasks of the organization."""
        ...

    def feedback_page(self, org: str, after: str, limit: int) -> list[FeedbackRecord]:
        """Up to `limit` pieces of feedback (with their completion ids) whose id sorts after `after`."""
        ...

    def import_feedback(self, org: str, recs: Sequence[FeedbackRecord]) -> None:
        """Write feedback as given with its links, in one transaction; an existing id is replaced."""
        ...
