"""The late-`started` rule as one table: the domain unit test and the storage test (both backends) read it.

Each case: the status stored (None: nothing stored yet), the status of the
incoming write, whether the write applies, and the status stored afterwards.
"""

from __future__ import annotations

from typing import NamedTuple


class LateStartedCase(NamedTuple):
    stored: str | None
    incoming: str
    applied: bool
    final: str


LATE_STARTED_CASES = [
    LateStartedCase(None, "started", True, "started"),
    LateStartedCase(None, "finished", True, "finished"),
    LateStartedCase(None, "failed", True, "failed"),
    LateStartedCase("started", "started", True, "started"),
    LateStartedCase("started", "finished", True, "finished"),
    LateStartedCase("started", "failed", True, "failed"),
    LateStartedCase("finished", "started", False, "finished"),
    LateStartedCase("finished", "finished", True, "finished"),
    LateStartedCase("finished", "failed", True, "failed"),
    LateStartedCase("failed", "started", False, "failed"),
    LateStartedCase("failed", "finished", True, "finished"),
    LateStartedCase("failed", "failed", True, "failed"),
]


def case_id(case: LateStartedCase) -> str:
    """A readable test id: `finished<-started`."""
    return f"{case.stored or 'absent'}<-{case.incoming}"
