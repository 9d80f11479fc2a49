"""The completion use cases: create (upsert), batch create, update, get, delete, list, ungraded."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .clock import new_id, now_us
from .completion_aggregates import AggregateGroup
from .completion_cost import fill_cost
from .completion_query import CompletionQuery, QueryPage, encode_query_token
from .completion_rules import DEFAULT_KIND, completion_violations, could_exist, lift_fields
from .errors import FieldViolation, InvalidArgument, NotFound, ResourceExhausted
from .input_contract import text_violations
from .limits import MAX_ID_LENGTH, OFF_LOOP_BYTES
from .lookup_ids import require_filter_text, require_lookup_ids
from .model import CompletionFilter, CompletionRecord, Page, UpsertResult
from .pagination import bounded_by_bytes, row_bytes
from .pricing import PriceTable, built_in_prices
from .rate_limits import RateLimits
from .stores import CompletionStore, FeedbackStore, Overloaded, WriteQueue
from .tag_selector import selector_violations
from .ungraded import list_ungraded
from .update_mask import apply_update, mask_attributes

_LIFTED = ("model", "prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens", "reasoning_tokens")


@dataclass(slots=True)
class Rejected:
    """One item of a batch that was not stored, and why."""

    index: int
    id: str
    reason: str
    violations: list[FieldViolation] = field(default_factory=list)


@dataclass(slots=True)
class BatchOutcome:
    """Accepted (committed) items and rejected ones of a batch."""

    accepted: list[tuple[int, CompletionRecord]]
    rejected: list[Rejected]


def check_filter(flt: CompletionFilter) -> None:
    """Refuse a listing or tail filter past the limits (each tag condition costs an index probe)."""
    violations = selector_violations("tags", flt.tags)
    for name in ("session_id", "model"):
        violations += text_violations(name, getattr(flt, name), MAX_ID_LENGTH)
    if violations:
        raise InvalidArgument("the filter is not valid", violations, reason="FILTER_TOO_LARGE")


class CompletionsService:
    """Completion rules on top of the completion store and the group-commit writer."""

    def __init__(
        self,
        store: CompletionStore,
        feedback: FeedbackStore,
        batcher: WriteQueue,
        rate_limits: RateLimits | None = None,
        prices: PriceTable | None = None,
    ) -> None:
        self.store = store
        self.feedback = feedback
        self.batcher = batcher
        self.rate_limits = rate_limits or RateLimits()
        self.prices = built_in_prices() if prices is None else prices

    def prepare(self, rec: CompletionRecord, prefix: str = "completion.") -> CompletionRecord:
        """Validate a completion and fill what the server owns: id, defaults, lifted fields, times."""
        if not rec.status:
            rec.status = "finished" if rec.response else "started"
        if not rec.kind:
            rec.kind = DEFAULT_KIND
        violations = completion_violations(rec, prefix)
        if violations:
            raise InvalidArgument("the completion is not valid", violations)
        if not rec.id:
            rec.id = new_id()
        lift_fields(rec)
        fill_cost(rec, self.prices)
        rec.created_at_us = rec.updated_at_us = now_us()
        return rec

    async def _write(
        self, items: Sequence[tuple[str, CompletionRecord]], *, wait_for_room: bool = False
    ) -> list[UpsertResult]:
        try:
            return await self.batcher.submit(items, wait_for_room=wait_for_room)
        except Overloaded as exc:
            raise ResourceExhausted(str(exc), retry_after=exc.retry_after, reason="WRITE_QUEUE_FULL") from exc

    async def create(self, org: str, rec: CompletionRecord) -> CompletionRecord:
        """Create or upsert one completion; returns it as committed."""
        if row_bytes(rec) > OFF_LOOP_BYTES:
            await asyncio.to_thread(self.prepare, rec)  # checking a large one would stall other calls
        else:
            self.prepare(rec)
        self.rate_limits.admit_completions(org, 1)
        (result,) = await self._write([(org, rec)])
        return result.record

    async def create_many(
        self,
        org: str,
        recs: Sequence[CompletionRecord | Rejected],
        *,
        first_index: int = 0,
        wait_for_room: bool = False,
    ) -> BatchOutcome:
        """Validate each item alone, then commit every valid one; bad items never sink good ones.

        Items already rejected by the caller are passed through. Indexes count from
        first_index (a stream's position); wait_for_room makes a full queue slow the
        caller down instead of failing it.
        """
        size = sum(row_bytes(rec) for rec in recs if not isinstance(rec, Rejected))
        if size > OFF_LOOP_BYTES:  # checking a large batch would stall other calls
            valid, rejected = await asyncio.to_thread(self._prepare_many, recs, first_index)
        else:
            valid, rejected = self._prepare_many(recs, first_index)
        if valid and wait_for_room:
            await self.rate_limits.pace_completions(org, len(valid))
        elif valid:
            self.rate_limits.admit_completions(org, len(valid))
        if valid:
            results = await self._write([(org, rec) for _, rec in valid], wait_for_room=wait_for_room)
            valid = [(i, res.record) for (i, _), res in zip(valid, results, strict=True)]
        return BatchOutcome(valid, sorted(rejected, key=lambda r: r.index))

    def _prepare_many(
        self, recs: Sequence[CompletionRecord | Rejected], first_index: int
    ) -> tuple[list[tuple[int, CompletionRecord]], list[Rejected]]:
        """The items prepared (with their indexes), and those rejected."""
        valid: list[tuple[int, CompletionRecord]] = []
        rejected: list[Rejected] = []
        for i, rec in enumerate(recs, start=first_index):
            if isinstance(rec, Rejected):
                rejected.append(rec)
                continue
            try:
                valid.append((i, self.prepare(rec, prefix=f"completions[{i}].")))
            except InvalidArgument as exc:
                rejected.append(Rejected(i, rec.id, exc.message, exc.violations))
        return valid, rejected

    async def update(
        self, org: str, completion_id: str, paths: Sequence[str], values: CompletionRecord
    ) -> CompletionRecord:
        """Replace the fields named by the mask paths with those of `values` (domain.update_mask)."""
        mask_attributes(paths)  # a bad mask is refused before anything is read
        return await self._update_stored(org, completion_id, lambda _: (paths, values))

    async def update_from_current(
        self, org: str, completion_id: str, changes_of: Callable[[CompletionRecord], dict[str, Any]]
    ) -> CompletionRecord:
        """Read, change, write as one: `changes_of(stored)` gives the fields to replace ({}: nothing changes).

        It runs while no other write can change the completion, so a merge (a
        vendor's metadata PATCH) never drops what a concurrent one added.
        """

        def masked(stored: CompletionRecord) -> tuple[Sequence[str], CompletionRecord]:
            changes = changes_of(stored)
            return list(changes), CompletionRecord(completion_id, **changes)

        return await self._update_stored(org, completion_id, masked)

    async def _update_stored(
        self,
        org: str,
        completion_id: str,
        masked: Callable[[CompletionRecord], tuple[Sequence[str], CompletionRecord]],
    ) -> CompletionRecord:
        """Apply the update `masked(stored)` describes (mask paths, values) in the store's write transaction."""
        changed: list[bool] = []

        def changes_of(stored: CompletionRecord) -> dict[str, Any]:
            paths, values = masked(stored)
            if not paths:
                return {}
            changes = apply_update(stored, paths, values)
            # A completion first logged without usage (status started) is priced once its tokens arrive.
            priced = replace(stored, **changes)
            fill_cost(priced, self.prices)
            changes["cost"] = priced.cost
            changes["updated_at_us"] = now_us()
            changed.append(True)
            return changes

        updated = (
            await asyncio.to_thread(self.store.update, org, completion_id, changes_of)
            if could_exist(completion_id)
            else None
        )
        if updated is None:
            raise NotFound(f"completion {completion_id!r} not found")
        if changed:
            self.batcher.notify([UpsertResult(updated, created=False, applied=True)])
        return updated

    async def get(self, org: str, completion_id: str) -> CompletionRecord:
        """One completion; NotFound when it is not in the organization."""
        rec = await asyncio.to_thread(self.store.get, org, completion_id) if could_exist(completion_id) else None
        if rec is None:
            raise NotFound(f"completion {completion_id!r} not found")
        return rec

    async def delete(self, org: str, completion_id: str) -> None:
        """Delete a completion with its tags and feedback links; returns once committed.

        The feedback itself is kept (see DeleteCompletion in the proto). NotFound
        when the organization has no such completion.
        """
        if not completion_id:
            raise InvalidArgument("id is required", [FieldViolation("id", "is required")])
        if not could_exist(completion_id) or not await asyncio.to_thread(self.store.delete, org, completion_id):
            raise NotFound(f"completion {completion_id!r} not found")

    async def list_completions(self, org: str, flt: CompletionFilter, page: Page) -> list[CompletionRecord]:
        """Completions matching the filter, newest first."""
        check_filter(flt)
        require_filter_text(flt)
        return await asyncio.to_thread(self.store.list_completions, org, flt, page)

    async def query(self, org: str, query: CompletionQuery, page: QueryPage) -> tuple[list[CompletionRecord], str]:
        """A page of the completions matching the query, and the next page's token ('' on the last)."""
        require_filter_text(query.fixed)
        # A page of large rows holds fewer of them (bounded by bytes) and still carries the next token.
        rows, more = bounded_by_bytes(await asyncio.to_thread(self.store.query_completions, org, query, page))
        token = ""
        if rows and (len(rows) == page.limit or more) and not page.offset:
            last = rows[-1]
            field = query.order.field
            value = last.created_at_us if field == "created_at" else getattr(last, field)
            token = encode_query_token(org, query, value, last.id)
        return rows, token

    async def aggregate(
        self, org: str, query: CompletionQuery, group_by: Sequence[str], interval_us: int | None
    ) -> list[AggregateGroup]:
        """Counts, sums and exact duration percentiles of the query's completions, by group and time bucket."""
        return await asyncio.to_thread(self.store.aggregate, org, query, group_by, interval_us)

    async def list_ungraded(self, org: str, task_id: str, page: Page) -> list[CompletionRecord]:
        """Completions some task's selector (or the given task's) matches that have no feedback yet."""
        require_lookup_ids(task_id=task_id)
        return await list_ungraded(self.store, self.feedback, org, task_id, page)
