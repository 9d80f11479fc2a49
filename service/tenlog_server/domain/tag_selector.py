"""Tag selectors: a completion matches a selector when it carries every selector tag.

One type serves everything that selects by tags: completion listings (the
store's query), the live tail, feedback tasks and feedback matching.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import FieldViolation
from .limits import MAX_FILTER_TAGS, MAX_TAG_LENGTH


@dataclass(frozen=True, slots=True)
class TagSelector:
    """An AND of tags, each once, in the order given; the empty selector matches every completion."""

    tags: tuple[str, ...] = ()

    @classmethod
    def of(cls, tags: Iterable[str]) -> TagSelector:
        """The selector of these tags (repeats dropped)."""
        return cls(tuple(dict.fromkeys(tags)))

    def matches(self, tags: Iterable[str]) -> bool:
        """True when every tag of the selector is among tags."""
        return set(self.tags) <= set(tags)

    def covers(self, other: TagSelector) -> bool:
        """True when everything `other` matches, this selector matches too (its tags are a subset)."""
        return set(self.tags) <= set(other.tags)

    def __bool__(self) -> bool:
        return bool(self.tags)


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
