"""Complaint endpoints the bot needs beyond Open311: duplicates, supporters, reporter's list,
the "sudah beres?" answer and a detailed view with status history.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybot.backend import idempotency
from citybot.backend.deps import DB, AppSettings, ReadSession, require_api_key
from citybot.backend.errors import invalid, not_found
from citybot.backend.models import Complaint as ComplaintRow
from citybot.backend.open311 import complaint_model, public_complaint_model
from citybot.backend.schemas import ConfirmationIn, ContactIn, ErrorOut
from citybot.backend.services import complaints, lookups
from citybot.backend.validation import check_channel, check_coordinates, clean_text
from citybot.client.models import Complaint, ComplaintLookup, DuplicateCandidate, SupportResult

router = APIRouter(
    prefix="/api/v1/complaints",
    tags=["Pengaduan"],
    dependencies=[Depends(require_api_key)],
    responses={code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)},
)
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def _ticket(value: str) -> str:
    ticket = clean_text(value, "ticket", 32)
    if ticket is None:
        raise not_found("complaint_not_found", "Laporan tidak ditemukan.")
    return ticket


def _contact(channel: str | None, address: str | None) -> tuple[str, str]:
    c, a = check_channel(channel, address)
    if c is None or a is None:
        raise invalid("invalid_contact", "Kanal dan alamat kontak wajib diisi.")
    return c, a


@router.get("", response_model=list[Complaint], summary="Complaints a reporter filed or supports")
def of_reporter(
    session: ReadSession,
    channel: Annotated[str, Query(max_length=20)],
    address: Annotated[str, Query(max_length=200)],
) -> list[Complaint]:
    c, a = _contact(channel, address)
    return [complaint_model(x) for x in complaints.of_reporter(session, c, a)]


@router.get("/duplicates", response_model=list[DuplicateCandidate])
def duplicates(
    session: ReadSession,
    service_code: Annotated[str, Query(max_length=40)],
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    long: Annotated[float | None, Query(ge=-180, le=180)] = None,
    kelurahan: Annotated[str | None, Query(max_length=80)] = None,
    address: Annotated[str | None, Query(max_length=300)] = None,
) -> list[DuplicateCandidate]:
    lat, long = check_coordinates(lat, long)
    found = complaints.find_duplicates(
        session,
        clean_text(service_code, "service_code", 40, required=True) or "",
        lat=lat,
        long=long,
        kelurahan=clean_text(kelurahan, "kelurahan", 80),
        address=clean_text(address, "address", 300),
    )
    return [
        DuplicateCandidate(complaint=complaint_model(c, with_history=False), distance_m=d, reason=r)
        for c, d, r in found
    ]


@router.get("/{ticket}", response_model=Complaint)
def get_complaint(session: ReadSession, ticket: str) -> Complaint:
    return complaint_model(complaints.by_ticket(session, _ticket(ticket)))


@router.post("/{ticket}/lookup", response_model=ComplaintLookup, summary="A citizen's status look-up by ticket")
def lookup(db: DB, settings: AppSettings, ticket: str, body: ContactIn) -> ComplaintLookup:
    """The reporter gets the whole complaint; a supporter or anyone else the public view, and
    look-ups of complaints one did not file or support are limited (sequential tickets)."""
    t = _ticket(ticket)
    c, a = _contact(body.channel, body.address)

    def count(session: Session) -> None:
        lookups.check_and_record(
            session,
            lookups.subject_hash(settings.notify_secret or settings.backend_api_key, c, a),
            per_subject=settings.status_lookups_per_sender,
            total=settings.status_lookups_total,
            window_seconds=settings.status_lookup_window_seconds,
        )

    with db.writing() as session:  # a counted look-up is a write
        complaint = session.scalar(select(ComplaintRow).where(ComplaintRow.ticket == t.strip().upper()))
        if complaint is not None:
            role = complaints.role_of(complaint, c, a)
            if role == "reporter":
                return ComplaintLookup(role=role, complaint=complaint_model(complaint))
            if role == "public":
                count(session)
            return ComplaintLookup(role=role, complaint=public_complaint_model(complaint))
        count(session)  # probing numbers that do not exist is enumeration too
    raise not_found("complaint_not_found", f"Laporan dengan nomor {t} tidak ditemukan.")


@router.post("/{ticket}/supporters", response_model=SupportResult, summary="Support (subscribe to) a complaint")
def support(db: DB, ticket: str, body: ContactIn, idempotency_key: IdemKey = None) -> JSONResponse:
    t = _ticket(ticket)
    c, a = _contact(body.channel, body.address)

    def work(session: Session) -> tuple[int, Any]:
        complaint, already = complaints.support(session, t, c, a)
        result = SupportResult(
            ticket=complaint.ticket or t,
            supporters_count=complaints.supporters_count(complaint),
            already_subscribed=already,
        )
        return 200, result.model_dump(mode="json")

    status, data = idempotency.run(db, "complaint.support", idempotency_key, [t, c, a], work)
    return JSONResponse(data, status_code=status)


@router.post("/{ticket}/confirmation", response_model=Complaint, summary='The reporter\'s "sudah beres?" answer')
def confirmation(db: DB, ticket: str, body: ConfirmationIn, idempotency_key: IdemKey = None) -> JSONResponse:
    t = _ticket(ticket)
    c, a = _contact(body.channel, body.address)
    note = clean_text(body.note, "note", 1000)

    def work(session: Session) -> tuple[int, Any]:
        complaint = complaints.answer_resolution(session, t, c, a, body.resolved, note)
        return 200, complaint_model(complaint).model_dump(mode="json")

    payload = [t, c, a, body.resolved, note]
    status, data = idempotency.run(db, "complaint.confirmation", idempotency_key, payload, work)
    return JSONResponse(data, status_code=status)
