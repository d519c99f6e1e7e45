"""Load seed data. Idempotent: every row is found by its natural key before it is created.

The reference backend stands in for several cities' systems, so every profile in `cities/` is
seeded; each city's rows carry its jurisdiction and stay apart.
"""

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
from citybot.city_profile import CityProfile, all_profiles
from citybot.settings import Settings

log = logging.getLogger(__name__)


def _jurisdiction(session: Session, profile: CityProfile) -> None:
    if session.get(Jurisdiction, profile.jurisdiction_id) is None:
        session.add(
            Jurisdiction(
                id=profile.jurisdiction_id, name=profile.name, timezone=profile.timezone, ticket_prefix=profile.code
            )
        )
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


def _complaints(session: Session, profile: CityProfile) -> int:
    created = 0
    now = utcnow()
    jid = profile.jurisdiction_id
    for sample in profile.sample_complaints:
        path, days_ago = sample.status_path, sample.days_ago
        device = f"seed-{sample.key}"
        if session.scalar(select(Complaint.id).where(Complaint.device_id == device)) is not None:
            continue
        start = now - dt.timedelta(days=days_ago, hours=3)
        jurisdiction = session.get(Jurisdiction, jid)
        assert jurisdiction is not None
        complaint = Complaint(
            service_code=sample.service,
            jurisdiction_id=jid,
            status=path[-1],
            description=sample.description,
            address_string=sample.address,
            kelurahan=sample.kelurahan,
            lat=sample.lat,
            long=sample.long,
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


def _puskesmas(session: Session, profile: CityProfile, days: int) -> int:
    """Only the puskesmas of a city that offers HomeCare: the table is where visits are booked."""
    new_slots = 0
    homecare = profile.areas.homecare
    if homecare is None:
        return 0
    slot_times = [(int(t[:2]), int(t[3:])) for t in homecare.slot_times]
    for pk in profile.homecare_puskesmas:
        row = session.scalar(select(Puskesmas).where(Puskesmas.code == pk.code))
        if row is None:
            row = Puskesmas(
                code=pk.code,
                name=pk.name,
                city=profile.name,
                kecamatan=pk.kecamatan,
                kelurahan=pk.kelurahan,
                address=pk.address,
                phone=pk.phone,
                hours=homecare.hours,
                timezone=profile.timezone,
            )
            session.add(row)
            session.flush()
        known = {s.kelurahan_key for s in row.served}
        for name_served in pk.serves:
            if key_of(name_served) not in known:
                row.served.append(ServedKelurahan(kelurahan=name_served, kelurahan_key=key_of(name_served)))
        tz = zone(row.timezone)
        today = utcnow().astimezone(tz).date()
        existing = set(
            session.scalars(select(Slot.start_at).where(Slot.puskesmas_id == row.id, Slot.start_at >= utcnow()))
        )
        for offset in range(days):
            day = today + dt.timedelta(days=offset)
            if day.isoweekday() in homecare.closed_weekdays:
                continue
            for hour, minute in slot_times:
                start = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz).astimezone(dt.UTC)
                if start <= utcnow() or start in existing:
                    continue
                session.add(
                    Slot(
                        puskesmas_id=row.id,
                        start_at=start,
                        end_at=start + dt.timedelta(minutes=homecare.slot_minutes),
                        capacity=homecare.slot_capacity,
                        booked=0,
                    )
                )
                new_slots += 1
    session.flush()
    return new_slots


def _kampung(session: Session, profile: CityProfile) -> int:
    if profile.catalogue is None or not profile.services.catalogue:
        return 0
    # The catalogue's `kabupaten` column holds the bare name ("Banyuwangi"), as citizens say it.
    kabupaten = profile.name.removeprefix("Kabupaten ").removeprefix("Kota ")
    kecamatan_of = {k.name: k.kecamatan for k in profile.areas.kelurahan}
    villages: dict[str, Village] = {}
    created = 0
    for entry in profile.catalogue.sellers:
        desa, kecamatan = entry.desa, kecamatan_of[entry.desa]
        village = villages.get(desa)
        if village is None:
            village = session.scalar(select(Village).where(Village.desa == desa, Village.kecamatan == kecamatan))
            if village is None:
                village = Village(desa=desa, kecamatan=kecamatan, kabupaten=kabupaten)
                session.add(village)
                session.flush()
            villages[desa] = village
        seller = session.scalar(select(Seller).where(Seller.name == entry.name, Seller.village_id == village.id))
        if seller is None:
            seller = Seller(name=entry.name, phone=entry.phone, location=entry.location, village_id=village.id)
            session.add(seller)
            session.flush()
        for item in entry.products:
            if (
                session.scalar(select(Product.id).where(Product.seller_id == seller.id, Product.name == item.name))
                is not None
            ):
                continue
            slug = "-".join(item.name.lower().split())
            session.add(
                Product(
                    seller_id=seller.id,
                    name=item.name,
                    category=item.category,
                    price=item.price,
                    unit=item.unit,
                    description=item.description,
                    photo_url=f"/media/kampung/{slug}.jpg",
                )
            )
            created += 1
    session.flush()
    return created


def _permits(session: Session, profile: CityProfile) -> int:
    created = 0
    now = utcnow()
    for sample in profile.sample_permits:
        number, path, days_ago = sample.number, sample.status_path, sample.days_ago
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
                permit_type=sample.type,
                applicant_name=sample.applicant,
                status=path[-1],
                jurisdiction_id=profile.jurisdiction_id,
                submitted_at=submitted,
                updated_at=events[-1].at,
                estimated_completion=(submitted + dt.timedelta(days=sample.days_to_complete)).date(),
                events=events,
            )
        )
        created += 1
    session.flush()
    return created


def seed(db: Database, settings: Settings, *, slot_days: int = data.SLOT_DAYS) -> dict[str, int]:
    """Seed every profile in `settings.cities_dir` (the active one first, and always)."""
    active = settings.profile
    profiles = [active] + [p for p in all_profiles(settings.cities_dir) if p.key != active.key]
    counts = {"complaints": 0, "slots": 0, "products": 0, "permits": 0}
    with db.writing() as session:
        _services(session)
        for profile in profiles:
            _jurisdiction(session, profile)
            counts["complaints"] += _complaints(session, profile)
            counts["slots"] += _puskesmas(session, profile, slot_days)
            counts["products"] += _kampung(session, profile)
            counts["permits"] += _permits(session, profile)
        if settings.agent_bootstrap_password:
            agents.upsert_agent(session, "supervisor", "supervisor", settings.agent_bootstrap_password)
    return counts
