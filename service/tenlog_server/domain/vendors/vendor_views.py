"""Use cases behind other vendors' reads and session calls: counts, tag search, session delete and metadata."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Protocol

from ..errors import NotFound
from ..lookup_ids import require_filter_text, require_lookup_ids
from ..model import CompletionFilter, SessionRecord
from ..stores import SessionStore

# Completions deleted per transaction when a session goes: short write locks on SQLite.
SESSION_DELETE_BATCH = 500


class VendorViewStore(Protocol):
    """What the vendor reads and session calls need from storage beyond the completion, feedback and session stores."""

    def count_completions(self, org: str, flt: CompletionFilter) -> int:
        """How many completions match the filter, up to a cap."""
        ...

    def count_feedback(self, org: str, task_id: str, completion_id: str) -> int:
        """How much feedback matches, up to a cap."""
        ...

    def count_tasks(self, org: str) -> int:
        """How many feedback tasks the organization has, up to a cap."""
        ...

    def task_names(self, org: str, task_ids: list[str]) -> dict[str, str]:
        """Task id -> name for these tasks."""
        ...

    def search_tags(self, org: str, prefix: str, limit: int) -> list[str]:
        """Up to limit tags starting with prefix."""
        ...

    def delete_session_completions(self, org: str, session_id: str, batch_size: int) -> int:
        """Delete the session's completions, batch_size per transaction; how many."""
        ...

    def merge_session_metadata(self, org: str, session_id: str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        """Set keys of the session's metadata; the merged metadata, or None when there is no such session."""
        ...


class VendorViews:
    """Reads and writes of the vendor APIs that the completion and feedback use cases do not cover."""

    def __init__(self, store: VendorViewStore, sessions: SessionStore) -> None:
        self.store = store
        self.sessions = sessions

    async def count_completions(self, org: str, flt: CompletionFilter) -> int:
        """How many completions match (counted up to the store's cap)."""
        require_filter_text(flt)
        return await asyncio.to_thread(self.store.count_completions, org, flt)

    async def count_feedback(self, org: str, task_id: str, completion_id: str) -> int:
        """How much feedback matches (counted up to the store's cap)."""
        require_lookup_ids(task_id=task_id, completion_id=completion_id)
        return await asyncio.to_thread(self.store.count_feedback, org, task_id, completion_id)

    async def count_tasks(self, org: str) -> int:
        """How many feedback tasks the organization has (counted up to the store's cap)."""
        return await asyncio.to_thread(self.store.count_tasks, org)

    async def task_names(self, org: str, task_ids: list[str]) -> dict[str, str]:
        """Task id -> name for these tasks."""
        return await asyncio.to_thread(self.store.task_names, org, sorted(set(task_ids)))

    async def search_tags(self, org: str, prefix: str, limit: int) -> list[str]:
        """Tags starting with prefix; an exact match comes first."""
        require_lookup_ids(query=prefix)
        found = await asyncio.to_thread(self.store.search_tags, org, prefix, limit)
        return sorted(found, key=lambda t: t != prefix)

    async def delete_session(self, org: str, session_id: str) -> int:
        """Delete the session's completions (each as DeleteCompletion does); how many. The session is kept."""
        require_lookup_ids(session_id=session_id)
        return await asyncio.to_thread(self.store.delete_session_completions, org, session_id, SESSION_DELETE_BATCH)

    async def merge_session_metadata(self, org: str, session_id: str, changes: Mapping[str, Any]) -> SessionRecord:
        """Set keys of a session's metadata; NotFound when the organization has no such session."""
        require_lookup_ids(session_id=session_id)
        merged = await asyncio.to_thread(self.store.merge_session_metadata, org, session_id, changes)
        if merged is None:
            raise NotFound(f"session {session_id!r} not found")
        found = await asyncio.to_thread(self.sessions.get, org, session_id)
        if found is None:
            raise NotFound(f"session {session_id!r} not found")
        return found
