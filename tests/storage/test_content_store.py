"""Content-addressed messages: stored once per organization, read back exactly, freed when no completion names them."""

from __future__ import annotations

import json
import math
import threading
import uuid
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from tenlog_server.domain.documents import Document
from tenlog_server.domain.model import CompletionRecord
from tenlog_server.storage import message_codec
from tenlog_server.storage.completion_store import CompletionStore
from tenlog_server.storage.content_store import change_references, load_pieces
from tenlog_server.storage.database import create_db_engine
from tenlog_server.storage.migrate import upgrade

from tests.support.typed_json import as_sent, typed

SYSTEM = {"role": "system", "content": "You are a careful assistant. " * 20}
TOOLS = [{"type": "function", "function": {"name": f"tool_{i}", "description": "does a thing " * 10}} for i in range(3)]


def read_back(document: Document | None) -> Any:
    assert document is not None
    # Through the wire form too: what gRPC sends and REST renders is the Struct these bytes hold.
    return typed(Document(document.encoded).to_dict())


def reference_invariant(engine: Engine, org: str) -> tuple[Counter[bytes], Counter[bytes]]:
    """(references completions hold, counts contents store) for the organization: they must be equal."""
    with engine.connect() as conn:
        held: Counter[bytes] = Counter()
        rows = conn.execute(text("SELECT content_refs FROM completions WHERE organization_id = :o"), {"o": org})
        for (refs,) in rows:
            held.update(message_codec.ref_hashes(refs))
        stored = Counter(
            {
                bytes(h): int(n)
                for h, n in conn.execute(
                    text("SELECT hash, refcount FROM contents WHERE organization_id = :o"), {"o": org}
                )
            }
        )
    return held, stored


def turn(n: int, session: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Request and response of turn n of a chat that resends its history."""
    messages: list[dict[str, Any]] = [SYSTEM]
    for i in range(n):
        messages.append({"role": "user", "content": f"{session} question {i} " * 5})
        if i < n - 1:
            messages.append({"content": f"{session} answer {i} " * 8, "role": "assistant"})  # keys resent reordered
    request = {"model": "gpt-4o", "messages": messages, "tools": TOOLS, "temperature": 0.2}
    response = {
        "id": f"chatcmpl-{session}-{n}",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": f"{session} answer {n - 1} " * 8},
            }
        ],
        "usage": {"prompt_tokens": 10 * n, "completion_tokens": 7, "total_tokens": 10 * n + 7},
    }
    return request, response


def record(cid: str, request: dict[str, Any] | None, response: dict[str, Any] | None, **kw: Any) -> CompletionRecord:
    return CompletionRecord(
        id=cid,
        request=None if request is None else Document.of(request),
        response=None if response is None else Document.of(response),
        created_at_us=1,
        updated_at_us=1,
        **kw,
    )


def test_a_conversation_stores_each_message_once(engine: Engine, unique: str) -> None:
    store = CompletionStore(engine)
    org = f"o-{unique}"
    sent = {}
    for n in range(1, 5):
        request, response = turn(n, "s1")
        sent[f"t{n}"] = (request, response)
        store.upsert_batch([(org, record(f"t{n}", request, response))])
    for cid, (request, response) in sent.items():
        got = store.get(org, cid)
        assert got is not None
        assert read_back(got.request) == as_sent(request) and read_back(got.response) == as_sent(response)
    held, stored = reference_invariant(engine, org)
    # system prompt, tool list, 4 questions, 4 answers (turn n's reply is turn n+1's history): 10 values.
    assert len(stored) == 10 and held == stored
    canonical = Document.of({"m": SYSTEM}).struct.fields["m"].SerializeToString(deterministic=True)
    system_hash = message_codec.content_hash(canonical)
    assert stored[system_hash] == 4

    other = f"p-{unique}"  # never shared across organizations
    store.upsert_batch([(other, record("t1", *sent["t1"]))])
    assert len(reference_invariant(engine, other)[1]) == 4  # system, tools, question, answer


def test_replacing_updating_and_deleting_keep_counts_and_free_content(engine: Engine, unique: str) -> None:
    store = CompletionStore(engine)
    org = f"o-{unique}"
    r1, s1 = turn(2, "a")
    r2, s2 = turn(3, "b")
    store.upsert_batch([(org, record("x", r1, None, status="started")), (org, record("y", r1, s1))])
    store.upsert_batch([(org, record("x", r2, s2))])  # finished replaces started: a's question 1 stays via y
    store.upsert_batch([(org, record("x", r1, None, status="started"))])  # late started: ignored, counts unchanged
    held, stored = reference_invariant(engine, org)
    assert held == stored
    store.update(org, "y", {"request": Document.of(r2)})
    held, stored = reference_invariant(engine, org)
    assert held == stored
    got = store.get(org, "y")
    assert got is not None and read_back(got.request) == as_sent(r2)
    assert store.delete(org, "x")
    assert store.delete_created_before(org, 2, 10) == 1
    held, stored = reference_invariant(engine, org)
    assert held == stored == Counter()


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not math.isinf(f))
    | st.text(max_size=80)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=30,
)
objects = st.dictionaries(st.text(max_size=12), json_values, max_size=6)
chat_messages = st.fixed_dictionaries(
    {"role": st.sampled_from(["system", "user", "assistant", "tool"])},
    optional={"content": json_values, "name": st.text(max_size=10)},
)
messages = st.lists(chat_messages | json_values, max_size=6)
requests = st.builds(
    lambda extra, msgs, tools: {**extra, "messages": msgs, "tools": tools}, objects, messages, json_values
)
responses = st.builds(
    lambda extra, choices: {**extra, "choices": choices},
    objects,
    st.lists(st.fixed_dictionaries({"index": st.integers(0, 3), "message": json_values}) | json_values, max_size=3),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests | objects, response=responses | objects, history=st.booleans())
def test_arbitrary_json_reads_back_exactly(engine: Engine, request: Any, response: Any, history: bool) -> None:
    store = CompletionStore(engine)
    org = f"h-{uuid.uuid4().hex[:8]}"
    items = [(org, record("a", request, response))]
    if history:  # the same values again, as the next call's history would carry them
        items.append((org, record("b", {"messages": [*request.get("messages", []), response]}, request)))
    store.upsert_batch(items)
    got = store.get(org, "a")
    assert got is not None
    assert read_back(got.request) == as_sent(request)
    assert read_back(got.response) == as_sent(response)
    held, stored = reference_invariant(engine, org)
    assert held == stored
    store.delete_created_before(org, 2, 10)
    assert reference_invariant(engine, org) == (Counter(), Counter())


def test_deletes_racing_writes_of_the_same_content_never_leave_a_dangling_reference(
    engine: Engine, database_url: str, unique: str
) -> None:
    """Two 'servers' (engines): one keeps writing completions that name a shared system prompt and tool list,
    the other keeps deleting them; every committed completion must read back whole, and counts must match."""
    org = f"race-{unique}"
    other_engine = create_db_engine(database_url)
    writer, deleter = CompletionStore(engine), CompletionStore(other_engine)
    errors: list[BaseException] = []
    stop = threading.Event()
    request, response = turn(2, "race")

    def write(prefix: str) -> None:
        try:
            for i in range(60):
                writer.upsert_batch([(org, record(f"{prefix}{i}-{j}", request, response)) for j in range(3)])
        except BaseException as exc:
            errors.append(exc)

    def delete() -> None:
        try:
            while not stop.is_set():
                deleter.delete_created_before(org, 2, 5)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(p,)) for p in "ab"] + [threading.Thread(target=delete)]
    for t in threads:
        t.start()
    for t in threads[:2]:
        t.join()
    stop.set()
    threads[2].join()
    other_engine.dispose()
    assert not errors, errors
    writer.upsert_batch([(org, record("last", request, response))])
    got = writer.get(org, "last")
    assert got is not None and read_back(got.request) == as_sent(request)
    held, stored = reference_invariant(engine, org)
    assert held == stored
    assert json.dumps(sorted(stored.values()))  # the shared pieces exist exactly when referenced


def test_a_write_waiting_on_the_delete_of_its_piece_stores_the_piece_again(engine: Engine, unique: str) -> None:
    """PostgreSQL: the writer saw the piece stored, then waited on a delete of its last reference to commit."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time (writer lock)")
    org = f"o-{unique}"
    piece = Document.of({"m": SYSTEM}).struct.fields["m"].SerializeToString(deterministic=True)
    digest = message_codec.content_hash(piece)
    with engine.begin() as conn:
        change_references(conn, org, {digest: 1}, {digest: piece})
    deleter = engine.connect()
    transaction = deleter.begin()
    change_references(deleter, org, {digest: -1}, {})  # count 0: the row is deleted, not yet committed
    writer = threading.Thread(target=lambda: _add(engine, org, digest, piece))
    writer.start()
    writer.join(0.5)
    assert writer.is_alive()  # waiting on the deleter's row lock
    transaction.commit()
    deleter.close()
    writer.join(10)
    with engine.connect() as conn:
        assert load_pieces(conn, org, [digest]) == {digest: piece}
        count = conn.execute(text("SELECT refcount FROM contents WHERE organization_id = :o"), {"o": org}).scalar()
    assert count == 1


def _add(engine: Engine, org: str, digest: bytes, piece: bytes) -> None:
    with engine.begin() as conn:
        change_references(conn, org, {digest: 1}, {digest: piece})


def test_sqlite_file_stops_growing_under_steady_ingest_and_retention(tmp_path: Path, unique: str) -> None:
    """Freed completion and content pages are reused: with retention keeping a fixed window, the file levels off."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'steady.db'}")
    upgrade(engine)
    store = CompletionStore(engine)
    org = f"steady-{unique}"
    sizes = []
    try:
        for cycle in range(12):
            batch = []
            for i in range(120):  # 20 six-turn sessions per cycle, all new content
                request, response = turn(i % 6 + 1, f"c{cycle}s{i // 6}")
                rec = record(f"c{cycle}-{i}", request, response)
                batch.append((org, replace(rec, created_at_us=cycle * 1000 + i, updated_at_us=cycle * 1000 + i)))
            store.upsert_batch(batch)
            while store.delete_created_before(org, (cycle - 2) * 1000, 50):  # keep the last three cycles
                pass
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            sizes.append((tmp_path / "steady.db").stat().st_size)
        held, stored = reference_invariant(engine, org)
    finally:
        engine.dispose()
    assert held == stored
    grown_early = sizes[4] - sizes[0]  # filling the window: the file grows by about two cycles
    grown_late = sizes[-1] - sizes[5]  # six more cycles of writes and deletes: freed pages are reused
    assert grown_early > 0 and grown_late <= grown_early // 4, sizes
