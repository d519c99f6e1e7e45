"""ORM rows to the API models (`citybot.client.models`), with times in the local zone."""

from __future__ import annotations

from citybot.backend.models import Booking, PermitApplication, Product, Puskesmas, Slot
from citybot.backend.services.permits import status_label
from citybot.backend.timeutil import local
from citybot.client import models as api


def puskesmas(p: Puskesmas) -> api.Puskesmas:
    return api.Puskesmas(
        id=p.id,
        code=p.code,
        name=p.name,
        city=p.city,
        kecamatan=p.kecamatan,
        kelurahan=p.kelurahan,
        kelurahan_served=sorted(s.kelurahan for s in p.served),
        address=p.address,
        phone=p.phone,
        hours=p.hours,
        timezone=p.timezone,
    )


def slot(s: Slot) -> api.Slot:
    tz = s.puskesmas.timezone
    return api.Slot(
        id=s.id,
        puskesmas_id=s.puskesmas_id,
        start=local(s.start_at, tz),
        end=local(s.end_at, tz),
        capacity=s.capacity,
        available=max(0, s.capacity - s.booked),
    )


def booking(b: Booking) -> api.Booking:
    tz = b.slot.puskesmas.timezone
    return api.Booking(
        code=b.code,
        status=b.status,
        patient_name=b.patient_name,
        patient_age=b.patient_age,
        phone=b.phone,
        address=b.address,
        kelurahan=b.kelurahan,
        complaint=b.complaint,
        red_flags=dict(b.red_flags or {}),
        puskesmas=puskesmas(b.slot.puskesmas),
        slot=slot(b.slot),
        created_at=local(b.created_at, tz),
        updated_at=local(b.updated_at, tz),
        channel=b.channel,
        channel_address=b.channel_address,
    )


def mask_name(name: str) -> str:
    """'Siti Rahmawati' -> 'S*** R***': enough to recognise, too little to identify."""
    return " ".join(part[0] + "***" for part in name.split() if part)


def permit(p: PermitApplication) -> api.Permit:
    tz = p.jurisdiction.timezone
    return api.Permit(
        application_number=p.application_number,
        permit_type=p.permit_type,
        applicant_name=mask_name(p.applicant_name),
        status=p.status,
        status_label=status_label(p.status),
        submitted_at=local(p.submitted_at, tz),
        updated_at=local(p.updated_at, tz),
        estimated_completion=p.estimated_completion,
        history=[
            api.PermitEvent(status=e.status, status_label=status_label(e.status), note=e.note, at=local(e.at, tz))
            for e in p.events
        ],
    )


def product(p: Product, score: float = 0.0) -> api.Product:
    seller = p.seller
    digits = seller.phone.lstrip("+")
    return api.Product(
        id=p.id,
        name=p.name,
        category=p.category,
        price=p.price,
        unit=p.unit,
        description=p.description,
        photo_url=p.photo_url,
        seller=api.Seller(
            id=seller.id,
            name=seller.name,
            phone=seller.phone,
            wa_link=f"https://wa.me/{digits}",
            location=seller.location,
        ),
        village=api.Village(
            id=seller.village.id,
            desa=seller.village.desa,
            kecamatan=seller.village.kecamatan,
            kabupaten=seller.village.kabupaten,
        ),
        score=round(score, 3),
    )
