"""domain.ungraded without a database: what waits for feedback, and which selectors need a query."""

from __future__ import annotations

from tenlog_server.domain.tag_selector import TagSelector
from tenlog_server.domain.ungraded import essential_selectors, is_ungraded

A, AB, B, ALL = TagSelector.of(["a"]), TagSelector.of(["a", "b"]), TagSelector.of(["b"]), TagSelector()


def test_ungraded_means_selected_by_some_task_and_without_feedback() -> None:
    assert is_ungraded(["a", "x"], graded=False, selectors=[B, A])
    assert not is_ungraded(["a", "x"], graded=True, selectors=[A])
    assert not is_ungraded(["x"], graded=False, selectors=[A, AB])
    assert is_ungraded([], graded=False, selectors=[ALL])
    assert not is_ungraded(["a"], graded=False, selectors=[])


def test_selectors_another_one_covers_need_no_query() -> None:
    assert essential_selectors([AB, A, A, B]) == [A, B]
    assert essential_selectors([AB, ALL, B]) == [ALL]
    assert essential_selectors([AB]) == [AB]
