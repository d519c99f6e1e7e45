"""Handoff figures of the Wawasan tab on a real gateway database (SQLite, migrated by Alembic),
written by the real request/take-over functions, with known times and exact results."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybot.gateway import conversations, store
from citybot.gateway.db import GatewayDB, upgrade
from citybot.gateway.handoff_stats import handoff_summary
from citybot.gateway.models import Message
from citybot.gateway.office_hours import OfficeHours

WIB = ZoneInfo("Asia/Jakarta")
HOURS = OfficeHours("08:00-16:00", "1-5", "Asia/Jakarta")
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=WIB)  # a Wednesday, office open


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=WIB)


def _stamp_last(session: Session, sender: str, when: dt.datetime) -> None:
    last = session.scalars(select(Message).where(Message.sender_id == sender).order_by(Message.id.desc())).first()
    assert last is not None
    last.created_at = when


def ask(session: Session, sender: str, when: dt.datetime) -> None:
    store.upsert_sender(session, sender, "web", sender)
    conversations.request_handoff(session, HOURS, sender, "web", "ringkasan", "permintaan", now=when)
    _stamp_last(session, sender, when)


def take(session: Session, sender: str, when: dt.datetime) -> None:
    conversations.take_over(session, sender, "budi")
    _stamp_last(session, sender, when)


def test_waiting_requested_answered_and_median_wait(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    upgrade(url)
    db = GatewayDB(url)
    try:
        with db.begin() as s:
            ask(s, "old", at(10, 9))  # before the 7-day window: not counted
            take(s, "old", at(10, 9, 5))
            ask(s, "sun", at(22, 20))  # Sunday evening: a callback, taken Monday 08:05
            take(s, "sun", at(23, 8, 5))
            ask(s, "mon", at(23, 15, 50))  # Monday before closing, taken Tuesday 08:10
            take(s, "mon", at(24, 8, 10))
            ask(s, "wed", at(25, 9))  # today, taken after 30 minutes
            take(s, "wed", at(25, 9, 30))
            ask(s, "waits", at(25, 11))  # today, still waiting
        with db.begin() as s:
            result = handoff_summary(s, HOURS, NOW)
    finally:
        db.dispose()
    assert result["waiting"] == 1
    assert result["oldest_wait_minutes"] == 60.0
    assert result["office_open"] is True
    assert result["week_from"] == "2026-11-19"
    assert result["today"] == {
        "requested": 2,
        "in_office_hours": 2,
        "answered": 1,
        "answered_in_office_hours": 1,
        "median_wait_minutes": 30.0,
    }
    # Waits: 30 min (wed), 16 h 20 min (mon → tue), 12 h 5 min (sun → mon): the median is 725 min.
    assert result["week"] == {
        "requested": 4,
        "in_office_hours": 3,
        "answered": 3,
        "answered_in_office_hours": 1,
        "median_wait_minutes": 725.0,
    }


def test_a_second_request_is_answered_by_the_next_take_over_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    upgrade(url)
    db = GatewayDB(url)
    try:
        with db.begin() as s:
            ask(s, "again", at(25, 8))
            ask(s, "again", at(25, 9))  # asked twice before anyone took it: two requests
            take(s, "again", at(25, 9, 20))
        with db.begin() as s:
            result = handoff_summary(s, HOURS, NOW)
    finally:
        db.dispose()
    assert result["today"]["requested"] == 2
    assert result["today"]["answered"] == 1
    assert result["today"]["median_wait_minutes"] == 20.0
    assert result["waiting"] == 0
