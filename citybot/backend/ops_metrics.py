"""Prometheus wiring of the backend: request latency, the notify outbox, `/metrics`."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from citybot import logs, metrics
from citybot.backend.db import Database
from citybot.backend.errors import ApiError
from citybot.backend.models import OutboxEvent
from citybot.networks import address_allowed
from citybot.settings import Settings


def outbox_state(db: Database) -> Iterable[metrics.QueueState]:
    with db.read() as session:
        count, oldest = session.execute(
            select(func.count(), func.min(OutboxEvent.created_at)).where(OutboxEvent.delivered_at.is_(None))
        ).one()
    return [metrics.QueueState("backend_notify_outbox", int(count), metrics.age_seconds(oldest))]


def install(app: FastAPI, db: Database, settings: Settings) -> None:
    app.add_middleware(metrics.RequestMetricsMiddleware, process="backend")
    app.add_middleware(logs.RequestIdMiddleware)  # outermost: every line of the request has the id
    metrics.register_queues("backend", lambda: outbox_state(db))

    @app.get("/metrics", tags=["Ops"], summary="Prometheus metrics (from INTERNAL_ALLOWED_NETWORKS only)")
    def prometheus_metrics(request: Request) -> Response:
        host = request.client.host if request.client else None
        if not address_allowed(host, settings.internal_allowed_networks):
            raise ApiError(403, "forbidden", "Metrik hanya untuk jaringan internal.")
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)
