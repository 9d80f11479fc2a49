"""Wires storage and domain objects together for one server process."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from tenlog_server.config import ServerConfig
from tenlog_server.domain.api_keys import ApiKeys
from tenlog_server.domain.completions import CompletionsService
from tenlog_server.domain.feedback import FeedbackService, FeedbackTasksService
from tenlog_server.domain.otel.ingest import OtelIngest
from tenlog_server.domain.pricing import PriceTable, PriceTableError, load_prices
from tenlog_server.domain.rate_limits import RateLimits
from tenlog_server.domain.sessions import SessionsService
from tenlog_server.domain.tail import TailBus
from tenlog_server.domain.transfer import TransferService
from tenlog_server.domain.vendors.vendor_views import VendorViews
from tenlog_server.storage.change_feed import changed_since
from tenlog_server.storage.completion_store import CompletionStore
from tenlog_server.storage.database import create_db_engine, is_sqlite, refresh_statistics, set_statement_timeout
from tenlog_server.storage.feedback_store import FeedbackStore
from tenlog_server.storage.key_store import KeyStore
from tenlog_server.storage.migrate import upgrade
from tenlog_server.storage.session_store import SessionStore
from tenlog_server.storage.transfer_store import TransferStore
from tenlog_server.storage.vendor_views import VendorViewStore
from tenlog_server.storage.write_batcher import WriteBatcher


@dataclass(slots=True)
class App:
    """The domain services of one process, over one engine."""

    engine: Engine
    batcher: WriteBatcher
    keys: ApiKeys
    completions: CompletionsService
    sessions: SessionsService
    tasks: FeedbackTasksService
    feedback: FeedbackService
    tail: TailBus
    otel: OtelIngest
    rate_limits: RateLimits
    transfer: TransferService
    vendor_views: VendorViews


def build_app(config: ServerConfig, *, migrate: bool = True) -> App:
    """Create the engine (migrating it), the write batcher and the domain services."""
    try:
        prices = load_prices(config.prices_file) if config.cost_at_ingest else PriceTable({})
    except PriceTableError as exc:
        raise SystemExit(f"tenlog: {exc}") from None
    engine = create_db_engine(config.database_url, pool_size=config.db_pool_size)
    if migrate:
        upgrade(engine)
        refresh_statistics(engine)
    set_statement_timeout(engine, config.statement_timeout_seconds)
    completion_store = CompletionStore(engine)
    feedback_store = FeedbackStore(engine)
    batcher = WriteBatcher(
        completion_store,
        max_batch=config.write_batch_size,
        max_pending=config.max_pending_writes,
        # SQLite has one writer; PostgreSQL takes several concurrent transactions.
        writers=1 if is_sqlite(config.database_url) else 4,
    )
    tail = TailBus(lambda since_us, limit: changed_since(engine, since_us, limit))
    batcher.add_listener(tail.publish)
    rate_limits = RateLimits(config.org_requests_per_second, config.org_completions_per_second)
    completions = CompletionsService(completion_store, feedback_store, batcher, rate_limits, prices)
    tasks = FeedbackTasksService(feedback_store)
    feedback = FeedbackService(feedback_store, completion_store)
    return App(
        engine=engine,
        batcher=batcher,
        keys=ApiKeys(KeyStore(engine)),
        completions=completions,
        sessions=SessionsService(SessionStore(engine)),
        tasks=tasks,
        feedback=feedback,
        tail=tail,
        otel=OtelIngest(completions, tasks, feedback),
        rate_limits=rate_limits,
        transfer=TransferService(TransferStore(engine), prices),
        vendor_views=VendorViews(VendorViewStore(engine), SessionStore(engine)),
    )
