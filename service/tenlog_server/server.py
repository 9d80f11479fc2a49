"""The gRPC server process: servicers, health, reflection, graceful shutdown."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Sequence
from multiprocessing.synchronize import Event as EventType
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from tenlog.v1 import (
    completion_service_pb2,
    feedback_service_pb2,
    feedback_task_service_pb2,
    session_service_pb2,
    transfer_service_pb2,
    vendor_ingest_service_pb2,
)
from tenlog.v1 import completion_service_pb2_grpc as completion_grpc
from tenlog.v1 import feedback_service_pb2_grpc as feedback_grpc
from tenlog.v1 import feedback_task_service_pb2_grpc as task_grpc
from tenlog.v1 import session_service_pb2_grpc as session_grpc
from tenlog.v1 import transfer_service_pb2_grpc as transfer_grpc
from tenlog.v1 import vendor_ingest_service_pb2_grpc as vendor_grpc

from tenlog_server import metrics
from tenlog_server.app import App, build_app
from tenlog_server.background_retention import start_background_retention
from tenlog_server.config import ServerConfig
from tenlog_server.server_logging import configure_logging
from tenlog_server.tls import ServerTls, TlsConfigError, load_server_tls
from tenlog_server.transport.grpc.auth import AuthInterceptor
from tenlog_server.transport.grpc.call_guard import Admission, CallGuardInterceptor
from tenlog_server.transport.grpc.completion_streams import CompletionServicer
from tenlog_server.transport.grpc.completions import IngestLimits
from tenlog_server.transport.grpc.feedback import FeedbackServicer, FeedbackTaskServicer
from tenlog_server.transport.grpc.noop import NoopCompletionServicer
from tenlog_server.transport.grpc.observability import ObservabilityInterceptor
from tenlog_server.transport.grpc.reflection import enable_reflection
from tenlog_server.transport.grpc.sessions import SessionServicer
from tenlog_server.transport.grpc.transfer import TransferServicer
from tenlog_server.transport.grpc.vendor_ingest import VendorIngestServicer
from tenlog_server.transport.http.in_process_dispatch import InProcessDispatch, ServicerRegistry
from tenlog_server.transport.http.operations import Readiness
from tenlog_server.transport.otlp.grpc_services import LOGS_SERVICE, TRACE_SERVICE, otlp_servicers

log = logging.getLogger("tenlog")
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
PENDING_CALLS_PER_ADMITTED = 2  # calls gRPC core may hold for the call guard, per admitted call

SERVICE_NAMES = [
    completion_service_pb2.DESCRIPTOR.services_by_name["CompletionService"].full_name,
    session_service_pb2.DESCRIPTOR.services_by_name["SessionService"].full_name,
    feedback_service_pb2.DESCRIPTOR.services_by_name["FeedbackService"].full_name,
    feedback_task_service_pb2.DESCRIPTOR.services_by_name["FeedbackTaskService"].full_name,
    vendor_ingest_service_pb2.DESCRIPTOR.services_by_name["VendorIngestService"].full_name,
    TRACE_SERVICE,
    LOGS_SERVICE,
    transfer_service_pb2.DESCRIPTOR.services_by_name["TransferService"].full_name,
]


def grpc_options(config: ServerConfig) -> list[tuple[str, Any]]:
    """Options of the gRPC server."""
    return [
        ("grpc.max_receive_message_length", config.max_message_bytes),
        # Room above the largest accepted message for what the server adds (times, ids) on the way back.
        ("grpc.max_send_message_length", config.max_message_bytes + 64 * 1024),
        ("grpc.so_reuseport", 1),  # lets --workers processes share the port
        # gRPC core cancels calls not yet picked up past 1,000 (at random) or 3,000 waiting: CANCELLED,
        # which no client retries. Let them through to the call guard, which refuses them with RetryInfo.
        ("grpc.server.max_pending_requests", PENDING_CALLS_PER_ADMITTED * config.max_concurrent_rpcs),
        ("grpc.server.max_pending_requests_hard_limit", PENDING_CALLS_PER_ADMITTED * config.max_concurrent_rpcs),
    ]


def server_tls(config: ServerConfig) -> ServerTls | None:
    """The server's TLS files, checked; None without TLS. Unusable files exit with one line naming flag and path."""
    try:
        return load_server_tls(config.tls_cert, config.tls_key, config.tls_client_ca)
    except TlsConfigError as exc:
        raise SystemExit(f"tenlog: {exc}") from None


def add_servicers(targets: Sequence[Any], app: App, config: ServerConfig) -> CompletionServicer:
    """Register every tenlog servicer on each target (the gRPC server, the in-process registry).

    Returns the completion servicer (it drains streams).
    """
    completion_cls = NoopCompletionServicer if config.noop else CompletionServicer
    limits = IngestLimits(max_batch_items=config.max_batch_items, max_stream_items=config.max_stream_items)
    completions = completion_cls(app.completions, limits, app.tail)
    vendor = VendorIngestServicer(app.completions, app.feedback, app.tasks, app.vendor_views)
    servicers = [
        (completion_grpc.add_CompletionServiceServicer_to_server, completions),
        (session_grpc.add_SessionServiceServicer_to_server, SessionServicer(app.sessions)),
        (feedback_grpc.add_FeedbackServiceServicer_to_server, FeedbackServicer(app.feedback)),
        (task_grpc.add_FeedbackTaskServiceServicer_to_server, FeedbackTaskServicer(app.tasks)),
        (vendor_grpc.add_VendorIngestServiceServicer_to_server, vendor),
        *otlp_servicers(app.otel),
        (transfer_grpc.add_TransferServiceServicer_to_server, TransferServicer(app.transfer)),
    ]
    for target in targets:
        for add, servicer in servicers:
            add(servicer, target)
    return completions


def local_target(host: str, port: int) -> str:
    """Where this host's own server is reached from a shell on it (loopback for wildcard binds)."""
    if host in ("", "0.0.0.0"):
        return f"127.0.0.1:{port}"
    if host in ("::", "[::]"):
        return f"[::1]:{port}"
    return f"{host}:{port}"


def bootstrap(app: App, config: ServerConfig) -> None:
    """On first start with an empty database, create org `default` and print a key for it."""
    from tenlog_server.storage.key_store import KeyStore

    if not config.bootstrap or KeyStore(app.engine).organization_count() > 0:
        return
    key = app.keys.mint("default")
    scheme = "https" if config.tls_cert else "http"
    http = f"{scheme}://{local_target(config.host, config.http_port)}"
    lines = [
        "tenlog: fresh database: created organization 'default' with API key (shown once):",
        f"  {key}",
    ]
    if config.http_port >= 0:
        lines += [
            "Log a completion over REST:",
            f"  curl -s -X POST {http}/api/v1/completions -H 'X-Log10-Token: {key}' "
            "-H 'Content-Type: application/json' "
            '-d \'{"kind": "chat", "status": "finished", "tags": ["hello"], '
            '"request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}}\'',
            f"Then open the dashboard at {http}/ (sign in with the key) or list them from a terminal:",
        ]
    else:
        lines.append("List completions from a terminal:")
    lines.append(f"  TENLOG_API_KEY={key} tenlog completions list --target {local_target(config.host, config.port)}")
    print("\n".join(lines), flush=True)


async def serve(config: ServerConfig, *, handlers_ready: Callable[[], None] | None = None) -> None:
    """Run the server until SIGTERM/SIGINT; then report NOT_SERVING and drain in-flight calls."""
    tls = server_tls(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    if handlers_ready is not None:
        handlers_ready()  # a --workers parent forwards SIGTERM only from now on
    app = build_app(config)
    bootstrap(app, config)
    # Past max_concurrent_rpcs calls the guard refuses new ones with RESOURCE_EXHAUSTED + RetryInfo
    # (grpc's own maximum_concurrent_rpcs would refuse without a retry delay). One guard for gRPC
    # and in-process REST calls, so the limit counts both.
    admission = Admission(config.max_concurrent_rpcs)
    admission.start()
    interceptors = [CallGuardInterceptor(admission), AuthInterceptor(app.keys, app.rate_limits)]
    server = grpc.aio.server(
        # Observability first, so refused (unauthenticated) calls are logged and counted too. REST calls
        # are counted by the HTTP middleware instead, so the in-process dispatch gets the others only.
        interceptors=[ObservabilityInterceptor(), *interceptors],
        options=grpc_options(config),
    )
    # The REST gateway calls the same servicers in-process, through the same interceptors and limit.
    registry = ServicerRegistry()
    completions = add_servicers([server, registry], app, config)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    enable_reflection([*SERVICE_NAMES, health.SERVICE_NAME], server)
    address = f"{config.host}:{config.port}"
    port = server.add_insecure_port(address) if tls is None else server.add_secure_port(address, tls.grpc_credentials())
    if port == 0:
        raise SystemExit(f"tenlog: cannot listen on {address}")
    app.batcher.add_commit_observer(metrics.observe_commit)
    app.batcher.start()
    sampler = metrics.start_sampler(probes(app))
    retention = start_background_retention(config, app.completions.store)  # None unless --retention
    await server.start()
    for name in ["", *SERVICE_NAMES]:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    with_tls = "" if tls is None else " with TLS" + (" (client certificates required)" if tls.client_ca else "")
    print(f"tenlog: serving gRPC on {config.host}:{port}{with_tls}", flush=True)

    gateway = None
    if config.http_port >= 0:
        from tenlog_server.transport.http.gateway_process import (
            bound_port,
            draining_gateway,
            gateway_drained,
            start_gateway,
        )

        dispatch = InProcessDispatch(registry, interceptors)  # the call guard admits, as for gRPC
        gateway = await start_gateway(
            dispatch,
            config.host,
            config.http_port,
            max_body_bytes=config.max_message_bytes,
            ssl_context=None if tls is None else tls.https_context,
            readiness=readiness(app, stop),
        )
        scheme = "HTTP" if tls is None else "HTTPS"
        print(f"tenlog: serving {scheme} on {config.host}:{bound_port(gateway)}", flush=True)

    await stop.wait()

    print("tenlog: shutting down: NOT_SERVING, draining in-flight calls", flush=True)
    await health_servicer.enter_graceful_shutdown()
    admission.draining = True  # new calls: UNAVAILABLE with a retry delay; the gateway answers 503
    app.tail.close()
    if retention is not None:
        await retention.stop()
    completions.drain()
    if gateway is not None:
        draining_gateway(gateway)
    # The gateway stops after the drain: until then in-flight REST calls finish and new ones get 503.
    await asyncio.gather(
        server.stop(config.grace_seconds),
        *([gateway_drained(gateway, config.grace_seconds)] if gateway is not None else []),
    )
    if gateway is not None:
        await gateway.cleanup()
    await admission.stop()
    await app.batcher.stop()
    await metrics.stop_sampler(sampler)
    app.engine.dispose()
    batcher = app.batcher
    print(f"tenlog: stopped ({batcher.committed} completions committed in {batcher.batches} transactions)", flush=True)


def probes(app: App) -> metrics.Probes:
    """What the metrics sampler reads from this process's objects."""
    pool = app.engine.pool
    return metrics.Probes(
        write_queue_depth=lambda: app.batcher.pending,
        tail_subscribers=lambda: app.tail.subscriber_count,
        tail_events_dropped=lambda: app.tail.dropped_events,
        db_pool_in_use=lambda: int(getattr(pool, "checkedout", lambda: 0)()),
        db_pool_size=lambda: int(getattr(pool, "size", lambda: 0)()),
    )


def readiness(app: App, stopping: asyncio.Event) -> Readiness:
    """/readyz: the database answers within 2 s and is migrated to head, and the server is not draining."""
    from tenlog_server.storage.migrate import pending_migrations

    async def database() -> str:
        try:
            return await asyncio.wait_for(asyncio.to_thread(pending_migrations, app.engine), 2.0)
        except TimeoutError:
            return "the database did not answer within 2 s"

    async def draining() -> str:
        return "the server is shutting down" if stopping.is_set() else ""

    return Readiness({"database": database, "draining": draining})


def _worker(config: ServerConfig, handlers_ready: EventType) -> None:
    configure_logging(config.log_format, config.log_level)
    asyncio.run(serve(config, handlers_ready=handlers_ready.set))


def run(config: ServerConfig) -> None:
    """Blocking entry point of `tenlog serve`: one process, or --workers processes sharing the ports."""
    configure_logging(config.log_format, config.log_level)
    server_tls(config)  # unusable TLS files fail here, before migrating or starting workers
    if config.workers <= 1:
        asyncio.run(serve(config))
        return
    if config.port == 0 or config.http_port == 0:
        raise SystemExit("tenlog: --workers needs fixed ports (the processes share them with SO_REUSEPORT)")
    # Migrate and bootstrap once, before the workers race for it.
    app = build_app(config)
    bootstrap(app, config)
    app.engine.dispose()
    worker_config = config.model_copy(update={"workers": 1, "bootstrap": False})
    # Workers share their metrics through files here, so any worker's /metrics answers for all.
    metrics_dir = tempfile.mkdtemp(prefix="tenlog-metrics-")
    os.environ.setdefault(metrics.MULTIPROCESS_ENV, metrics_dir)
    context = multiprocessing.get_context("spawn")
    ready = [context.Event() for _ in range(config.workers)]
    # One worker prunes (--retention): the others would only repeat its deletes.
    configs = [worker_config, *(worker_config.model_copy(update={"retention": ""}) for _ in ready[1:])]
    workers = [context.Process(target=_worker, args=(c, event)) for c, event in zip(configs, ready, strict=True)]
    for process in workers:
        process.start()
    stop_requested = threading.Event()
    for sig in STOP_SIGNALS:
        signal.signal(sig, lambda _signum, _frame: stop_requested.set())
    while any(process.is_alive() for process in workers) and not stop_requested.wait(0.2):
        pass
    for process, handlers_ready in zip(workers, ready, strict=True):
        # A worker still importing would die of the signal: wait until it can drain instead.
        while process.is_alive() and not handlers_ready.wait(0.1):
            pass
        if process.pid is not None and process.is_alive():
            os.kill(process.pid, signal.SIGTERM)
    for process in workers:
        process.join()
        if process.pid is not None:
            metrics.worker_exited(process.pid)
    shutil.rmtree(metrics_dir, ignore_errors=True)
    codes = [process.exitcode for process in workers]
    if any(code != 0 for code in codes):
        raise SystemExit(f"tenlog: worker exit codes {codes}")
