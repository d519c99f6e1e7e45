"""Small helpers shared by the backend tests."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from citybot.backend.db import Database
from citybot.backend.models import Puskesmas, Slot
from citybot.client import CityClient, Complaint


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def file_complaint(
    city: CityClient,
    *,
    service_code: str = "jalan-rusak",
    address: str | None = None,
    lat: float | None = -6.2000,
    long: float | None = 106.8200,
    description: str = "Jalan berlubang besar di depan warung.",
    kelurahan: str | None = "Menteng",
    address_string: str | None = "Jl. Teuku Umar No. 10",
) -> Complaint:
    return await city.create_complaint(
        service_code=service_code,
        description=description,
        channel="telegram",
        address=address or unique("tg"),
        idempotency_key=unique("idem"),
        lat=lat,
        long=long,
        address_string=address_string,
        kelurahan=kelurahan,
    )


def add_slot(db: Database, *, puskesmas_code: str = "MKS-KSK", capacity: int = 1, days_ahead: int = 20) -> int:
    """A slot of our own so concurrent tests never share the seeded ones."""
    with db.writing() as session:
        puskesmas = session.scalar(select(Puskesmas).where(Puskesmas.code == puskesmas_code))
        assert puskesmas is not None
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(
            days=days_ahead, seconds=uuid.uuid4().int % 86_400
        )
        slot = Slot(
            puskesmas_id=puskesmas.id,
            start_at=start,
            end_at=start + dt.timedelta(minutes=90),
            capacity=capacity,
            booked=0,
        )
        session.add(slot)
        session.flush()
        return slot.id
