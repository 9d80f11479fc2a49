"""REST ingest throughput: POST /api/v1/completions through the HTTP gateway at a fixed concurrency."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from typing import Any

import aiohttp

CREATED = 201


def _percentile(sorted_ms: list[float], fraction: float) -> float:
    if not sorted_ms:
        return 0.0
    index = min(len(sorted_ms) - 1, max(0, round(fraction * (len(sorted_ms) - 1))))
    return sorted_ms[index]


async def run_rest_ingest(
    http_url: str, key: str, payload: dict[str, Any], concurrency: int, seconds: float
) -> dict[str, float]:
    """Post `payload` as new completions from `concurrency` workers for `seconds`.

    Every request gets a fresh id so each one is a real insert; a non-201 answer
    stops the run with an error (a benchmark of failures measures nothing).
    Returns {"rps", "p50_ms", "p99_ms"} over the successful requests.
    """
    url = http_url.rstrip("/") + "/api/v1/completions"
    headers = {"X-Log10-Token": key, "Content-Type": "application/json"}
    latencies_ms: list[float] = []
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)

    async def worker(session: aiohttp.ClientSession) -> None:
        while time.perf_counter() < deadline:
            body = json.dumps({**payload, "id": str(uuid.uuid4())})
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                text = await response.read()
                if response.status != CREATED:
                    raise RuntimeError(f"POST {url} answered {response.status}: {text[:300]!r}")
            latencies_ms.append((time.perf_counter() - started) * 1000)

    began = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    latencies_ms.sort()
    return {
        "rps": len(latencies_ms) / elapsed if elapsed > 0 else 0.0,
        "p50_ms": statistics.median(latencies_ms) if latencies_ms else 0.0,
        "p99_ms": _percentile(latencies_ms, 0.99),
    }
