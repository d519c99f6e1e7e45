"""Counting knowledge answers per document (no citizen is recorded, only document and time)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybot.backend.models import KnowledgeShown, utcnow
from citybot.client.knowledge import ShownCount, ShownReport


def record(session: Session, doc_id: str, now: dt.datetime | None = None) -> None:
    session.add(KnowledgeShown(doc_id=doc_id, shown_at=now or utcnow()))


def most_shown(session: Session, days: int, limit: int, now: dt.datetime | None = None) -> ShownReport:
    since = (now or utcnow()) - dt.timedelta(days=days)
    count = func.count(KnowledgeShown.id)
    rows = session.execute(
        select(KnowledgeShown.doc_id, count, func.max(KnowledgeShown.shown_at))
        .where(KnowledgeShown.shown_at >= since)
        .group_by(KnowledgeShown.doc_id)
        .order_by(count.desc(), KnowledgeShown.doc_id)
        .limit(limit)
    ).all()
    items = [ShownCount(doc_id=doc_id, count=n, last_shown=_aware(last)) for doc_id, n, last in rows]
    return ShownReport(days=days, since=since, items=items)


def _aware(value: dt.datetime) -> dt.datetime:
    # max() bypasses the column type, so SQLite hands back its naive UTC value.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
