"""The examples in examples/ run as written against a live server (gRPC and the REST gateway)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import ServerProcess, start_server

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def gateway_server(tmp_path_factory) -> Iterator[ServerProcess]:
    """A server with its HTTP gateway on, which the curl example needs."""
    server = start_server(f"sqlite:///{tmp_path_factory.mktemp('examples') / 'tenlog.db'}", ["--no-bootstrap"])
    server.key = server.mint_key("org-examples")
    yield server
    server.stop()


def run(args: list[str], server: ServerProcess) -> str:
    env = {
        **os.environ,
        "TENLOG_TARGET": server.grpc_target,
        "TENLOG_HTTP_URL": server.http_url,
        "TENLOG_API_KEY": server.key,
    }
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_python_quickstart(gateway_server):
    out = run([sys.executable, str(EXAMPLES / "python" / "quickstart.py")], gateway_server)
    assert "updated" in out and "STATUS_FINISHED 11 tokens" in out


def test_curl_against_the_rest_gateway(gateway_server):
    out = run(["bash", str(EXAMPLES / "curl.sh")], gateway_server)
    assert '"status":"finished"' in out
    assert "completion.duration" in out  # the bad-input call names the field
