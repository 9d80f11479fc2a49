"""Time and id sources."""

from __future__ import annotations

import time
import uuid


def now_us() -> int:
    """Microseconds since the epoch."""
    return time.time_ns() // 1000


def new_id() -> str:
    """A new random id (UUID4, as Log10's SDKs generate)."""
    return str(uuid.uuid4())
