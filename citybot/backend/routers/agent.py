"""Agent console endpoints: bearer token with a role (agent, supervisor, editor).

Complaints and bookings carry citizens' data: agents and supervisors only (`StaffAgent`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from citybot.backend import render
from citybot.backend.deps import DB, AppSettings, CurrentAgent, ReadSession, StaffAgent, bearer
from citybot.backend.errors import ApiError, invalid, not_found
from citybot.backend.open311 import complaint_model
from citybot.backend.schemas import ErrorOut, LoginIn, StatusChangeIn
from citybot.backend.services import agents, complaints, homecare, statuses
from citybot.backend.timeutil import zone
from citybot.backend.validation import clean_text, require_text
from citybot.client import models as api
from citybot.login_throttle import LoginThrottle
from citybot.passwords import check_async

router = APIRouter(
    prefix="/api/v1/agent",
    tags=["Agen"],
    responses={code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)},
)
_D2000, _D2100 = dt.date(2000, 1, 1), dt.date(2100, 1, 1)


@router.post("/login", response_model=api.AgentToken, responses={429: {"model": ErrorOut}})
async def login(db: DB, request: Request, body: LoginIn) -> api.AgentToken:
    """Async on purpose: the password hash runs on its own pool (citybot.passwords), the short
    database steps on the threadpool, so logins never hold the threads other requests need."""
    username = require_text(body.username, "username", 60)
    throttle: LoginThrottle = request.app.state.login_throttle
    keys = throttle.keys(username, request.client.host if request.client else None)
    if (wait := throttle.retry_after(*keys)) is not None:
        raise ApiError(
            429,
            "too_many_attempts",
            "Terlalu banyak percobaan masuk yang gagal. Coba lagi nanti.",
            headers={"Retry-After": str(wait)},
        )

    def read() -> tuple[int, str] | None:
        with db.read() as session:
            return agents.stored_hash(session, username)

    found = await run_in_threadpool(read)
    checked = await check_async(body.password, found[1] if found else None)
    if found is None or not checked.ok:
        throttle.failed(*keys)
        raise ApiError(401, "invalid_credentials", "Nama pengguna atau kata sandi salah.")
    throttle.succeeded(keys[0])
    agent_id, old_hash = found

    def issue() -> api.AgentToken:
        with db.writing() as session:
            token, row = agents.complete_login(session, agent_id, old_hash, checked)
            return api.AgentToken(
                token=token, username=row.agent.username, role=row.agent.role, expires_at=row.expires_at
            )

    return await run_in_threadpool(issue)


@router.post("/logout", summary="Revoke this bearer token")
def logout(
    db: DB, agent: CurrentAgent, credentials: Annotated[HTTPAuthorizationCredentials, Security(bearer)]
) -> dict[str, str]:
    """The console calls this at logout; the token answers 401 from now on."""
    with db.writing() as session:
        agents.revoke(session, credentials.credentials)
    return {"status": "revoked"}


def _bounded(day: dt.date | None) -> dt.date | None:
    if day is not None and not _D2000 <= day <= _D2100:
        raise invalid("invalid_date", "Tanggal di luar jangkauan.")
    return day


@router.get("/complaints", response_model=api.ComplaintPage)
def list_complaints(
    session: ReadSession,
    settings: AppSettings,
    agent: StaffAgent,
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
def change_status(db: DB, agent: StaffAgent, ticket: str, body: StatusChangeIn) -> api.Complaint:
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
    agent: StaffAgent,
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
