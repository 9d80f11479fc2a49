"""The reads of Log10's legacy SDK and CLI (log10-io): its query parameters as tenlog filters.

log10-io names its organization in the query (`organization_id`), filters
completions by tag ids (tenlog's tag ids are the tags themselves) and by a
JSON created-at range `{"from": ISO, "to": ISO}`, and always asks for newest
first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from ..errors import FieldViolation, InvalidArgument, PermissionDenied
from ..model import CompletionFilter

# log10-io's word for a completion of kind prompt.
LEGACY_KIND = {"prompt": "completion"}


def check_named_organization(named: str, org: str) -> None:
    """log10-io repeats its organization in the query: it must be the caller's (or absent)."""
    if named and named != org:
        raise PermissionDenied(f"the API key is not valid for organization {named!r} (organization_id)")


@dataclass(slots=True)
class LegacyListing:
    """A legacy listing as tenlog filters: the completion filter, and ids when the caller named some."""

    filter: CompletionFilter
    ids: list[str] = field(default_factory=list)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _iso_us(value: object, where: str) -> int:
    if not isinstance(value, str):
        raise InvalidArgument("createdFilter is not valid", [FieldViolation(where, "must be an ISO 8601 time")])
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(
            "createdFilter is not valid", [FieldViolation(where, f"{value!r} is not an ISO 8601 time")]
        ) from None
    if moment.tzinfo is None:
        raise InvalidArgument("createdFilter is not valid", [FieldViolation(where, "must name its time zone")])
    return int(moment.timestamp() * 1_000_000)


def legacy_listing(tag_filter: str, created_filter: str, sort: str, desc: bool | None, ids: str) -> LegacyListing:
    """The filter log10-io's `/api/completions` query asks for; bad values name their parameter."""
    violations = []
    if sort not in ("", "created_at"):
        violations.append(FieldViolation("sort", "only created_at is supported"))
    if desc is False:
        violations.append(FieldViolation("desc", "only newest first (desc=true) is supported"))
    if violations:
        raise InvalidArgument("the listing is not supported", violations)
    listing = LegacyListing(CompletionFilter(tags=_split(tag_filter)), ids=_split(ids))
    text = created_filter.strip()
    if text:
        try:
            window = json.loads(text)
        except ValueError:
            raise InvalidArgument(
                "createdFilter is not valid", [FieldViolation("createdFilter", "must be JSON")]
            ) from None
        if not isinstance(window, dict):
            raise InvalidArgument(
                "createdFilter is not valid", [FieldViolation("createdFilter", 'must be {"from": ..., "to": ...}')]
            )
        if window.get("from") is not None:
            listing.filter.created_after_us = _iso_us(window["from"], "createdFilter.from")
        if window.get("to") is not None:
            listing.filter.created_before_us = _iso_us(window["to"], "createdFilter.to")
    return listing
