"""Bad input over REST: each gets the right 4xx and a message naming the problem."""

from __future__ import annotations

from tenlog_server.domain.errors import ERROR_DOMAIN

from tests.gateway.conftest import Rest


def test_malformed_json_is_400_with_the_position(rest: Rest) -> None:
    result = rest.post("/api/v1/completions", raw=b'{"status": "finished",')
    assert result.status == 400
    assert result.json["code"] == 3
    assert "not valid JSON" in result.json["message"] and "line 1" in result.json["message"]


def test_a_body_that_is_not_an_object_is_400(rest: Rest) -> None:
    result = rest.post("/api/v1/completions", ["a", "list"])
    assert result.status == 400
    assert "expected an object, got array" in result.json["message"]


def test_wrong_types_name_the_field(rest: Rest) -> None:
    cases = {
        "duration": ("soon", "completion.duration", "expected a number"),
        "tags": ("a-tag", "completion.tags", "expected an array"),
        "prompt_tokens": (1.5, "completion.prompt_tokens", "expected an integer"),
        "status": ("done", "completion.status", "expected one of started, finished, failed"),
        "request": ("not json", "completion.request", "expected an object"),
        "stacktrace": ([{"lineno": "x"}], "completion.stacktrace[0].lineno", "expected an integer"),
    }
    for key, (value, field, description) in cases.items():
        result = rest.post("/api/v1/completions", {key: value})
        assert result.status == 400, (key, result.text)
        violations = result.json["details"][0]["field_violations"]
        assert violations[0]["field"] == field, result.text
        assert description in violations[0]["description"], result.text
        assert field in result.json["message"]


def test_wrong_query_parameter_type_is_400(rest: Rest) -> None:
    result = rest.get("/api/v1/completions?limit=many")
    assert result.status == 400
    assert "query parameter limit" in result.json["message"]


def test_unknown_path_is_404(rest: Rest) -> None:
    result = rest.get("/api/v1/nothing-here")
    assert result.status == 404
    assert result.json["code"] == 5
    assert "/api/v1/nothing-here" in result.json["message"]


def test_wrong_method_is_405_with_allow(rest: Rest) -> None:
    result = rest.call("DELETE", "/api/v1/completions")
    assert result.status == 405
    assert result.headers["Allow"] == "GET, POST"
    assert "DELETE" in result.json["message"]


def test_oversize_body_is_413(rest: Rest) -> None:
    too_big = b'{"tags": ["' + b"x" * (17 * 1024 * 1024) + b'"]}'
    result = rest.post("/api/v1/completions", raw=too_big)
    assert result.status == 413
    assert "larger than the limit" in result.json["message"]
    # The gateway's own errors and the servicers' carry the one ErrorInfo domain.
    missing = rest.get("/api/v1/completions/no-such-completion")
    assert missing.status == 404
    domains = {
        detail["domain"]
        for answer in (result, missing)
        for detail in answer.json["details"]
        if detail["@type"].endswith("google.rpc.ErrorInfo")
    }
    assert domains == {ERROR_DOMAIN}


def test_missing_or_bad_key_is_401(rest: Rest) -> None:
    missing = rest.post("/api/v1/completions", {"status": "started"}, auth=False)
    assert missing.status == 401
    assert "key" in missing.json["message"].lower()
    wrong = rest.post("/api/v1/completions", {"status": "started"}, headers={"X-Log10-Token": "nope"})
    assert wrong.status == 401
    # The gateway does not hide the route from unauthenticated callers' errors: 401, not 404.
    assert rest.get("/api/v1/completions/ungraded", auth=False).status == 401
