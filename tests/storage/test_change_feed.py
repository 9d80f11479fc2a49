"""The live tail's change feed: writes made by other processes reach a tail, however many there are."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine
from tenlog_server.domain.clock import now_us
from tenlog_server.domain.model import CompletionFilter, CompletionRecord
from tenlog_server.domain.tail import TailBus
from tenlog_server.storage.change_feed import changed_since
from tenlog_server.storage.completion_store import CompletionStore


@pytest.mark.asyncio
async def test_feed_drains_more_writes_than_one_page(engine: Engine, unique: str) -> None:
    bus = TailBus(lambda since_us, limit: changed_since(engine, since_us, limit), page_size=10)
    org = f"feed-{unique}"
    live = asyncio.Event()
    received: list[str] = []

    async def on_live() -> None:
        live.set()

    async def consume() -> None:
        async for event in bus.subscribe(org, CompletionFilter(), on_live=on_live):
            received.append(event.record.id)
            if len(received) == 35:
                return

    consumer = asyncio.create_task(consume())
    await live.wait()
    start = now_us()
    ids = [f"w{i}" for i in range(35)]
    # Straight to storage, as another process or server writes: this bus's publish never sees them.
    CompletionStore(engine).upsert_batch(
        [(org, CompletionRecord(id=cid, created_at_us=start + i, updated_at_us=start + i)) for i, cid in enumerate(ids)]
    )
    await asyncio.wait_for(consumer, 15)
    assert sorted(received) == sorted(ids)
