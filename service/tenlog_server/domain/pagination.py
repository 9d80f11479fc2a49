"""Page sizes and opaque page tokens (AIP-158), plus the REST contract's offset/limit."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Protocol

import orjson

from .errors import FieldViolation, InvalidArgument
from .model import Cursor, Page

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


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
    after = None
    if page_token:
        try:
            padded = page_token + "=" * (-len(page_token) % 4)
            created, row_id = orjson.loads(base64.urlsafe_b64decode(padded))
            after = Cursor(int(created), str(row_id))
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


def next_token(page: Page, rows: Sequence[Keyed]) -> str:
    """The token of the next page, or '' on the last page and with offset paging (the REST contract's)."""
    if page.offset or not rows or len(rows) < page.limit:
        return ""
    return encode_token(rows[-1].created_at_us, rows[-1].id)
