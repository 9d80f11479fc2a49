"""JSON values compared with their number types: tenlog must give back 1 as 1 and 1.0 as 1.0."""

from __future__ import annotations

from typing import Any

from tenlog_server.domain.documents import Document


def typed(value: Any) -> Any:
    """A JSON value with each number tagged int or float, so 1 and 1.0 compare unequal."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return [type(value).__name__, value]
    if isinstance(value, list):
        return [typed(v) for v in value]
    return {k: typed(v) for k, v in value.items()}


def as_sent(data: dict[str, Any]) -> Any:
    """What tenlog returns for a document it keeps whole (as before content addressing): a Struct round trip."""
    return typed(Document.of(data).to_dict())
