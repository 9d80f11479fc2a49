"""The `feedback.<task name>.<field>` filter term over real gRPC on SQLite and PostgreSQL.

Feedback is created through the API; ListCompletions, AggregateCompletions and
ExportCompletions then filter on its values.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog.v1 import feedback_service_pb2 as fb_pb
from tenlog.v1 import feedback_task_service_pb2 as task_pb
from tenlog.v1 import transfer_service_pb2 as tr
from tenlog.v1 import transfer_service_pb2_grpc as tr_grpc

from tests.support.grpc_api import Api, chat_completion, error_details, rpc_error

ROWS = 6
MODELS = ("gpt-4o", "gpt-4o-mini")


@dataclass(frozen=True)
class Graded:
    """Six completions `<tag>-0..5` and the names of the two tasks their feedback is under."""

    tag: str
    helpful: str  # quoted in filters: it holds a space and a dot
    tone: str

    def ids(self, *rows: int) -> list[str]:
        return sorted(f"{self.tag}-{i}" for i in rows)


def _task(api: Api, name: str) -> str:
    task = pb.FeedbackTask(name=name, instruction="grade it")
    task.json_schema.update({"type": "object"})
    return str(api.call(api.tasks.CreateFeedbackTask, task_pb.CreateFeedbackTaskRequest(task=task)).id)


def _feedback(api: Api, task_id: str, ids: list[str], values: dict[str, Any]) -> None:
    upload = fb_pb.UploadFeedbackRequest(task_id=task_id, completion_ids=ids)
    upload.json_values.update(values)
    api.call(api.feedback.UploadFeedback, upload)


@pytest.fixture(scope="module")
def graded(api: Api) -> Graded:
    """Rows 0-3 have feedback under `helpful` (row 1 twice), row 4 only under `tone`, row 5 none."""
    unique = uuid.uuid4().hex[:12]
    tag = f"fbf-{unique}"
    rows = [
        chat_completion(
            id=f"{tag}-{i}",
            tags=[tag, "even" if i % 2 == 0 else "odd"],
            request={"model": MODELS[i % 2], "messages": [{"role": "user", "content": "hi"}]},
            response={"model": MODELS[i % 2], "choices": [{"message": {"role": "assistant", "content": "ok"}}]},
            cost=0.001 * (i + 1),
            duration=0.5,
        )
        for i in range(ROWS)
    ]
    api.call(api.completions.BatchCreateCompletions, api_pb.BatchCreateCompletionsRequest(completions=rows))
    names = Graded(tag, f"helpfulness v2.{unique}", f"tone-{unique}")
    helpful, tone = _task(api, names.helpful), _task(api, names.tone)
    _feedback(api, helpful, [f"{tag}-0", f"{tag}-1"], {"score": 5, "label": "good", "ok": True, "at": {"lang": "en"}})
    _feedback(api, helpful, [f"{tag}-2"], {"score": 2, "label": "bad", "ok": False})
    _feedback(api, helpful, [f"{tag}-1"], {"score": 1.5, "label": "meh"})
    _feedback(api, helpful, [f"{tag}-3"], {"score": "4", "label": "4", "note": None})
    _feedback(api, tone, [f"{tag}-4"], {"score": 5, "label": "good"})
    return names


def _ids(api: Api, graded: Graded, filter_text: str, **fields: Any) -> list[str]:
    request = api_pb.ListCompletionsRequest(filter=f'tags:"{graded.tag}" AND ({filter_text})', page_size=50, **fields)
    return sorted(c.id for c in api.call(api.completions.ListCompletions, request).completions)


@pytest.mark.parametrize(
    ("term", "rows"),
    [
        ("score >= 4", [0, 1]),  # row 1 has 5 and 1.5: some feedback matching is enough; row 3's "4" is text
        ("score < 2", [1]),
        ("score = 5", [0, 1]),
        ("score = 1.5", [1]),
        ("score != 5", [2, 3, 4, 5]),  # the negation of =: no feedback says 5 (row 4's 5 is another task's)
        ('score = "4"', [3]),  # quoted: text, so only the string
        ("label = good", [0, 1]),
        ('label:"4"', [3]),
        ("label != good", [2, 3, 4, 5]),
        ("ok = true", [0, 1]),
        ('ok = "false"', [2]),  # booleans compare as the text true/false
        ("ok:*", [0, 1, 2]),
        ("note:*", [3]),  # a JSON null is present
        ("at.lang = en", [0, 1]),  # a nested field
        ("at.lang:*", [0, 1]),
        ("missing:*", []),
    ],
)
def test_feedback_values_compare_as_numbers_text_and_presence(
    api: Api, graded: Graded, term: str, rows: list[int]
) -> None:
    assert _ids(api, graded, f'feedback."{graded.helpful}".{term}') == graded.ids(*rows)


def test_task_presence_negation_and_unknown_tasks(api: Api, graded: Graded) -> None:
    helpful = f'feedback."{graded.helpful}"'
    assert _ids(api, graded, f"{helpful}:*") == graded.ids(0, 1, 2, 3)
    assert _ids(api, graded, f"NOT {helpful}:*") == graded.ids(4, 5)
    assert _ids(api, graded, f"-{helpful}.score >= 4") == graded.ids(2, 3, 4, 5)
    assert _ids(api, graded, f"NOT ({helpful}.score >= 4 OR {helpful}.label = bad)") == graded.ids(3, 4, 5)
    assert _ids(api, graded, f"feedback.{graded.tone}.score = 5") == graded.ids(4)
    assert _ids(api, graded, f"feedback.{graded.tone}:* OR {helpful}.score > 4.5") == graded.ids(0, 1, 4)
    assert _ids(api, graded, f'feedback."no such task {graded.tag}".score > 0') == []
    assert _ids(api, graded, f'NOT feedback."no such task {graded.tag}":*') == graded.ids(*range(ROWS))


def test_feedback_combines_with_other_terms_search_and_order(api: Api, graded: Graded) -> None:
    helpful = f'feedback."{graded.helpful}"'
    assert _ids(api, graded, f"{helpful}:* AND model = gpt-4o") == graded.ids(0, 2)
    assert _ids(api, graded, f'{helpful}.score > 1 tags:"odd"') == graded.ids(1)
    assert _ids(api, graded, f"{helpful}.label = good AND cost > 0.0015") == graded.ids(1)
    assert _ids(api, graded, f"{helpful}.label = good AND metadata.nothing:* OR graded = true") == graded.ids(0, 1)
    assert _ids(api, graded, f"{helpful}:*", search="hi") == graded.ids(0, 1, 2, 3)
    request = api_pb.ListCompletionsRequest(filter=f'tags:"{graded.tag}" {helpful}:*', order_by="cost desc")
    ordered = [c.id for c in api.call(api.completions.ListCompletions, request).completions]
    assert ordered == [f"{graded.tag}-{i}" for i in (3, 2, 1, 0)]


def test_feedback_filters_page_with_tokens(api: Api, graded: Graded) -> None:
    seen: list[str] = []
    token = ""
    while True:
        request = api_pb.ListCompletionsRequest(
            filter=f'feedback."{graded.helpful}".score > 1', page_size=1, page_token=token
        )
        page = api.call(api.completions.ListCompletions, request)
        seen += [c.id for c in page.completions]
        token = page.next_page_token
        if not token:
            break
    assert seen == [f"{graded.tag}-{i}" for i in (2, 1, 0)]  # newest first


def test_aggregates_and_export_take_the_term(api: Api, graded: Graded, grpc_channel: grpc.Channel) -> None:
    # model + day interval alone would be answered from the rollups, which know nothing of feedback.
    request = api_pb.AggregateCompletionsRequest(
        filter=f'feedback."{graded.helpful}":*', group_by=["model"], interval="1d"
    )
    groups = api.call(api.completions.AggregateCompletions, request).groups
    assert [(g.key["model"], g.count) for g in groups] == [("gpt-4o", 2), ("gpt-4o-mini", 2)]
    (totals,) = api.call(
        api.completions.AggregateCompletions,
        api_pb.AggregateCompletionsRequest(filter=f'feedback."{graded.helpful}".score >= 4'),
    ).groups
    assert (totals.count, totals.cost) == (2, pytest.approx(0.001 + 0.002))
    transfer = tr_grpc.TransferServiceStub(grpc_channel)
    exported = transfer.ExportCompletions(
        tr.ExportCompletionsRequest(filter=f'feedback."{graded.helpful}".label != good AND tags:"{graded.tag}"'),
        metadata=api.metadata,
        timeout=30,
    )
    assert [c.id for page in exported for c in page.completions] == graded.ids(2, 3, 4, 5)


@pytest.mark.parametrize(
    ("filter_text", "fragment"),
    [
        ("feedback.helpful > 3", "at position 1 ('feedback.helpful'): feedback.<task name> only takes :*"),
        ("feedback:*", "write feedback.<task name>.<field>"),
        ('feedback."".score = 1', "write feedback.<task name>.<field>"),
        ("model = x AND feedback.t.label > good", "at position 34 ('good'): > compares numbers"),
        ('feedback.t."a\\"b" = 1', "without quotes, backslashes or control characters"),
        ("feedback.t.a.b.c.d.e.f.g.h.i = 1", "at most 8 keys"),
    ],
)
def test_bad_feedback_terms_are_invalid_argument(api: Api, filter_text: str, fragment: str) -> None:
    for method, request in (
        (api.completions.ListCompletions, api_pb.ListCompletionsRequest(filter=filter_text)),
        (api.completions.AggregateCompletions, api_pb.AggregateCompletionsRequest(filter=filter_text)),
    ):
        err = rpc_error(lambda method=method, request=request: api.call(method, request))
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, err.details()
        assert fragment in error_details(err)["violations"]["filter"]
