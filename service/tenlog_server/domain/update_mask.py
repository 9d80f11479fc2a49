"""The update mask: which fields of a completion an update replaces, and what the result is.

An update names fields by the paths of the Completion message (`status`,
`tags`, `organization_id`...). Fields it does not name are kept. Unknown or
server-owned paths (`id`, `created_at`, `source`) are refused, all of them at
once, before anything is read or written. The updated completion must still be
valid, and lifting the model and token counts from the request and response
follows a changed request or response.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from .completion_rules import DEFAULT_KIND, completion_violations, lift_fields
from .errors import FieldViolation, InvalidArgument
from .model import CompletionRecord

# Mask path (Completion message field) -> record attribute. The message names the
# client's organization_id; the record keeps it as reported_organization_id.
PATH_TO_ATTRIBUTE = {
    path: path
    for path in (
        "kind",
        "status",
        "tags",
        "request",
        "response",
        "stacktrace",
        "session_id",
        "duration",
        "failure_kind",
        "failure_reason",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "cached_tokens",
        "reasoning_tokens",
        "cost",
        "metadata",
        "extra",
    )
} | {"organization_id": "reported_organization_id"}
LIFTED = (
    "model",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cached_tokens",
    "reasoning_tokens",
)  # recomputed with request/response


def mask_attributes(paths: Iterable[str], field: str = "update_mask.paths") -> list[str]:
    """The record attributes the paths name, in order; InvalidArgument naming every path that cannot be updated."""
    paths = list(dict.fromkeys(paths))
    unknown = [p for p in paths if p not in PATH_TO_ATTRIBUTE]
    if unknown:
        raise InvalidArgument(
            "update_mask names fields that cannot be updated",
            [FieldViolation(field, f"{p!r} is not an updatable Completion field") for p in unknown],
        )
    return [PATH_TO_ATTRIBUTE[p] for p in paths]


def apply_update(current: CompletionRecord, paths: Sequence[str], values: CompletionRecord) -> dict[str, Any]:
    """The attributes to write when `values` replaces the masked fields of `current` (current is not changed).

    Raises InvalidArgument for a bad mask or when the result would not be a valid completion.
    """
    attributes = mask_attributes(paths)
    updated = replace(current, **{name: getattr(values, name) for name in attributes})
    if "kind" in attributes and not updated.kind:
        updated.kind = DEFAULT_KIND
    violations = completion_violations(updated, "completion.")
    if violations:
        raise InvalidArgument("the completion is not valid", violations)
    if {"request", "response"} & set(attributes):
        lift_fields(updated)
    return {name: getattr(updated, name) for name in [*attributes, *LIFTED]}
