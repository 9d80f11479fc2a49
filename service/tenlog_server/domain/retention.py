"""Retention: delete completions older than a duration, a bounded batch per transaction."""

from __future__ import annotations

import re
from collections.abc import Callable

from .clock import now_us
from .stores import CompletionStore

# A few thousand rows per transaction: each holds the SQLite write lock for a
# fraction of a second, so live writes keep flowing during a large prune.
DEFAULT_BATCH_SIZE = 2000

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")


def parse_duration(text: str) -> float:
    """Seconds in a duration like 30d, 12h, 90m, 45s or 2w (combinations like 1d12h too).

    Raises ValueError naming the accepted forms when the text is not one, or is zero.
    """
    compact = text.strip().lower()
    parts = _DURATION.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise ValueError(f"{text!r} is not a duration: use a number and a unit s, m, h, d or w (e.g. 30d, 12h)")
    seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return seconds


def retention_enabled(setting: str) -> bool:
    """Whether a retention setting (TENLOG_RETENTION, --retention) turns pruning on: empty or `off` leave it off."""
    return setting.strip().lower() not in ("", "off")


def prune_completions(
    store: CompletionStore,
    older_than_seconds: float,
    *,
    org: str = "",
    batch_size: int = DEFAULT_BATCH_SIZE,
    keep_going: Callable[[], bool] = lambda: True,
) -> int:
    """Delete completions created more than older_than_seconds ago (of one organization, or of all).

    Each batch is its own transaction, deleting the completions with their tag
    rows and feedback links (feedback itself is kept, as DeleteCompletion does).
    The cutoff is fixed when the prune starts. keep_going is checked between
    batches so a server can stop a prune at shutdown. Returns how many were deleted.
    """
    cutoff_us = now_us() - int(older_than_seconds * 1_000_000)
    deleted = 0
    for organization in [org] if org else store.organizations_with_completions():
        while keep_going():
            count = store.delete_created_before(organization, cutoff_us, batch_size)
            deleted += count
            if count < batch_size:
                break
    return deleted
