"""The examples in examples/ run as written against a live server (gRPC and the REST gateway)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import tenlog

from tests.clients.fake_openai import fake_openai
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


def test_python_background_logger(gateway_server):
    out = run([sys.executable, str(EXAMPLES / "python" / "background_logger.py")], gateway_server)
    assert "acknowledged 1000, dropped 0, pending 0" in out


def test_python_openai_logging_against_a_local_openai(gateway_server, monkeypatch):
    with fake_openai() as (base_url, requests):
        monkeypatch.setenv("OPENAI_BASE_URL", base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
        out = run([sys.executable, str(EXAMPLES / "python" / "openai_logging.py")], gateway_server)
    assert len(requests) == 2
    assert "Hello there!" in out
    assert "acknowledged=2" in out


def test_python_tail_prints_what_is_written(gateway_server):
    env = {**os.environ, "TENLOG_TARGET": gateway_server.grpc_target, "TENLOG_API_KEY": gateway_server.key}
    tag = "tail-example"
    proc = subprocess.Popen(
        [sys.executable, "-u", str(EXAMPLES / "python" / "tail.py"), tag],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        with tenlog.Client(gateway_server.grpc_target, gateway_server.key) as client:
            created = client.create_completion(tenlog.new_completion(tags=[tag]))
            deadline = time.monotonic() + 20
            line = ""
            # The tail may start after our first write; keep writing until a line shows up.
            while created.id not in line and time.monotonic() < deadline:
                ready, _, _ = select.select([proc.stdout], [], [], 0.2)
                if ready:
                    line = proc.stdout.readline()
                else:
                    created = client.create_completion(tenlog.new_completion(tags=[tag]))
        assert created.id in line and line.startswith("TAIL_EVENT_CREATED")
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0  # Ctrl-C ends it cleanly


def test_node_package_installs_into_an_empty_project(gateway_server, tmp_path):
    """`npm pack` of clients/node installs into a project of its own, carries its protos, and the quickstart runs."""
    package_dir = EXAMPLES.parent / "clients" / "node"
    packed = subprocess.run(
        ["npm", "pack", "--silent", "--pack-destination", str(tmp_path)],
        cwd=package_dir,
        capture_output=True,
        text=True,
        check=True,
    )
    tarball = tmp_path / packed.stdout.strip().splitlines()[-1]
    assert not (package_dir / "protos").exists()  # postpack removed the bundled copy from the repository
    project = tmp_path / "app"
    project.mkdir()
    (project / "package.json").write_text('{"name": "app", "version": "1.0.0", "private": true}\n')
    subprocess.run(
        ["npm", "install", "--silent", "--no-audit", "--no-fund", str(tarball)], cwd=project, check=True, timeout=300
    )
    quickstart = (EXAMPLES / "node" / "quickstart.js").read_text()
    script = project / "quickstart.js"
    script.write_text(quickstart.replace("require('../../clients/node')", "require('tenlog')"))
    out = run(["node", str(script)], gateway_server)
    assert "updated" in out and "STATUS_FINISHED 11 tokens" in out
    assert "uploaded 100 rejected 0" in out
