"""domain.update_mask without a database: masked fields replace, others stay, bad paths are refused at once."""

from __future__ import annotations

import pytest
from tenlog_server.domain.documents import Document
from tenlog_server.domain.errors import InvalidArgument
from tenlog_server.domain.model import CompletionRecord
from tenlog_server.domain.update_mask import apply_update, mask_attributes


def current() -> CompletionRecord:
    return CompletionRecord(
        id="c1",
        status="started",
        tags=["a"],
        model="gpt-4o",
        prompt_tokens=3,
        request=Document.of({"model": "gpt-4o"}),
        created_at_us=5,
    )


def test_paths_name_record_attributes() -> None:
    assert mask_attributes(["status", "organization_id", "status"]) == ["status", "reported_organization_id"]


def test_every_unknown_or_server_owned_path_is_named_once() -> None:
    with pytest.raises(InvalidArgument) as raised:
        mask_attributes(["status", "id", "created_at", "nope"])
    assert raised.value.message == "update_mask names fields that cannot be updated"
    assert [(v.field, v.description) for v in raised.value.violations] == [
        ("update_mask.paths", f"{path!r} is not an updatable Completion field") for path in ("id", "created_at", "nope")
    ]


def test_masked_fields_are_replaced_and_the_rest_kept() -> None:
    before = current()
    values = CompletionRecord(id="ignored", status="finished", tags=["b"], model="other")
    changes = apply_update(before, ["status"], values)
    assert changes["status"] == "finished"
    assert "tags" not in changes and changes["model"] == "gpt-4o"  # lifted fields are always written back
    assert before.status == "started"  # the current record is not changed


def test_a_new_response_lifts_token_counts_but_keeps_what_the_client_gave() -> None:
    values = CompletionRecord(id="c1", response=Document.of({"usage": {"prompt_tokens": 9, "completion_tokens": 4}}))
    changes = apply_update(current(), ["response"], values)
    assert (changes["prompt_tokens"], changes["completion_tokens"], changes["total_tokens"]) == (3, 4, 7)


def test_an_emptied_kind_falls_back_to_chat_and_an_invalid_result_is_refused() -> None:
    assert apply_update(current(), ["kind"], CompletionRecord(id="c1", kind=""))["kind"] == "chat"
    with pytest.raises(InvalidArgument) as raised:
        apply_update(current(), ["status", "tags"], CompletionRecord(id="c1", status="done", tags=[" "]))
    assert [v.field for v in raised.value.violations] == ["completion.status", "completion.tags[0]"]
