"""Load seed data. Idempotent: every row is found by its natural key before it is created."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybot.backend import seed_data as data
from citybot.backend.db import Database
from citybot.backend.models import (
    Complaint,
    Jurisdiction,
    PermitApplication,
    PermitEvent,
    Product,
    Puskesmas,
    Seller,
    ServedKelurahan,
    ServiceCategory,
    Slot,
    StatusHistory,
    Village,
    utcnow,
)
from citybot.backend.services import agents
from citybot.backend.timeutil import zone
from citybot.backend.validation import key_of
from citybot.settings import Settings

log = logging.getLogger(__name__)


def _jurisdictions(session: Session, settings: Settings) -> None:
    rows = list(data.JURISDICTIONS)
    if settings.city_code not in {r[3] for r in rows}:
        rows.append(
            (f"{settings.city_code.lower()}.local", settings.city_name, settings.city_timezone, settings.city_code)
        )
    for jid, name, tz, prefix in rows:
        if session.get(Jurisdiction, jid) is None:
            session.add(Jurisdiction(id=jid, name=name, timezone=tz, ticket_prefix=prefix))
    session.flush()


def _services(session: Session) -> None:
    for code, name, group, agency, description, keywords in data.SERVICES:
        row = session.get(ServiceCategory, code)
        if row is None:
            session.add(
                ServiceCategory(
                    code=code,
                    name=name,
                    group=group,
                    agency=agency,
                    description=description,
                    keywords=keywords,
                    active=True,
                    expected_days=data.EXPECTED_DAYS.get(code),
                )
            )
        elif row.expected_days is None:
            row.expected_days = data.EXPECTED_DAYS.get(code)
    session.flush()


def _complaints(session: Session) -> int:
    created = 0
    now = utcnow()
    for key, jid, service, path, text, address, kelurahan, lat, long, days_ago in data.COMPLAINTS:
        device = f"seed-{key}"
        if session.scalar(select(Complaint.id).where(Complaint.device_id == device)) is not None:
            continue
        start = now - dt.timedelta(days=days_ago, hours=3)
        jurisdiction = session.get(Jurisdiction, jid)
        assert jurisdiction is not None
        complaint = Complaint(
            service_code=service,
            jurisdiction_id=jid,
            status=path[-1],
            description=text,
            address_string=address,
            kelurahan=kelurahan,
            lat=lat,
            long=long,
            device_id=device,
            reporter_name="Warga (data contoh)",
            created_at=start,
            updated_at=start,
            awaiting_confirmation=path[-1] == "selesai",
        )
        session.add(complaint)
        session.flush()
        year = start.astimezone(zone(jurisdiction.timezone)).year
        complaint.ticket = f"{jurisdiction.ticket_prefix}-{year}-{complaint.id:06d}"
        at = start
        for i, status in enumerate(path):
            note = "Laporan diterima." if i == 0 else data.STATUS_NOTES[status]
            session.add(
                StatusHistory(
                    complaint_id=complaint.id,
                    status=status,
                    note=note,
                    actor="sistem" if i == 0 else "petugas",
                    changed_at=at,
                )
            )
            complaint.updated_at = at
            at = at + dt.timedelta(hours=5)
        created += 1
    session.flush()
    return created


def _puskesmas(session: Session, days: int) -> int:
    new_slots = 0
    for code, name, kecamatan, kelurahan, address, phone, served in data.PUSKESMAS:
        row = session.scalar(select(Puskesmas).where(Puskesmas.code == code))
        if row is None:
            row = Puskesmas(
                code=code,
                name=name,
                city="Kota Makassar",
                kecamatan=kecamatan,
                kelurahan=kelurahan,
                address=address + ", Makassar",
                phone=phone,
                hours=data.PUSKESMAS_HOURS,
                timezone="Asia/Makassar",
            )
            session.add(row)
            session.flush()
        known = {s.kelurahan_key for s in row.served}
        for name_served in served:
            if key_of(name_served) not in known:
                row.served.append(ServedKelurahan(kelurahan=name_served, kelurahan_key=key_of(name_served)))
        tz = zone(row.timezone)
        today = utcnow().astimezone(tz).date()
        existing = set(
            session.scalars(select(Slot.start_at).where(Slot.puskesmas_id == row.id, Slot.start_at >= utcnow()))
        )
        for offset in range(days):
            day = today + dt.timedelta(days=offset)
            if day.isoweekday() == 7:  # no home visits on Sundays
                continue
            for hour, minute in data.SLOT_TIMES:
                start = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz).astimezone(dt.UTC)
                if start <= utcnow() or start in existing:
                    continue
                session.add(
                    Slot(
                        puskesmas_id=row.id,
                        start_at=start,
                        end_at=start + dt.timedelta(minutes=90),
                        capacity=data.SLOT_CAPACITY,
                        booked=0,
                    )
                )
                new_slots += 1
    session.flush()
    return new_slots


def _kampung(session: Session) -> int:
    villages: dict[str, Village] = {}
    for desa, kecamatan in data.VILLAGES:
        v = session.scalar(select(Village).where(Village.desa == desa, Village.kecamatan == kecamatan))
        if v is None:
            v = Village(desa=desa, kecamatan=kecamatan, kabupaten="Banyuwangi")
            session.add(v)
            session.flush()
        villages[desa] = v
    sellers: list[Seller] = []
    for name, phone, location, desa in data.SELLERS:
        village = villages[desa]
        s = session.scalar(select(Seller).where(Seller.name == name, Seller.village_id == village.id))
        if s is None:
            s = Seller(name=name, phone=phone, location=location, village_id=village.id)
            session.add(s)
            session.flush()
        sellers.append(s)
    created = 0
    for seller_idx, name, category, price, unit, description in data.PRODUCTS:
        seller = sellers[seller_idx]
        if session.scalar(select(Product.id).where(Product.seller_id == seller.id, Product.name == name)) is None:
            slug = "-".join(name.lower().split())
            session.add(
                Product(
                    seller_id=seller.id,
                    name=name,
                    category=category,
                    price=price,
                    unit=unit,
                    description=description,
                    photo_url=f"/media/kampung/{slug}.jpg",
                )
            )
            created += 1
    session.flush()
    return created


def _permits(session: Session) -> int:
    created = 0
    now = utcnow()
    for number, ptype, applicant, jid, path, days_ago, days_to_complete in data.PERMITS:
        if session.scalar(select(PermitApplication.id).where(PermitApplication.application_number == number)):
            continue
        submitted = now - dt.timedelta(days=days_ago)
        at = submitted
        events = []
        for i, status in enumerate(path):
            events.append(PermitEvent(status=status, note=data.PERMIT_NOTES[status], at=at))
            at = min(now, at + dt.timedelta(days=max(1, days_ago // max(1, len(path)))))
            if i == len(path) - 1:
                break
        session.add(
            PermitApplication(
                application_number=number,
                permit_type=ptype,
                applicant_name=applicant,
                status=path[-1],
                jurisdiction_id=jid,
                submitted_at=submitted,
                updated_at=events[-1].at,
                estimated_completion=(submitted + dt.timedelta(days=days_to_complete)).date(),
                events=events,
            )
        )
        created += 1
    session.flush()
    return created


def seed(db: Database, settings: Settings, *, slot_days: int = data.SLOT_DAYS) -> dict[str, int]:
    with db.writing() as session:
        _jurisdictions(session, settings)
        _services(session)
        counts = {
            "complaints": _complaints(session),
            "slots": _puskesmas(session, slot_days),
            "products": _kampung(session),
            "permits": _permits(session),
        }
        if settings.agent_bootstrap_password:
            agents.upsert_agent(session, "supervisor", "supervisor", settings.agent_bootstrap_password)
    return counts
