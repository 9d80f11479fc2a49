"""DELETE /api/v1/completions/{id} over the gateway: 200 with an empty object, then 404."""

from __future__ import annotations

from tests.gateway.conftest import Rest


def test_delete_over_rest_then_get_and_delete_are_404(rest: Rest, unique: str) -> None:
    created = rest.post("/api/v1/completions", {"status": "finished", "tags": [unique], "id": f"rest-{unique}"})
    assert created.status == 201, created.text
    path = f"/api/v1/completions/rest-{unique}"

    deleted = rest.call("DELETE", path)
    assert deleted.status == 200, deleted.text
    assert deleted.json == {}

    assert rest.get(path).status == 404
    assert rest.get(f"/api/v1/completions?tags={unique}").json["completions"] == []
    again = rest.call("DELETE", path)
    assert again.status == 404 and again.json["code"] == 5 and f"rest-{unique}" in again.json["message"]


def test_delete_needs_a_key_and_is_listed_in_openapi(rest: Rest, unique: str) -> None:
    assert rest.call("DELETE", f"/api/v1/completions/x-{unique}", auth=False).status == 401
    operation = rest.get("/openapi.json").json["paths"]["/api/v1/completions/{id}"]["delete"]
    assert "DeleteCompletion" in operation["operationId"]
