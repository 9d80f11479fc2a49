"""The filter language, search terms, order_by and aggregate arguments: pure parsing, no database."""

from __future__ import annotations

import pytest
from tenlog_server.domain.completion_aggregates import interpolate, parse_group_by, parse_interval, percentile_ranks
from tenlog_server.domain.completion_query import (
    AllOf,
    AnyOf,
    Condition,
    NoneOf,
    Ordering,
    build_query,
    encode_query_token,
    make_query_page,
    parse_order,
    parse_predicate,
    parse_search,
    parse_time,
)
from tenlog_server.domain.documents import Document
from tenlog_server.domain.errors import InvalidArgument
from tenlog_server.domain.filter_language import And, Comparison, FilterSyntaxError, Not, Or, Value, parse_filter
from tenlog_server.domain.search_text import lifted_metadata, search_text


def test_or_binds_tighter_than_and_and_juxtaposition_is_and() -> None:
    tree = parse_filter('a = 1 AND b = "x y" OR NOT c:z d >= 2')
    assert tree == And(
        (
            Comparison(("a",), "=", Value("1", False, 5), 1),
            And(
                (
                    Or(
                        (
                            Comparison(("b",), "=", Value("x y", True, 15), 11),
                            Not(Comparison(("c",), ":", Value("z", False, 30), 28)),
                        )
                    ),
                    Comparison(("d",), ">=", Value("2", False, 37), 32),
                )
            ),
        )
    )


def test_parentheses_dotted_fields_quotes_and_negation() -> None:
    assert parse_filter("") is None and parse_filter("   ") is None
    tree = parse_filter("-(metadata.\"odd key\" = 'it\\'s' OR cost<0.5)")
    assert tree == Not(
        Or(
            (
                Comparison(("metadata", "odd key"), "=", Value("it's", True, 24), 3),
                Comparison(("cost",), "<", Value("0.5", False, 40), 35),
            )
        )
    )
    bare_time = parse_filter("created_at>=2024-05-01T10:00:00+02:00")
    assert isinstance(bare_time, Comparison) and bare_time.value.text == "2024-05-01T10:00:00+02:00"


@pytest.mark.parametrize(
    ("text", "position", "token"),
    [
        ("model =", 8, ""),
        ("model", 6, ""),
        ("= gpt", 1, "="),
        ("(model = a", 11, ""),
        ("model = a)", 10, ")"),
        ("model = a AND", 14, ""),
        ("model = a OR OR b = c", 14, "OR"),
        ('model = "open', 9, '"open'),
        ("()", 2, ")"),
        ("model == gpt", 8, "="),  # a doubled operator is a typo, not the value "= gpt"
    ],
)
def test_syntax_errors_name_the_position_and_token(text: str, position: int, token: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter(text)
    assert (caught.value.position, caught.value.token) == (position, token)


def test_limits() -> None:
    parse_filter("(" * 32 + "a = 1" + ")" * 32)
    with pytest.raises(FilterSyntaxError, match="deeper than 32"):
        parse_filter("(" * 33 + "a = 1" + ")" * 33)
    with pytest.raises(FilterSyntaxError, match="deeper than 32"):
        parse_filter("NOT (" * 17 + "a = 1" + ")" * 17)
    with pytest.raises(FilterSyntaxError, match="limit is 4096"):
        parse_filter("a = " + "x" * 4093)
    with pytest.raises(FilterSyntaxError, match="more than 64 conditions"):
        parse_filter(" ".join(["a = 1"] * 65))
    build_query(filter_text=" OR ".join(f"tags:t{i}" for i in range(20)))
    with pytest.raises(InvalidArgument, match="more than 20 tags"):
        build_query(filter_text=" OR ".join(f"tags:t{i}" for i in range(21)))
    with pytest.raises(InvalidArgument, match="limit is 4096"):
        build_query(filter_text=" OR ".join(f'model = "m{i}"' for i in range(1000)))


def test_predicates_are_typed_per_field() -> None:
    predicate = parse_predicate(
        'tags:"x" graded = TRUE cost > 1e-3 prompt_tokens <= 7 created_at < 2024-01-01T00:00:00Z '
        "metadata.n = 5 metadata.s = '5' metadata.k:* status != failed"
    )
    assert predicate == AllOf(
        (
            Condition("tags", "=", "x"),
            Condition("graded", "=", True),
            Condition("cost", ">", 0.001),
            Condition("prompt_tokens", "<=", 7),
            Condition("created_at", "<", 1_704_067_200_000_000),
            Condition("metadata", "=", 5.0, "n"),
            Condition("metadata", "=", "5", "s"),
            Condition("metadata", "exists", True, "k"),
            Condition("status", "!=", "failed"),
        )
    )
    assert parse_predicate("NOT (model = a OR model = b)") == NoneOf(
        AnyOf((Condition("model", "=", "a"), Condition("model", "=", "b")))
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("colour = red", "unknown field 'colour'"),
        ("model.x = 1", "unknown field 'model.x'"),
        ("metadata = 1", "metadata.<key>"),
        ("total_tokens > 1.5", "whole number"),
        ('cost > "1"', "compares with a number"),
        ("cost > NaN", "compares with a number"),
        ("graded = maybe", "true or false"),
        ("kind = poem", "chat, prompt"),
        ("tags > x", "supports =, != and :"),
        ("created_at > 2024-01-01", "RFC 3339"),
        ("metadata.k > abc", "not a number"),
    ],
)
def test_type_errors_are_invalid_argument_on_filter(text: str, fragment: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_predicate(text)
    (violation,) = caught.value.violations
    assert violation.field == "filter" and fragment in violation.description and "position" in violation.description


def test_times() -> None:
    assert parse_time("1970-01-01T00:00:01.5Z") == 1_500_000
    assert parse_time("1970-01-01T01:00:00+01:00") == 0
    assert parse_time("1970-01-01") is None and parse_time("1970-01-01T00:00:00") is None


def test_search_terms_words_and_phrases() -> None:
    assert parse_search("") == ()
    assert parse_search('Hello, "New  York" gpt-4o hello') == (("hello",), ("new", "york"), ("gpt",), ("4o",))
    assert parse_search('"unclosed phrase') == (("unclosed", "phrase"),)
    with pytest.raises(InvalidArgument, match="no words"):
        parse_search("!!!")
    with pytest.raises(InvalidArgument):
        parse_search(" ".join(f"w{i}" for i in range(33)))


def test_order_by() -> None:
    assert parse_order("") == Ordering("created_at", True)
    assert parse_order("cost") == Ordering("cost", False)
    assert parse_order("  duration   DESC ") == Ordering("duration", True)
    for bad in ("colour", "cost up", "cost desc, id"):
        with pytest.raises(InvalidArgument):
            parse_order(bad)


def test_page_tokens_are_bound_to_organization_and_query() -> None:
    query = build_query(filter_text="model = a", order_by="cost desc")
    token = encode_query_token("org", query, 0.5, "id-1")
    page = make_query_page("org", query, 10, 0, 0, token)
    assert (page.limit, page.after) == (10, type(page.after)(0.5, "id-1"))
    same = build_query(filter_text="model = a", order_by="cost desc")
    assert make_query_page("org", same, 10, 0, 0, token).after == page.after
    for org, other in [
        ("org-2", query),
        ("org", build_query(filter_text="model = b", order_by="cost desc")),
        ("org", build_query(filter_text="model = a", order_by="cost asc")),
        ("org", build_query(filter_text="model = a", order_by="cost desc", search="x")),
    ]:
        with pytest.raises(InvalidArgument, match="another query"):
            make_query_page(org, other, 10, 0, 0, token)


def test_group_by_and_interval() -> None:
    assert parse_group_by(["model", "metadata.customer", "tags"]) == ("model", "metadata.customer", "tags")
    for bad in (["colour"], ["model", "model"], ["metadata."], ["model", "status", "source", "kind", "tags"]):
        with pytest.raises(InvalidArgument):
            parse_group_by(bad)
    assert parse_interval("") is None
    assert parse_interval("5m") == 300_000_000 and parse_interval("1d") == 86_400_000_000
    for bad in ("0h", "1w", "h", "1.5h", "-1d"):
        with pytest.raises(InvalidArgument):
            parse_interval(bad)


def test_percentiles_interpolate_like_percentile_cont() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 10.0]
    ranked = dict(enumerate(values, start=1))
    assert interpolate(5, 0.5, ranked) == 3.0
    assert interpolate(5, 0.95, ranked) == pytest.approx(4 + 0.8 * 6)
    assert interpolate(1, 0.99, {1: 7.0}) == 7.0
    assert percentile_ranks(5, 0.99) == (4, 5) and percentile_ranks(1, 0.5) == (1, 1)


def test_search_text_covers_messages_tool_arguments_and_anthropic_blocks() -> None:
    request = {
        "messages": [
            {"role": "system", "content": "sys words"},
            {"role": "user", "content": [{"type": "text", "text": "part text"}, {"type": "image_url"}]},
            {"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": '{"q": "argtext"}'}}]},
        ],
        "prompt": "legacy prompt",
    }
    response = {
        "choices": [{"message": {"content": "answer"}}, {"text": "completion text"}],
        "content": [{"type": "text", "text": "claude"}, {"type": "tool_use", "input": {"city": "Oslo"}}],
    }
    text = search_text(request, response)
    for word in ("sys words", "part text", "argtext", "legacy prompt", "answer", "completion text", "claude", "Oslo"):
        assert word in text
    assert search_text(None, None) == ""
    # Stored documents (read only where the rule looks) give the very same text.
    assert search_text(Document.of(request), Document.of(response)) == text


def test_search_text_of_documents_reads_only_message_text() -> None:
    request = {"messages": [{"role": "user", "name": "ann", "content": "hello"}, "stray", 7, {"content": None}]}
    response = {
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "logprobs": {"content": [{"token": "x"}]},
                "message": {"content": "hi"},
            },
            {"index": 1, "text": "plain"},
        ],
        "content": "not a list",
    }
    expected = search_text(request, response)
    assert expected == "hello\nhi\nplain\nnot a list"
    assert search_text(Document.of(request), Document.of(response)) == expected
    assert search_text(Document.of({"messages": "not a list"}), Document.of({"choices": {"a": 1}})) == ""


def test_lifted_metadata_keeps_top_level_scalars() -> None:
    lifted = lifted_metadata({"s": "x", "n": 2, "f": 0.5, "b": True, "nested": {"a": 1}, "long": "y" * 300})
    assert lifted == [("s", "x", None), ("n", "2", 2.0), ("f", "0.5", 0.5), ("b", "true", None)]
