"""domain.feedback_matching without a database: explicit ids or a selector, and the limits."""

from __future__ import annotations

import pytest
from tenlog_server.domain.errors import FailedPrecondition, NotFound
from tenlog_server.domain.feedback_matching import (
    FeedbackUpload,
    check_explicit_ids_exist,
    check_matched,
    check_selector_matches,
    explicit_ids,
    selector_lookup_limit,
    upload_violations,
)


def upload(**fields: object) -> FeedbackUpload:
    return FeedbackUpload(task_id=str(fields.pop("task_id", "t")), json_values={}, **fields)  # type: ignore[arg-type]


def test_an_upload_names_ids_or_a_selector_not_both() -> None:
    violations = upload_violations(upload(task_id="", completion_ids=["a"], completion_tags_selector=["", "x"]))
    assert [v.field for v in violations] == ["task_id", "completion_ids", "completion_tags_selector[0]"]
    assert [v.field for v in upload_violations(upload(max_matched_completions=0))] == ["max_matched_completions"]
    assert upload_violations(upload(completion_ids=["a"])) == []


def test_explicit_ids_count_once_and_are_limited() -> None:
    assert explicit_ids(upload(completion_ids=["a", "b", "a"], max_matched_completions=2)) == ["a", "b"]
    with pytest.raises(FailedPrecondition) as raised:
        explicit_ids(upload(completion_ids=["a", "b", "c"], max_matched_completions=2))
    assert raised.value.reason == "MAX_MATCHED_COMPLETIONS_EXCEEDED"


def test_every_missing_explicit_id_is_named() -> None:
    check_explicit_ids_exist(["a", "b"], {"a", "b"})
    with pytest.raises(NotFound) as raised:
        check_explicit_ids_exist(["a", "x", "b", "y"], {"a", "b"})
    assert raised.value.reason == "COMPLETION_NOT_FOUND" and raised.value.message.endswith("'x', 'y'")


def test_a_selector_may_match_up_to_the_limit() -> None:
    up = upload(completion_tags_selector=["t"], max_matched_completions=2)
    assert selector_lookup_limit(up) == 3  # one more tells "too many" from "exactly the limit"
    assert check_selector_matches(up, ["a", "b"]) == ["a", "b"]
    with pytest.raises(FailedPrecondition):
        check_selector_matches(up, ["a", "b", "c"])


def test_unmatched_feedback_needs_permission() -> None:
    with pytest.raises(FailedPrecondition) as raised:
        check_matched(upload(), [])
    assert raised.value.reason == "UNMATCHED_FEEDBACK"
    assert check_matched(upload(allow_unmatched_feedback=True), []) == []
    assert check_matched(upload(), ["a"]) == ["a"]
