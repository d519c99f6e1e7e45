"""The FastAPI application factory. Engines are created here, never at import."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI

from citybot.backend import ops_metrics
from citybot.backend.db import Database
from citybot.backend.errors import install_error_handlers
from citybot.backend.routers import (
    agent,
    catalogue,
    complaints,
    data_rights,
    homecare,
    insight,
    knowledge,
    open311,
    ops,
    signals,
)
from citybot.backend.services import retention
from citybot.backend.services.outbox import run_dispatcher
from citybot.login_throttle import LoginThrottle
from citybot.retention import run_forever as run_retention
from citybot.settings import Settings

log = logging.getLogger(__name__)

DESCRIPTION = """
Reference implementation of the city systems behind Asisten Kota: complaints as
**Open311 GeoReport v2** (JakLapor), HomeCare visits (Dottoro'ta), permit status (JakEvo),
the Smart Kampung catalogue, data-subject rights (UU PDP) and the agent console API.

Authentication: `X-API-Key` header. Open311 follows GeoReport v2: reading (services,
requests, discovery) needs no key, creating a request needs `api_key` (form field, query
parameter or header; 403 when missing or wrong), every resource answers `.xml` and `.json`;
agent endpoints take `Authorization: Bearer <token>` from `/api/v1/agent/login`.
POSTs accept an `Idempotency-Key` header: a repeat returns the first answer and creates nothing.
Errors: `{"code": "...", "message": "..."}` (Open311: `[{"code", "description", "error_code"}]`).
Timestamps are ISO-8601 in the city's zone (WIB/WITA).
"""


def create_app(settings: Settings, *, start_outbox: bool = False, db: Database | None = None) -> FastAPI:
    """Build the app. `start_outbox` runs the notify dispatcher in the background (serve does)."""
    if not settings.backend_api_key:
        raise RuntimeError("BACKEND_API_KEY is empty: set it in .env (the backend refuses to run open)")
    if start_outbox and not settings.notify_secret:
        raise RuntimeError("NOTIFY_SECRET is empty: status events to the gateway must be signed")
    database = db or Database.connect(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task: asyncio.Task[None] | None = None
        cleaner: asyncio.Task[None] | None = None
        if start_outbox:
            # The serving process also forgets expired outbox rows and idempotency keys.
            cleaner = asyncio.create_task(
                run_retention(lambda: retention.purge(database, settings), settings.retention_sweep_seconds, stop)
            )
            task = asyncio.create_task(
                run_dispatcher(
                    database,
                    url=settings.gateway_notify_url,
                    secret=settings.notify_secret,
                    http_timeout=settings.http_timeout_seconds,
                    poll_seconds=settings.outbox_poll_seconds,
                    stop=stop,
                )
            )
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
            if cleaner is not None:
                cleaner.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await cleaner
            if db is None:
                database.dispose()

    app = FastAPI(
        title="Asisten Kota — city backend",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.login_throttle = LoginThrottle.from_settings("backend-agent-login", settings)
    install_error_handlers(app)
    for module in (open311, complaints, homecare, catalogue, data_rights, agent, insight, knowledge, ops):
        app.include_router(module.router)
    app.include_router(open311.discovery_router)
    app.include_router(signals.record_router)
    app.include_router(signals.read_router)
    ops_metrics.install(app, database, settings)

    @app.get("/health", tags=["Ops"], summary="Liveness (no data, no key)")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
