"""The REST gateway's aiohttp application: the dashboard, `/openapi.json`, `/docs`, operational and annotated routes."""

from __future__ import annotations

import json
from collections.abc import Iterable

from aiohttp import web
from google.protobuf.descriptor import ServiceDescriptor

from tenlog_server.dashboard.routes import add_dashboard_routes
from tenlog_server.transport.http.dispatch import Dispatch
from tenlog_server.transport.http.docs_page import DOCS_HTML
from tenlog_server.transport.http.gateway import Gateway
from tenlog_server.transport.http.openapi import build_openapi
from tenlog_server.transport.http.operations import Readiness, add_operational_routes, observability_middleware
from tenlog_server.transport.http.routes import RouteTable, build_route_table, load_services
from tenlog_server.transport.otlp.http_routes import add_otlp_routes

TABLE_KEY = web.AppKey("route_table", RouteTable)
DISPATCH_KEY = web.AppKey("dispatch", Dispatch)
MAX_BODY_KEY = web.AppKey("max_body_bytes", int)
OPENAPI_KEY = web.AppKey("openapi", bytes)
GATEWAY_KEY = web.AppKey("gateway", Gateway)


def build_app(
    dispatch: Dispatch,
    *,
    max_body_bytes: int,  # the one default is config.py's max_message_bytes
    services: Iterable[ServiceDescriptor] | None = None,
    readiness: Readiness | None = None,
) -> web.Application:
    """The aiohttp application: the dashboard at `/`, `/openapi.json`, `/docs`, operational and annotated routes."""
    service_list = list(services) if services is not None else load_services()
    table = build_route_table(service_list)
    gateway = Gateway(table, dispatch, max_body_bytes)
    app = web.Application(client_max_size=max_body_bytes, middlewares=[observability_middleware])
    app[TABLE_KEY] = table
    app[DISPATCH_KEY] = dispatch
    app[MAX_BODY_KEY] = max_body_bytes
    app[GATEWAY_KEY] = gateway
    app[OPENAPI_KEY] = json.dumps(build_openapi(table), indent=1).encode()

    async def openapi(_: web.Request) -> web.Response:
        return web.Response(body=app[OPENAPI_KEY], content_type="application/json")

    async def docs(_: web.Request) -> web.Response:
        return web.Response(text=DOCS_HTML, content_type="text/html")

    app.router.add_get("/openapi.json", openapi)
    app.router.add_get("/docs", docs)
    add_operational_routes(app, readiness)
    add_otlp_routes(app, dispatch, max_body_bytes)  # OTLP/HTTP: not tenlog.v1 RPCs, so not in the route table
    add_dashboard_routes(app)
    app.router.add_route("*", "/{path:.*}", gateway.handle)
    return app
