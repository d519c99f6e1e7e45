"""Permit applications (JakEvo): status and history by application number."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citybot.backend.models.base import Base, UTCDateTime
from citybot.backend.models.complaints import Jurisdiction


class PermitApplication(Base):
    __tablename__ = "permit_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_number: Mapped[str] = mapped_column(String(40), unique=True)
    permit_type: Mapped[str] = mapped_column(String(120))
    applicant_name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    estimated_completion: Mapped[dt.date | None] = mapped_column(Date)

    jurisdiction: Mapped[Jurisdiction] = relationship(lazy="joined")
    events: Mapped[list[PermitEvent]] = relationship(
        order_by="PermitEvent.at", cascade="all, delete-orphan", lazy="selectin"
    )


class PermitEvent(Base):
    __tablename__ = "permit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("permit_applications.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
