"""Page sizes and opaque page tokens (AIP-158), plus the REST contract's offset/limit."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any, Protocol

import orjson

from .errors import FieldViolation, InvalidArgument
from .limits import MAX_ID_LENGTH, MAX_PAGE_BYTES
from .model import Cursor, Page

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
MAX_OFFSET = 1_000_000  # deeper than this, page tokens (keyset paging) are the way
_INT64 = 2**63


def encode_token(created_at_us: int, row_id: str) -> str:
    """An opaque token naming the last row of a page."""
    return base64.urlsafe_b64encode(orjson.dumps([created_at_us, row_id])).decode().rstrip("=")


def make_page(page_size: int, limit: int, offset: int, page_token: str) -> Page:
    """Validate paging arguments into a Page; bad values name the field."""
    violations = []
    if page_size < 0:
        violations.append(FieldViolation("page_size", "must not be negative"))
    if limit < 0:
        violations.append(FieldViolation("limit", "must not be negative"))
    if offset < 0:
        violations.append(FieldViolation("offset", "must not be negative"))
    elif offset > MAX_OFFSET:
        violations.append(FieldViolation("offset", f"must be at most {MAX_OFFSET}; use page_token to go deeper"))
    after = None
    if page_token:
        try:
            padded = page_token + "=" * (-len(page_token) % 4)
            created, row_id = orjson.loads(base64.urlsafe_b64decode(padded))
            if not isinstance(created, int) or not -_INT64 <= created < _INT64:
                raise ValueError("time out of range")
            if not isinstance(row_id, str) or len(row_id) > MAX_ID_LENGTH or "\x00" in row_id:
                raise ValueError("bad id")
            after = Cursor(created, row_id)
        except (binascii.Error, ValueError, TypeError, orjson.JSONDecodeError):
            violations.append(FieldViolation("page_token", "is not a token this server issued"))
    if violations:
        raise InvalidArgument("invalid paging arguments", violations)
    size = min(page_size or limit or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    return Page(limit=size, offset=offset, after=after)


class Keyed(Protocol):
    """A listed row: its creation time and id place it in newest-first order."""

    @property
    def created_at_us(self) -> int: ...

    @property
    def id(self) -> str: ...


def bounded_by_bytes(rows: list[Any], budget: int = MAX_PAGE_BYTES) -> tuple[list[Any], bool]:
    """The leading rows that fit in `budget` bytes (always at least one), and whether rows were left out.

    A page of large rows then holds fewer of them instead of outgrowing the message limit,
    so a client can always page past them.
    """
    total = 0
    for i, row in enumerate(rows):
        total += row_bytes(row)
        if total > budget and i > 0:
            return rows[:i], True
    return rows, False


def row_bytes(row: Any) -> int:
    """About how many bytes a completion record takes on the wire."""
    size = 256 + len(row.id) + sum(len(tag) for tag in row.tags) + len(row.failure_reason)
    for name in ("request", "response", "metadata", "extra"):
        document = getattr(row, name, None)
        if document is not None:
            size += len(document.encoded)
    return size


def next_token(page: Page, rows: Sequence[Keyed], more: bool = False) -> str:
    """The token of the next page, or '' on the last page and with offset paging (the REST contract's).

    `more` says the page was cut short (by bytes) although more rows follow.
    """
    if page.offset or not rows or (len(rows) < page.limit and not more):
        return ""
    return encode_token(rows[-1].created_at_us, rows[-1].id)
