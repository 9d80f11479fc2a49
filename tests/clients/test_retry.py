"""Retries: UNAVAILABLE with backoff until the server is up, RetryInfo honoured, deadlines kept."""

from __future__ import annotations

import threading
import time

import grpc
import pytest
import tenlog

from tests.clients.conftest import serve
from tests.clients.scripted_server import scripted_server
from tests.support.postgres import free_port
from tests.support.server import mint_key


def test_unavailable_is_retried_until_the_server_comes_up(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'late.db'}"
    key = mint_key(database_url, "org-late")
    port = free_port()
    started: list = []
    threading.Timer(0.3, lambda: started.append(serve(database_url, port))).start()
    policy = tenlog.RetryPolicy(max_attempts=200, initial_backoff=0.05, max_backoff=0.2)
    try:
        with tenlog.Client(f"127.0.0.1:{port}", key, retry=policy, timeout=30) as client:
            created = client.create_completion(tenlog.new_completion(tags=["late"]))
        assert created.organization_id == "org-late"
    finally:
        deadline = time.monotonic() + 30
        while not started and time.monotonic() < deadline:
            time.sleep(0.05)
        for server in started:
            server.stop()


def test_without_retries_unavailable_fails_at_once():
    with (
        tenlog.Client(f"127.0.0.1:{free_port()}", "k", retry=tenlog.NO_RETRY) as client,
        pytest.raises(grpc.RpcError) as failure,
    ):
        client.get_completion("x")
    assert failure.value.code() == grpc.StatusCode.UNAVAILABLE


def test_timeout_bounds_the_whole_call_retries_included():
    policy = tenlog.RetryPolicy(max_attempts=1000, initial_backoff=0.05, max_backoff=0.1)
    with tenlog.Client(f"127.0.0.1:{free_port()}", "k", retry=policy) as client:
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as failure:
            client.get_completion("x", timeout=0.7)
        elapsed = time.monotonic() - started
    assert failure.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    assert 0.3 < elapsed < 1.2


def test_resource_exhausted_waits_as_long_as_retry_info_asks():
    with (
        scripted_server([(grpc.StatusCode.RESOURCE_EXHAUSTED, 0.4)]) as (target, servicer),
        tenlog.Client(target, "k") as client,
    ):
        started = time.monotonic()
        assert client.get_completion("abc").id == "abc"
        elapsed = time.monotonic() - started
    assert servicer.calls == 2
    assert 0.4 <= elapsed < 1.5


def test_resource_exhausted_without_retry_info_is_not_retried():
    with (
        scripted_server([(grpc.StatusCode.RESOURCE_EXHAUSTED, None)]) as (target, servicer),
        tenlog.Client(target, "k") as client,
        pytest.raises(grpc.RpcError) as failure,
    ):
        client.get_completion("abc")
    assert failure.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert servicer.calls == 1


def test_retry_info_longer_than_the_deadline_fails_fast():
    with (
        scripted_server([(grpc.StatusCode.RESOURCE_EXHAUSTED, 5.0)]) as (target, servicer),
        tenlog.Client(target, "k") as client,
        pytest.raises(grpc.RpcError) as failure,
    ):
        started = time.monotonic()
        client.get_completion("abc", timeout=1.0)
    assert failure.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert tenlog.errors.retry_delay(failure.value) == pytest.approx(5.0)
    assert time.monotonic() - started < 0.5
    assert servicer.calls == 1


def test_unavailable_gives_up_after_max_attempts():
    failures = [(grpc.StatusCode.UNAVAILABLE, None)] * 3
    policy = tenlog.RetryPolicy(max_attempts=3, initial_backoff=0.01)
    with (
        scripted_server(failures) as (target, servicer),
        tenlog.Client(target, "k", retry=policy) as client,
        pytest.raises(grpc.RpcError) as failure,
    ):
        client.get_completion("abc")
    assert failure.value.code() == grpc.StatusCode.UNAVAILABLE
    assert servicer.calls == 3


async def test_async_client_honours_retry_info_too():
    with scripted_server([(grpc.StatusCode.RESOURCE_EXHAUSTED, 0.3), (grpc.StatusCode.UNAVAILABLE, None)]) as (
        target,
        servicer,
    ):
        async with tenlog.AsyncClient(target, "k") as client:
            started = time.monotonic()
            assert (await client.get_completion("abc")).id == "abc"
            elapsed = time.monotonic() - started
    assert servicer.calls == 3
    assert elapsed >= 0.3
