"""Optional per-organization rate limits, so one tenant's flood cannot starve the others.

Token buckets, one per organization and kind (requests, completions), filled at
the configured rate with up to one second of burst. Off (rate 0) by default.
A unary call past its budget is refused with RESOURCE_EXHAUSTED and the delay
after which the bucket holds enough again; a stream waits that long instead.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from .errors import ResourceExhausted

MAX_TRACKED_ORGANIZATIONS = 100_000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


@dataclass(slots=True)
class TokenBuckets:
    """One bucket per organization: `rate` tokens per second, holding at most `burst`."""

    rate: float
    burst: float
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def take(self, org: str, amount: float, now: float | None = None) -> float:
        """Take `amount` tokens; 0.0 when granted, else the seconds until they would be there (nothing taken)."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(org)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED_ORGANIZATIONS:
                self._buckets.clear()
            bucket = self._buckets[org] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        # A request larger than the burst is granted from a full bucket (and leaves it in debt).
        needed = min(amount, self.burst)
        if bucket.tokens >= needed:
            bucket.tokens -= amount
            return 0.0
        return (needed - bucket.tokens) / self.rate


class RateLimits:
    """The requests/s and completions/s budgets of every organization."""

    def __init__(self, requests_per_second: float = 0.0, completions_per_second: float = 0.0) -> None:
        self.requests = TokenBuckets(requests_per_second, max(1.0, requests_per_second))
        self.completions = TokenBuckets(completions_per_second, max(1.0, completions_per_second))

    @property
    def enabled(self) -> bool:
        """True when any limit is set."""
        return self.requests.rate > 0 or self.completions.rate > 0

    def admit_request(self, org: str) -> None:
        """Count one call of the organization; ResourceExhausted past its budget."""
        wait = self.requests.take(org, 1)
        if wait:
            raise ResourceExhausted(
                f"organization {org!r} is over its limit of {self.requests.rate:g} requests per second "
                "(TENLOG_ORG_REQUESTS_PER_SECOND)",
                retry_after=wait,
                reason="ORG_RATE_LIMITED",
            )

    def admit_completions(self, org: str, count: int) -> None:
        """Count `count` completions written by a unary call; ResourceExhausted past the budget."""
        wait = self.completions.take(org, count)
        if wait:
            raise ResourceExhausted(
                f"organization {org!r} is over its limit of {self.completions.rate:g} completions per second "
                "(TENLOG_ORG_COMPLETIONS_PER_SECOND)",
                retry_after=wait,
                reason="ORG_RATE_LIMITED",
            )

    async def pace_completions(self, org: str, count: int) -> None:
        """Count `count` completions of a stream, waiting for the budget rather than failing."""
        while wait := self.completions.take(org, count):
            await asyncio.sleep(wait)
