"""HomeCare (Dottoro'ta): puskesmas, free slots, bookings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from citybot.backend import idempotency, render
from citybot.backend.deps import DB, ReadSession, require_api_key
from citybot.backend.errors import not_found
from citybot.backend.schemas import BookingIn, CancelIn, ErrorOut, RescheduleIn
from citybot.backend.services import homecare
from citybot.backend.validation import (
    check_channel,
    clean_text,
    normalize_phone,
    require_text,
    validate_nik,
)
from citybot.client.models import Booking, Puskesmas, Slot

router = APIRouter(
    prefix="/api/v1/homecare",
    tags=["HomeCare"],
    dependencies=[Depends(require_api_key)],
    responses={code: {"model": ErrorOut} for code in (401, 404, 409, 422)},
)
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
MAX_ID = 2**31 - 1


def _code(value: str) -> str:
    code = clean_text(value, "code", 16)
    if code is None:
        raise not_found("booking_not_found", "Pemesanan tidak ditemukan.")
    return code


@router.get("/puskesmas", response_model=list[Puskesmas], summary="Puskesmas serving a kelurahan")
def find_puskesmas(session: ReadSession, kelurahan: Annotated[str, Query(max_length=80)]) -> list[Puskesmas]:
    name = require_text(kelurahan, "kelurahan", 80)
    return [render.puskesmas(p) for p in homecare.find_puskesmas(session, name)]


@router.get("/puskesmas/{puskesmas_id}/slots", response_model=list[Slot], summary="Free visit slots")
def free_slots(
    session: ReadSession,
    puskesmas_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    date_from: Annotated[dt.date | None, Query()] = None,
    days: Annotated[int, Query(ge=1, le=14)] = 7,
) -> list[Slot]:
    if date_from is not None and not dt.date(2000, 1, 1) <= date_from <= dt.date(2100, 1, 1):
        return []
    return [render.slot(s) for s in homecare.free_slots(session, puskesmas_id, date_from, days)]


@router.post("/bookings", status_code=201, response_model=Booking, summary="Book a home visit")
def book(db: DB, body: BookingIn, idempotency_key: IdemKey = None) -> JSONResponse:
    channel, channel_address = check_channel(body.channel, body.channel_address)
    red_flags = {require_text(k, "red_flags", 60): bool(v) for k, v in body.red_flags.items()}
    data = homecare.NewBooking(
        slot_id=body.slot_id,
        patient_name=require_text(body.patient_name, "patient_name", 120),
        patient_age=body.patient_age,
        nik=validate_nik(body.nik),
        phone=normalize_phone(body.phone, required=True) or "",
        address=require_text(body.address, "address", 300),
        kelurahan=require_text(body.kelurahan, "kelurahan", 80),
        complaint=require_text(body.complaint, "complaint", 2000),
        red_flags=red_flags,
        channel=channel,
        channel_address=channel_address,
    )

    def work(session: Session) -> tuple[int, Any]:
        return 201, render.booking(homecare.book(session, data)).model_dump(mode="json")

    status, result = idempotency.run(db, "homecare.book", idempotency_key, data.__dict__, work)
    return JSONResponse(result, status_code=status)


@router.get("/bookings/{code}", response_model=Booking)
def get_booking(session: ReadSession, code: str) -> Booking:
    return render.booking(homecare.by_code(session, _code(code)))


@router.post("/bookings/{code}/cancel", response_model=Booking)
def cancel(db: DB, code: str, body: CancelIn, idempotency_key: IdemKey = None) -> JSONResponse:
    c = _code(code)
    reason = clean_text(body.reason, "reason", 300)

    def work(session: Session) -> tuple[int, Any]:
        return 200, render.booking(homecare.cancel(session, c, reason)).model_dump(mode="json")

    status, result = idempotency.run(db, "homecare.cancel", idempotency_key, [c, reason], work)
    return JSONResponse(result, status_code=status)


@router.post("/bookings/{code}/reschedule", response_model=Booking)
def reschedule(db: DB, code: str, body: RescheduleIn, idempotency_key: IdemKey = None) -> JSONResponse:
    c = _code(code)

    def work(session: Session) -> tuple[int, Any]:
        return 200, render.booking(homecare.reschedule(session, c, body.slot_id)).model_dump(mode="json")

    status, result = idempotency.run(db, "homecare.reschedule", idempotency_key, [c, body.slot_id], work)
    return JSONResponse(result, status_code=status)
