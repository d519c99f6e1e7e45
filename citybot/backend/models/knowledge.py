"""Which knowledge documents citizens were shown, so editors check the most-read ones first."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybot.backend.models.base import Base, UTCDateTime, utcnow


class KnowledgeShown(Base):
    """One answer from a knowledge document: no citizen, no conversation, only what and when."""

    __tablename__ = "knowledge_shown"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(80), index=True)
    shown_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
