"""Group commit for completion writes.

Concurrent calls put their rows on one bounded queue; a writer takes whatever
is waiting (up to a batch size) and commits it in a single transaction, then
answers every caller. Nobody is answered before the commit, and throughput
comes from sharing the commit, not from acknowledging early.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from tenlog_server.domain.model import CompletionRecord, UpsertResult
from tenlog_server.domain.stores import CommitListener, CompletionStore, Overloaded

log = logging.getLogger(__name__)

CommitObserver = Callable[[int, float], None]  # (completions, seconds) of one transaction
GATHER_SECONDS = 0.002  # longest a commit waits for more writes: the latency paid for group commit


@dataclass(slots=True)
class _Entry:
    items: Sequence[tuple[str, CompletionRecord]]
    future: asyncio.Future[list[UpsertResult]]


class WriteBatcher:
    """Batches concurrent completion upserts into shared transactions."""

    def __init__(
        self,
        store: CompletionStore,
        *,
        max_batch: int = 2000,
        max_pending: int = 20000,
        writers: int = 1,
    ) -> None:
        self.store = store
        self.max_batch = max_batch
        self.max_pending = max_pending
        self.writers = writers
        self._queue: deque[_Entry] = deque()
        self._pending = 0
        self._wakeup = asyncio.Event()
        self._drained = asyncio.Event()  # set after each commit: waiting streams re-check for room
        self._tasks: list[asyncio.Task[None]] = []
        self._executor = ThreadPoolExecutor(max_workers=writers, thread_name_prefix="tenlog-writer")
        self._listeners: list[CommitListener] = []
        self._observers: list[CommitObserver] = []
        self._rate = 5000.0  # completions/s, smoothed; sizes the retry hint
        self._queued = 0  # completions waiting for a writer (pending minus those being written)
        self._last_batch = 0
        self.committed = 0
        self.batches = 0

    def add_listener(self, listener: CommitListener) -> None:
        """Call listener(results) on the event loop after every commit (live tail)."""
        self._listeners.append(listener)

    def add_commit_observer(self, observer: CommitObserver) -> None:
        """Call observer(size, seconds) after every committed transaction (metrics)."""
        self._observers.append(observer)

    @property
    def pending(self) -> int:
        """Completions queued or being written."""
        return self._pending

    def start(self) -> None:
        """Start the writer tasks on the running loop."""
        self._tasks = [asyncio.create_task(self._run(), name=f"tenlog-writer-{i}") for i in range(self.writers)]

    async def stop(self) -> None:
        """Finish everything queued, then stop the writers."""
        while self._queue or self._pending:
            self._wakeup.set()
            await asyncio.sleep(0.01)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._executor.shutdown(wait=True)

    def has_room(self, count: int = 1) -> bool:
        """Whether count more completions fit in the queue now (an idle queue takes any one entry)."""
        return self._pending == 0 or self._pending + count <= self.max_pending

    async def submit(
        self, items: Sequence[tuple[str, CompletionRecord]], *, wait_for_room: bool = False
    ) -> list[UpsertResult]:
        """Upsert items; returns once they are committed.

        When the queue is full this raises Overloaded, or with wait_for_room waits
        until a commit makes room (streams slow their reads instead of failing).
        """
        if not self.has_room(len(items)):
            if not wait_for_room:
                raise Overloaded(self._pending, self.max_pending, self.retry_after())
            while not self.has_room(len(items)):
                self._drained.clear()
                await self._drained.wait()
        future: asyncio.Future[list[UpsertResult]] = asyncio.get_running_loop().create_future()
        self._queue.append(_Entry(items, future))
        self._pending += len(items)
        self._queued += len(items)
        self._wakeup.set()
        return await future

    def retry_after(self) -> float:
        """Seconds until the queue has likely drained by half: the RetryInfo hint."""
        return max(0.05, min(5.0, self._pending / 2 / max(self._rate, 1.0)))

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            await self._gather()
            batch: list[_Entry] = []
            count = 0
            while self._queue and (count == 0 or count + len(self._queue[0].items) <= self.max_batch):
                entry = self._queue.popleft()
                batch.append(entry)
                count += len(entry.items)
            self._queued -= count
            self._last_batch = count
            started = time.perf_counter()
            try:
                await self._commit(loop, batch)
            finally:
                self._pending -= count
                self._drained.set()
            elapsed = max(time.perf_counter() - started, 1e-4)
            self._rate = 0.8 * self._rate + 0.2 * (count / elapsed)
            for observer in self._observers:
                observer(count, elapsed)

    async def _gather(self) -> None:
        """Wait briefly for the callers the last commit answered, so their next writes share one commit.

        When fewer completions are queued than the last batch held, those callers
        are likely sending again right now; waiting up to GATHER_SECONDS for them
        turns many tiny transactions into one. An idle or single caller never waits.
        """
        target = min(self._last_batch, self.max_batch)
        deadline = time.monotonic() + GATHER_SECONDS
        while self._queued < target:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), remaining)
            except TimeoutError:
                return

    async def _commit(self, loop: asyncio.AbstractEventLoop, batch: list[_Entry]) -> None:
        items = [item for entry in batch for item in entry.items]
        try:
            results = await loop.run_in_executor(self._executor, self.store.upsert_batch, items)
        except Exception as exc:
            if len(batch) == 1:
                if not batch[0].future.done():
                    batch[0].future.set_exception(exc)
                return
            # One caller's bad rows must not sink the others: retry each alone.
            log.warning("batch of %d writes failed (%s); retrying one by one", len(batch), exc)
            for entry in batch:
                await self._commit(loop, [entry])
            return
        self.committed += len(items)
        self.batches += 1
        offset = 0
        for entry in batch:
            n = len(entry.items)
            if not entry.future.done():
                entry.future.set_result(results[offset : offset + n])
            offset += n
        self.notify(results)

    def notify(self, results: list[UpsertResult]) -> None:
        """Hand committed results to the listeners (also used by writes that bypass batching)."""
        for listener in self._listeners:
            try:
                listener(results)
            except Exception:  # a tail subscriber must never break the write path
                log.exception("commit listener failed")
