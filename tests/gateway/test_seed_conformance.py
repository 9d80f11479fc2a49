"""The seed Log10 OpenAPI document, fuzzed against a live server with schemathesis, and tenlog's own document.

`make test` runs a short pass (TENLOG_SCHEMATHESIS_EXAMPLES examples per
operation, 12 by default); `make conformance` runs a long one. Every request
carries a valid key and organization, so the bodies reach the server's rules.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error

from tests.gateway.conftest import Rest
from tests.support.server import ServerProcess

SEED_SPEC = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "log10-openapi.yaml"
EXAMPLES = int(os.environ.get("TENLOG_SCHEMATHESIS_EXAMPLES", "12"))


@pytest.fixture(scope="module")
def fuzz_rest(gateway_server: ServerProcess) -> Rest:
    """An organization of its own: the fuzzer's random rows (odd names, U+2028) stay out of other tests' listings."""
    org = f"seed-fuzz-{os.getpid()}"
    return Rest(gateway_server.http_url, gateway_server.mint_key(org), org)


@pytest.fixture(scope="module")
def seed_schema() -> Any:
    return schemathesis.openapi.from_path(SEED_SPEC)


def not_refused_for_naming_contract_fields(ctx: Any, response: Any, case: Any) -> None:
    """A schema-valid body is never refused because it repeats fields the contract defines (id, organization_id)."""
    if response.status_code == 400 and "cannot be updated" in response.text:
        raise AssertionError(f"refused a schema-valid body for the fields it names: {response.text}")


def test_seed_spec_operations_never_answer_5xx(seed_schema: Any, fuzz_rest: Rest) -> None:
    results = list(seed_schema.get_all_operations())
    operations = [result.ok() for result in results]  # every operation of the seed document loads (ok() raises)
    assert len(operations) >= 10
    headers = {"X-Log10-Token": fuzz_rest.key, "X-Log10-Organization": fuzz_rest.org}
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            response = case.call(base_url=fuzz_rest.base_url, headers=headers, timeout=30)
            case.validate_response(response, checks=[not_a_server_error, not_refused_for_naming_contract_fields])

        call()


def test_update_body_repeating_contract_fields_is_accepted_and_moves_nothing(rest: Rest, gateway_server: Any) -> None:
    other_org = f"other-{os.getpid()}"
    other = Rest(rest.base_url, gateway_server.mint_key(other_org), other_org)
    theirs = other.post("/api/v1/completions", {"status": "started", "tags": ["theirs"]}).json["id"]
    mine = rest.post("/api/v1/completions", {"status": "started"}).json["id"]
    body = {
        "id": mine,
        "organization_id": other_org,
        "kind": "chat",
        "status": "finished",
        "tags": ["updated"],
        "request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
        "response": {"choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"}}]},
        "stacktrace": [{"file": "a.py", "line": "x()", "lineno": 3, "name": "main"}],
        "session_id": "s-1",
        "duration": 0.5,
        "failure_kind": "",
        "failure_reason": "",
    }
    updated = rest.post(f"/api/v1/completions/{mine}", body)
    assert updated.status == 200, updated.text
    assert updated.json["status"] == "finished" and updated.json["tags"] == ["updated"]
    assert rest.get(f"/api/v1/completions/{mine}").status == 200
    assert other.get(f"/api/v1/completions/{mine}").status == 404  # nothing moved to the named organization
    # Writing another organization's id creates the caller's own completion; theirs is untouched.
    assert rest.post(f"/api/v1/completions/{theirs}", {**body, "id": theirs}).status == 200
    untouched = other.get(f"/api/v1/completions/{theirs}").json
    assert untouched["status"] == "started" and untouched["tags"] == ["theirs"]


def test_create_without_a_body_is_400_not_an_empty_completion(rest: Rest, unique: str) -> None:
    empty = rest.post("/api/v1/completions", raw=b"")
    assert empty.status == 400, empty.text
    assert empty.json["details"][-1]["field_violations"][0]["field"] == "completion"
    assert rest.post("/api/v1/completions", {}).status == 201  # an empty object is a (defaulted) completion


def test_generated_openapi_document_validates_and_has_no_duplicate_paths(rest: Rest) -> None:
    document = rest.get("/openapi.json", auth=False).json
    validate(document)
    shapes: dict[str, str] = {}
    for path in document["paths"]:
        shape = "/".join("{}" if part.startswith("{") else part for part in path.split("/"))
        assert shape not in shapes, f"{path} and {shapes[shape]} are the same template"
        shapes[shape] = path
    assert "/api/v1/completions/{completion.id}" not in document["paths"]
    feedback_list = document["paths"]["/api/v1/feedback"]["get"]
    assert "oneOf" in feedback_list["responses"]["200"]["content"]["application/json"]["schema"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/feedback?task_id=a%00b", "task_id"),
        ("/api/v1/completions?tags=a%00b", "tags[0]"),
        ("/api/v1/completions?status=a%00b", "status"),
    ],
)
def test_filter_text_holding_nul_is_400_naming_the_field(rest: Rest, path: str, field: str) -> None:
    # PostgreSQL cannot compare text holding NUL; both backends answer the same clear 400.
    result = rest.get(path)
    assert result.status == 400, result.text
    # The gateway names a query parameter it could not parse as "query parameter <name>".
    assert result.json["details"][-1]["field_violations"][0]["field"].endswith(field)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/completions/a%00b",
        "/api/v1/feedback/a%00b",
        "/api/v1/feedback_task/a%00b",
        "/api/v1/sessions/a%00b",
    ],
)
def test_lookup_by_an_id_no_row_can_have_is_404_not_a_server_error(rest: Rest, path: str) -> None:
    # Ids holding NUL are refused when stored (domain.completion_rules.could_exist): the lookup is not even tried.
    result = rest.get(path)
    assert result.status == 404, result.text


def test_legacy_write_under_an_id_holding_nul_is_400_naming_it(rest: Rest) -> None:
    result = rest.post("/api/v1/completions/a%00b", {"status": "finished"})
    assert result.status == 400, result.text
    assert result.json["details"][-1]["field_violations"][0]["field"] == "completion.id"
