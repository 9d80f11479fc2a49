"""JSON text columns (tags, stack traces, feedback values and schemas), stored as compact JSON."""

from __future__ import annotations

from typing import Any

import orjson


def dump_json(value: Any) -> str | None:
    """Serialize a JSON value for a text column; None stays NULL."""
    if value is None:
        return None
    return orjson.dumps(value).decode()


def load_json(text: str | None) -> Any:
    """Parse a JSON text column; NULL becomes None."""
    if text is None:
        return None
    return orjson.loads(text)
