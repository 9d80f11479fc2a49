"""Ungraded completions: what still waits for feedback.

A completion is ungraded for a feedback task when the task's tag selector
matches it and no feedback is attached to it yet (feedback of any task grades
it). Listing ungraded completions without a task asks across every task of the
organization; a task without a selector asks about every completion.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from .errors import NotFound
from .model import CompletionRecord, Page
from .stores import CompletionStore, FeedbackStore
from .tag_selector import TagSelector


def is_ungraded(tags: Iterable[str], graded: bool, selectors: Iterable[TagSelector]) -> bool:
    """Whether a completion with these tags (and feedback attached, if graded) is ungraded for the selectors."""
    tags = set(tags)
    return not graded and any(selector.matches(tags) for selector in selectors)


def essential_selectors(selectors: Iterable[TagSelector]) -> list[TagSelector]:
    """The selectors that select the same completions, without repeats or selectors another one covers.

    A selector whose tags include all of another's selects nothing more than it,
    so the store runs one query fewer; the empty selector covers every other.
    """
    unique = list(dict.fromkeys(selectors))
    return [
        s
        for i, s in enumerate(unique)
        if not any(other.covers(s) for j, other in enumerate(unique) if j != i and other.tags != s.tags)
    ]


async def list_ungraded(
    completions: CompletionStore, feedback: FeedbackStore, org: str, task_id: str, page: Page
) -> list[CompletionRecord]:
    """Ungraded completions of one task (NotFound when it does not exist), or of every task; newest first."""
    selectors = await asyncio.to_thread(feedback.all_selectors, org, task_id)
    if task_id and not selectors:
        raise NotFound(f"feedback task {task_id!r} not found")
    if not selectors:
        return []
    return await asyncio.to_thread(completions.list_ungraded, org, essential_selectors(selectors), page)
