"""The console's city panels: complaints and bookings from the city backend (CityClient, with
the agent's own backend token) and the knowledge search box."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from citybot.client.errors import CityClientError, NotFound, Rejected, Unauthorized
from citybot.gateway import agents
from citybot.gateway.console import Agent, Staff, Write, _city, _hub

log = logging.getLogger(__name__)  # masked process-wide (citybot.privacy)
router = APIRouter(prefix="/agent", include_in_schema=False)


class StatusIn(BaseModel):
    status: Literal["menunggu", "koordinasi", "disposisi", "proses", "selesai", "ditolak", "duplikat", "dibatalkan"]
    note: str = Field(default="", max_length=2000)


def _city_error(exc: CityClientError) -> JSONResponse:
    if isinstance(exc, Unauthorized):
        return JSONResponse({"code": "backend_login", "message": "Sesi panel kota habis: silakan masuk ulang."}, 401)
    if isinstance(exc, NotFound):
        return JSONResponse({"code": exc.code, "message": exc.message}, 404)
    if isinstance(exc, Rejected):
        return JSONResponse({"code": exc.code, "message": exc.message}, 422)
    return JSONResponse({"code": "backend_unavailable", "message": "Sistem kota sedang tidak bisa dihubungi."}, 503)


def _backend_token(agent: agents.CurrentAgent) -> str:
    if not agent.backend_token:
        raise HTTPException(status_code=409, detail="Akun ini tidak terhubung ke sistem kota.")
    return agent.backend_token


@router.get("/api/complaints", response_model=None)
async def complaints(
    request: Request,
    agent: Staff,
    status: Annotated[str | None, Query(max_length=16)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    date_from: Annotated[dt.date | None, Query()] = None,
    date_to: Annotated[dt.date | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> dict[str, Any] | JSONResponse:
    token = _backend_token(agent)
    try:
        async with _city(request) as city:
            result = await city.agent_complaints(
                token,
                status=status or None,  # type: ignore[arg-type]
                category=category or None,
                date_from=date_from,
                date_to=date_to,
                page=page,
            )
    except CityClientError as exc:
        return _city_error(exc)
    return result.model_dump(mode="json")


@router.post("/api/complaints/{ticket}/status", dependencies=[Write], response_model=None)
async def change_status(ticket: str, body: StatusIn, request: Request, agent: Staff) -> dict[str, Any] | JSONResponse:
    token = _backend_token(agent)
    try:
        async with _city(request) as city:
            result = await city.agent_change_status(token, ticket, status=body.status, note=body.note)
    except CityClientError as exc:
        return _city_error(exc)
    return result.model_dump(mode="json")


@router.get("/api/bookings", response_model=None)
async def bookings(
    request: Request,
    agent: Staff,
    date: Annotated[dt.date | None, Query()] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> dict[str, Any] | JSONResponse:
    token = _backend_token(agent)
    try:
        async with _city(request) as city:
            result = await city.agent_bookings(token, date=date, status=status or None, page=page)
    except CityClientError as exc:
        return _city_error(exc)
    return result.model_dump(mode="json")


@router.get("/api/knowledge")
async def knowledge(request: Request, agent: Agent, q: Annotated[str, Query(min_length=2, max_length=300)]) -> Any:
    settings = _hub(request).settings

    def search() -> dict[str, Any]:
        try:
            from citybot.retrieval import get_retriever
            from citybot.retrieval.index import read_manifest
        except ImportError:
            return {"available": False, "hits": []}
        if read_manifest(Path(settings.index_dir)) is None:
            return {"available": False, "hits": []}  # never build a whole index inside a request
        answer = get_retriever().search(q, k=5)
        return {
            "available": True,
            "confidence": answer.confidence,
            "hits": [
                {"title": h.title, "section": h.section, "text": h.text, "doc_id": h.doc_id, "score": h.score}
                for h in answer.hits
            ],
        }

    try:
        return await asyncio.to_thread(search)
    except Exception:  # the search box must never break the console
        log.exception("knowledge search failed")
        return {"available": False, "hits": []}
