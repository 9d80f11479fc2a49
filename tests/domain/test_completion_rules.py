"""Validation and lifted fields of a completion, alone."""

from __future__ import annotations

from tenlog_server.domain.completion_rules import completion_violations, lift_fields
from tenlog_server.domain.documents import Document
from tenlog_server.domain.limits import MAX_TOKEN_COUNT
from tenlog_server.domain.model import CompletionRecord


def test_token_counts_past_int32_are_refused_by_name() -> None:
    rec = CompletionRecord(id="c1", kind="chat", status="finished", prompt_tokens=MAX_TOKEN_COUNT + 1)
    assert [(v.field, v.description) for v in completion_violations(rec, "completion.")] == [
        ("completion.prompt_tokens", f"must be at most {MAX_TOKEN_COUNT}")
    ]


def test_lifted_counts_never_leave_the_int32_range() -> None:
    # Each count fits, their sum does not: the total is left unknown rather than overflow on the wire.
    rec = CompletionRecord(id="c1", prompt_tokens=MAX_TOKEN_COUNT, completion_tokens=MAX_TOKEN_COUNT)
    lift_fields(rec)
    assert rec.total_tokens == 0
    huge = CompletionRecord(
        id="c2", response=Document.of({"usage": {"prompt_tokens": 1e12, "completion_tokens": 5, "total_tokens": -3}})
    )
    lift_fields(huge)
    assert (huge.prompt_tokens, huge.completion_tokens, huge.total_tokens) == (0, 5, 5)
