"""Tag selectors: a completion matches a selector when it carries every selector tag."""

from __future__ import annotations

from collections.abc import Iterable

from .errors import FieldViolation
from .limits import MAX_FILTER_TAGS, MAX_TAG_LENGTH


def matches(selector: Iterable[str], tags: Iterable[str]) -> bool:
    """True when every tag of the selector is among tags (an empty selector matches all)."""
    return set(selector) <= set(tags)


def tag_violations(field: str, tags: Iterable[str]) -> list[FieldViolation]:
    """Violations for empty or over-long tags, named by their index."""
    out = []
    for i, tag in enumerate(tags):
        if not tag.strip():
            out.append(FieldViolation(f"{field}[{i}]", "tag must not be empty"))
        elif len(tag) > MAX_TAG_LENGTH:
            out.append(FieldViolation(f"{field}[{i}]", f"tag is longer than {MAX_TAG_LENGTH} characters"))
        elif "\x00" in tag:
            out.append(FieldViolation(f"{field}[{i}]", "tag must not contain NUL (U+0000) characters"))
    return out


def selector_violations(field: str, tags: Iterable[str]) -> list[FieldViolation]:
    """tag_violations, plus the limit on how many tags one condition may name (each costs an index probe)."""
    tags = list(tags)
    if len(tags) > MAX_FILTER_TAGS:
        return [
            FieldViolation(field, f"names {len(tags)} tags; at most {MAX_FILTER_TAGS} per condition (MAX_FILTER_TAGS)")
        ]
    return tag_violations(field, tags)
