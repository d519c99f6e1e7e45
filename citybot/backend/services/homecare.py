"""HomeCare: find a puskesmas, list free visit slots, book / cancel / reschedule by code.

Slot capacity is enforced with a conditional UPDATE (`booked < capacity`), which the database
applies atomically: of many citizens racing for the last place, exactly one update matches.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from citybot.backend.errors import conflict, invalid, not_found
from citybot.backend.models import Booking, Puskesmas, ServedKelurahan, Slot, utcnow
from citybot.backend.timeutil import zone
from citybot.backend.validation import key_of

ACTIVE = ("proposed", "booked")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
RED_FLAG_MESSAGE = (
    "Ada tanda bahaya. Kunjungan rumah tidak bisa dipesan untuk kondisi ini: segera hubungi 112 "
    "atau ambulans 119, atau datang ke IGD terdekat."
)


@dataclass
class NewBooking:
    slot_id: int
    patient_name: str
    patient_age: int | None
    nik: str | None
    phone: str
    address: str
    kelurahan: str
    complaint: str
    red_flags: dict[str, bool]
    channel: str | None
    channel_address: str | None


def find_puskesmas(session: Session, kelurahan: str) -> list[Puskesmas]:
    # "kassi kassi", "Kassi-Kassi" and "kassi - kassi" are the same place to a citizen.
    key = " ".join(key_of(kelurahan).replace("-", " ").split())
    served = select(ServedKelurahan.puskesmas_id).where(func.replace(ServedKelurahan.kelurahan_key, "-", " ") == key)
    rows = list(session.scalars(select(Puskesmas).where(Puskesmas.id.in_(served)).order_by(Puskesmas.name)))
    if not rows:
        # A kecamatan name is a reasonable fallback: its puskesmas serves its kelurahan.
        rows = list(
            session.scalars(
                select(Puskesmas)
                .where(func.replace(func.lower(Puskesmas.kecamatan), "-", " ") == key)
                .order_by(Puskesmas.name)
            )
        )
    return rows


def get_puskesmas(session: Session, puskesmas_id: int) -> Puskesmas:
    found = session.get(Puskesmas, puskesmas_id)
    if found is None:
        raise not_found("puskesmas_not_found", "Puskesmas tidak ditemukan.")
    return found


def free_slots(session: Session, puskesmas_id: int, date_from: dt.date | None, days: int) -> list[Slot]:
    puskesmas = get_puskesmas(session, puskesmas_id)
    tz = zone(puskesmas.timezone)
    now = utcnow()
    first_day = date_from or now.astimezone(tz).date()
    start = dt.datetime.combine(first_day, dt.time(0), tzinfo=tz)
    end = start + dt.timedelta(days=days)
    stmt = (
        select(Slot)
        .where(
            Slot.puskesmas_id == puskesmas_id,
            Slot.start_at >= max(start, now),
            Slot.start_at < end,
            Slot.booked < Slot.capacity,
        )
        .order_by(Slot.start_at)
        .limit(200)
    )
    return list(session.scalars(stmt))


def _new_code(session: Session) -> str:
    while True:
        code = "HC-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
        if session.scalar(select(Booking.id).where(Booking.code == code)) is None:
            return code


def _serves(puskesmas: Puskesmas, kelurahan: str) -> bool:
    def loose(value: str) -> str:
        return " ".join(key_of(value).replace("-", " ").split())

    key = loose(kelurahan)
    return any(loose(s.kelurahan_key) == key for s in puskesmas.served) or key == loose(puskesmas.kecamatan)


def _take_place(session: Session, slot_id: int) -> None:
    taken = session.execute(
        update(Slot).where(Slot.id == slot_id, Slot.booked < Slot.capacity).values(booked=Slot.booked + 1)
    )
    if getattr(taken, "rowcount", 0) != 1:
        raise conflict("slot_full", "Maaf, jadwal itu baru saja penuh. Silakan pilih jadwal lain.")


def _release_place(session: Session, slot_id: int) -> None:
    session.execute(update(Slot).where(Slot.id == slot_id, Slot.booked > 0).values(booked=Slot.booked - 1))


def _bookable_slot(session: Session, slot_id: int, kelurahan: str) -> Slot:
    slot = session.get(Slot, slot_id)
    if slot is None:
        raise not_found("slot_not_found", "Jadwal kunjungan tidak ditemukan.")
    if slot.start_at <= utcnow():
        raise conflict("slot_in_past", "Jadwal itu sudah lewat. Silakan pilih jadwal lain.")
    if not _serves(slot.puskesmas, kelurahan):
        raise invalid(
            "kelurahan_not_served",
            f"{slot.puskesmas.name} tidak melayani kunjungan rumah di Kelurahan {kelurahan}.",
        )
    return slot


def book(session: Session, data: NewBooking) -> Booking:
    if any(data.red_flags.values()):
        # The bot's triage gate asks first; the backend refuses too, so no client can skip it.
        raise invalid("red_flag_emergency", RED_FLAG_MESSAGE)
    slot = _bookable_slot(session, data.slot_id, data.kelurahan)
    _take_place(session, slot.id)
    now = utcnow()
    booking = Booking(
        code=_new_code(session),
        slot_id=slot.id,
        status="booked",
        patient_name=data.patient_name,
        patient_age=data.patient_age,
        nik=data.nik,
        phone=data.phone,
        address=data.address,
        kelurahan=data.kelurahan,
        complaint=data.complaint,
        red_flags=dict(data.red_flags),
        channel=data.channel,
        channel_address=data.channel_address,
        created_at=now,
        updated_at=now,
    )
    session.add(booking)
    session.flush()
    session.refresh(slot)
    booking.slot = slot
    return booking


def by_code(session: Session, code: str, *, for_update: bool = False) -> Booking:
    stmt = select(Booking).where(Booking.code == code.strip().upper())
    if for_update:
        stmt = stmt.with_for_update(of=Booking)
    booking = session.scalar(stmt)
    if booking is None:
        raise not_found("booking_not_found", f"Pemesanan dengan kode {code} tidak ditemukan.")
    return booking


def cancel(session: Session, code: str, reason: str | None) -> Booking:
    booking = by_code(session, code, for_update=True)
    if booking.status not in ACTIVE:
        raise conflict("booking_not_active", "Pemesanan ini sudah tidak aktif (dibatalkan atau selesai).")
    booking.status = "cancelled"
    booking.cancel_reason = reason
    booking.updated_at = utcnow()
    _release_place(session, booking.slot_id)
    session.flush()
    session.refresh(booking.slot)
    return booking


def reschedule(session: Session, code: str, slot_id: int) -> Booking:
    booking = by_code(session, code, for_update=True)
    if booking.status not in ACTIVE:
        raise conflict("booking_not_active", "Pemesanan ini sudah tidak aktif (dibatalkan atau selesai).")
    if booking.slot_id == slot_id:
        raise conflict("same_slot", "Itu jadwal yang sama dengan pemesanan Anda sekarang.")
    new_slot = _bookable_slot(session, slot_id, booking.kelurahan or "")
    _take_place(session, new_slot.id)
    _release_place(session, booking.slot_id)
    booking.slot_id = new_slot.id
    booking.updated_at = utcnow()
    session.flush()
    session.refresh(new_slot)
    booking.slot = new_slot
    return booking


def list_bookings(
    session: Session,
    *,
    day: dt.date | None,
    puskesmas_id: int | None,
    status: str | None,
    page: int,
    page_size: int,
) -> tuple[list[Booking], int]:
    stmt = select(Booking).join(Slot, Booking.slot_id == Slot.id)
    if puskesmas_id is not None:
        stmt = stmt.where(Slot.puskesmas_id == puskesmas_id)
    if status:
        stmt = stmt.where(Booking.status == status)
    if day is not None:
        # A "day" is local to each puskesmas, so match each slot against its own zone's day.
        zones = {p.timezone for p in session.scalars(select(Puskesmas))} or {"Asia/Jakarta"}
        bounds = []
        for tz_name in zones:
            tz = zone(tz_name)
            start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
            bounds.append(
                (Puskesmas.timezone == tz_name)
                & (Slot.start_at >= start)
                & (Slot.start_at < start + dt.timedelta(days=1))
            )
        stmt = stmt.join(Puskesmas, Slot.puskesmas_id == Puskesmas.id).where(or_(*bounds))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Slot.start_at, Booking.id).offset((page - 1) * page_size).limit(page_size))
    return list(rows), int(total)
