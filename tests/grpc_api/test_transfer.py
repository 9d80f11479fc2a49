"""TransferService over real sockets: export pages by id, resume, filters, isolation, imports by id; REST NDJSON."""

from __future__ import annotations

import json
import urllib.request

import grpc
import pytest
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog.v1 import transfer_service_pb2 as tr
from tenlog.v1 import transfer_service_pb2_grpc as tr_grpc

from tests.support.grpc_api import Api, chat_completion, error_details
from tests.support.server import ServerProcess

ROWS = 23
QUESTIONS = {True: "Where does the lighthouse keeper live?", False: "What is the capital of France?"}
LIGHTHOUSE_FILTER = 'tags:"even" OR session_id = "s1"'


@pytest.fixture(scope="session")
def transfer(grpc_channel: grpc.Channel) -> tr_grpc.TransferServiceStub:
    return tr_grpc.TransferServiceStub(grpc_channel)


@pytest.fixture(scope="session")
def exporting(tenlog_server: ServerProcess, grpc_channel: grpc.Channel) -> Api:
    """An organization of its own, so exports see exactly the rows these tests wrote."""
    api = Api(grpc_channel, tenlog_server.mint_key("org-export"), "org-export")
    batch = api_pb.BatchCreateCompletionsRequest(
        completions=[
            chat_completion(
                id=f"exp-{i:03d}",
                tags=["even" if i % 2 == 0 else "odd"],
                session_id=f"s{i % 3}",
                request={"model": "gpt-4o", "messages": [{"role": "user", "content": QUESTIONS[i % 5 == 0]}]},
            )
            for i in reversed(range(ROWS))  # written out of id order: the export sorts
        ]
    )
    api.call(api.completions.BatchCreateCompletions, batch)
    return api


def export(transfer: tr_grpc.TransferServiceStub, api: Api, **fields: object) -> list[tr.ExportCompletionsResponse]:
    request = tr.ExportCompletionsRequest(**fields)  # type: ignore[arg-type]
    return list(transfer.ExportCompletions(request, metadata=api.metadata, timeout=30))


def test_export_sends_every_completion_by_ascending_id_in_pages(
    transfer: tr_grpc.TransferServiceStub, exporting: Api
) -> None:
    pages = export(transfer, exporting, page_size=10)
    assert [len(p.completions) for p in pages] == [10, 10, 3]
    ids = [c.id for p in pages for c in p.completions]
    assert ids == [f"exp-{i:03d}" for i in range(ROWS)]
    assert [p.last_id for p in pages] == ["exp-009", "exp-019", "exp-022"]
    assert [p.total_count for p in pages] == [ROWS, 0, 0]
    first = pages[0].completions[0]
    assert first.request.fields["model"].string_value == "gpt-4o" and first.HasField("created_at")


def test_export_resumes_after_the_last_id_delivered(transfer: tr_grpc.TransferServiceStub, exporting: Api) -> None:
    pages = export(transfer, exporting, after="exp-019")
    assert [c.id for p in pages for c in p.completions] == ["exp-020", "exp-021", "exp-022"]
    assert pages[0].total_count == 3


def test_export_applies_the_fixed_filter_fields(transfer: tr_grpc.TransferServiceStub, exporting: Api) -> None:
    ids = [c.id for p in export(transfer, exporting, tags=["even"], session_id="s0") for c in p.completions]
    assert ids == [f"exp-{i:03d}" for i in range(ROWS) if i % 2 == 0 and i % 3 == 0]


def test_export_takes_the_listing_filter_and_search(transfer: tr_grpc.TransferServiceStub, exporting: Api) -> None:
    pages = export(transfer, exporting, filter=LIGHTHOUSE_FILTER, search="lighthouse", page_size=2)
    ids = [c.id for p in pages for c in p.completions]
    assert ids == [f"exp-{i:03d}" for i in range(ROWS) if (i % 2 == 0 or i % 3 == 1) and i % 5 == 0]
    assert pages[0].total_count == len(ids)
    listed = exporting.call(
        exporting.completions.ListCompletions,
        api_pb.ListCompletionsRequest(filter=LIGHTHOUSE_FILTER, search="lighthouse", page_size=100),
    )
    assert sorted(c.id for c in listed.completions) == ids  # the same rows ListCompletions finds


def test_a_bad_filter_search_or_page_size_is_invalid_argument(
    transfer: tr_grpc.TransferServiceStub, exporting: Api
) -> None:
    with pytest.raises(grpc.RpcError) as info:
        export(transfer, exporting, filter="model = ")
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "position" in error_details(info.value)["violations"]["filter"]
    with pytest.raises(grpc.RpcError) as unknown:
        export(transfer, exporting, filter='colour = "red"')
    assert "unknown field" in error_details(unknown.value)["violations"]["filter"]
    with pytest.raises(grpc.RpcError) as negative:
        export(transfer, exporting, page_size=-1)
    assert error_details(negative.value)["violations"].keys() == {"page_size"}


def test_other_organizations_export_none_of_these_rows(transfer: tr_grpc.TransferServiceStub, api: Api) -> None:
    ids = [c.id for p in export(transfer, api) for c in p.completions]
    assert not [i for i in ids if i.startswith("exp-")]


def test_import_keeps_ids_and_times_and_is_idempotent(
    transfer: tr_grpc.TransferServiceStub,
    exporting: Api,
    tenlog_server: ServerProcess,
    grpc_channel: grpc.Channel,
    unique: str,
) -> None:
    org = f"org-import-{unique}"
    target = Api(grpc_channel, tenlog_server.mint_key(org), org)
    source = [c for p in export(transfer, exporting) for c in p.completions]
    bad = pb.Completion(id="", status=pb.STATUS_FINISHED)  # no id: rejected by index, the rest land
    requests = [tr.ImportCompletionsRequest(completion=c) for c in [*source[:5], bad, *source[5:]]]
    for _ in range(2):  # the second import replaces each row by itself
        result = transfer.ImportCompletions(iter(requests), metadata=target.metadata, timeout=30)
        assert (result.imported_count, result.rejected_count) == (ROWS, 1)
        assert result.rejected[0].index == 5 and "id is required" in result.rejected[0].reason
    copied = [c for p in export(transfer, target) for c in p.completions]
    assert len(copied) == ROWS
    for original, copy in zip(source, copied, strict=True):
        assert copy.organization_id == org  # answers name the owning organization (issue 9)
        copy.ClearField("organization_id")
        original_rest = pb.Completion()
        original_rest.CopyFrom(original)
        original_rest.ClearField("organization_id")
        assert copy == original_rest  # ids, times, tags, documents, tokens, cost
    listed = target.call(target.completions.ListCompletions, api_pb.ListCompletionsRequest(tags=["odd"], page_size=100))
    assert len(listed.completions) == ROWS // 2  # the tag index was rebuilt
    found = target.call(
        target.completions.ListCompletions, api_pb.ListCompletionsRequest(search="lighthouse", page_size=100)
    )
    assert sorted(c.id for c in found.completions) == [f"exp-{i:03d}" for i in range(ROWS) if i % 5 == 0]
    totals = target.call(
        target.completions.AggregateCompletions, api_pb.AggregateCompletionsRequest(group_by=["model"])
    )
    assert [(g.key["model"], g.count) for g in totals.groups] == [("gpt-4o", ROWS)]  # imported twice, counted once


def test_rest_export_streams_ndjson_pages(tenlog_server: ServerProcess, exporting: Api) -> None:
    request = urllib.request.Request(
        f"{tenlog_server.http_url}/api/v1/completions:export?page_size=20&tags=odd",
        headers={"X-Log10-Token": exporting.key, "X-Log10-Organization": exporting.org},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in response.read().splitlines() if line.strip()]
    ids = [c["id"] for line in lines for c in line["result"]["completions"]]
    assert ids == [f"exp-{i:03d}" for i in range(ROWS) if i % 2 == 1]
    assert lines[0]["result"]["completions"][0]["status"] == "finished"
