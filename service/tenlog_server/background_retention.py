"""The server's retention task: prune old completions at start, then every interval, until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from tenlog_server.config import ServerConfig
from tenlog_server.domain.retention import parse_duration, prune_completions, retention_enabled
from tenlog_server.domain.stores import CompletionStore

log = logging.getLogger(__name__)


class BackgroundRetention:
    """Deletes completions older than a duration, in the background of one server process."""

    def __init__(self, store: CompletionStore, older_than_seconds: float, interval_seconds: float) -> None:
        self.store = store
        self.older_than_seconds = older_than_seconds
        self.interval_seconds = interval_seconds
        self._stopping = threading.Event()  # read by the prune's thread between batches
        self._wake = asyncio.Event()  # ends the wait between prunes at shutdown
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start pruning on the running loop: once now, then every interval."""
        self._task = asyncio.create_task(self._run(), name="tenlog-retention")

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                deleted = await asyncio.to_thread(
                    prune_completions, self.store, self.older_than_seconds, keep_going=self._keep_going
                )
                if deleted:
                    log.info("retention: deleted %d completions", deleted)
            except Exception:  # a database hiccup must not end retention for the life of the server
                log.exception("retention: prune failed; retrying in %g s", self.interval_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval_seconds)

    def _keep_going(self) -> bool:
        return not self._stopping.is_set()

    async def stop(self) -> None:
        """Stop after the batch in progress (if any) commits."""
        self._stopping.set()
        self._wake.set()
        if self._task is None:
            return
        # Not cancelled: a cancelled task would leave the prune's thread running on a disposed engine.
        await self._task
        self._task = None


def start_background_retention(config: ServerConfig, store: CompletionStore) -> BackgroundRetention | None:
    """Start pruning when config.retention names a duration (the first prune runs at once); None when off."""
    if not retention_enabled(config.retention):
        return None
    retention = BackgroundRetention(store, parse_duration(config.retention), config.retention_interval_seconds)
    retention.start()
    log.info("retention: deleting completions older than %s every %g s", config.retention, retention.interval_seconds)
    return retention
