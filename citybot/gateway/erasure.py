""" "Hapus data saya" on the assistant's side: what the gateway and Rasa hold.

The city backend anonymises complaints and bookings; then the action server asks the gateway
(`/internal/erase`) to remove what the assistant itself keeps about the sender:

- the gateway's messages, queued replies, handoff record and sender directory row (the WhatsApp
  number or Telegram chat id),
- the photos that sender uploaded (found in their messages) and those of their complaints,
- the sender's conversation in Rasa's tracker store, deleted the way Rasa's `SQLTrackerStore`
  stores it: rows of the `events` table with that `sender_id`.

The tracker is erased only once Rasa has saved the turn that asked for the erasure: Rasa writes a
turn's events when the turn ends, and stores the events past the count it finds in the table, so
rows deleted while the turn is still running would be written back whole. The gateway therefore
waits (in the background, bounded) until the erasing action's own event is in the table.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import column, table

from citybot.gateway.models import Conversation, Message, Outbound, Sender
from citybot.settings import Settings
from citybot.sqlite_wal import checkpoint_wal

log = logging.getLogger(__name__)  # masked process-wide (citybot.privacy)
MEDIA_NAME = re.compile(r"/media/([0-9a-f]{32}\.(?:jpg|png|webp|gif))\b")
# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLTrackerStore.SQLEvent).
EVENTS = table(
    "events", column("id"), column("sender_id"), column("type_name"), column("action_name"), column("timestamp")
)


@dataclass
class Erased:
    messages: int
    media_names: set[str]


def media_names(values: list[str]) -> set[str]:
    return {m.group(1) for value in values for m in MEDIA_NAME.finditer(value)}


def erase_sender(session: Session, sender: str) -> Erased:
    """Delete the sender's rows; returns the media files their messages pointed at."""
    rows = session.execute(select(Message.text, Message.data).where(Message.sender_id == sender)).all()
    names = media_names([f"{text} {json.dumps(data, ensure_ascii=False)}" for text, data in rows])
    session.execute(delete(Message).where(Message.sender_id == sender))
    session.execute(delete(Outbound).where(Outbound.sender_id == sender))
    session.execute(delete(Conversation).where(Conversation.sender_id == sender))
    session.execute(delete(Sender).where(Sender.sender_id == sender))
    return Erased(messages=len(rows), media_names=names)


def remove_media(directory: Path, names: set[str]) -> int:
    removed = 0
    for name in names:
        path = directory / name  # names match MEDIA_NAME only: no path can leave the directory
        if path.is_file():
            path.unlink()
            removed += 1
    return removed


# --- Rasa's tracker store ------------------------------------------------------------------------


def tracker_url(settings: Settings) -> str:
    """The SQLAlchemy URL of the database Rasa writes (see citybot/rasa_endpoints.py)."""
    if settings.tracker_store_url:
        return settings.tracker_store_url
    return f"sqlite:///{settings.var_dir / 'rasa_tracker.db'}"


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, poolclass=NullPool)
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _secure(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA secure_delete=ON")  # zero the erased rows instead of freeing them
        cursor.close()

    return engine


def turn_saved(url: str, sender: str, action: str, since: float) -> bool:
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                select(EVENTS.c.id)
                .where(EVENTS.c.sender_id == sender, EVENTS.c.action_name == action, EVENTS.c.timestamp >= since)
                .limit(1)
            ).first()
        return found is not None
    finally:
        engine.dispose()


def delete_tracker(url: str, sender: str) -> int:
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(delete(EVENTS).where(EVENTS.c.sender_id == sender))
            removed = int(getattr(result, "rowcount", 0) or 0)
        if url.startswith("sqlite"):
            checkpoint_wal(engine)  # a no-op in Rasa's default rollback-journal mode
        return removed
    finally:
        engine.dispose()


async def erase_tracker(
    url: str,
    sender: str,
    lock: asyncio.Lock,
    *,
    after_action: str | None,
    since: float,
    wait_seconds: float = 120.0,
    poll: float = 0.5,
) -> int:
    """Delete the sender's tracker once the turn running `after_action` is saved (at once if none).

    `lock` is the gateway's per-sender lock: the turn that asked holds it until Rasa has answered
    (and saved), and holding it while deleting keeps the sender's next message from loading the
    old tracker and writing it back. Gives up waiting after `wait_seconds` and deletes anyway
    (Rasa may have failed the turn)."""
    try:
        return await _erase_tracker(
            url, sender, lock, after_action=after_action, since=since, wait_seconds=wait_seconds, poll=poll
        )
    except Exception:  # a background task: log it, the citizen has already been answered
        log.exception("tracker of %s could not be erased", sender)
        return -1


async def _erase_tracker(
    url: str,
    sender: str,
    lock: asyncio.Lock,
    *,
    after_action: str | None,
    since: float,
    wait_seconds: float,
    poll: float,
) -> int:
    async with lock:
        deadline = time.monotonic() + wait_seconds
        if after_action:
            while time.monotonic() < deadline:
                if await asyncio.to_thread(turn_saved, url, sender, after_action, since):
                    break
                await asyncio.sleep(poll)
            else:
                log.warning("tracker of %s: erasing turn not seen within %.0f s; erasing anyway", sender, wait_seconds)
        removed = await asyncio.to_thread(delete_tracker, url, sender)
    log.info("tracker of %s erased (%d events)", sender, removed)
    return removed
