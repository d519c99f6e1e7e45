"""Complaints (JakLapor / CRM): categories, complaints, status history, subscribers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citybot.backend.models.base import Base, UTCDateTime, utcnow


class Jurisdiction(Base):
    """A city using the system; decides the ticket prefix and the time zone of timestamps."""

    __tablename__ = "jurisdictions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    ticket_prefix: Mapped[str] = mapped_column(String(8), unique=True)


class ServiceCategory(Base):
    __tablename__ = "services"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    group: Mapped[str] = mapped_column(String(80), default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    agency: Mapped[str] = mapped_column(String(160), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The agency's target for acting on a report (Open311 `expected_datetime`); None = no target.
    expected_days: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_service_status", "service_code", "status"),
        Index("ix_complaints_reporter", "reporter_channel", "reporter_address"),
        Index("ix_complaints_lat_long", "lat", "long"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket: Mapped[str | None] = mapped_column(String(32), unique=True)
    service_code: Mapped[str] = mapped_column(ForeignKey("services.code"))
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    address_string: Mapped[str | None] = mapped_column(String(300))
    kelurahan: Mapped[str | None] = mapped_column(String(80), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    long: Mapped[float | None] = mapped_column(Float)
    media_url: Mapped[str | None] = mapped_column(String(500))
    reporter_name: Mapped[str | None] = mapped_column(String(120))
    reporter_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    reporter_email: Mapped[str | None] = mapped_column(String(254))
    reporter_channel: Mapped[str | None] = mapped_column(String(20))
    reporter_address: Mapped[str | None] = mapped_column(String(200))
    device_id: Mapped[str | None] = mapped_column(String(100))
    awaiting_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[ServiceCategory] = relationship(lazy="joined")
    jurisdiction: Mapped[Jurisdiction] = relationship(lazy="joined")
    history: Mapped[list[StatusHistory]] = relationship(
        back_populates="complaint", order_by="StatusHistory.id", cascade="all, delete-orphan"
    )
    subscribers: Mapped[list[Subscriber]] = relationship(
        back_populates="complaint", cascade="all, delete-orphan"
    )


class StatusHistory(Base):
    __tablename__ = "complaint_status_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(80), default="")
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="history")


class Subscriber(Base):
    """Someone to notify about a complaint: the reporter or a citizen who supported it."""

    __tablename__ = "complaint_subscribers"
    __table_args__ = (UniqueConstraint("complaint_id", "channel", "address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(12), default="reporter")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="subscribers")
