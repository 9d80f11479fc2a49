"""What operators point at the HTTP port: /healthz, /readyz, /metrics, request ids and the access log.

- `/healthz` answers 200 while the process runs its event loop.
- `/readyz` answers 200 only when the database answers, its migrations are at
  head and the server is not draining; otherwise 503 with what is wrong.
- `/metrics` is the Prometheus exposition (tenlog_server.metrics).
Every HTTP request gets an `X-Request-Id` (the client's, or a fresh one) echoed on
the response, one access-log line and its metrics, labelled by route template so
ids in paths never explode the label set.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from tenlog_server import metrics
from tenlog_server.transport.grpc.auth import current_org_or_empty

access_log = logging.getLogger("tenlog.access")
REQUEST_ID_HEADER = "X-Request-Id"
_MAX_REQUEST_ID = 128
OPERATIONAL_PATHS = ("/healthz", "/readyz", "/metrics")

# The method label of a request: the RPC it was routed to, else the route's path template.
ROUTE_LABEL_KEY = "tenlog.route_label"


@dataclass(slots=True)
class Readiness:
    """Checks behind /readyz; each returns a problem to report, or "" when fine."""

    checks: dict[str, Callable[[], Awaitable[str]]] = field(default_factory=dict)

    async def problems(self) -> dict[str, str]:
        """Every failing check's name and problem."""
        found = {}
        for name, check in self.checks.items():
            try:
                problem = await check()
            except Exception as exc:  # a check that cannot run is itself the problem
                problem = f"{type(exc).__name__}: {exc}"[:300]
            if problem:
                found[name] = problem
        return found


def request_id_of(request: web.Request) -> str:
    """The client's X-Request-Id, or a fresh one."""
    value = request.headers.get(REQUEST_ID_HEADER, "")
    return value if 0 < len(value) <= _MAX_REQUEST_ID and value.isprintable() else uuid.uuid4().hex


@web.middleware
async def observability_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Request id in and out, one access-log line and the call metrics for every HTTP request."""
    request_id = request_id_of(request)
    request["request_id"] = request_id
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        if not response.prepared:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response
    except web.HTTPException as exc:
        status = exc.status
        exc.headers[REQUEST_ID_HEADER] = request_id
        raise
    finally:
        seconds = time.perf_counter() - started
        label = request.get(ROUTE_LABEL_KEY) or _fallback_label(request)
        if request.path not in OPERATIONAL_PATHS:
            metrics.RPC_CALLS.labels("http", label, str(status)).inc()
            metrics.RPC_DURATION.labels("http", label).observe(seconds)
        # In-process dispatch runs the auth interceptor in this task, so its verified organization is visible here.
        organization = current_org_or_empty()
        access_log.info(
            "http %s %s %s %.1fms org=%s request_id=%s",
            request.method,
            request.path,
            status,
            seconds * 1000,
            organization or "-",
            request_id,
            extra={
                "access": {
                    "transport": "http",
                    "method": label,
                    "http_method": request.method,
                    "path": request.path,
                    "code": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "organization": organization,
                    "request_id": request_id,
                }
            },
        )


def _fallback_label(request: web.Request) -> str:
    resource = request.match_info.route.resource
    canonical = resource.canonical if resource is not None else ""
    # The gateway's catch-all route would label every path alike; say only that it was unrouted.
    return "unrouted" if "{path" in canonical else canonical or "unrouted"


def add_operational_routes(app: web.Application, readiness: Readiness | None = None) -> None:
    """Register /healthz, /readyz and /metrics on the app (before any catch-all route)."""
    ready = readiness or Readiness()

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        problems = await ready.problems()
        if problems:
            return web.json_response({"status": "not ready", "problems": problems}, status=503)
        return web.json_response({"status": "ready"})

    async def metrics_page(_: web.Request) -> web.Response:
        body, content_type = metrics.exposition()
        response = web.Response(body=body)
        response.headers["Content-Type"] = content_type
        return response

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)
