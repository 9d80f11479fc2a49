"""JSON numbers after a trip through google.protobuf.Struct, which holds every number as a double."""

from __future__ import annotations

from typing import Any

from tenlog_server.storage.documents import MAX_SAFE_INTEGER


def restore_integers(value: Any) -> Any:
    """Give back the integers a client sent (1, not 1.0), recursively."""
    if isinstance(value, float) and value.is_integer() and abs(value) < MAX_SAFE_INTEGER:
        return int(value)
    if isinstance(value, dict):
        return {k: restore_integers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [restore_integers(v) for v in value]
    return value
