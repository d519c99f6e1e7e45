"""Complaints as Open311 GeoReport v2: discovery, services, requests, in XML and JSON.

Conformance notes (wiki.open311.org/GeoReport_v2, tests/backend/test_open311_conformance.py):
every resource answers `.xml` (required) and `.json`; only POST needs the api_key (a wrong or
missing one is 403); errors are the spec's list with 400/403/404; service types are `realtime`,
so POST returns `service_request_id` and never a `token`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Header, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from citybot.backend import idempotency
from citybot.backend.deps import DB, AppSettings, ReadSession, api_key_header, key_matches
from citybot.backend.errors import ApiError, invalid, not_found
from citybot.backend.models import Complaint, Jurisdiction, ServiceCategory
from citybot.backend.open311 import request_json, service_json
from citybot.backend.open311_format import JSON_MEDIA_TYPE, XML_MEDIA_TYPE, render, requested_format
from citybot.backend.schemas import Open311Created, Open311Discovery, Open311Error, Open311Request
from citybot.backend.services import complaints, statuses
from citybot.backend.timeutil import parse_iso
from citybot.backend.validation import check_channel, check_coordinates, clean_text, normalize_phone
from citybot.client.models import Service, ServiceDefinition
from citybot.media_links import is_own_media_url
from citybot.settings import Settings

_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": list[Open311Error]} for code in (400, 403, 404)}
_BOTH: dict[str, Any] = {"content": {XML_MEDIA_TYPE.split(";")[0]: {}}}
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Bumped when the service list or definitions change shape: clients refresh cached services then.
CHANGESET = "2026-11-30T00:00:00+07:00"
MAX_RANGE = dt.timedelta(days=90)  # the spec's cap on start_date..end_date
JurisdictionParam = Annotated[str | None, Query(max_length=200)]


async def open311_key(request: Request, header_key: Annotated[str | None, Depends(api_key_header)]) -> None:
    """Header `X-API-Key`, query `api_key`, or the spec's form field `api_key`. POST only."""
    given = header_key or request.query_params.get("api_key")
    if given is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("api_key")
            given = value if isinstance(value, str) else None
    if not key_matches(request.app.state.settings, given):
        raise ApiError(403, "invalid_api_key", "Kunci API (api_key) tidak ada atau salah.")


def check_jurisdiction(session: Session, jurisdiction_id: str | None) -> str | None:
    """One endpoint serves several cities; an unknown jurisdiction_id is a 404 (spec), never []."""
    wanted = clean_text(jurisdiction_id, "jurisdiction_id", 64)
    if wanted is not None and session.get(Jurisdiction, wanted) is None:
        raise not_found("unknown_jurisdiction", "Kode wilayah (jurisdiction_id) tidak dikenal.")
    return wanted


def offered_service_codes(settings: Settings, jurisdiction_id: str | None) -> list[str] | None:
    """The complaint services a city's profile offers (the active city's without a jurisdiction);
    None for a seeded jurisdiction that has no profile here: then every active service."""
    from citybot.city_profile import profile_by_jurisdiction

    profile = (
        settings.profile if jurisdiction_id is None else profile_by_jurisdiction(jurisdiction_id, settings.cities_dir)
    )
    return None if profile is None else list(profile.services.complaints)


router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"], responses=_ERRORS)
discovery_router = APIRouter(prefix="/open311", tags=["Open311 GeoReport v2"])


@discovery_router.get("/discovery.json", response_model=Open311Discovery, responses={200: _BOTH})
@discovery_router.get("/discovery.xml", include_in_schema=False)
def discovery(request: Request) -> Response:
    endpoint = str(request.base_url).rstrip("/") + router.prefix
    data = {
        "changeset": CHANGESET,
        "contact": "Tim TI pemerintah kota (pengelola Asisten Kota).",
        "key_service": "Kunci API (api_key) hanya untuk membuat laporan; mintalah kepada tim TI kota.",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint,
                "changeset": CHANGESET,
                "type": "production",
                "formats": [XML_MEDIA_TYPE.split(";")[0], JSON_MEDIA_TYPE.split(";")[0]],
            }
        ],
    }
    return render(requested_format(request), "discovery", data)


@router.get("/services.json", response_model=list[Service], responses={200: _BOTH})
@router.get("/services.xml", include_in_schema=False)
def list_services(request: Request, session: ReadSession, jurisdiction_id: JurisdictionParam = None) -> Response:
    wanted = check_jurisdiction(session, jurisdiction_id)
    codes = offered_service_codes(request.app.state.settings, wanted)
    stmt = select(ServiceCategory).where(ServiceCategory.active).order_by(ServiceCategory.code)
    if codes is not None:
        stmt = stmt.where(ServiceCategory.code.in_(codes))
    return render(requested_format(request), "services", [service_json(s) for s in session.scalars(stmt)])


@router.get("/services/{service_code}.json", response_model=ServiceDefinition, responses={200: _BOTH})
@router.get("/services/{service_code}.xml", include_in_schema=False)
def service_definition(
    request: Request, session: ReadSession, service_code: str, jurisdiction_id: JurisdictionParam = None
) -> Response:
    check_jurisdiction(session, jurisdiction_id)
    service = complaints.get_service(session, clean_text(service_code, "service_code", 40) or "")
    data = {"service_code": service.code, "attributes": []}
    return render(requested_format(request), "service_definition", data)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@router.post(
    "/requests.json",
    status_code=201,
    response_model=list[Open311Created],
    responses={201: _BOTH},
    summary="Create a service request (form-encoded, GeoReport v2; needs api_key)",
    dependencies=[Depends(open311_key)],
)
@router.post("/requests.xml", status_code=201, include_in_schema=False, dependencies=[Depends(open311_key)])
def create_request(
    request: Request,
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
) -> Response:
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
    return render(requested_format(request), "service_requests", body, status)


def _parse_date(value: str | None, field: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError as exc:
        message = f"Tanggal {field} harus berformat ISO-8601, mis. 2026-01-31T08:00:00+07:00."
        raise invalid("invalid_date", message) from exc


def _date_range(start_date: str | None, end_date: str | None) -> tuple[dt.datetime, dt.datetime | None]:
    """The spec: a range may not span more than 90 days; without one, the most recent 90 days."""
    start = _parse_date(start_date, "start_date")
    end = _parse_date(end_date, "end_date")
    if start is not None and end is not None:
        if end < start:
            raise invalid("invalid_date_range", "end_date harus sesudah start_date.")
        if end - start > MAX_RANGE:
            raise invalid("date_range_too_long", "Rentang start_date sampai end_date paling lama 90 hari.")
        return start, end
    if start is not None:
        return start, start + MAX_RANGE
    return (end or dt.datetime.now(dt.UTC)) - MAX_RANGE, end


@router.get("/requests.json", response_model=list[Open311Request], responses={200: _BOTH})
@router.get("/requests.xml", include_in_schema=False)
def list_requests(
    request: Request,
    session: ReadSession,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: Annotated[str | None, Query(max_length=200)] = None,
    start_date: Annotated[str | None, Query(max_length=40)] = None,
    end_date: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
    jurisdiction_id: JurisdictionParam = None,
) -> Response:
    jurisdiction = check_jurisdiction(session, jurisdiction_id)
    stmt = select(Complaint).options(selectinload(Complaint.history), selectinload(Complaint.subscribers))
    if service_request_id:
        # The spec: service_request_id "overrides all other arguments".
        ids = [i.strip().upper() for i in (clean_text(service_request_id, "service_request_id", 2000) or "").split(",")]
        stmt = stmt.where(Complaint.ticket.in_([i for i in ids if i][:50]))
    else:
        start, end = _date_range(start_date, end_date)
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
        if jurisdiction:
            stmt = stmt.where(Complaint.jurisdiction_id == jurisdiction)
    # The spec's response volume: 90 days or the first 1000 requests, whichever is smaller.
    rows = session.scalars(stmt.order_by(Complaint.created_at.desc()).limit(1000))
    return render(requested_format(request), "service_requests", [request_json(c) for c in rows])


@router.get("/requests/{service_request_id}.json", response_model=list[Open311Request], responses={200: _BOTH})
@router.get("/requests/{service_request_id}.xml", include_in_schema=False)
def get_request(
    request: Request, session: ReadSession, service_request_id: str, jurisdiction_id: JurisdictionParam = None
) -> Response:
    check_jurisdiction(session, jurisdiction_id)
    ticket = clean_text(service_request_id, "service_request_id", 32)
    if ticket is None:
        raise not_found("complaint_not_found", "Laporan tidak ditemukan.")
    return render(requested_format(request), "service_requests", [request_json(complaints.by_ticket(session, ticket))])


@router.get("/tokens/{token}.json", response_model=None)
@router.get("/tokens/{token}.xml", include_in_schema=False)
def token_lookup(session: ReadSession, token: str, jurisdiction_id: JurisdictionParam = None) -> Response:
    """Every service here is `realtime`: POST returns the service_request_id itself and never a
    token, so no token exists to look up (the spec makes this call conditional on tokens)."""
    check_jurisdiction(session, jurisdiction_id)
    raise not_found("token_not_found", "Token tidak dikenal: laporan di sini langsung mendapat nomor.")
