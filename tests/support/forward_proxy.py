"""A plain HTTP forward proxy that sends every request to one upstream, whatever host it names.

log10-io's LLM classes refuse any Log10 URL whose host is not `log10.io`. A
test points them at `http://log10.io` with HTTP_PROXY set to this proxy, which
hands each request to the local tenlog gateway unchanged (method, path, query,
headers, body), so the SDK runs unmodified against a live server.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_BY_HOP = {"host", "proxy-connection", "connection", "keep-alive", "transfer-encoding", "content-length"}


def _handler(upstream: str, seen: list[str]) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            parts = urlsplit(self.path)
            target = upstream + parts.path + (f"?{parts.query}" if parts.query else "")
            seen.append(f"{self.command} {parts.netloc}{parts.path}")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            request = urllib.request.Request(target, data=body, method=self.command, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    status, answer_headers, payload = answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as error:
                status, answer_headers, payload = error.code, error.headers, error.read()
            self.send_response(status)
            for key, value in answer_headers.items():
                if key.lower() not in _HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

        def log_message(self, format: str, *args: object) -> None:  # quiet
            return

    return Forward


@contextmanager
def forward_proxy(upstream: str) -> Iterator[tuple[str, list[str]]]:
    """Run the proxy on a free local port; yields its URL and the requests it forwarded."""
    seen: list[str] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(upstream.rstrip("/"), seen))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
