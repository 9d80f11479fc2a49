"""Run `tenlog serve` as a real subprocess on free ports, as users run it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .postgres import free_port

TENLOG = str(Path(sys.executable).with_name("tenlog"))


def mint_key(database_url: str, org: str) -> str:
    """`tenlog keys create --org ORG`: the key is the last stdout line."""
    out = subprocess.run(
        [TENLOG, "keys", "create", "--org", org, "--database-url", database_url],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


@dataclass
class ServerProcess:
    """A running `tenlog serve`."""

    database_url: str
    proc: subprocess.Popen[str]
    grpc_port: int
    http_port: int
    output: list[str] = field(default_factory=list)
    org: str = "org-a"
    key: str = ""

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def mint_key(self, org: str) -> str:
        return mint_key(self.database_url, org)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout)


def start_server(
    database_url: str, extra_args: Sequence[str] = (), *, env: dict[str, str] | None = None
) -> ServerProcess:
    """Start `tenlog serve` and wait until it says it is serving gRPC (and HTTP, when enabled)."""
    grpc_port, http_port = free_port(), free_port()
    args = [TENLOG, "serve", "--database-url", database_url, "--port", str(grpc_port), "--http-port", str(http_port)]
    proc = subprocess.Popen(
        [*args, *extra_args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    server = ServerProcess(database_url, proc, grpc_port, http_port)
    ready = threading.Event()
    want = "serving HTTP" if "--http-port" not in extra_args or "-1" not in extra_args else "serving gRPC"

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            server.output.append(line)
            if want in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 60
    while not ready.wait(0.05):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("tenlog serve did not start:\n" + "".join(server.output))
    return server
