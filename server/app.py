"""The FastAPI application factory."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi

from server.api.errors import install_error_handlers
from server.api.routes import health, sync
from server.db import create_db_engine, session_factory
from server.ratelimit import TokenBucketLimiter
from server.services import live
from server.services.escalation_chains import configure_default_chain
from server.services.escalation_worker import EscalationWorker
from server.services.kiosk_seen import KioskSeenRecorder
from server.settings import Settings
from server.web import install_web
from sync.records import PushRequest

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


def serve_app() -> FastAPI:
    """The app of a `linli server` process (uvicorn's factory): settings from the
    environment, and the heap frozen once it has started."""
    return create_app(freeze_heap=True)


def create_app(settings: Settings | None = None, *, freeze_heap: bool = False) -> FastAPI:
    """The server app; its one engine lives as long as the app (disposed on shutdown).

    The schema is not migrated here: `linli server` runs `server.db.upgrade` first.
    `freeze_heap` is for a process that serves this one app until it ends (see
    `_freeze_startup_heap`); tests building many apps in one process leave it off.
    """
    settings = settings or Settings()
    # A broken escalation chain file stops the server here, not the first alarm's push.
    configure_default_chain(settings.escalation_chain_file, settings.escalation_webhook)
    # Request threads, plus the escalation worker, the reachability flush and a spare.
    engine = create_db_engine(settings.database_url, pool_size=settings.request_threads + 3)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        # On PostgreSQL every process listens for live alerts, whichever process stored them.
        listener = live.PgListener(engine) if engine.dialect.name == "postgresql" else None
        if listener is not None:
            await run_in_threadpool(listener.start)
        app.state.kiosks_seen.start()
        app.state.escalation.start()
        if freeze_heap:
            _freeze_startup_heap()
        yield
        await run_in_threadpool(app.state.escalation.stop)
        await run_in_threadpool(app.state.kiosks_seen.stop)
        if listener is not None:
            await run_in_threadpool(listener.stop)
        engine.dispose()

    app = FastAPI(
        title="Linli 邻里 server",
        version="1",
        summary="Central server of the Linli community-care system",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)  # push: writes
    app.state.read_sessions = session_factory(engine, read_only=True)  # pull, token checks
    app.state.rate_limiter = TokenBucketLimiter(
        settings.rate_limit_per_second, settings.rate_limit_burst
    )
    app.state.kiosks_seen = KioskSeenRecorder(engine, settings.kiosk_seen_flush_seconds)
    # Fires due escalation steps and sends webhooks (every process; rows keep it exactly-once).
    app.state.escalation = EscalationWorker(engine, settings)
    install_error_handlers(app)
    app.include_router(health.router, prefix=API_PREFIX)
    app.include_router(sync.router, prefix=API_PREFIX)
    install_web(app)
    _document_push_body(app)
    log.info("server app ready on %s", engine.url.render_as_string(hide_password=True))
    return app


def _freeze_startup_heap() -> None:
    """Take what startup loaded out of the garbage collector's sight for good.

    Startup leaves about 240,000 objects (FastAPI, SQLAlchemy, pydantic, scikit-learn), and
    a full collection walked them all with the GIL held: 100-250 ms in which no request of
    the process moved, the largest part of the p99 at 200 requests/s. Frozen, they are
    never walked again; they live as long as the process anyway.
    """
    gc.collect()
    gc.freeze()
    log.info("startup heap frozen: %d objects the collector no longer walks", gc.get_freeze_count())


def _document_push_body(app: FastAPI) -> None:
    """Put PushRequest in the OpenAPI components: the push route reads its body by hand."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes
            )
            request_schema = PushRequest.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in request_schema.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components["PushRequest"] = request_schema
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
