"""Readiness for operators and the start-up wait (liveness `/health` stays in app.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from citybot.readiness import database_reason, report

router = APIRouter(tags=["Ops"])
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@router.get("/ready", summary="Readiness: the database answers and is migrated (no data, no key)")
async def ready(request: Request) -> JSONResponse:
    db = request.app.state.db
    reason = await asyncio.to_thread(database_reason, db.engine, MIGRATIONS)
    status, body = report({"database": reason})
    return JSONResponse(body, status_code=status)
