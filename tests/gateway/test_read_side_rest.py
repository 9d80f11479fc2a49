"""The read side over REST: ?filter, ?search, ?order_by on ListCompletions and GET /api/v1/completions:aggregate."""

from __future__ import annotations

import urllib.parse

from tests.gateway.conftest import Rest


def _seed(rest: Rest, tag: str) -> None:
    for i, (model, word) in enumerate([("gpt-4o", "walrus"), ("gpt-4o", "otter"), ("gpt-4o-mini", "walrus")]):
        body = {
            "id": f"{tag}-{i}",
            "tags": [tag],
            "cost": 0.01 * (i + 1),
            "duration": 1.0 + i,
            "metadata": {"customer": "acme" if i < 2 else "globex"},
            "request": {"model": model, "messages": [{"role": "user", "content": f"a {word} please"}]},
            "response": {"model": model, "choices": [{"message": {"role": "assistant", "content": "ok"}}]},
        }
        assert rest.post("/api/v1/completions", body).status == 201


def _query(**params: str | list[str]) -> str:
    return urllib.parse.urlencode(params, doseq=True)


def test_list_with_filter_search_and_order_by(rest: Rest, unique: str) -> None:
    _seed(rest, unique)
    result = rest.get(
        "/api/v1/completions?"
        + _query(filter=f'tags:"{unique}" AND metadata.customer = "acme"', order_by="cost desc", page_size="1")
    )
    assert result.status == 200, result.text
    body = result.json
    assert [c["id"] for c in body["completions"]] == [f"{unique}-1"] and body["next_page_token"]
    second = rest.get(
        "/api/v1/completions?"
        + _query(
            filter=f'tags:"{unique}" AND metadata.customer = "acme"',
            order_by="cost desc",
            page_size="1",
            page_token=body["next_page_token"],
        )
    ).json
    assert [c["id"] for c in second["completions"]] == [f"{unique}-0"]
    found = rest.get("/api/v1/completions?" + _query(filter=f'tags:"{unique}"', search="walrus")).json
    assert sorted(c["id"] for c in found["completions"]) == [f"{unique}-0", f"{unique}-2"]


def test_aggregate_shape(rest: Rest, unique: str) -> None:
    _seed(rest, unique)
    result = rest.get(
        "/api/v1/completions:aggregate?" + _query(filter=f'tags:"{unique}"', group_by=["model"], interval="1d")
    )
    assert result.status == 200, result.text
    groups = result.json["groups"]
    assert [g["key"] for g in groups] == [{"model": "gpt-4o"}, {"model": "gpt-4o-mini"}]
    first = groups[0]
    assert first["count"] == 2 and first["failed_count"] == 0
    assert first["bucket_start"].endswith("T00:00:00Z")
    assert abs(first["cost"] - 0.03) < 1e-9 and first["duration_p50"] == 1.5
    assert set(first) >= {"prompt_tokens", "completion_tokens", "total_tokens", "duration_p95", "duration_p99"}
    totals = rest.get("/api/v1/completions:aggregate?" + _query(filter=f'tags:"{unique}"')).json["groups"]
    assert len(totals) == 1 and totals[0]["count"] == 3 and "bucket_start" not in totals[0]


def test_bad_filter_is_400_with_a_violation_on_filter(rest: Rest) -> None:
    result = rest.get("/api/v1/completions?" + _query(filter='model = "x" AND colour = red'))
    assert result.status == 400, result.text
    (violation,) = result.json["details"][-1]["field_violations"]
    assert violation["field"] == "filter"
    assert "position 17 ('colour')" in violation["description"] and "unknown field" in violation["description"]
    aggregate = rest.get("/api/v1/completions:aggregate?" + _query(group_by="colour"))
    assert aggregate.status == 400


def test_feedback_term_over_rest(rest: Rest, unique: str) -> None:
    _seed(rest, unique)
    task = rest.post(
        "/api/v1/feedback_task",
        {"name": f"quality {unique}", "instruction": "rate it", "json_schema": {"type": "object"}},
    )
    assert task.status == 200, task.text
    for i, score in ((0, 5), (2, 2)):
        given = {"task_id": task.json["id"], "json_values": {"score": score}, "completion_ids": [f"{unique}-{i}"]}
        assert rest.post("/api/v1/feedback", given).status == 200
    term = f'feedback."quality {unique}"'
    for filter_text, expected in (
        (f"{term}.score >= 4", [f"{unique}-0"]),
        (f"{term}:*", [f"{unique}-0", f"{unique}-2"]),
        (f'NOT {term}:* AND tags:"{unique}"', [f"{unique}-1"]),
    ):
        listed = rest.get("/api/v1/completions?" + _query(filter=filter_text))
        assert listed.status == 200, listed.text
        assert sorted(c["id"] for c in listed.json["completions"]) == expected, filter_text
    aggregate = rest.get("/api/v1/completions:aggregate?" + _query(filter=f"{term}:*", group_by="model"))
    assert [(g["key"]["model"], g["count"]) for g in aggregate.json["groups"]] == [("gpt-4o", 1), ("gpt-4o-mini", 1)]
    bad = rest.get("/api/v1/completions?" + _query(filter=f"{term}.score > high"))
    assert bad.status == 400
    assert "('high'): > compares numbers" in bad.json["details"][-1]["field_violations"][0]["description"]
