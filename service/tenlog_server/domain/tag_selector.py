"""Tag selectors: a completion matches a selector when it carries every selector tag."""

from __future__ import annotations

from collections.abc import Iterable

from .errors import FieldViolation

MAX_TAG_LENGTH = 256


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
    return out
