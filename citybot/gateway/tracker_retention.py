"""Forget idle conversations in Rasa's tracker store (RETENTION_CONVERSATIONS_DAYS).

Rasa's `SQLTrackerStore` keeps every event of every conversation forever. A conversation whose
newest event is older than the period is deleted whole, the same way erasure deletes one
(`citybot/gateway/erasure.py`). A citizen who writes again in the very second of a sweep may have
the old turns written back by Rasa (it stores the events past the count it finds); their
conversation is then active again and is kept, which is what retention wants anyway.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import CursorResult, delete, func, inspect, select
from sqlalchemy.engine import make_url

from citybot.gateway.erasure import EVENTS, _engine, tracker_url
from citybot.retention import cutoff
from citybot.settings import Settings
from citybot.sqlite_wal import checkpoint_wal


def _missing_sqlite_file(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file()


def purge_idle_conversations(settings: Settings, now: dt.datetime) -> int:
    """Delete the events of conversations idle longer than the period; returns events deleted."""
    before = cutoff(now, settings.retention_conversations_days)
    url = tracker_url(settings)
    if before is None or _missing_sqlite_file(url):  # Rasa has not created its store yet
        return 0
    engine = _engine(url)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        idle = (
            select(EVENTS.c.sender_id)
            .group_by(EVENTS.c.sender_id)
            .having(func.max(EVENTS.c.timestamp) < before.timestamp())
        )
        with engine.begin() as conn:
            result = conn.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(idle)))
            removed = int(result.rowcount or 0) if isinstance(result, CursorResult) else 0
        if removed and url.startswith("sqlite"):
            checkpoint_wal(engine)
        return removed
    finally:
        engine.dispose()
