"""The read side over real gRPC on SQLite and PostgreSQL: filter, order_by, full-text search, aggregates."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog.v1 import feedback_service_pb2 as fb_pb
from tenlog.v1 import feedback_task_service_pb2 as task_pb

from tests.support.grpc_api import Api, chat_completion, error_details, rpc_error
from tests.support.server import ServerProcess

# The third model is not in the price table: its rows, sent without a cost, stay without one.
MODELS = ("gpt-4o", "gpt-4o-mini", "acme-llm")
GPT_4O_ROW_0_COST = 10 * 2.50 / 1e6  # row 0 sends cost 0 (= none): priced at ingest, 10 prompt tokens of gpt-4o


@pytest.fixture(scope="module")
def other_org(tenlog_server: ServerProcess, grpc_channel: grpc.Channel) -> Api:
    return Api(grpc_channel, tenlog_server.mint_key("org-readside-b"), "org-readside-b")


def _chat(i: int, tag: str, **fields: Any) -> pb.Completion:
    words = ["apples", "bananas", "cherries"][i % 3]
    request = {"model": MODELS[i % 3], "messages": [{"role": "user", "content": f"Tell me about {words} number {i}"}]}
    response = {
        "model": MODELS[i % 3],
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Here you go." if i % 4 else None,
                    "tool_calls": [
                        {"id": "t", "type": "function", "function": {"name": "f", "arguments": '{"city": "Zanzibar"}'}}
                    ]
                    if i % 4 == 0
                    else [],
                },
            }
        ],
        "usage": {"prompt_tokens": 10 + i, "completion_tokens": i, "total_tokens": 10 + 2 * i},
    }
    completion = chat_completion(
        id=f"{tag}-{i:02d}",
        tags=[tag, "even" if i % 2 == 0 else "odd"],
        request=request,
        response=response,
        duration=0.1 * (i + 1),
        status=pb.STATUS_FAILED if i % 5 == 4 else pb.STATUS_FINISHED,
        session_id=f"{tag}-session-{i % 2}",
        **fields,
    )
    if i % 3 != 2:
        completion.cost = 0.001 * i
    completion.metadata.update({"customer": f"cust-{i % 4}", "tier": i % 3, "vip": i % 2 == 0})
    return completion


@pytest.fixture(scope="module")
def seeded(api: Api) -> str:
    """Twenty completions under one fresh tag; returns the tag."""
    tag = f"readside-{datetime.now(UTC).strftime('%H%M%S%f')}"
    batch = api_pb.BatchCreateCompletionsRequest(completions=[_chat(i, tag) for i in range(20)])
    assert api.call(api.completions.BatchCreateCompletions, batch).accepted_count == 20
    return tag


def _list(api: Api, **fields: Any) -> api_pb.ListCompletionsResponse:
    return api.call(api.completions.ListCompletions, api_pb.ListCompletionsRequest(**fields))


def _ids(api: Api, tag: str, filter_text: str = "", **fields: Any) -> list[str]:
    combined = f'tags:"{tag}"' + (f" AND ({filter_text})" if filter_text else "")
    return [c.id for c in _list(api, filter=combined, page_size=100, **fields).completions]


def _all(tag: str, ids: Any) -> list[str]:
    return sorted(f"{tag}-{i:02d}" for i in ids)


def test_filters_on_every_field_kind(api: Api, seeded: str) -> None:
    tag = seeded
    assert sorted(_ids(api, tag, 'model = "gpt-4o"')) == _all(tag, range(0, 20, 3))
    assert sorted(_ids(api, tag, "model != gpt-4o AND status = failed")) == _all(tag, [4, 14, 19])
    assert sorted(_ids(api, tag, "cost >= 0.010 AND cost < 0.013")) == _all(tag, [10, 12])
    assert sorted(_ids(api, tag, "cost != 0.01")) == _all(tag, [i for i in range(20) if i != 10])
    assert sorted(_ids(api, tag, "total_tokens > 40 OR prompt_tokens <= 10")) == _all(tag, [0, *range(16, 20)])
    assert sorted(_ids(api, tag, "duration > 1.85")) == _all(tag, [18, 19])
    assert sorted(_ids(api, tag, 'tags:"even" AND NOT tags:odd')) == _all(tag, range(0, 20, 2))
    assert sorted(_ids(api, tag, f'session_id = "{tag}-session-1" -status:finished')) == _all(tag, [9, 19])
    assert sorted(_ids(api, tag, f'id = "{tag}-07" OR id = "{tag}-08"')) == _all(tag, [7, 8])
    assert sorted(_ids(api, tag, 'metadata.customer = "cust-1"')) == _all(tag, [1, 5, 9, 13, 17])
    assert sorted(_ids(api, tag, "metadata.tier >= 2")) == _all(tag, range(2, 20, 3))
    assert sorted(_ids(api, tag, 'metadata.vip = "true" AND metadata.customer != "cust-0"')) == _all(
        tag, [2, 6, 10, 14, 18]
    )
    assert len(_ids(api, tag, "metadata.tier:* AND NOT metadata.nothing:*")) == 20
    assert sorted(_ids(api, tag, "kind = chat AND source = log10 AND (model = acme-llm)")) == _all(tag, range(2, 20, 3))
    assert _ids(api, tag, "graded = true") == []
    assert len(_ids(api, tag, "created_at > 2020-01-01T00:00:00Z AND updated_at < 2999-01-01T00:00:00+02:00")) == 20
    assert _ids(api, tag, "created_at < 2020-01-01T00:00:00Z") == []


def test_fixed_fields_still_filter_and_combine_with_the_filter(api: Api, seeded: str) -> None:
    tag = seeded
    fixed = [c.id for c in _list(api, tags=[tag], model="gpt-4o", page_size=100).completions]
    assert sorted(fixed) == _all(tag, range(0, 20, 3))
    both = [c.id for c in _list(api, tags=[tag], status=pb.STATUS_FAILED, filter="model = gpt-4o-mini").completions]
    assert both == [f"{tag}-19", f"{tag}-04"]


def test_graded_follows_feedback(api: Api, seeded: str) -> None:
    tag = seeded
    task = pb.FeedbackTask(name=f"t-{tag}", instruction="grade", completion_tags_selector=[tag])
    task.json_schema.update({"type": "object"})
    task = api.call(api.tasks.CreateFeedbackTask, task_pb.CreateFeedbackTaskRequest(task=task))
    upload = fb_pb.UploadFeedbackRequest(task_id=task.id, completion_ids=[f"{tag}-03"])
    upload.json_values.update({"score": 1})
    api.call(api.feedback.UploadFeedback, upload)
    assert _ids(api, tag, "graded = true") == [f"{tag}-03"]
    assert len(_ids(api, tag, "graded = false")) == 19


@pytest.mark.parametrize(
    ("order_by", "key"),
    [
        ("created_at desc", None),
        ("cost desc", "cost"),
        ("cost asc", "cost"),
        ("duration desc", "duration"),
        ("total_tokens", "total_tokens"),
        ("total_tokens desc", "total_tokens"),
    ],
)
def test_order_by_pages_through_every_row_once_in_order(api: Api, seeded: str, order_by: str, key: str | None) -> None:
    tag = seeded
    seen: list[pb.Completion] = []
    token = ""
    while True:
        page = _list(api, filter=f'tags:"{tag}"', order_by=order_by, page_size=3, page_token=token)
        seen += page.completions
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == 20 and len({c.id for c in seen}) == 20
    if key is None:
        return
    descending = order_by.endswith("desc")

    def sort_key(c: pb.Completion) -> tuple[float, str]:
        i = int(c.id.rsplit("-", 1)[1])
        present = key != "cost" or i % 3 != 2  # the unpriced model sent no cost: stored as no cost
        return (getattr(c, key) if present else float("-inf"), c.id)

    assert [c.id for c in seen] == [c.id for c in sorted(seen, key=sort_key, reverse=descending)]


def test_page_tokens_are_bound_to_the_query_and_the_organization(api: Api, other_org: Api, seeded: str) -> None:
    page = _list(api, filter=f'tags:"{seeded}"', page_size=5)
    assert page.next_page_token
    for who, fields in [
        (api, {"filter": f'tags:"{seeded}" AND cost > 0'}),
        (api, {"filter": f'tags:"{seeded}"', "order_by": "cost desc"}),
        (api, {"filter": f'tags:"{seeded}"', "search": "apples"}),
        (other_org, {"filter": f'tags:"{seeded}"'}),
    ]:
        err = rpc_error(lambda who=who, fields=fields: _list(who, page_token=page.next_page_token, **fields))
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "page_token" in error_details(err)["violations"]


def test_page_tokens_are_stable_under_concurrent_inserts(api: Api, unique: str) -> None:
    batch = [_chat(i, unique) for i in range(10)]
    api.call(api.completions.BatchCreateCompletions, api_pb.BatchCreateCompletionsRequest(completions=batch))
    first = _list(api, filter=f'tags:"{unique}"', page_size=4)
    api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=_chat(50, unique)))
    rest: list[str] = []
    token = first.next_page_token
    while token:
        page = _list(api, filter=f'tags:"{unique}"', page_size=4, page_token=token)
        rest += [c.id for c in page.completions]
        token = page.next_page_token
    assert sorted([c.id for c in first.completions] + rest) == _all(unique, range(10))


def test_search_finds_words_phrases_and_tool_arguments_combined_with_the_filter(api: Api, seeded: str) -> None:
    tag = seeded

    def found(search: str, filter_text: str = "") -> list[str]:
        return sorted(_ids(api, tag, filter_text, search=search))

    assert found("bananas") == _all(tag, range(1, 20, 3))
    assert found("BANANAS number") == _all(tag, range(1, 20, 3))
    assert found('"about cherries"') == _all(tag, range(2, 20, 3))
    assert found('"cherries about"') == []
    assert found("zanzibar") == _all(tag, range(0, 20, 4))  # tool call arguments
    assert found("zanzibar", "status = failed") == _all(tag, [4])
    assert found("apples", "cost > 0.005") == _all(tag, [6, 9, 12, 15, 18])
    assert found("go") == _all(tag, [i for i in range(20) if i % 4])  # the response's content


def test_search_sees_updates_and_deleted_completions_leave_the_index(api: Api, unique: str) -> None:
    word = f"xylophone{unique}"
    made = api.call(
        api.completions.CreateCompletion,
        api_pb.CreateCompletionRequest(
            completion=chat_completion(
                id=f"s-{unique}",
                tags=[unique],
                request={"messages": [{"role": "user", "content": f"play the {word}"}]},
            )
        ),
    )
    assert [c.id for c in _list(api, search=word).completions] == [made.id]
    changed = chat_completion(id=made.id, request={"messages": [{"role": "user", "content": "play the drums"}]})
    api.call(
        api.completions.UpdateCompletion,
        api_pb.UpdateCompletionRequest(completion=changed, update_mask={"paths": ["request"]}),
    )
    assert _list(api, search=word).completions == []
    assert [c.id for c in _list(api, search="drums", filter=f'tags:"{unique}"').completions] == [made.id]
    api.call(api.completions.DeleteCompletion, api_pb.DeleteCompletionRequest(id=made.id))
    assert _list(api, search="drums", filter=f'tags:"{unique}"').completions == []


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def test_aggregates_are_exact_by_group_and_bucket(api: Api, seeded: str) -> None:
    tag = seeded
    request = api_pb.AggregateCompletionsRequest(filter=f'tags:"{tag}"', group_by=["model"], interval="1d")
    groups = api.call(api.completions.AggregateCompletions, request).groups
    assert [g.key["model"] for g in groups] == sorted(MODELS)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for group in groups:
        members = [i for i in range(20) if MODELS[i % 3] == group.key["model"]]
        durations = [0.1 * (i + 1) for i in members]
        assert group.bucket_start.ToDatetime(tzinfo=UTC) in (today, today.replace(day=today.day))
        assert group.count == len(members)
        assert group.failed_count == sum(1 for i in members if i % 5 == 4)
        assert group.prompt_tokens == sum(10 + i for i in members)
        assert group.completion_tokens == sum(members)
        assert group.total_tokens == sum(10 + 2 * i for i in members)
        sent = sum(0.001 * i for i in members if i % 3 != 2)
        assert group.cost == pytest.approx(sent + (GPT_4O_ROW_0_COST if 0 in members else 0.0))
        for fraction, value in ((0.5, group.duration_p50), (0.95, group.duration_p95), (0.99, group.duration_p99)):
            assert value == pytest.approx(_percentile(durations, fraction), abs=1e-9)
    assert groups[0].duration_p50 == pytest.approx(statistics.median([0.1 * (i + 1) for i in range(2, 20, 3)]))


def test_aggregate_totals_tags_metadata_and_search(api: Api, seeded: str) -> None:
    tag = seeded
    (totals,) = api.call(
        api.completions.AggregateCompletions, api_pb.AggregateCompletionsRequest(filter=f'tags:"{tag}"')
    ).groups
    assert (totals.count, totals.failed_count, dict(totals.key), totals.HasField("bucket_start")) == (20, 4, {}, False)
    by_tag = api.call(
        api.completions.AggregateCompletions,
        api_pb.AggregateCompletionsRequest(filter=f'tags:"{tag}"', group_by=["tags", "metadata.vip"]),
    ).groups
    assert [(dict(g.key), g.count) for g in by_tag] == [
        ({"tags": "even", "metadata.vip": "true"}, 10),
        ({"tags": "odd", "metadata.vip": "false"}, 10),
        ({"tags": tag, "metadata.vip": "false"}, 10),
        ({"tags": tag, "metadata.vip": "true"}, 10),
    ]
    searched = api.call(
        api.completions.AggregateCompletions,
        api_pb.AggregateCompletionsRequest(filter=f'tags:"{tag}"', search="zanzibar", group_by=["status"]),
    ).groups
    assert [(g.key["status"], g.count) for g in searched] == [("failed", 1), ("finished", 4)]
    nothing = api.call(
        api.completions.AggregateCompletions, api_pb.AggregateCompletionsRequest(filter='model = "no-such-model"')
    ).groups
    assert [(g.count, g.cost, g.duration_p99) for g in nothing] == [(0, 0.0, 0.0)]


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"filter": "model = "}, "filter", "position 9"),
        ({"filter": "model = \"x' OR 1=1 --"}, "filter", "not closed"),
        ({"filter": "colour = red"}, "filter", "unknown field 'colour'"),
        ({"filter": "cost > cheap"}, "filter", "('cheap')"),
        ({"filter": "created_at > yesterday"}, "filter", "RFC 3339"),
        ({"filter": "status = done"}, "filter", "started, finished, failed"),
        ({"filter": "model > a"}, "filter", "supports =, != and :"),
        ({"filter": "(" * 40 + "model = a" + ")" * 40}, "filter", "deeper than 32"),
        ({"filter": "model = a AND " * 400 + "model = a"}, "filter", "limit is 4096"),
        ({"filter": " OR ".join(["model = a"] * 70)}, "filter", "more than 64 conditions"),
        ({"filter": "feedback.Helpfulness.score > high"}, "filter", "> compares numbers"),
        ({"filter": "model = a b"}, "filter", "position 12: expected an operator (<= >= != = < > :) after 'b'"),
        ({"order_by": "colour desc"}, "order_by", "cannot order by"),
        ({"search": "!!! ???"}, "search", "no letters"),
        ({"page_token": "bm90LWEtdG9rZW4"}, "page_token", "not a token"),
    ],
)
def test_bad_reads_are_invalid_argument_naming_what_and_where(
    api: Api, fields: dict[str, str], field: str, fragment: str
) -> None:
    err = rpc_error(lambda: _list(api, **fields))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, err.details()
    violations = error_details(err)["violations"]
    assert fragment in violations.get(field, ""), violations


def test_injection_attempts_are_just_strings(api: Api, seeded: str) -> None:
    assert _ids(api, seeded, 'model = "x\' OR 1=1 --"') == []
    assert _ids(api, seeded, 'metadata.customer = "\'; DROP TABLE completions; --"') == []
    assert _list(api, search="'; DROP TABLE completions; -- OR NEAR(a b)").completions == []
    assert len(_ids(api, seeded)) == 20


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"group_by": ["colour"]}, "group_by[0]"), ({"interval": "1 week"}, "interval"), ({"filter": "x = 1"}, "filter")],
)
def test_bad_aggregates_are_invalid_argument(api: Api, fields: dict[str, Any], field: str) -> None:
    err = rpc_error(
        lambda: api.call(api.completions.AggregateCompletions, api_pb.AggregateCompletionsRequest(**fields))
    )
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in error_details(err)["violations"]
