"""HomeCare (Dottoro'ta): puskesmas, bookable visit slots and bookings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citybot.backend.models.base import Base, UTCDateTime, utcnow


class Puskesmas(Base):
    __tablename__ = "puskesmas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    kecamatan: Mapped[str] = mapped_column(String(80))
    kelurahan: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    hours: Mapped[str] = mapped_column(String(120), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Makassar")

    served: Mapped[list[ServedKelurahan]] = relationship(
        back_populates="puskesmas", cascade="all, delete-orphan", lazy="selectin"
    )


class ServedKelurahan(Base):
    __tablename__ = "puskesmas_kelurahan"
    __table_args__ = (UniqueConstraint("puskesmas_id", "kelurahan_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    puskesmas_id: Mapped[int] = mapped_column(ForeignKey("puskesmas.id", ondelete="CASCADE"))
    kelurahan: Mapped[str] = mapped_column(String(80))
    # lower-cased, single-spaced name used for look-ups
    kelurahan_key: Mapped[str] = mapped_column(String(80), index=True)

    puskesmas: Mapped[Puskesmas] = relationship(back_populates="served")


class Slot(Base):
    __tablename__ = "homecare_slots"
    __table_args__ = (
        UniqueConstraint("puskesmas_id", "start_at"),
        # The last line of defence for "two citizens, one slot": the counter can never overflow.
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    puskesmas_id: Mapped[int] = mapped_column(ForeignKey("puskesmas.id", ondelete="CASCADE"), index=True)
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    booked: Mapped[int] = mapped_column(Integer, default=0)

    puskesmas: Mapped[Puskesmas] = relationship(lazy="joined")


class Booking(Base):
    __tablename__ = "homecare_bookings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("homecare_slots.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="booked", index=True)
    patient_name: Mapped[str] = mapped_column(String(120))
    patient_age: Mapped[int | None] = mapped_column(Integer)
    nik: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    kelurahan: Mapped[str | None] = mapped_column(String(80))
    complaint: Mapped[str | None] = mapped_column(Text)
    red_flags: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    channel: Mapped[str | None] = mapped_column(String(20))
    channel_address: Mapped[str | None] = mapped_column(String(200), index=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    slot: Mapped[Slot] = relationship(lazy="joined")
