"""Time and id sources."""

from __future__ import annotations

import random
import time
import uuid

_random = random.Random()  # seeded from os.urandom at start


def now_us() -> int:
    """Microseconds since the epoch."""
    return time.time_ns() // 1000


def new_id() -> str:
    """A new random id (UUID4, as Log10's SDKs generate).

    Ids need uniqueness, not secrecy: a per-process PRNG seeded from os.urandom
    avoids a system call per id on the write path.
    """
    return str(uuid.UUID(int=_random.getrandbits(128), version=4))
