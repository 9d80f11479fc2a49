"""The rule for ids and filter text a caller names to read, change or delete rows.

Creation already refuses ids holding control characters
(completion_rules.id_violations). A lookup by an id holding NUL is refused too,
before it reaches storage: PostgreSQL cannot compare text holding NUL at all (it would fail the query),
so without this a lookup SQLite answers NOT_FOUND would be a server error on
PostgreSQL. Both backends answer INVALID_ARGUMENT naming the field.
"""

from __future__ import annotations

from .errors import FieldViolation, InvalidArgument
from .model import CompletionFilter


def lookup_id_violations(field: str, value: str) -> list[FieldViolation]:
    """Violations for an id (or tag, or prefix) used to look rows up; empty means fine."""
    if "\x00" in value:
        return [FieldViolation(field, "must not contain NUL (U+0000) characters")]
    return []


def require_lookup_ids(**ids: str) -> None:
    """Raise InvalidArgument naming every field whose id no row can have (keyword = field name)."""
    violations = [v for field, value in ids.items() for v in lookup_id_violations(field, value)]
    if violations:
        raise InvalidArgument("an id to look up is not valid", violations)


def require_filter_text(flt: CompletionFilter) -> None:
    """Raise InvalidArgument when a completion filter's text (tags, session, status, model, source) holds NUL."""
    violations = [v for i, tag in enumerate(flt.tags) for v in lookup_id_violations(f"tags[{i}]", tag)]
    for name in ("session_id", "status", "model", "source"):
        violations += lookup_id_violations(name, getattr(flt, name))
    if violations:
        raise InvalidArgument("the filter is not valid", violations)
