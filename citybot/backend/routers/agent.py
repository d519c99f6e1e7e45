"""Agent console endpoints: bearer token with a role (agent, supervisor)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from citybot.backend import render
from citybot.backend.deps import DB, AppSettings, CurrentAgent, ReadSession
from citybot.backend.errors import invalid, not_found
from citybot.backend.open311 import complaint_model
from citybot.backend.schemas import ErrorOut, LoginIn, StatusChangeIn
from citybot.backend.services import agents, complaints, homecare, statuses
from citybot.backend.timeutil import zone
from citybot.backend.validation import clean_text, require_text
from citybot.client import models as api

router = APIRouter(
    prefix="/api/v1/agent",
    tags=["Agen"],
    responses={code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)},
)
_D2000, _D2100 = dt.date(2000, 1, 1), dt.date(2100, 1, 1)


@router.post("/login", response_model=api.AgentToken)
def login(db: DB, body: LoginIn) -> api.AgentToken:
    username = require_text(body.username, "username", 60)
    with db.writing() as session:
        token, row = agents.login(session, username, body.password)
        return api.AgentToken(
            token=token,
            username=row.agent.username,
            role=row.agent.role,
            expires_at=row.expires_at,
        )


def _bounded(day: dt.date | None) -> dt.date | None:
    if day is not None and not _D2000 <= day <= _D2100:
        raise invalid("invalid_date", "Tanggal di luar jangkauan.")
    return day


@router.get("/complaints", response_model=api.ComplaintPage)
def list_complaints(
    session: ReadSession,
    settings: AppSettings,
    agent: CurrentAgent,
    status: Annotated[str | None, Query(max_length=16)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    date_from: Annotated[dt.date | None, Query()] = None,
    date_to: Annotated[dt.date | None, Query(description="inclusive")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> api.ComplaintPage:
    if status is not None and status not in statuses.LABELS:
        raise invalid("invalid_status", "Status tidak dikenal.")
    tz = zone(settings.city_timezone)
    start = _bounded(date_from)
    end = _bounded(date_to)
    rows, total = complaints.list_filtered(
        session,
        status=status,
        category=clean_text(category, "category", 40),
        date_from=dt.datetime.combine(start, dt.time(0), tzinfo=tz) if start else None,
        date_to=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz) if end else None,
        page=page,
        page_size=page_size,
    )
    return api.ComplaintPage(items=[complaint_model(c) for c in rows], total=total, page=page, page_size=page_size)


@router.post("/complaints/{ticket}/status", response_model=api.Complaint, summary="Change status (notifies)")
def change_status(db: DB, agent: CurrentAgent, ticket: str, body: StatusChangeIn) -> api.Complaint:
    t = clean_text(ticket, "ticket", 32)
    if t is None:
        raise not_found("complaint_not_found", "Laporan tidak ditemukan.")
    note = clean_text(body.note, "note", 1000) or ""
    session: Session
    with db.writing() as session:
        complaint = complaints.by_ticket(session, t, for_update=True)
        complaints.change_status(session, complaint, body.status, note, agent.username, role=agent.role)
        return complaint_model(complaint)


@router.get("/bookings", response_model=api.BookingPage)
def list_bookings(
    session: ReadSession,
    agent: CurrentAgent,
    date: Annotated[dt.date | None, Query()] = None,
    puskesmas_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> api.BookingPage:
    rows, total = homecare.list_bookings(
        session,
        day=_bounded(date),
        puskesmas_id=puskesmas_id,
        status=clean_text(status, "status", 20),
        page=page,
        page_size=page_size,
    )
    return api.BookingPage(items=[render.booking(b) for b in rows], total=total, page=page, page_size=page_size)
