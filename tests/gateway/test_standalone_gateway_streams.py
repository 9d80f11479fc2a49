"""`tenlog gateway --upstream` on its own, in front of a separate server; NDJSON client and bidi streams.

The upstream is `tenlog serve --noop` (the benchmark's store-nothing
CompletionService, which implements the two client-streaming RPCs), so these
tests exercise the transcoder's stream handling over real sockets.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.gateway.conftest import Rest
from tests.support.postgres import free_port
from tests.support.server import TENLOG, ServerProcess, mint_key, start_server


@dataclass
class StandaloneGateway:
    """A `tenlog gateway` process and the REST client pointed at it."""

    proc: subprocess.Popen[str]
    rest: Rest
    output: list[str]


@pytest.fixture(scope="module")
def noop_server(sqlite_path_module: str) -> Iterator[ServerProcess]:
    server = start_server(sqlite_path_module, ["--no-bootstrap", "--noop", "--http-port", "-1"])
    server.key = mint_key(sqlite_path_module, server.org)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sqlite_path_module(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('standalone') / 'tenlog.db'}"


@pytest.fixture(scope="module")
def standalone(noop_server: ServerProcess) -> Iterator[StandaloneGateway]:
    port = free_port()
    proc = subprocess.Popen(
        [TENLOG, "gateway", "--upstream", noop_server.grpc_target, "--http-port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            if "serving HTTP" in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 30
    while not ready.wait(0.05):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("tenlog gateway did not start:\n" + "".join(output))
    yield StandaloneGateway(proc, Rest(f"http://127.0.0.1:{port}", noop_server.key, noop_server.org), output)
    proc.terminate()
    assert proc.wait(15) == 0


def _ndjson(items: list[object]) -> bytes:
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


def test_standalone_gateway_serves_unary_calls_and_auth(standalone: StandaloneGateway) -> None:
    rest = standalone.rest
    created = rest.post("/api/v1/completions", {"id": "c-1", "status": "finished", "tags": ["t"]})
    assert created.status == 201, created.text
    assert created.json["id"] == "c-1" and created.json["status"] == "finished"
    assert rest.post("/api/v1/completions", {"status": "finished"}, auth=False).status == 401


def test_client_stream_reads_an_ndjson_body(standalone: StandaloneGateway) -> None:
    items = [{"id": f"u-{i}", "status": "finished"} for i in range(3)]
    result = standalone.rest.post(
        "/api/v1/completions:upload", raw=_ndjson(items) + b"\n", headers={"Content-Type": "application/x-ndjson"}
    )
    assert result.status == 200, result.text
    assert result.json["accepted_count"] == 3


def test_bidi_stream_answers_ndjson_lines(standalone: StandaloneGateway) -> None:
    items = [{"id": f"s-{i}", "status": "finished"} for i in range(4)]
    result = standalone.rest.post("/api/v1/completions:stream", raw=_ndjson(items))
    assert result.status == 200, result.text
    assert result.headers["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in result.text.splitlines()]
    assert [line["result"]["id"] for line in lines] == [f"s-{i}" for i in range(4)]
    assert [line["result"]["index"] for line in lines] == [0, 1, 2, 3]


def test_a_bad_stream_line_is_named(standalone: StandaloneGateway) -> None:
    body = _ndjson([{"id": "ok"}]) + b'{"id": "broken"\n' + _ndjson([{"id": "never"}])
    result = standalone.rest.post("/api/v1/completions:upload", raw=body)
    assert result.status == 400, result.text
    assert "line 2" in result.json["message"]
    typed = standalone.rest.post("/api/v1/completions:upload", raw=_ndjson([{"duration": "long"}]))
    assert typed.status == 400
    assert "line 1" in typed.json["message"] and "completion.duration" in typed.json["message"]


def test_a_bad_line_ends_a_bidi_stream_with_its_error(standalone: StandaloneGateway) -> None:
    body = _ndjson([{"id": "b-0"}]) + b"not json\n" + _ndjson([{"id": "b-2"}])
    result = standalone.rest.post("/api/v1/completions:stream", raw=body)
    if result.status == 200:
        # The first acknowledgement went out before the bad line was read.
        last = json.loads(result.text.splitlines()[-1])
        assert "line 2" in last["error"]["message"]
        assert "b-2" not in result.text
    else:
        assert result.status == 400, result.text
        assert "line 2" in result.json["message"]


def test_upstream_down_is_503(noop_server: ServerProcess) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [TENLOG, "gateway", "--upstream", f"127.0.0.1:{free_port()}", "--http-port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "serving HTTP" in line:
                break
        rest = Rest(f"http://127.0.0.1:{port}", noop_server.key, noop_server.org)
        result = rest.post("/api/v1/completions", {"status": "finished"})
        assert result.status == 503, result.text
        assert result.json["code"] == 14
    finally:
        proc.terminate()
        proc.wait(15)
