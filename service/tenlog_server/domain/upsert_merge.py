"""The upsert merge: how writes of one completion id combine.

Log10 clients choose completion ids and write the same id more than once (a
`started` write, then the `finished` one). The rules:

- A client-chosen id never makes a second completion: a write to an existing id
  replaces it and keeps its creation time.
- A late `started` never moves a finished or failed completion back (the two
  writes of a streaming client can arrive in either order). Storage enforces this
  one again atomically in SQL, against writers in other processes, with the
  same predicate (`started_may_replace`).
- Writes repeating an id in one batch apply in order, as if sent one by one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from .model import TERMINAL_STATUSES, CompletionRecord, UpsertResult

Key = tuple[str, str]  # (organization, completion id)


def started_may_replace(incoming_status: str, stored_status: str | None) -> bool:
    """Whether a write with incoming_status may replace a stored completion (stored_status None: there is none).

    Only a `started` write over a finished or failed completion is refused.
    """
    return incoming_status != "started" or stored_status not in TERMINAL_STATUSES


@dataclass(frozen=True, slots=True)
class Stored:
    """What the merge needs of a completion already stored."""

    status: str
    created_at_us: int


@dataclass(slots=True)
class MergedBatch:
    """The outcome of merging a batch of writes with what is stored.

    writes: the record to write per key (the last applicable write of the key).
    results: one per input item, in order. An ignored late `started` whose key has
    no earlier write in the batch carries the incoming record as a placeholder;
    its key is in `unchanged`, and storage puts the stored row in its place.
    sources: per key, the input record whose write stands (writes holds a copy of
    it with the kept creation time), for what storage derived from the inputs.
    """

    writes: dict[Key, CompletionRecord] = field(default_factory=dict)
    sources: dict[Key, CompletionRecord] = field(default_factory=dict)
    results: list[UpsertResult] = field(default_factory=list)
    unchanged: set[Key] = field(default_factory=set)


def merge_batch(items: Sequence[tuple[str, CompletionRecord]], stored: Mapping[Key, Stored]) -> MergedBatch:
    """Fold (organization, record) writes in order over the stored completions of their keys."""
    merged = MergedBatch()
    for org, rec in items:
        key = (org, rec.id)
        earlier = merged.writes.get(key)
        prior_status = earlier.status if earlier else (stored[key].status if key in stored else None)
        if not started_may_replace(rec.status, prior_status):
            if earlier is None:
                merged.unchanged.add(key)
            merged.results.append(UpsertResult(earlier or rec, created=False, applied=False))
            continue
        merged.sources[key] = rec
        if key in stored:
            rec = replace(rec, created_at_us=stored[key].created_at_us)
        elif earlier is not None:
            rec = replace(rec, created_at_us=earlier.created_at_us)
        rec.organization_id = org
        merged.writes[key] = rec
        merged.results.append(UpsertResult(rec, created=key not in stored and earlier is None, applied=True))
    return merged
