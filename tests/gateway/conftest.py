"""Fixtures for the REST gateway tests: a server with its HTTP gateway, and HTTP helpers."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import ServerProcess, start_server

ROOT = Path(__file__).resolve().parents[2]
LOG10_IO_DIR = ROOT / ".venv" / "sdk" / "log10-io"
LOG10_IO_VERSION = "0.16.1"


@dataclass
class HttpResult:
    """One HTTP answer: status, headers and the decoded JSON body (or raw text)."""

    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class Rest:
    """A tiny HTTP client for the gateway, authenticated as one organization."""

    base_url: str
    key: str
    org: str

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> HttpResult:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        all_headers = {"Content-Type": "application/json"}
        if auth:
            all_headers["X-Log10-Token"] = self.key
        all_headers.update(headers or {})
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return HttpResult(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return HttpResult(error.code, dict(error.headers), error.read().decode())

    def get(self, path: str, **kwargs: Any) -> HttpResult:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> HttpResult:
        return self.call("POST", path, body, **kwargs)


def _serves_http(server: ServerProcess) -> bool:
    return any("serving HTTP" in line for line in server.output)


@pytest.fixture(scope="session")
def gateway_server(tenlog_server: ServerProcess) -> Iterator[ServerProcess]:
    """The backend's server when it runs the gateway; else a second server with HTTP on the same database."""
    if _serves_http(tenlog_server):
        yield tenlog_server
        return
    server = start_server(tenlog_server.database_url, ["--no-bootstrap"])
    server.key = tenlog_server.key
    server.org = tenlog_server.org
    yield server
    server.stop()


@pytest.fixture(scope="session")
def rest(gateway_server: ServerProcess) -> Rest:
    """HTTP as organization `org-a`."""
    return Rest(gateway_server.http_url, gateway_server.key, gateway_server.org)


@pytest.fixture(scope="session")
def log10_io_path() -> Path:
    """log10-io installed (without its many optional dependencies) into a folder of its own."""
    if not (LOG10_IO_DIR / "log10" / "load.py").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--target",
                str(LOG10_IO_DIR),
                f"log10-io=={LOG10_IO_VERSION}",
            ],
            check=True,
        )
    return LOG10_IO_DIR
