"""Starting, draining, stopping the REST gateway: beside the gRPC server (`tenlog serve`) or alone (`tenlog gateway`).

`start_gateway` is the entry point `tenlog serve` and `tenlog gateway` use.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import ssl
import sys

import grpc
from aiohttp import web

from tenlog_server.transport.http.dispatch import ChannelDispatch, Dispatch, upstream_channel
from tenlog_server.transport.http.gateway_app import GATEWAY_KEY, build_app
from tenlog_server.transport.http.operations import Readiness

log = logging.getLogger(__name__)

GATEWAY_GRACE_SECONDS = 10.0  # how long `tenlog gateway` waits on SIGTERM for REST calls in progress


async def start_gateway(
    dispatch: Dispatch,
    host: str,
    port: int,
    *,
    max_body_bytes: int,  # the one default is config.py's max_message_bytes
    ssl_context: ssl.SSLContext | None = None,
    describe: str = "",
    readiness: Readiness | None = None,
) -> web.AppRunner:
    """Serve the REST gateway on host:port in front of dispatch (in-process servicers, or a channel).

    With ssl_context it serves HTTPS. Returns the started runner; `await
    runner.cleanup()` stops it and closes the dispatch. With port 0 the bound
    port is in `runner.addresses`.
    """
    app = build_app(dispatch, max_body_bytes=max_body_bytes, readiness=readiness)

    async def close_dispatch(_: web.Application) -> None:
        await dispatch.close()

    app.on_cleanup.append(close_dispatch)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    # reuse_port: `tenlog serve --workers N` runs N gateways on one port.
    site = web.TCPSite(runner, host, port, reuse_port=True, ssl_context=ssl_context)
    await site.start()
    scheme = "https" if ssl_context is not None else "http"
    log.info("REST gateway on %s://%s:%s -> %s", scheme, host, port, describe or "in-process servicers")
    return runner


def draining_gateway(runner: web.AppRunner) -> None:
    """From now on new REST calls get 503 + Retry-After; calls in progress go on."""
    runner.app[GATEWAY_KEY].draining = True


async def gateway_drained(runner: web.AppRunner, grace_seconds: float) -> None:
    """Wait until the REST calls in progress have finished, or grace_seconds have passed."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(runner.app[GATEWAY_KEY].idle.wait(), grace_seconds)


def bound_port(runner: web.AppRunner) -> int:
    """The TCP port a started runner listens on (useful with port 0)."""
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    raise RuntimeError("the gateway is not listening")


async def serve_gateway(
    upstream_target: str,
    host: str,
    port: int,
    *,
    max_body_bytes: int,  # the one default is config.py's max_message_bytes
    upstream_credentials: grpc.ChannelCredentials | None = None,
) -> None:
    """Run the gateway alone until SIGTERM or SIGINT (`tenlog gateway`)."""
    dispatch = ChannelDispatch(upstream_channel(upstream_target, max_body_bytes, upstream_credentials))
    runner = await start_gateway(
        dispatch, host, port, max_body_bytes=max_body_bytes, describe=f"gRPC {upstream_target}"
    )
    upstream = f"gRPC {upstream_target}" + (" over TLS" if upstream_credentials is not None else "")
    print(f"tenlog: serving HTTP on {host}:{bound_port(runner)} -> {upstream}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    # Keep answering (503 + Retry-After to new calls) until the calls in progress are done.
    draining_gateway(runner)
    await gateway_drained(runner, GATEWAY_GRACE_SECONDS)
    await runner.cleanup()
    print("tenlog: gateway stopped", flush=True)


def run_gateway(
    upstream_target: str,
    host: str,
    port: int,
    *,
    max_body_bytes: int,  # the one default is config.py's max_message_bytes
    upstream_credentials: grpc.ChannelCredentials | None = None,
) -> None:
    """Blocking entry point of `tenlog gateway --upstream HOST:PORT`."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(
        serve_gateway(
            upstream_target, host, port, max_body_bytes=max_body_bytes, upstream_credentials=upstream_credentials
        )
    )
