"""Conversation signals: moments the assistant could not help, or answered an emergency.

Editors read the unanswered ones (grouped by meaning) to know which knowledge is missing;
supervisors read emergency counts by type and area. Nothing here identifies a citizen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybot.backend.models.base import Base, UTCDateTime, utcnow

KINDS = ("emergency", "not_understood", "low_confidence", "negative_feedback", "handoff")
UNANSWERED = ("not_understood", "low_confidence", "negative_feedback", "handoff")
TEXT_LIMIT = 500


class ConversationSignal(Base):
    """One signal. It holds no sender id, no channel address and no name: the text is masked
    (NIK, phone numbers, e-mail addresses, self-introduced names) by the action before sending
    and again here before storing. So a data-subject erasure request has nothing to find in this
    table (there is no identity to look up), and rows leave only by the retention sweep, after
    `retention_conversations_days`, like the conversations they came from."""

    __tablename__ = "conversation_signals"
    __table_args__ = (Index("ix_conversation_signals_kind_created_at", "kind", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    subtype: Mapped[str] = mapped_column(String(32), default="")
    kelurahan: Mapped[str | None] = mapped_column(String(120), nullable=True, default=None)
    channel: Mapped[str] = mapped_column(String(16), default="")
    text: Mapped[str] = mapped_column(String(TEXT_LIMIT), default="")
    # [{"id": doc_id, "score": float}] the retrieval found closest, best first.
    closest_docs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
