"""Handoff to human agents: the queue, take-over and hand-back (sync, session-taking)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybot.gateway import store
from citybot.gateway.models import Conversation, Message, Sender, utcnow
from citybot.gateway.office_hours import OfficeHours

OPEN_STATES = ("queued", "agent", "callback")


class ConversationError(Exception):
    def __init__(self, code: str, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status_code = status_code


def request_handoff(
    session: Session,
    hours: OfficeHours,
    sender: str,
    channel: str,
    summary: str,
    reason: str,
    now: dt.datetime | None = None,
) -> tuple[str, dt.datetime | None]:
    """Queue the conversation for an agent, or record a callback request outside office hours."""
    now = now or utcnow()
    row = store.conversation(session, sender, channel)
    if row.state == "agent":
        return "queued", None  # an agent already has it; nothing to change
    opened = hours.is_open(now)
    row.state = "queued" if opened else "callback"
    row.summary, row.reason = summary.strip(), reason.strip()
    row.requested_at = row.updated_at = now
    row.next_open = None if opened else hours.next_open(now)
    note = f"Minta petugas ({reason.strip() or 'tanpa alasan'})"
    if not opened:
        note += " di luar jam layanan: minta dihubungi kembali"
    store.add_message(session, sender, "out", "system", note, {"summary": summary})
    return row.state, row.next_open


@dataclass(frozen=True)
class QueueItem:
    sender: str
    channel: str
    state: str
    summary: str
    reason: str
    agent: str | None
    requested_at: dt.datetime | None
    next_open: dt.datetime | None
    display_name: str
    last_text: str


def open_queue(session: Session) -> list[QueueItem]:
    rows = session.execute(
        select(Conversation, Sender.display_name)
        .outerjoin(Sender, Sender.sender_id == Conversation.sender_id)
        .where(Conversation.state.in_(OPEN_STATES))
        .order_by(Conversation.requested_at)
    ).all()
    items = []
    for conv, name in rows:
        last = session.scalar(
            select(Message.text)
            .where(Message.sender_id == conv.sender_id, Message.author == "citizen")
            .order_by(Message.id.desc())
            .limit(1)
        )
        items.append(
            QueueItem(
                conv.sender_id,
                conv.channel,
                conv.state,
                conv.summary,
                conv.reason,
                conv.agent,
                conv.requested_at,
                conv.next_open,
                name or "",
                last or "",
            )
        )
    return items


def take_over(session: Session, sender: str, agent: str) -> Conversation:
    row = session.get(Conversation, sender)
    if row is None:
        known = store.get_sender(session, sender)
        if known is None:
            raise ConversationError("not_found", "Percakapan tidak ditemukan.", 404)
        row = store.conversation(session, sender, known.channel)
    if row.state == "agent" and row.agent not in (None, agent):
        raise ConversationError("taken", f"Percakapan sudah ditangani {row.agent}.")
    row.state, row.agent, row.updated_at = "agent", agent, utcnow()
    store.add_message(session, sender, "out", "system", f"Diambil alih oleh {agent}")
    return row


def hand_back(session: Session, sender: str, agent: str, supervisor: bool = False) -> Conversation:
    row = session.get(Conversation, sender)
    if row is None or row.state not in OPEN_STATES:
        raise ConversationError("not_open", "Percakapan tidak sedang ditangani petugas.")
    if row.state == "agent" and row.agent != agent and not supervisor:
        raise ConversationError("taken", f"Percakapan ditangani {row.agent}.", 403)
    row.state, row.agent, row.updated_at, row.next_open = "bot", None, utcnow(), None
    store.add_message(session, sender, "out", "system", f"Dikembalikan ke bot oleh {agent}")
    return row


def require_agent_owner(session: Session, sender: str, agent: str) -> Conversation:
    row = session.get(Conversation, sender)
    if row is None or row.state != "agent":
        raise ConversationError("not_taken", "Ambil alih percakapan dulu sebelum membalas.")
    if row.agent != agent:
        raise ConversationError("taken", f"Percakapan ditangani {row.agent}.", 403)
    return row
