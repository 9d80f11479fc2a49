"""The background Logger against live servers: delivery, bounded memory, resend after a
reconnect, and the flush at interpreter exit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest
import tenlog

from tests.clients.conftest import serve
from tests.clients.scripted_server import scripted_server
from tests.support.postgres import free_port
from tests.support.server import mint_key


def ids_with_tag(server, key, tag) -> list[str]:
    with tenlog.Client(server.grpc_target, key) as client:
        return [c.id for c in client.iter_completions(tags=[tag], page_size=1000)]


def test_log_returns_at_once_and_flush_delivers_everything(server, tag):
    with tenlog.Client(server.grpc_target, server.key) as client, tenlog.Logger(client, flush_at_exit=False) as logger:
        started = time.monotonic()
        sent = [tenlog.new_completion(tags=[tag], request={"model": "m", "messages": []}) for _ in range(200)]
        assert all(logger.log(c) for c in sent)
        assert time.monotonic() - started < 0.5  # log() never waits for the network
        assert logger.flush(timeout=20)
        stats = logger.stats()
    assert stats.acknowledged == 200
    assert stats.enqueued == 200
    assert stats.pending == 0 and stats.dropped == 0 and stats.rejected == 0
    assert sorted(ids_with_tag(server, server.key, tag)) == sorted(c.id for c in sent)


def test_log_gives_an_id_to_completions_without_one(server, tag):
    with tenlog.Logger(target=server.grpc_target, api_key=server.key, flush_at_exit=False) as logger:
        completion = tenlog.Completion(tags=[tag])
        assert logger.log(completion)
        assert completion.id
        assert logger.flush(timeout=10)
    assert ids_with_tag(server, server.key, tag) == [completion.id]


def test_invalid_completions_are_rejected_not_retried(server, tag):
    with tenlog.Logger(target=server.grpc_target, api_key=server.key, flush_at_exit=False) as logger:
        logger.log(tenlog.new_completion(tags=[tag]))
        logger.log(tenlog.new_completion(tags=[tag, ""]))  # an empty tag is invalid
        assert logger.flush(timeout=10)
        stats = logger.stats()
    assert (stats.acknowledged, stats.rejected, stats.resent) == (1, 1, 0)


def test_full_queue_drops_the_newest_and_counts_it(tmp_path, tag):
    database_url = f"sqlite:///{tmp_path / 'drops.db'}"
    key = mint_key(database_url, "org-drops")
    port = free_port()  # nothing listens here yet: everything stays queued
    logger = tenlog.Logger(target=f"127.0.0.1:{port}", api_key=key, max_queue=10, flush_at_exit=False)
    try:
        kept = [tenlog.new_completion(tags=[tag]) for _ in range(10)]
        extra = [tenlog.new_completion(tags=[tag]) for _ in range(15)]
        assert all(logger.log(c) for c in kept)
        assert not any(logger.log(c) for c in extra)
        stats = logger.stats()
        assert (stats.enqueued, stats.dropped, stats.pending) == (10, 15, 10)
        deadline = time.monotonic() + 10
        while logger.stats().last_error is None and time.monotonic() < deadline:
            time.sleep(0.02)  # the worker's first connection attempt fails in the background
        assert "UNAVAILABLE" in (logger.stats().last_error or "")

        server = serve(database_url, port)
        try:
            assert logger.flush(timeout=30), logger.stats()
            assert sorted(ids_with_tag(server, key, tag)) == sorted(c.id for c in kept)
            logger.close(timeout=1)  # before the server stops, which would wait for our open stream
        finally:
            server.stop()
    finally:
        logger.close(timeout=1)


def test_unacknowledged_items_are_resent_after_the_server_comes_back(tmp_path, tag):
    database_url = f"sqlite:///{tmp_path / 'resend.db'}"
    key = mint_key(database_url, "org-resend")
    port = free_port()
    server = serve(database_url, port)
    logger = tenlog.Logger(target=f"127.0.0.1:{port}", api_key=key, flush_at_exit=False)
    try:
        first = [tenlog.new_completion(tags=[tag]) for _ in range(50)]
        for c in first:
            logger.log(c)
        assert logger.flush(timeout=20)

        server.proc.kill()  # no goodbye: the open stream just breaks
        server.proc.wait()
        second = [tenlog.new_completion(tags=[tag]) for _ in range(50)]
        for c in second:
            logger.log(c)
        time.sleep(0.5)
        assert logger.stats().pending == 50  # nothing is lost while the server is away

        server = serve(database_url, port)
        assert logger.flush(timeout=30), logger.stats()
        stats = logger.stats()
        assert stats.acknowledged == 100
        assert stats.reconnects >= 1
        found = ids_with_tag(server, key, tag)
        assert sorted(found) == sorted(c.id for c in first + second)  # each exactly once
    finally:
        logger.close(timeout=1)
        server.stop()


def test_close_gives_up_loudly_when_the_server_never_comes(caplog):
    logger = tenlog.Logger(target=f"127.0.0.1:{free_port()}", api_key="k", flush_at_exit=False)
    for _ in range(3):
        logger.log(tenlog.new_completion())
    started = time.monotonic()
    assert not logger.close(timeout=0.5)
    assert time.monotonic() - started < 3
    stats = logger.stats()
    assert (stats.undelivered, stats.pending) == (3, 0)
    assert "3 completions undelivered" in caplog.text
    assert not logger.log(tenlog.new_completion())  # closed: dropped, and counted
    assert logger.stats().dropped == 1


@pytest.mark.parametrize("exit_how", ["return", "sys.exit"])
def test_pending_completions_are_flushed_at_interpreter_exit(server, tag, exit_how):
    script = textwrap.dedent(
        f"""
        import sys, tenlog
        logger = tenlog.Logger(target={server.grpc_target!r}, api_key={server.key!r})
        for _ in range(20):
            logger.log(tenlog.new_completion(tags=[{tag!r}]))
        {"sys.exit(0)" if exit_how == "sys.exit" else "pass"}
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60, env=os.environ.copy())
    assert len(ids_with_tag(server, server.key, tag)) == 20


def test_a_completion_the_server_chokes_on_is_given_up_alone():
    with scripted_server() as (target, servicer):
        logger = tenlog.Logger(target=target, api_key="k", max_sends=3, flush_at_exit=False)
        before = [tenlog.new_completion(tags=["ok"]) for _ in range(3)]
        poison = tenlog.new_completion(tags=["poison"])
        after = [tenlog.new_completion(tags=["ok"]) for _ in range(3)]
        for c in [*before, poison, *after]:
            logger.log(c)
        assert logger.flush(timeout=20), logger.stats()
        stats = logger.stats()
        logger.close()
    assert (stats.acknowledged, stats.undelivered, stats.pending) == (6, 1, 0)
    assert sorted(servicer.stored) == sorted(c.id for c in before + after)
    assert servicer.streams == 4  # three that failed on the poison (three strikes: out), one for the rest


def test_stream_pushback_with_retry_info_is_waited_out():
    with scripted_server(stream_pushbacks=[0.6]) as (target, servicer):
        logger = tenlog.Logger(target=target, api_key="k", max_sends=1, flush_at_exit=False)
        started = time.monotonic()
        sent = [tenlog.new_completion() for _ in range(3)]
        for c in sent:
            logger.log(c)
        assert logger.flush(timeout=20), logger.stats()
        elapsed = time.monotonic() - started
        stats = logger.stats()
        logger.close()
    assert elapsed >= 0.6
    assert (stats.acknowledged, stats.undelivered) == (3, 0)  # pushback is not the items' fault
    assert servicer.streams == 2
    assert "RESOURCE_EXHAUSTED" in (stats.last_error or "")
