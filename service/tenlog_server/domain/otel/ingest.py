"""OTLP export use cases: spans and log records in, completions and feedback stored, an OTLP answer out.

Writes go through CompletionsService.create_many (the group-commit writer): an export
is answered once everything it stored is committed. A call's span and its log records
are joined by trace and span id in whichever order they arrive, through the stored
completion `<trace>-<span>` (see span_completions); the read-merge-write of one trace
is serialized within this process.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from tenlog_server.domain.model import CompletionFilter, CompletionRecord, Page

from ..completions import CompletionsService, Rejected
from ..errors import DomainError
from ..feedback import FeedbackService, FeedbackTasksService
from ..feedback_matching import FeedbackUpload
from ..named_feedback import NamedFeedback
from .evaluation_feedback import EVALUATION_EVENT, Evaluation, evaluation_of
from .genai_events import CONTENT_EVENTS, event_name, stored_event
from .llm_call import has_content
from .model import OtelLogRecord, OtelSpan, completion_id, trace_tag
from .span_completions import (
    RESPONSE_TAG_PREFIX,
    is_pending,
    log_completion,
    merge,
    otel_meta,
    span_call,
    span_completion,
    span_window_contains,
)

# A log record whose span id names the LLM span's parent (OpenLLMetry's streamed gen_ai.choice)
# joins the child span whose times contain the record's time, give or take this much (one clock: the SDK's).
JOIN_SLACK_NS = 50_000_000
_TRACE_SCAN_LIMIT = 200  # completions of one trace looked at for that fallback
_SESSION_KEYS = ("gen_ai.conversation.id", "session.id")


@dataclass(slots=True)
class ExportResult:
    """What an export stored and what it refused, for the OTLP answer."""

    stored: int = 0
    rejected: int = 0
    ignored: int = 0  # accepted, not LLM calls: not stored
    feedback: int = 0
    problems: list[str] = field(default_factory=list)

    def message(self, unit: str) -> str:
        """The partial_success message: what was refused and why, and what was not stored."""
        parts = list(dict.fromkeys(self.problems))[:5]
        if self.ignored:
            parts.append(f"{self.ignored} {unit} are not LLM calls and were accepted without being stored")
        return "; ".join(parts)


class KeyedLocks:
    """Serializes work on overlapping keys (trace ids) within this process; disjoint keys run concurrently."""

    def __init__(self) -> None:
        self._busy: dict[str, asyncio.Future[None]] = {}

    @asynccontextmanager
    async def hold(self, keys: Iterable[str]) -> AsyncIterator[None]:
        """Wait until no other holder has any of the keys, then hold them all."""
        wanted = set(keys)
        while busy := {self._busy[k] for k in wanted if k in self._busy}:
            await asyncio.wait(busy)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        for key in wanted:
            self._busy[key] = done
        try:
            yield
        finally:
            for key in wanted:
                if self._busy.get(key) is done:
                    del self._busy[key]
            done.set_result(None)


def _session(span: OtelSpan, by_id: dict[str, OtelSpan], own: str) -> str:
    """The span's session, else the nearest ancestor's in the same export that names one."""
    if own:
        return own
    seen = {span.span_id}
    parent = by_id.get(span.parent_span_id)
    while parent is not None and parent.span_id not in seen:
        for key in _SESSION_KEYS:
            value = parent.attributes.get(key)
            if isinstance(value, str | int) and str(value).strip():
                return str(value).strip()
        seen.add(parent.span_id)
        parent = by_id.get(parent.parent_span_id)
    return ""


class OtelIngest:
    """Turns OTLP exports into completions and feedback."""

    def __init__(self, completions: CompletionsService, tasks: FeedbackTasksService, feedback: FeedbackService) -> None:
        self.completions = completions
        self.named_feedback = NamedFeedback(tasks, feedback)
        self.locks = KeyedLocks()

    async def _existing(self, org: str, ids: Sequence[str]) -> dict[str, CompletionRecord]:
        return await asyncio.to_thread(self.completions.store.get_many, org, list(dict.fromkeys(ids)))

    async def _write(self, org: str, records: list[CompletionRecord], result: ExportResult) -> None:
        outcome = await self.completions.create_many(org, records)
        result.stored += len(outcome.accepted)
        result.rejected += len(outcome.rejected)
        result.problems += [_rejection(r) for r in outcome.rejected]

    async def export_spans(self, org: str, spans: Sequence[OtelSpan]) -> ExportResult:
        """Store the LLM spans as completions; count the rest; evaluation span events become feedback."""
        result = ExportResult()
        by_id = {s.span_id: s for s in spans if s.span_id}
        records: list[CompletionRecord] = []
        parents: list[str] = []  # each record's parent span's completion id ("" for a root)
        evaluations: list[Evaluation] = []
        for span in spans:
            for event in span.events:
                if event.name == EVALUATION_EVENT:
                    found = evaluation_of(event.attributes, span.trace_id, span.span_id, event.time_ns)
                    if found is not None:
                        evaluations.append(found)
            call = span_call(span)
            if call is None:
                result.ignored += 1
                continue
            if len(span.trace_id) != 32 or len(span.span_id) != 16:
                result.rejected += 1
                result.problems.append(f"an LLM span {span.name!r} has no valid trace_id and span_id")
                continue
            records.append(span_completion(span, call, _session(span, by_id, call.session_id)))
            parents.append(completion_id(span.trace_id, span.parent_span_id) if span.parent_span_id else "")
        if records:
            async with self.locks.hold(rec.id.partition("-")[0] + org for rec in records):
                await self._write(org, await self._joined(org, records, parents), result)
        await self._evaluate(org, evaluations, result)
        return result

    async def _joined(self, org: str, records: list[CompletionRecord], parents: list[str]) -> list[CompletionRecord]:
        """The span records merged with what is stored: the same call, and log content parked on the parent span."""
        existing = await self._existing(org, [r.id for r in records] + [p for p in parents if p])
        out: list[CompletionRecord] = []
        for rec in records:
            stored = existing.get(rec.id)
            out.append(merge(rec, stored) if stored is not None else rec)
        # Log content that named the parent's span id (the fallback) moves onto the child whose times hold it.
        for parent_id, stored in existing.items():
            children = [i for i, parent in enumerate(parents) if parent == parent_id]
            if not children or not is_pending(stored):
                continue
            meta = otel_meta(stored)
            left: list[dict[str, Any]] = []
            moved: dict[int, list[dict[str, Any]]] = {}
            for event in meta.get("log_events") or []:
                time_ns = int(event.get("time_unix_nano") or 0)
                holding = [i for i in children if span_window_contains(out[i], time_ns, JOIN_SLACK_NS)]
                holding.sort(key=lambda i: _has_output(out[i]))  # a child still without output first
                if holding:
                    moved.setdefault(holding[0], []).append(event)
                else:
                    left.append(event)
            for i, events in moved.items():
                pending = log_completion(meta["trace_id"], meta["span_id"], events, {})
                pending.id = out[i].id
                out[i] = merge(out[i], pending)
            if moved and left:
                out.append(log_completion(meta["trace_id"], meta["span_id"], left, {}))
            elif moved:
                await self._delete(org, parent_id)
        return out

    async def _delete(self, org: str, completion: str) -> None:
        with contextlib.suppress(DomainError):  # gone already
            await self.completions.delete(org, completion)

    async def export_logs(self, org: str, records: Sequence[OtelLogRecord]) -> ExportResult:
        """Join GenAI content records with their calls; evaluation records become feedback; count the rest."""
        result = ExportResult()
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        resources: dict[tuple[str, str], dict[str, Any]] = {}
        evaluations: list[Evaluation] = []
        for record in records:
            name = event_name(record)
            if name == EVALUATION_EVENT:
                found = evaluation_of(record.attributes, record.trace_id, record.span_id, record.time_ns, record.body)
                if found is None:
                    result.rejected += 1
                    result.problems.append("a gen_ai.evaluation.result record has no gen_ai.evaluation.name")
                else:
                    evaluations.append(found)
            elif name in CONTENT_EVENTS:
                if len(record.trace_id) != 32 or len(record.span_id) != 16:
                    result.rejected += 1
                    result.problems.append(f"a {name} record has no trace_id and span_id to join its call by")
                    continue
                key = (record.trace_id, record.span_id)
                groups.setdefault(key, []).append(stored_event(record, name))
                resources.setdefault(key, record.resource)
            else:
                result.ignored += 1
        if groups:
            async with self.locks.hold(trace + org for trace, _ in groups):
                await self._write(org, await self._log_records(org, groups, resources), result)
        await self._evaluate(org, evaluations, result)
        return result

    async def _log_records(
        self,
        org: str,
        groups: dict[tuple[str, str], list[dict[str, Any]]],
        resources: dict[tuple[str, str], dict[str, Any]],
    ) -> list[CompletionRecord]:
        existing = await self._existing(org, [completion_id(t, s) for t, s in groups])
        out: dict[str, CompletionRecord] = {}
        for (trace, span), events in groups.items():
            pending = log_completion(trace, span, events, resources[(trace, span)])
            stored = out.get(pending.id) or existing.get(pending.id)
            if stored is None or is_pending(stored):
                # No call with this span id yet: the span id may be the LLM span's parent's.
                child = await self._child_holding(org, trace, span, events)
                if child is not None:
                    pending.id = child.id
                    stored = out.get(child.id) or child
            out[pending.id] = merge(pending, stored) if stored is not None else pending
        return list(out.values())

    async def _child_holding(
        self, org: str, trace: str, parent_span: str, events: list[dict[str, Any]]
    ) -> CompletionRecord | None:
        """A stored LLM span of the trace, child of parent_span, whose times hold the events (no output first)."""
        page = Page(limit=_TRACE_SCAN_LIMIT)
        found = await self.completions.list_completions(org, CompletionFilter(tags=[trace_tag(trace)]), page)
        times = [int(e.get("time_unix_nano") or 0) for e in events]
        candidates = [
            r
            for r in found
            if not is_pending(r)
            and otel_meta(r).get("parent_span_id") == parent_span
            and all(span_window_contains(r, t, JOIN_SLACK_NS) for t in times)
        ]
        if not candidates:
            return None
        candidates.sort(key=lambda r: _has_output(r))
        return candidates[0]

    async def _evaluate(self, org: str, evaluations: list[Evaluation], result: ExportResult) -> None:
        for evaluation in evaluations:
            target = await self._evaluated(org, evaluation)
            if target is None:
                result.rejected += 1
                result.problems.append(
                    f"evaluation {evaluation.name!r} names no stored completion (by its span or gen_ai.response.id)"
                )
                continue
            upload = FeedbackUpload(
                task_id="",
                json_values=evaluation.values(),
                id=evaluation.feedback_id(),
                comment=evaluation.explanation or "",
                completion_ids=[target],
            )
            try:
                await self.named_feedback.record(org, evaluation.task(), upload)
            except DomainError as exc:
                result.rejected += 1
                result.problems.append(f"evaluation {evaluation.name!r}: {exc.message}")
                continue
            result.feedback += 1

    async def _evaluated(self, org: str, evaluation: Evaluation) -> str | None:
        if evaluation.trace_id and evaluation.span_id:
            candidate = completion_id(evaluation.trace_id, evaluation.span_id)
            if candidate in await self._existing(org, [candidate]):
                return candidate
        if evaluation.response_id:
            flt = CompletionFilter(tags=[RESPONSE_TAG_PREFIX + evaluation.response_id])
            found = await self.completions.list_completions(org, flt, Page(limit=1))
            if found:
                return found[0].id
        return None


def _has_output(rec: CompletionRecord) -> bool:
    return has_content(rec.response.get("choices") if rec.response is not None else None)


def _rejection(rejected: Rejected) -> str:
    where = f" ({rejected.violations[0].field}: {rejected.violations[0].description})" if rejected.violations else ""
    return f"completion {rejected.id!r}: {rejected.reason}{where}"
