"""Handoff figures for the supervisors' Wawasan tab, from the gateway's own records.

A handoff request is the system note `conversations.request_handoff` writes ("Minta petugas
..."); it is answered by the first take-over note after it for the same citizen ("Diambil alih
oleh ..."), before any later request. "Answered within office hours" counts the requests made
while the office was open that an agent took the same office day, before closing.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from citybot.gateway.models import Conversation, Message, utcnow
from citybot.gateway.office_hours import OfficeHours

REQUEST_PREFIX = "Minta petugas"  # conversations.request_handoff
TAKEN_PREFIX = "Diambil alih oleh"  # conversations.take_over
WAITING_STATES = ("queued", "callback")


@dataclass(frozen=True)
class Handoff:
    sender: str
    requested_at: dt.datetime
    taken_at: dt.datetime | None


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def handoffs_since(session: Session, since: dt.datetime) -> list[Handoff]:
    """Every request since `since`, each with the take-over that answered it (if any)."""
    rows = session.execute(
        select(Message.sender_id, Message.text, Message.created_at)
        .where(
            Message.author == "system",
            Message.created_at >= since,
            or_(Message.text.like(f"{REQUEST_PREFIX}%"), Message.text.like(f"{TAKEN_PREFIX}%")),
        )
        .order_by(Message.sender_id, Message.id)
    ).all()
    found: list[Handoff] = []
    open_request: dict[str, int] = {}  # sender → index in `found` of its unanswered request
    for sender, text, at in rows:
        at = _aware(at)
        if text.startswith(REQUEST_PREFIX):
            open_request[sender] = len(found)
            found.append(Handoff(sender, at, None))
        elif sender in open_request:
            index = open_request.pop(sender)
            found[index] = Handoff(sender, found[index].requested_at, at)
    return found


def _within_office(hours: OfficeHours, item: Handoff) -> bool:
    if item.taken_at is None or not hours.is_open(item.requested_at):
        return False
    asked, taken = item.requested_at.astimezone(hours.zone), item.taken_at.astimezone(hours.zone)
    return asked.date() == taken.date() and hours.is_open(item.taken_at)


def _period(hours: OfficeHours, items: list[Handoff], since: dt.datetime) -> dict[str, Any]:
    chosen = [i for i in items if i.requested_at >= since]
    waits = [(i.taken_at - i.requested_at).total_seconds() / 60 for i in chosen if i.taken_at is not None]
    return {
        "requested": len(chosen),
        "in_office_hours": sum(1 for i in chosen if hours.is_open(i.requested_at)),
        "answered": len(waits),
        "answered_in_office_hours": sum(1 for i in chosen if _within_office(hours, i)),
        "median_wait_minutes": round(statistics.median(waits), 1) if waits else None,
    }


def handoff_summary(session: Session, hours: OfficeHours, now: dt.datetime | None = None) -> dict[str, Any]:
    """Waiting now; today and the last 7 days (city time): requested, answered, median wait."""
    now = now or utcnow()
    today = dt.datetime.combine(now.astimezone(hours.zone).date(), dt.time(0), tzinfo=hours.zone)
    week = today - dt.timedelta(days=6)
    waiting, oldest = session.execute(
        select(func.count(), func.min(Conversation.requested_at)).where(Conversation.state.in_(WAITING_STATES))
    ).one()
    items = handoffs_since(session, week.astimezone(dt.UTC))
    return {
        "waiting": int(waiting),
        "oldest_wait_minutes": round((now - _aware(oldest)).total_seconds() / 60, 1) if oldest else None,
        "office_open": hours.is_open(now),
        "today": _period(hours, items, today),
        "week": _period(hours, items, week),
        "week_from": week.date().isoformat(),
    }
