"""Liveness (`/health`, also the older `/healthz`) and readiness (`/ready`) of the gateway.

Ready means a citizen's message can be answered: the gateway's database answers at the newest
schema and at least one Rasa server answers (with several, the others are reported but a turn
fails over to a live one, so one down server does not make the gateway unready).
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from citybot.gateway.db import MIGRATIONS
from citybot.readiness import database_reason, report

router = APIRouter(tags=["Ops"])


@router.get("/health")
@router.get("/healthz", include_in_schema=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready")
async def ready(request: Request) -> JSONResponse:
    hub = getattr(request.app.state, "hub", None)
    if hub is None:  # the lifespan has not finished starting
        status, body = report({"startup": "still starting"})
        return JSONResponse(body, status_code=status)
    db_reason = await asyncio.to_thread(database_reason, request.app.state.db.engine, MIGRATIONS)
    servers = await hub.rasa.probe()
    checks: dict[str, str | None] = {"database": db_reason}
    live = [url for url, reason in servers.items() if reason is None]
    checks["rasa"] = None if live else "no Rasa server answers"
    status, body = report(checks)
    body["rasa_servers"] = {url: reason or "ok" for url, reason in servers.items()}
    return JSONResponse(body, status_code=status)
