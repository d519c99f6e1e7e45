"""Data-subject rights (UU PDP No. 27/2022): export and delete/anonymise a reporter's data.

A subject is a phone number (E.164) or a channel + opaque address. Complaints stay on record
for the city's work (category, place, status) but lose every personal field, their free-text
story and their photo, and the reporter's name or number is struck from agents' notes; stored
answers of idempotent requests that repeat the subject's data are dropped; bookings are anonymised (and cancelled if
still upcoming, since no visit can happen without an address); subscriptions and queued
notifications are deleted. Every request leaves an audit record keyed by a hash of the subject.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, false, or_, select, update
from sqlalchemy.orm import QueryableAttribute, Session

from citybot.backend.models import (
    AuditRecord,
    Booking,
    Complaint,
    IdempotencyKey,
    OutboxEvent,
    Slot,
    Subscriber,
    utcnow,
)


@dataclass(frozen=True)
class Subject:
    phone: str | None
    channel: str | None
    address: str | None

    def describe(self) -> str:
        parts = []
        if self.phone:
            parts.append(f"phone:{self.phone}")
        if self.channel and self.address:
            parts.append(f"{self.channel}:{self.address}")
        return " ".join(parts)

    def digest(self, key: str) -> str:
        return hmac.new(key.encode(), self.describe().encode(), hashlib.sha256).hexdigest()


def _rows_of(
    s: Subject, phone: QueryableAttribute[Any], channel: QueryableAttribute[Any], address: QueryableAttribute[Any]
) -> ColumnElement[bool]:
    """Rows that name the subject by phone or by channel address (either is enough)."""
    conds: list[ColumnElement[bool]] = []
    if s.phone:
        conds.append(phone == s.phone)
    if s.channel and s.address:
        conds.append(and_(channel == s.channel, address == s.address))
    return or_(*conds) if conds else false()


def _complaints_of(s: Subject) -> ColumnElement[bool]:
    return _rows_of(s, Complaint.reporter_phone, Complaint.reporter_channel, Complaint.reporter_address)


def _bookings_of(s: Subject) -> ColumnElement[bool]:
    return _rows_of(s, Booking.phone, Booking.channel, Booking.channel_address)


def _subscriptions_of(s: Subject) -> ColumnElement[bool]:
    if s.channel and s.address:
        return and_(Subscriber.channel == s.channel, Subscriber.address == s.address)
    return false()


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _audit(session: Session, action: str, subject: Subject, key: str, detail: dict[str, Any], actor: str) -> int:
    record = AuditRecord(action=action, subject_hash=subject.digest(key), detail=json.dumps(detail), actor=actor)
    session.add(record)
    session.flush()
    return record.id


def export(session: Session, subject: Subject, key: str, actor: str = "citizen") -> dict[str, Any]:
    complaints = list(session.scalars(select(Complaint).where(_complaints_of(subject)).order_by(Complaint.id)))
    subs = list(session.scalars(select(Subscriber).where(_subscriptions_of(subject)).order_by(Subscriber.id)))
    bookings = list(session.scalars(select(Booking).where(_bookings_of(subject)).order_by(Booking.id)))
    data = {
        "subject": subject.describe(),
        "generated_at": utcnow(),
        "complaints": [
            {
                "ticket": c.ticket,
                "service_code": c.service_code,
                "status": c.status,
                "description": c.description,
                "address": c.address_string,
                "kelurahan": c.kelurahan,
                "lat": c.lat,
                "long": c.long,
                "media_url": c.media_url,
                "reporter_name": c.reporter_name,
                "phone": c.reporter_phone,
                "email": c.reporter_email,
                "channel": c.reporter_channel,
                "channel_address": c.reporter_address,
                "created_at": _iso(c.created_at),
            }
            for c in complaints
        ],
        "subscriptions": [
            {
                "ticket": s.complaint.ticket,
                "role": s.role,
                "channel": s.channel,
                "address": s.address,
                "created_at": _iso(s.created_at),
            }
            for s in subs
        ],
        "bookings": [
            {
                "code": b.code,
                "status": b.status,
                "patient_name": b.patient_name,
                "patient_age": b.patient_age,
                "nik": b.nik,
                "phone": b.phone,
                "address": b.address,
                "kelurahan": b.kelurahan,
                "complaint": b.complaint,
                "red_flags": b.red_flags,
                "channel": b.channel,
                "channel_address": b.channel_address,
                "visit_start": _iso(b.slot.start_at),
                "created_at": _iso(b.created_at),
            }
            for b in bookings
        ],
    }
    counts = {"complaints": len(complaints), "subscriptions": len(subs), "bookings": len(bookings)}
    _audit(session, "export", subject, key, counts, actor)
    return data


ERASED_TEXT = "(dihapus atas permintaan pelapor)"


def _scrub(text: str | None, secrets: list[str]) -> str | None:
    """Agents' notes may repeat the reporter's name or number: those words go, the note stays."""
    if not text:
        return text
    for secret in secrets:
        text = text.replace(secret, "(dihapus)")
    return text


def _anonymise_complaints(session: Session, subject: Subject, now: dt.datetime) -> tuple[list[Complaint], list[str]]:
    """Reporter fields, the free-text story and the photo go; category, place and status stay for
    the city's work. Returns the complaints and the photo URLs they pointed at."""
    complaints = list(session.scalars(select(Complaint).where(_complaints_of(subject)).with_for_update(of=Complaint)))
    media: list[str] = []
    for c in complaints:
        secrets = [v for v in (c.reporter_name, c.reporter_phone, c.reporter_email) if v and len(v) >= 3]
        if c.media_url:
            media.append(c.media_url)
        for h in c.history:
            h.note = _scrub(h.note, secrets) or ""
        c.reporter_name = c.reporter_phone = c.reporter_email = None
        c.reporter_channel = c.reporter_address = c.device_id = None
        c.description = ERASED_TEXT
        c.media_url = None
        c.anonymised_at = now
    return complaints, media


def _forget_replies(session: Session, markers: list[str]) -> int:
    """Stored answers of idempotent POSTs (complaint filed, visit booked) repeat the personal data
    of the request; drop those that name one of the subject's tickets or booking codes."""
    markers = [m for m in markers if m]
    if not markers:
        return 0
    res = session.execute(
        delete(IdempotencyKey).where(or_(*[IdempotencyKey.response_body.contains(m) for m in markers]))
    )
    return int(getattr(res, "rowcount", 0) or 0)


def erase(session: Session, subject: Subject, key: str, actor: str) -> dict[str, Any]:
    now = utcnow()
    complaints, media = _anonymise_complaints(session, subject, now)
    subs = session.execute(delete(Subscriber).where(_subscriptions_of(subject)))
    bookings = list(session.scalars(select(Booking).where(_bookings_of(subject)).with_for_update(of=Booking)))
    for b in bookings:
        if b.status in ("proposed", "booked") and b.slot.start_at > now:
            b.status = "cancelled"
            b.cancel_reason = "Dibatalkan karena data dihapus atas permintaan pemilik data."
            session.execute(update(Slot).where(Slot.id == b.slot_id, Slot.booked > 0).values(booked=Slot.booked - 1))
        b.patient_name = "(dihapus)"
        b.patient_age = None
        b.nik = b.phone = b.address = b.complaint = b.channel = b.channel_address = None
        b.red_flags = {}
        b.anonymised_at = now
        b.updated_at = now
    outbox_removed = 0
    if subject.channel and subject.address:
        res = session.execute(
            delete(OutboxEvent).where(OutboxEvent.channel == subject.channel, OutboxEvent.address == subject.address)
        )
        outbox_removed = int(getattr(res, "rowcount", 0) or 0)
    replies = _forget_replies(
        session, [c.ticket or "" for c in complaints] + [b.code for b in bookings] + [subject.address or ""]
    )
    counts = {
        "complaints_anonymised": len(complaints),
        "subscriptions_removed": int(getattr(subs, "rowcount", 0) or 0),
        "bookings_anonymised": len(bookings),
        "outbox_removed": outbox_removed,
        "stored_replies_removed": replies,
    }
    audit_id = _audit(session, "delete", subject, key, counts, actor)
    # The photo URLs are for the caller (the assistant deletes the files from its media store);
    # they are not written to the audit record.
    return {**counts, "audit_id": audit_id, "media_urls": media}
