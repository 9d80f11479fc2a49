"""Live tail: fan committed completion writes out to subscribers whose filter they match.

Writes committed by this process are delivered at once. Writes committed by
other processes (--workers, or other servers on one PostgreSQL) are found by a
change feed that polls the database by update time while anyone is tailing.
Both paths go through one de-duplication step, so each write is delivered once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from .clock import now_us
from .model import CompletionFilter, CompletionRecord, UpsertResult

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
# A transaction may commit a little after the time it stamped on its rows, so the
# feed re-reads this window behind its cursor and relies on de-duplication.
LAG_US = 2_000_000
SUBSCRIBER_BUFFER = 10_000


@dataclass(slots=True)
class TailEvent:
    """One committed write: created or updated."""

    created: bool
    record: CompletionRecord


_CLOSED = TailEvent(False, CompletionRecord(id=""))


class _Subscriber:
    def __init__(self, org: str, flt: CompletionFilter) -> None:
        self.org = org
        self.flt = flt
        self.selector = flt.selector
        self.queue: asyncio.Queue[TailEvent] = asyncio.Queue(SUBSCRIBER_BUFFER)
        self.dropped = 0
        self.since_us = now_us()
        self.closed = False

    def wants(self, rec: CompletionRecord) -> bool:
        f = self.flt
        return (
            rec.organization_id == self.org
            and rec.updated_at_us >= self.since_us
            and (not f.session_id or rec.session_id == f.session_id)
            and (not f.status or rec.status == f.status)
            and self.selector.matches(rec.tags)
        )


class TailBus:
    """Process-wide fan-out of committed writes to live-tail subscribers."""

    def __init__(self, fetch_changes: Callable[[int, int], list[CompletionRecord]], page_size: int = 5000) -> None:
        self._fetch = fetch_changes
        self._page_size = page_size
        self._subscribers: set[_Subscriber] = set()
        self._seen: OrderedDict[tuple[str, str, int], None] = OrderedDict()
        self._cursor = now_us()
        self._poller: asyncio.Task[None] | None = None
        self.dropped_events = 0  # every event dropped for a slow subscriber since start (metrics)

    def publish(self, results: list[UpsertResult]) -> None:
        """Commit listener: deliver this process's applied writes immediately."""
        if not self._subscribers:
            return
        for result in results:
            if result.applied:
                self._deliver(result.record, result.created)

    def _deliver(self, rec: CompletionRecord, created: bool) -> None:
        key = (rec.organization_id, rec.id, rec.updated_at_us)
        if key in self._seen:
            return
        self._seen[key] = None
        while len(self._seen) > 100_000:
            self._seen.popitem(last=False)
        for sub in self._subscribers:
            if sub.wants(rec):
                try:
                    sub.queue.put_nowait(TailEvent(created, rec))
                except asyncio.QueueFull:  # a stalled reader must not grow memory or stall writers
                    sub.dropped += 1
                    self.dropped_events += 1
                    if sub.dropped == 1:
                        log.warning("a tail of %s is not keeping up; dropping its events", sub.org)

    async def _poll(self) -> None:
        while self._subscribers:
            try:
                await self._read_feed()
            except Exception:  # the feed must survive a database hiccup
                log.exception("tail change feed poll failed")
            await asyncio.sleep(POLL_SECONDS)
        self._poller = None

    async def _read_feed(self) -> None:
        """Read every write since the cursor (less the lag window), a page at a time, until caught up."""
        since = self._cursor - LAG_US
        while True:
            rows = await asyncio.to_thread(self._fetch, since, self._page_size)
            for rec in rows:
                self._deliver(rec, rec.created_at_us == rec.updated_at_us)
            if rows:
                self._cursor = max(self._cursor, rows[-1].updated_at_us)
            if len(rows) < self._page_size or rows[-1].updated_at_us == since:
                return  # caught up (or a page of one instant: the next poll resumes after it)
            since = rows[-1].updated_at_us

    @property
    def subscriber_count(self) -> int:
        """Live tails open in this process."""
        return len(self._subscribers)

    def close(self) -> None:
        """End every subscription (server shutdown): tails finish instead of holding the grace period."""
        for sub in self._subscribers:
            sub.closed = True
            with contextlib.suppress(asyncio.QueueFull):
                sub.queue.put_nowait(_CLOSED)

    async def subscribe(
        self, org: str, flt: CompletionFilter, on_live: Callable[[], Awaitable[None]] | None = None
    ) -> AsyncIterator[TailEvent]:
        """Events for the organization's writes matching the filter, until the caller stops iterating.

        on_live is awaited once the subscription is registered: every write committed
        after that moment is delivered.
        """
        sub = _Subscriber(org, flt)
        if not self._subscribers:
            self._cursor = now_us()
        self._subscribers.add(sub)
        if self._poller is None:
            self._poller = asyncio.create_task(self._poll())
        try:
            if on_live is not None:
                await on_live()
            while not sub.closed:
                event = await sub.queue.get()
                if event is _CLOSED:
                    return
                yield event
        finally:
            if sub.dropped:
                log.warning("a tail of %s ended having dropped %d events", sub.org, sub.dropped)
            self._subscribers.discard(sub)
            if not self._subscribers and self._poller is not None:
                self._poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._poller
                self._poller = None
