"""Complaints: filing, look-up, duplicate search, supporters, status changes, "sudah beres?"."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from citybot.backend.errors import ApiError, conflict, invalid, not_found
from citybot.backend.models import Complaint, Jurisdiction, ServiceCategory, StatusHistory, Subscriber, utcnow
from citybot.backend.services import outbox, statuses
from citybot.backend.timeutil import local

DUPLICATE_RADIUS_M = 100.0
ADDRESS_SIMILARITY = 0.55
EVENT_TYPE = "complaint.status_changed"


@dataclass
class NewComplaint:
    service_code: str
    description: str | None
    lat: float | None
    long: float | None
    address_string: str | None
    kelurahan: str | None
    media_url: str | None
    reporter_name: str | None
    phone: str | None
    email: str | None
    channel: str | None
    channel_address: str | None
    device_id: str | None
    jurisdiction_id: str | None


def default_jurisdiction(session: Session, city_code: str) -> Jurisdiction:
    found = session.scalar(select(Jurisdiction).where(Jurisdiction.ticket_prefix == city_code))
    if found is None:
        found = session.scalar(select(Jurisdiction).order_by(Jurisdiction.id).limit(1))
    if found is None:
        raise ApiError(503, "not_configured", "Data kota belum dimuat (jalankan seed).")
    return found


def get_service(session: Session, code: str) -> ServiceCategory:
    service = session.get(ServiceCategory, code)
    if service is None or not service.active:
        raise not_found("unknown_service", f"Kategori pengaduan '{code}' tidak dikenal.")
    return service


def create(session: Session, data: NewComplaint, *, city_code: str) -> Complaint:
    service = get_service(session, data.service_code)
    if data.jurisdiction_id:
        jurisdiction = session.get(Jurisdiction, data.jurisdiction_id)
        if jurisdiction is None:
            raise not_found("unknown_jurisdiction", "Kode wilayah (jurisdiction_id) tidak dikenal.")
    else:
        jurisdiction = default_jurisdiction(session, city_code)
    if data.lat is None and not data.address_string:
        raise invalid("location_required", "Lokasi wajib diisi: koordinat (lat dan long) atau alamat.")
    now = utcnow()
    complaint = Complaint(
        service_code=service.code,
        jurisdiction_id=jurisdiction.id,
        status="menunggu",
        description=data.description or "",
        address_string=data.address_string,
        kelurahan=data.kelurahan,
        lat=data.lat,
        long=data.long,
        media_url=data.media_url,
        reporter_name=data.reporter_name,
        reporter_phone=data.phone,
        reporter_email=data.email,
        reporter_channel=data.channel,
        reporter_address=data.channel_address,
        device_id=data.device_id,
        created_at=now,
        updated_at=now,
    )
    complaint.service = service
    complaint.jurisdiction = jurisdiction
    session.add(complaint)
    session.flush()  # the id is the ticket's sequence number: unique without a counter table
    year = local(now, jurisdiction.timezone).year
    complaint.ticket = f"{jurisdiction.ticket_prefix}-{year}-{complaint.id:06d}"
    session.add(
        StatusHistory(
            complaint_id=complaint.id, status="menunggu", note="Laporan diterima.", actor="sistem", changed_at=now
        )
    )
    if data.channel and data.channel_address:
        session.add(
            Subscriber(
                complaint_id=complaint.id,
                channel=data.channel,
                address=data.channel_address,
                role="reporter",
                created_at=now,
            )
        )
    session.flush()
    return complaint


def check_reporter_limit(session: Session, channel: str | None, address: str | None, per_hour: int) -> None:
    """Refuse (422, a message the bot can read out) once a reporter filed `per_hour` in the last hour."""
    if not channel or not address:
        return
    since = utcnow() - dt.timedelta(hours=1)
    recent = session.scalar(
        select(func.count(Complaint.id)).where(
            Complaint.reporter_channel == channel, Complaint.reporter_address == address, Complaint.created_at >= since
        )
    )
    if (recent or 0) >= per_hour:
        raise invalid(
            "reporter_hourly_limit",
            f"Anda sudah mengirim {recent} laporan dalam satu jam terakhir. Agar semua laporan tertangani, "
            'laporan berikutnya bisa dikirim sekitar satu jam lagi. Bila mendesak, ketik "bicara dengan petugas".',
        )


def by_ticket(session: Session, ticket: str, *, for_update: bool = False) -> Complaint:
    stmt = (
        select(Complaint)
        .where(Complaint.ticket == ticket.strip().upper())
        .options(selectinload(Complaint.history), selectinload(Complaint.subscribers))
    )
    if for_update:
        stmt = stmt.with_for_update(of=Complaint)
    complaint = session.scalar(stmt)
    if complaint is None:
        raise not_found("complaint_not_found", f"Laporan dengan nomor {ticket} tidak ditemukan.")
    return complaint


def of_reporter(session: Session, channel: str, address: str, limit: int = 20) -> list[Complaint]:
    """Complaints this citizen filed. Supporting a report gives status pushes, not the reporter's
    view of it: supporters are left out."""
    ids = select(Subscriber.complaint_id).where(
        Subscriber.channel == channel, Subscriber.address == address, Subscriber.role == "reporter"
    )
    stmt = (
        select(Complaint)
        .where(Complaint.id.in_(ids))
        .options(selectinload(Complaint.history), selectinload(Complaint.subscribers))
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


# --- duplicates ----------------------------------------------------------------------------------


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


_WORD = re.compile(r"[a-z0-9]+")
# Words that say nothing about *where*; without this "Jl. Melati" and "Jl. Mawar" look alike.
_PLACE_STOPWORDS = frozenset(
    {
        "jl",
        "jln",
        "jalan",
        "gg",
        "gang",
        "no",
        "nomor",
        "rt",
        "rw",
        "dekat",
        "depan",
        "samping",
        "belakang",
        "di",
        "ke",
        "dan",
        "kel",
        "kec",
        "kelurahan",
    }
)


def address_similarity(a: str, b: str) -> float:
    ta = [w for w in _WORD.findall(a.lower()) if w not in _PLACE_STOPWORDS]
    tb = [w for w in _WORD.findall(b.lower()) if w not in _PLACE_STOPWORDS]
    if not ta or not tb:
        return 0.0
    jaccard = len(set(ta) & set(tb)) / len(set(ta) | set(tb))
    ratio = difflib.SequenceMatcher(None, " ".join(ta), " ".join(tb)).ratio()
    return max(jaccard, ratio)


def find_duplicates(
    session: Session,
    service_code: str,
    *,
    lat: float | None,
    long: float | None,
    kelurahan: str | None,
    address: str | None,
    limit: int = 5,
) -> list[tuple[Complaint, float | None, str]]:
    """Open complaints of the same category within 100 m, or in the same kelurahan at a similar place."""
    get_service(session, service_code)
    found: dict[int, tuple[Complaint, float | None, str]] = {}
    base = (
        select(Complaint)
        .where(Complaint.service_code == service_code, Complaint.status.in_(statuses.OPEN))
        .options(selectinload(Complaint.history), selectinload(Complaint.subscribers))
    )
    if lat is not None and long is not None:
        # A bounding box the indexes can use first, then the exact distance.
        dlat = DUPLICATE_RADIUS_M / 111_000.0
        dlon = dlat / max(0.01, math.cos(math.radians(lat)))
        boxed = base.where(
            Complaint.lat.between(lat - dlat, lat + dlat), Complaint.long.between(long - dlon, long + dlon)
        )
        for c in session.scalars(boxed):
            assert c.lat is not None and c.long is not None
            distance = haversine_m(lat, long, c.lat, c.long)
            if distance <= DUPLICATE_RADIUS_M:
                found[c.id] = (c, round(distance, 1), "jarak")
    if kelurahan and address:
        same_place = base.where(func.lower(Complaint.kelurahan) == kelurahan.lower()).limit(200)
        for c in session.scalars(same_place):
            if (
                c.id not in found
                and c.address_string
                and (address_similarity(address, c.address_string) >= ADDRESS_SIMILARITY)
            ):
                found[c.id] = (c, None, "lokasi")
    ranked = sorted(found.values(), key=lambda t: (t[1] is None, t[1] or 0.0, -t[0].id))
    return ranked[:limit]


# --- supporters, status changes, confirmation ----------------------------------------------------


def support(session: Session, ticket: str, channel: str, address: str) -> tuple[Complaint, bool]:
    """Subscribe a citizen to an existing complaint instead of filing a duplicate."""
    complaint = by_ticket(session, ticket, for_update=True)
    if complaint.status in statuses.CLOSED:
        raise conflict("complaint_closed", "Laporan ini sudah ditutup; silakan buat laporan baru.")
    existing = next((s for s in complaint.subscribers if s.channel == channel and s.address == address), None)
    if existing is not None:
        return complaint, True
    complaint.subscribers.append(Subscriber(channel=channel, address=address, role="supporter", created_at=utcnow()))
    complaint.updated_at = utcnow()
    session.flush()
    return complaint, False


def supporters_count(complaint: Complaint) -> int:
    return sum(1 for s in complaint.subscribers if s.role == "supporter")


def role_of(complaint: Complaint, channel: str, address: str) -> str:
    """ "reporter", "supporter" or "public": what this citizen may see of the complaint."""
    roles = {s.role for s in complaint.subscribers if s.channel == channel and s.address == address}
    if "reporter" in roles:
        return "reporter"
    return "supporter" if "supporter" in roles else "public"


def change_status(
    session: Session, complaint: Complaint, new_status: str, note: str, actor: str, *, role: str = "agent"
) -> Complaint:
    if new_status not in statuses.LABELS:
        raise invalid("invalid_status", "Status tidak dikenal.")
    if new_status == complaint.status:
        raise conflict("status_unchanged", f"Laporan sudah berstatus {statuses.label(new_status)}.")
    if not statuses.allowed(complaint.status, new_status):
        raise conflict(
            "transition_not_allowed",
            f"Status tidak bisa diubah dari {statuses.label(complaint.status)} ke {statuses.label(new_status)}.",
        )
    reopening = complaint.status in statuses.CLOSED and complaint.status != "selesai"
    if role != "supervisor" and (new_status in statuses.SUPERVISOR_ONLY or reopening):
        raise ApiError(403, "supervisor_required", "Perubahan status ini hanya boleh oleh supervisor.")
    now = utcnow()
    complaint.status = new_status
    complaint.updated_at = now
    complaint.awaiting_confirmation = new_status == "selesai"
    complaint.history.append(StatusHistory(status=new_status, note=note, actor=actor, changed_at=now))
    tz = complaint.jurisdiction.timezone
    for sub in complaint.subscribers:
        outbox.enqueue(
            session,
            EVENT_TYPE,
            {
                "ticket": complaint.ticket,
                "status": new_status,
                "status_label": statuses.label(new_status),
                # Agents write notes for the reporter (a call-back, their street); supporters
                # learn that the status moved, nothing more.
                "note": note if sub.role == "reporter" else "",
                "channel": sub.channel,
                "address": sub.address,
                "occurred_at": local(now, tz).isoformat(),
            },
            channel=sub.channel,
            address=sub.address,
        )
    session.flush()
    return complaint


def answer_resolution(
    session: Session, ticket: str, channel: str, address: str, resolved: bool, note: str | None
) -> Complaint:
    complaint = by_ticket(session, ticket, for_update=True)
    if role_of(complaint, channel, address) != "reporter":
        # Only the reporter closes or reopens: a supporter (or anyone who forged the button)
        # must not undo the city's work on somebody else's report.
        raise ApiError(403, "not_reporter", "Hanya pelapor yang dapat menjawab konfirmasi laporan ini.")
    if complaint.status != "selesai" or not complaint.awaiting_confirmation:
        raise conflict("not_awaiting_confirmation", "Laporan ini tidak sedang menunggu konfirmasi selesai.")
    if resolved:
        now = utcnow()
        complaint.awaiting_confirmation = False
        complaint.confirmed_at = now
        complaint.updated_at = now
        text = "Pelapor mengonfirmasi masalah sudah beres." + (f" {note}" if note else "")
        complaint.history.append(StatusHistory(status="selesai", note=text, actor="pelapor", changed_at=now))
        session.flush()
        return complaint
    text = "Dibuka kembali: pelapor menyatakan masalah belum beres." + (f" {note}" if note else "")
    return change_status(session, complaint, "proses", text, "pelapor")


def list_filtered(
    session: Session,
    *,
    status: str | None,
    category: str | None,
    date_from: dt.datetime | None,
    date_to: dt.datetime | None,
    page: int,
    page_size: int,
) -> tuple[list[Complaint], int]:
    stmt = select(Complaint)
    if status:
        stmt = stmt.where(Complaint.status == status)
    if category:
        stmt = stmt.where(Complaint.service_code == category)
    if date_from:
        stmt = stmt.where(Complaint.created_at >= date_from)
    if date_to:
        stmt = stmt.where(Complaint.created_at < date_to)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.options(selectinload(Complaint.history), selectinload(Complaint.subscribers))
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(rows), int(total)
