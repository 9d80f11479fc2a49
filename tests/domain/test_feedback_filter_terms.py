"""`feedback.<task name>.<field>` terms: parsing, typing, refusals and rollup eligibility; no database."""

from __future__ import annotations

import pytest
from tenlog_server.domain.completion_query import AllOf, Condition, NoneOf, build_query, parse_predicate
from tenlog_server.domain.completion_rollups import DAY_US, rollup_width
from tenlog_server.domain.errors import InvalidArgument


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('feedback."helpfulness v2".score >= 4', Condition("feedback", ">=", 4.0, "helpfulness v2", ("score",))),
        ("feedback.tone.label = good", Condition("feedback", "=", "good", "tone", ("label",))),
        ('feedback.tone.label:"4"', Condition("feedback", "=", "4", "tone", ("label",))),
        ("feedback.tone.score != 3", Condition("feedback", "!=", 3.0, "tone", ("score",))),
        ('feedback.tone.score = "3"', Condition("feedback", "=", "3", "tone", ("score",))),
        ("feedback.tone.ok = true", Condition("feedback", "=", "true", "tone", ("ok",))),
        ("feedback.tone.ok:*", Condition("feedback", "exists", True, "tone", ("ok",))),
        ('feedback.tone.ok:"*"', Condition("feedback", "=", "*", "tone", ("ok",))),
        ("feedback.'v1.2':*", Condition("feedback", "exists", True, "v1.2", ())),
        ('feedback.tone."a b".c < -1e3', Condition("feedback", "<", -1000.0, "tone", ("a b", "c"))),
    ],
)
def test_feedback_terms_are_typed(text: str, expected: Condition) -> None:
    assert parse_predicate(text) == expected


def test_feedback_terms_negate_and_combine() -> None:
    assert parse_predicate("-feedback.t:* model = x") == AllOf(
        (NoneOf(Condition("feedback", "exists", True, "t")), Condition("model", "=", "x"))
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feedback = 1", "at position 1 ('feedback'): write feedback.<task name>.<field>"),
        ("feedback.t = 1", "at position 1 ('feedback.t'): feedback.<task name> only takes :*"),
        ("feedback.t:x", "only takes :*"),
        ("feedback.t.label >= good", "at position 21 ('good'): >= compares numbers"),
        ('feedback.t.label > "5"', "> compares numbers; '5' is not a number"),
        ('feedback.t."".x = 1', "'' is not one"),
        ('feedback.t."a\\\\b" = 1', "without quotes, backslashes or control characters"),
        ("feedback.t." + "k" * 129 + " = 1", "1 to 128 characters"),
        ("feedback.t" + ".k" * 9 + " = 1", "at most 8 keys"),
        ("feedback.t.x = ", "expected a value"),
    ],
)
def test_bad_feedback_terms_name_position_and_token(text: str, message: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_predicate(text)
    assert message in caught.value.violations[0].description


def test_a_feedback_term_keeps_aggregates_off_the_rollups() -> None:
    assert rollup_width(build_query(filter_text="model = x"), ["model"], DAY_US) == DAY_US
    assert rollup_width(build_query(filter_text="model = x feedback.t:*"), ["model"], DAY_US) is None
    assert rollup_width(build_query(filter_text="model = x OR NOT feedback.t.s > 1"), ["model"], DAY_US) is None


def test_page_tokens_are_bound_to_the_feedback_term() -> None:
    assert build_query(filter_text="feedback.a.s > 1").binding != build_query(filter_text="feedback.b.s > 1").binding
    assert build_query(filter_text="feedback.a.s > 1").binding != build_query(filter_text="feedback.a.t > 1").binding
