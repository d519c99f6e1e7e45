"""Database operations of the gateway; each takes the session of the caller's transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citybot.gateway.models import Conversation, Delivery, LongPayload, Message, Outbound, Sender, utcnow

SENDING_LEASE = dt.timedelta(seconds=60)


def claim_delivery(session: Session, key: str) -> bool:
    """True the first time a delivery key is seen; the primary key makes racing copies lose."""
    if session.get(Delivery, key) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(Delivery(key=key, received_at=utcnow()))
    except IntegrityError:
        return False
    return True


def release_delivery(session: Session, key: str) -> None:
    row = session.get(Delivery, key)
    if row is not None:
        session.delete(row)


def upsert_sender(
    session: Session, sender_id: str, channel: str, platform_id: str, display_name: str = "", inbound: bool = True
) -> Sender:
    row = session.get(Sender, sender_id)
    now = utcnow()
    if row is None:
        row = Sender(
            sender_id=sender_id,
            channel=channel,
            platform_id=platform_id,
            display_name=display_name[:120],
            created_at=now,
        )
        session.add(row)
    if display_name:
        row.display_name = display_name[:120]
    if inbound:
        row.last_inbound_at = now
    session.flush()
    return row


def get_sender(session: Session, sender_id: str) -> Sender | None:
    return session.get(Sender, sender_id)


def conversation(session: Session, sender_id: str, channel: str) -> Conversation:
    row = session.get(Conversation, sender_id)
    if row is None:
        row = Conversation(
            sender_id=sender_id, channel=channel, state="bot", summary="", reason="", updated_at=utcnow()
        )
        session.add(row)
        session.flush()
    return row


def conversation_state(session: Session, sender_id: str) -> str:
    row = session.get(Conversation, sender_id)
    return row.state if row else "bot"


def add_message(
    session: Session, sender_id: str, direction: str, author: str, text: str, data: dict[str, Any] | None = None
) -> Message:
    row = Message(
        sender_id=sender_id, direction=direction, author=author, text=text, data=data or {}, created_at=utcnow()
    )
    session.add(row)
    session.flush()
    return row


def history(session: Session, sender_id: str, limit: int = 200) -> list[Message]:
    rows = session.scalars(
        select(Message).where(Message.sender_id == sender_id).order_by(Message.id.desc()).limit(limit)
    ).all()
    return list(reversed(rows))


def enqueue(session: Session, sender_id: str, channel: str, kind: str, payload: dict[str, Any]) -> Outbound:
    now = utcnow()
    row = Outbound(
        sender_id=sender_id,
        channel=channel,
        kind=kind,
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def due_outbound(session: Session, now: dt.datetime, limit: int = 50) -> list[Outbound]:
    """Pending rows for push channels; rows stuck in `sending` past their lease count as due."""
    return list(
        session.scalars(
            select(Outbound)
            .where(
                Outbound.channel != "web",
                or_(Outbound.status == "pending", Outbound.status == "sending"),
                Outbound.next_attempt_at <= now,
            )
            .order_by(Outbound.id)
            .limit(limit)
        ).all()
    )


def claim_outbound(session: Session, row_id: int, now: dt.datetime) -> bool:
    result = session.execute(
        update(Outbound)
        .where(
            Outbound.id == row_id,
            or_(Outbound.status == "pending", Outbound.status == "sending"),
            Outbound.next_attempt_at <= now,
        )
        .values(status="sending", next_attempt_at=now + SENDING_LEASE)
    )
    return bool(getattr(result, "rowcount", 0))


def finish_outbound(
    session: Session, row_id: int, error: str | None, retry_at: dt.datetime | None, max_attempts: int
) -> None:
    row = session.get(Outbound, row_id)
    if row is None:
        return
    row.attempts += 1
    if error is None:
        row.status, row.sent_at, row.last_error = "sent", utcnow(), None
    elif retry_at is None or row.attempts >= max_attempts:
        row.status, row.last_error = "failed", error[:500]
    else:
        row.status, row.last_error, row.next_attempt_at = "pending", error[:500], retry_at


def take_inbox(session: Session, sender_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """Pending web replies of one sender, oldest first, marked delivered in the same transaction."""
    rows = session.scalars(
        select(Outbound)
        .where(Outbound.sender_id == sender_id, Outbound.channel == "web", Outbound.status == "pending")
        .order_by(Outbound.id)
        .limit(limit)
    ).all()
    replies: list[dict[str, Any]] = []
    now = utcnow()
    for row in rows:
        replies.extend(row.payload.get("replies", []))  # type: ignore[arg-type]
        row.status, row.sent_at, row.attempts = "sent", now, row.attempts + 1
    return replies


def short_payload(session: Session, payload: str) -> str:
    key = "k:" + hashlib.sha256(payload.encode()).hexdigest()[:24]
    if session.get(LongPayload, key) is None:
        try:
            with session.begin_nested():
                session.add(LongPayload(key=key, payload=payload))
        except IntegrityError:
            pass
    return key


def long_payload(session: Session, key: str) -> str | None:
    row = session.get(LongPayload, key)
    return row.payload if row else None
