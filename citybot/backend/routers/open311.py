"""Complaints as Open311 GeoReport v2 (services, requests)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Header, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from citybot.backend import idempotency
from citybot.backend.deps import DB, AppSettings, ReadSession, api_key_header, key_matches
from citybot.backend.errors import ApiError, invalid, not_found
from citybot.backend.models import Complaint, ServiceCategory
from citybot.backend.open311 import request_json, service_json
from citybot.backend.schemas import Open311Created, Open311Error, Open311Request
from citybot.backend.services import complaints, statuses
from citybot.backend.timeutil import parse_iso
from citybot.backend.validation import check_channel, check_coordinates, clean_text, normalize_phone
from citybot.client.models import Service, ServiceDefinition
from citybot.media_links import is_own_media_url

_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": list[Open311Error]} for code in (401, 404, 409, 422)}


async def open311_key(request: Request, header_key: Annotated[str | None, Depends(api_key_header)]) -> None:
    """Header `X-API-Key`, query `api_key`, or (for POST) the spec's form field `api_key`."""
    given = header_key or request.query_params.get("api_key")
    if given is None and request.method == "POST":
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("api_key")
            given = value if isinstance(value, str) else None
    if not key_matches(request.app.state.settings, given):
        raise ApiError(401, "invalid_api_key", "Kunci API tidak ada atau salah.")


router = APIRouter(
    prefix="/open311/v2", tags=["Open311 GeoReport v2"], dependencies=[Depends(open311_key)], responses=_ERRORS
)


@router.get("/services.json", response_model=list[Service])
def list_services(
    session: ReadSession, jurisdiction_id: Annotated[str | None, Query(max_length=64)] = None
) -> list[dict[str, Any]]:
    rows = session.scalars(select(ServiceCategory).where(ServiceCategory.active).order_by(ServiceCategory.code))
    return [service_json(s) for s in rows]


@router.get("/services/{service_code}.json", response_model=ServiceDefinition)
def service_definition(session: ReadSession, service_code: str) -> dict[str, Any]:
    service = complaints.get_service(session, clean_text(service_code, "service_code", 40) or "")
    return {"service_code": service.code, "attributes": []}


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@router.post(
    "/requests.json",
    status_code=201,
    response_model=list[Open311Created],
    summary="Create a service request (form-encoded, GeoReport v2)",
)
def create_request(
    db: DB,
    settings: AppSettings,
    service_code: Annotated[str, Form(max_length=200)],
    api_key: Annotated[str | None, Form(max_length=200)] = None,
    jurisdiction_id: Annotated[str | None, Form(max_length=200)] = None,
    lat: Annotated[float | None, Form()] = None,
    long: Annotated[float | None, Form()] = None,
    address_string: Annotated[str | None, Form(max_length=5000)] = None,
    address_id: Annotated[str | None, Form(max_length=5000)] = None,
    email: Annotated[str | None, Form(max_length=5000)] = None,
    device_id: Annotated[str | None, Form(max_length=5000)] = None,
    account_id: Annotated[str | None, Form(max_length=5000)] = None,
    first_name: Annotated[str | None, Form(max_length=5000)] = None,
    last_name: Annotated[str | None, Form(max_length=5000)] = None,
    phone: Annotated[str | None, Form(max_length=5000)] = None,
    description: Annotated[str | None, Form(max_length=20000)] = None,
    media_url: Annotated[str | None, Form(max_length=5000)] = None,
    kelurahan: Annotated[str | None, Form(max_length=5000, description="Extension: kelurahan")] = None,
    reporter_channel: Annotated[
        str | None, Form(max_length=5000, description="Extension: channel to notify (telegram, ...)")
    ] = None,
    reporter_address: Annotated[
        str | None, Form(max_length=5000, description="Extension: opaque address on that channel")
    ] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> JSONResponse:
    lat, long = check_coordinates(lat, long)
    address = clean_text(address_string, "address_string", 300) or clean_text(address_id, "address_id", 300)
    media = clean_text(media_url, "media_url", 500)
    if media is not None and not is_own_media_url(media, settings):
        # Only the gateway's media store: a foreign link would be opened by every agent's
        # browser and anything that fetches complaint photos (citybot/media_links.py).
        raise invalid("invalid_media_url", "Tautan foto (media_url) harus berasal dari penyimpanan foto Asisten Kota.")
    mail = clean_text(email, "email", 254)
    if mail is not None and not _EMAIL.match(mail):
        raise invalid("invalid_email", "Alamat email tidak valid.")
    names = [clean_text(first_name, "first_name", 60), clean_text(last_name, "last_name", 60)]
    channel, channel_address = check_channel(reporter_channel, reporter_address)
    data = complaints.NewComplaint(
        service_code=clean_text(service_code, "service_code", 40, required=True) or "",
        description=clean_text(description, "description", 4000),
        lat=lat,
        long=long,
        address_string=address,
        kelurahan=clean_text(kelurahan, "kelurahan", 80),
        media_url=media,
        reporter_name=" ".join(n for n in names if n) or None,
        phone=normalize_phone(phone),
        email=mail,
        channel=channel,
        channel_address=channel_address,
        device_id=clean_text(device_id, "device_id", 100) or clean_text(account_id, "account_id", 100),
        jurisdiction_id=clean_text(jurisdiction_id, "jurisdiction_id", 64),
    )

    def work(session: Session) -> tuple[int, Any]:
        complaints.check_reporter_limit(
            session, data.channel, data.channel_address, settings.complaints_per_reporter_per_hour
        )
        complaint = complaints.create(session, data, city_code=settings.city_code)
        notice = f"Laporan diterima dengan nomor {complaint.ticket}."
        return 201, [{"service_request_id": complaint.ticket, "service_notice": notice, "account_id": None}]

    status, body = idempotency.run(db, "open311.create", idempotency_key, data.__dict__, work)
    return JSONResponse(body, status_code=status)


def _parse_date(value: str | None, field: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError as exc:
        message = f"Tanggal {field} harus berformat ISO-8601, mis. 2026-01-31T08:00:00+07:00."
        raise invalid("invalid_date", message) from exc


@router.get("/requests.json", response_model=list[Open311Request])
def list_requests(
    session: ReadSession,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: Annotated[str | None, Query(max_length=200)] = None,
    start_date: Annotated[str | None, Query(max_length=40)] = None,
    end_date: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
    jurisdiction_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    stmt = select(Complaint).options(selectinload(Complaint.history), selectinload(Complaint.subscribers))
    if service_request_id:
        ids = [i.strip().upper() for i in (clean_text(service_request_id, "service_request_id", 2000) or "").split(",")]
        stmt = stmt.where(Complaint.ticket.in_([i for i in ids if i][:50]))
    else:
        # GeoReport v2: without an explicit range, the last 90 days.
        start = _parse_date(start_date, "start_date")
        end = _parse_date(end_date, "end_date")
        if start is None:
            start = (end or dt.datetime.now(dt.UTC)) - dt.timedelta(days=90)
        stmt = stmt.where(Complaint.created_at >= start)
        if end is not None:
            stmt = stmt.where(Complaint.created_at <= end)
        if service_code:
            codes = [c.strip() for c in (clean_text(service_code, "service_code", 200) or "").split(",")]
            stmt = stmt.where(Complaint.service_code.in_(codes))
        if status:
            wanted = {s.strip().lower() for s in status.split(",")}
            if not wanted <= {"open", "closed"}:
                raise invalid("invalid_status", "Status harus open atau closed.")
            internal: set[str] = set()
            if "open" in wanted:
                internal |= statuses.OPEN
            if "closed" in wanted:
                internal |= statuses.CLOSED
            stmt = stmt.where(Complaint.status.in_(internal))
    if jurisdiction_id:
        stmt = stmt.where(Complaint.jurisdiction_id == clean_text(jurisdiction_id, "jurisdiction_id", 64))
    rows = session.scalars(stmt.order_by(Complaint.created_at.desc()).limit(1000))
    return [request_json(c) for c in rows]


@router.get("/requests/{service_request_id}.json", response_model=list[Open311Request])
def get_request(session: ReadSession, service_request_id: str) -> list[dict[str, Any]]:
    ticket = clean_text(service_request_id, "service_request_id", 32)
    if ticket is None:
        raise not_found("complaint_not_found", "Laporan tidak ditemukan.")
    return [request_json(complaints.by_ticket(session, ticket))]
