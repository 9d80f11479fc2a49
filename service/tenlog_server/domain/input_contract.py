"""Checks every transport's input goes through, so SQLite and PostgreSQL accept exactly the same things.

- Text fields (ids, tags, names, model...) hold no NUL: PostgreSQL cannot store
  U+0000 in text, so neither backend gets one. JSON documents may contain it
  (they are stored as bytes or as escaped JSON text).
- Numbers are finite everywhere: NaN and Infinity have no JSON form, so a row
  holding one could not be read back over REST.
- Lengths and nesting stay within domain/limits.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .errors import FieldViolation
from .limits import MAX_JSON_DEPTH

# A serialized google.protobuf.Value holding a non-finite number_value: tag 0x11 (field 2,
# 64-bit), then a little-endian double whose exponent bits are all ones. Any Struct holding
# NaN or +-Infinity contains this pattern; most that do not, do not, so the walk below runs
# only when it could find something.
_NON_FINITE_DOUBLE = re.compile(rb"\x11[\x00-\xff]{6}[\xf0-\xff][\x7f\xff]", re.DOTALL)


def text_violations(field: str, value: str, max_length: int) -> list[FieldViolation]:
    """A text field over max_length characters, or holding NUL."""
    if len(value) > max_length:
        return [FieldViolation(field, f"is longer than {max_length} characters")]
    if "\x00" in value:
        return [FieldViolation(field, "must not contain NUL (U+0000) characters")]
    return []


def number_violations(field: str, value: float | None) -> list[FieldViolation]:
    """NaN or an infinity where a finite number is required."""
    if value is not None and not math.isfinite(value):
        return [FieldViolation(field, "must be a finite number (NaN and Infinity are not JSON)")]
    return []


def may_hold_non_finite(encoded: bytes) -> bool:
    """False when serialized Struct bytes certainly hold no NaN or infinity (a C-speed scan)."""
    return _NON_FINITE_DOUBLE.search(encoded) is not None


def json_violations(field: str, value: Any, max_depth: int = MAX_JSON_DEPTH) -> list[FieldViolation]:
    """Non-finite numbers and nesting past max_depth in a JSON value (dicts, lists, scalars).

    Stops at the first violation: one is enough to refuse, and the walk stays bounded.
    """
    # Iterative, so a value nested deeper than Python's recursion limit is reported, not a crash.
    stack: list[tuple[str, Any, int]] = [(field, value, 0)]
    while stack:
        path, item, depth = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return [FieldViolation(path, "must be a finite number (NaN and Infinity are not JSON)")]
            continue
        if isinstance(item, Mapping):
            children: Iterable[tuple[str, Any]] = ((f"{path}.{k}", v) for k, v in item.items())
        elif isinstance(item, Sequence) and not isinstance(item, str | bytes):
            children = ((f"{path}[{i}]", v) for i, v in enumerate(item))
        else:
            continue
        if depth >= max_depth:
            return [FieldViolation(path, f"is nested deeper than {max_depth} levels")]
        stack.extend((p, v, depth + 1) for p, v in children)
    return []
