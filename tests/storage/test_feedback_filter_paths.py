"""Feedback filters answer alike walking completions (a common task) or starting from a rare task's feedback."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from tenlog_server.domain.completion_query import QueryPage, build_query, encode_query_token, make_query_page
from tenlog_server.domain.model import CompletionRecord, FeedbackRecord, FeedbackTaskRecord
from tenlog_server.storage import completion_query_sql
from tenlog_server.storage.completion_store import CompletionStore
from tenlog_server.storage.feedback_store import FeedbackStore

FILTERS = [
    "feedback.rate.score >= 3",
    "feedback.rate.score >= 3 AND model = m1",
    "feedback.rate:* AND NOT feedback.rate.score = 4",
    "feedback.rate.label = good OR feedback.other:*",
    'feedback.rate.score > 0 AND feedback.other.flag = "true"',
    "feedback.rate.score != 4",
]


def _pages(store: CompletionStore, org: str, filter_text: str, order_by: str) -> list[str]:
    query = build_query(filter_text=filter_text, order_by=order_by)
    seen: list[str] = []
    token = ""
    while True:
        page = make_query_page(org, query, 4, 0, 0, token)
        rows = store.query_completions(org, query, QueryPage(limit=page.limit + 1, after=page.after))
        seen += [r.id for r in rows[: page.limit]]
        if len(rows) <= page.limit:
            return seen
        last = rows[page.limit - 1]
        value = last.created_at_us if order_by.startswith("created_at") else last.cost
        token = encode_query_token(org, query, value, last.id)


@pytest.mark.parametrize("order_by", ["created_at desc", "cost asc"])
def test_rare_and_common_paths_find_the_same_rows_in_the_same_order(
    engine: Engine, unique: str, monkeypatch: pytest.MonkeyPatch, order_by: str
) -> None:
    org = f"o-{unique}"
    store, feedback = CompletionStore(engine), FeedbackStore(engine)
    store.upsert_batch(
        [
            (
                org,
                CompletionRecord(
                    id=f"c{i:02d}",
                    status="finished",
                    model=f"m{i % 2}",
                    tags=["all", f"t{i % 3}"],
                    cost=0.5 * (i % 5),
                    created_at_us=i,
                    updated_at_us=i,
                ),
            )
            for i in range(24)
        ]
    )
    for task in ("rate", "other"):
        feedback.create_task(org, FeedbackTaskRecord(f"t-{task}-{unique}", task, "", {"type": "object"}, []))
    for i in range(0, 24, 2):  # two completions per feedback, and c00..c05 graded twice
        values = {"score": i % 5, "label": "good" if i % 3 else "bad"}
        ids = [f"c{i:02d}", f"c{i + 1:02d}"]
        feedback.create_feedback(
            org, FeedbackRecord(f"f{i}-{unique}", f"t-rate-{unique}", values, matched_completion_ids=ids)
        )
    for i in range(6):
        feedback.create_feedback(
            org,
            FeedbackRecord(f"g{i}-{unique}", f"t-rate-{unique}", {"score": 9}, matched_completion_ids=[f"c{i:02d}"]),
        )
    feedback.create_feedback(
        org, FeedbackRecord(f"o-{unique}", f"t-other-{unique}", {"flag": True}, matched_completion_ids=["c07", "c20"])
    )
    rare = {f: _pages(store, org, f, order_by) for f in FILTERS}
    monkeypatch.setattr(completion_query_sql, "FEEDBACK_RARE_CAP", 0)  # never rare: walk and probe
    walked = {f: _pages(store, org, f, order_by) for f in FILTERS}
    assert walked == rare
    for f in FILTERS:  # aggregates always start from the feedback: each listed completion counts once per tag
        groups = store.aggregate(org, build_query(filter_text=f), ["tags"], None)
        assert sum(g.count for g in groups) == 2 * len(rare[f]), f
        assert {g.key["tags"]: g.count for g in groups}["all"] == len(rare[f]), f
    assert rare["feedback.rate.score >= 3"] and all(rare[f] for f in FILTERS)
    assert len(set(rare["feedback.rate.score >= 3"])) == len(rare["feedback.rate.score >= 3"])  # no repeats
