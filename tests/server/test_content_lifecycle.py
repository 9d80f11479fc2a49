"""Conversation content through a server's life: acknowledged writes survive kill -9, deletes and prune free it.

Each completion of a chat resends the conversation, so its messages are stored
once and counted (storage/content_store.py). Whatever a killed server
acknowledged must read back whole after a restart, and once DeleteCompletion and
prune have removed every completion naming a message, the message is
gone from the database too.
"""

from __future__ import annotations

import signal
from typing import Any

import grpc
from google.protobuf import json_format
from sqlalchemy import text
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog_server.domain.documents import Document
from tenlog_server.domain.retention import prune_completions
from tenlog_server.storage.completion_store import CompletionStore
from tenlog_server.storage.database import create_db_engine

from tests.support.grpc_api import Api
from tests.support.server import mint_key, start_server

SYSTEM = {"role": "system", "content": "You answer questions about tide tables, in one short paragraph. " * 4}
TURNS = 6


def conversation(unique: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(id, request, response) of each turn of a chat that resends its whole history."""
    history: list[dict[str, Any]] = [SYSTEM]
    turns = []
    for n in range(TURNS):
        history.append({"role": "user", "content": f"When is high water at pier {n} on day {unique}? " * 2})
        reply = {"role": "assistant", "content": f"High water at pier {n} is at {n + 6}:15, day {unique}. " * 2}
        request = {"model": "gpt-4o", "messages": list(history), "temperature": 0}
        response = {"id": f"chatcmpl-{n}", "choices": [{"index": 0, "message": reply, "finish_reason": "stop"}]}
        turns.append((f"tide-{unique}-{n}", request, response))
        history.append(reply)
    return turns


def create(api: Api, cid: str, request: dict[str, Any], response: dict[str, Any]) -> None:
    completion = pb.Completion(id=cid, kind=pb.KIND_CHAT, status=pb.STATUS_FINISHED, tags=["tides"])
    json_format.ParseDict(request, completion.request)
    json_format.ParseDict(response, completion.response)
    api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=completion))


def content_rows(database_url: str, org: str) -> int:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT count(*) FROM contents WHERE organization_id = :o"), {"o": org})
            return int(found.scalar_one())
    finally:
        engine.dispose()


def test_acknowledged_conversation_survives_kill_9_and_deletes_and_prune_free_its_content(
    sqlite_path: str, unique: str
) -> None:
    """On SQLite, whose durability tenlog's own settings decide (WAL, synchronous=NORMAL)."""
    database_url = sqlite_path
    org = f"tides-{unique}"
    key = mint_key(database_url, org)
    turns = conversation(unique)

    server = start_server(database_url, ["--no-bootstrap"])
    try:
        with grpc.insecure_channel(server.grpc_target) as channel:
            api = Api(channel, key)
            for cid, request, response in turns:
                create(api, cid, request, response)  # returns once committed
        server.stop(signal.SIGKILL)  # no shutdown: nothing gets a chance to flush
    finally:
        server.stop()

    # System prompt, and each turn's question and answer (the answer resent as the next turn's history).
    assert content_rows(database_url, org) == 1 + 2 * TURNS
    server = start_server(database_url, ["--no-bootstrap"])
    try:
        with grpc.insecure_channel(server.grpc_target) as channel:
            api = Api(channel, key)
            for cid, request, response in turns:
                got = api.call(api.completions.GetCompletion, api_pb.GetCompletionRequest(id=cid))
                assert Document.from_struct(got.request) == request
                assert Document.from_struct(got.response) == response
            for cid, _, _ in turns[TURNS // 2 :]:
                api.call(api.completions.DeleteCompletion, api_pb.DeleteCompletionRequest(id=cid))
    finally:
        server.stop()
    # Only what the remaining turns name is left: the prompt and the first half's questions and answers.
    assert content_rows(database_url, org) == 1 + 2 * (TURNS // 2)

    engine = create_db_engine(database_url)
    try:  # what `tenlog prune` and --retention run: bounded batches, two completions per transaction
        assert prune_completions(CompletionStore(engine), 0, org=org, batch_size=2) == TURNS // 2
    finally:
        engine.dispose()
    assert content_rows(database_url, org) == 0
