"""Prometheus wiring of the gateway: request latency, queues, and `/metrics` for internal networks.

The gateway is the public face, so `/metrics` answers only clients in INTERNAL_ALLOWED_NETWORKS
(the same rule as `/internal/*`; behind a trusted proxy the real client address is checked).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from citybot import logs, metrics
from citybot.gateway.db import GatewayDB
from citybot.gateway.models import Conversation, Outbound
from citybot.networks import address_allowed
from citybot.settings import Settings


def queue_states(db: GatewayDB) -> Iterable[metrics.QueueState]:
    with db.begin() as session:
        pending = session.execute(
            select(Outbound.channel, func.count(), func.min(Outbound.created_at))
            .where(Outbound.status == "pending")
            .group_by(Outbound.channel)
        ).all()
        waiting, oldest_wait = session.execute(
            select(func.count(), func.min(Conversation.requested_at)).where(Conversation.state == "queued")
        ).one()
    states = [metrics.QueueState(f"gateway_outbound_{ch}", int(n), metrics.age_seconds(old)) for ch, n, old in pending]
    states.append(metrics.QueueState("gateway_agent_queue", int(waiting), metrics.age_seconds(oldest_wait)))
    return states


def install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(metrics.RequestMetricsMiddleware, process="gateway")
    app.add_middleware(logs.RequestIdMiddleware)  # outermost: every line of the request has the id

    def read() -> Iterable[metrics.QueueState]:
        db: GatewayDB | None = getattr(app.state, "db", None)
        return queue_states(db) if db is not None else []

    metrics.register_queues("gateway", read)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus_metrics(request: Request) -> Response:
        host = request.client.host if request.client else None
        if not address_allowed(host, settings.internal_allowed_networks):
            raise HTTPException(status_code=403, detail="forbidden")
        # The queue reader queries the database: off the event loop.
        body, content_type = await asyncio.to_thread(metrics.exposition)
        return Response(body, media_type=content_type)
