"""Run `tenlog gateway --upstream` as a real subprocess in front of a running server."""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass, field

from .postgres import free_port
from .server import TENLOG


@dataclass
class GatewayProcess:
    """A running `tenlog gateway`."""

    proc: subprocess.Popen[str]
    port: int
    output: list[str] = field(default_factory=list)

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(timeout)


def start_gateway(upstream: str) -> GatewayProcess:
    """Start `tenlog gateway --upstream UPSTREAM` on a free port; wait until it serves HTTP."""
    port = free_port()
    proc = subprocess.Popen(
        [TENLOG, "gateway", "--upstream", upstream, "--http-port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    gateway = GatewayProcess(proc, port)
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            gateway.output.append(line)
            if "serving HTTP" in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 30
    while not ready.wait(0.05):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("tenlog gateway did not start:\n" + "".join(gateway.output))
    return gateway
