"""Conversation signals: storing them (masked) and the two reads, emergency counts by type and
kelurahan for supervisors and the unanswered questions for editors' gap report."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybot.backend.models import ConversationSignal, utcnow
from citybot.backend.models.signals import TEXT_LIMIT, UNANSWERED
from citybot.backend.timeutil import zone
from citybot.client.signals import EmergencyCount, EmergencyDay, EmergencyReport, UnansweredPage, UnansweredSignal
from citybot.privacy import mask_personal


def record(
    session: Session,
    *,
    jurisdiction: str,
    kind: str,
    subtype: str = "",
    kelurahan: str | None = None,
    channel: str = "",
    text: str = "",
    closest_docs: list[dict[str, Any]] | None = None,
    now: dt.datetime | None = None,
) -> ConversationSignal:
    # Masked again here: the backend is the last line before storage, whoever the caller is.
    # An emergency keeps no text at all: its count needs only type and area, and the message
    # often describes someone's health (specific personal data under UU PDP).
    kept = "" if kind == "emergency" else mask_personal(" ".join(text.split()))[:TEXT_LIMIT]
    row = ConversationSignal(
        jurisdiction=jurisdiction,
        kind=kind,
        subtype=subtype,
        kelurahan=kelurahan.strip() if kelurahan and kelurahan.strip() else None,
        channel=channel,
        text=kept,
        closest_docs=list(closest_docs or []),
        created_at=now or utcnow(),
    )
    session.add(row)
    return row


def _counts(rows: list[tuple[str, str | None]]) -> list[EmergencyCount]:
    counted = Counter(rows)
    ordered = sorted(counted.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or ""))
    return [EmergencyCount(type=kind, kelurahan=area, count=n) for (kind, area), n in ordered]


def emergencies(
    session: Session, jurisdiction: str, tz_name: str, days: int, now: dt.datetime | None = None
) -> EmergencyReport:
    """Emergency replies by type and kelurahan today and over the last `days` days (today
    included), and per day; days are calendar days in the city's zone."""
    tz = zone(tz_name)
    today = (now or utcnow()).astimezone(tz).date()
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    rows = session.execute(
        select(ConversationSignal.subtype, ConversationSignal.kelurahan, ConversationSignal.created_at).where(
            ConversationSignal.kind == "emergency",
            ConversationSignal.jurisdiction == jurisdiction,
            ConversationSignal.created_at >= start,
            ConversationSignal.created_at < end,
        )
    ).all()
    # Bucketing by local day is done here, not in SQL: one code path for SQLite and PostgreSQL.
    local = [(kind or "umum", area, created.astimezone(tz).date()) for kind, area, created in rows]
    per_day = Counter((day, kind) for kind, _, day in local)
    return EmergencyReport(
        today=_counts([(kind, area) for kind, area, day in local if day == today]),
        week=_counts([(kind, area) for kind, area, _ in local]),
        by_day=[EmergencyDay(day=day, type=kind, count=n) for (day, kind), n in sorted(per_day.items())],
    )


def unanswered(
    session: Session, jurisdiction: str, since_days: int, limit: int, now: dt.datetime | None = None
) -> UnansweredPage:
    """The newest masked questions the assistant could not answer (editors group them by meaning)."""
    since = (now or utcnow()) - dt.timedelta(days=since_days)
    rows = session.scalars(
        select(ConversationSignal)
        .where(
            ConversationSignal.kind.in_(UNANSWERED),
            ConversationSignal.jurisdiction == jurisdiction,
            ConversationSignal.created_at >= since,
            ConversationSignal.text != "",
        )
        .order_by(ConversationSignal.created_at.desc(), ConversationSignal.id.desc())
        .limit(limit)
    ).all()
    return UnansweredPage(
        items=[
            UnansweredSignal.model_validate(
                {"kind": r.kind, "text": r.text, "closest_docs": r.closest_docs, "created_at": r.created_at}
            )
            for r in rows
        ]
    )
