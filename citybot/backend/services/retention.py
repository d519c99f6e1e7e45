"""What the backend forgets, and when (RETENTION_* settings; docs/security.md "Retention").

- notify outbox events delivered to the gateway longer ago than `retention_outbox_days`
  (undelivered ones are kept: they are still owed);
- Idempotency-Key records older than `retention_idempotency_days` (clients retry within
  minutes; after this a repeat with the same key is treated as new);
- records of knowledge documents shown to citizens older than `retention_knowledge_shown_days`
  (the editors' report looks back 30 days);
- conversation signals older than `retention_conversations_days`: they are what is left of
  conversations, so they go when the conversations do.
Complaints, bookings and their history are city records and are not touched here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CursorResult, delete

from citybot.backend.db import Database
from citybot.backend.models import ConversationSignal, IdempotencyKey, KnowledgeShown, OutboxEvent, utcnow
from citybot.retention import cutoff
from citybot.settings import Settings


def _count(result: object) -> int:
    return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0


def purge(db: Database, settings: Settings, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    removed = {"outbox events": 0, "idempotency keys": 0, "knowledge shown": 0, "conversation signals": 0}
    with db.writing() as session:
        if (before := cutoff(now, settings.retention_outbox_days)) is not None:
            removed["outbox events"] = _count(
                session.execute(
                    delete(OutboxEvent).where(OutboxEvent.delivered_at.is_not(None), OutboxEvent.delivered_at < before)
                )
            )
        if (before := cutoff(now, settings.retention_idempotency_days)) is not None:
            removed["idempotency keys"] = _count(
                session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < before))
            )
        if (before := cutoff(now, settings.retention_knowledge_shown_days)) is not None:
            removed["knowledge shown"] = _count(
                session.execute(delete(KnowledgeShown).where(KnowledgeShown.shown_at < before))
            )
        if (before := cutoff(now, settings.retention_conversations_days)) is not None:
            removed["conversation signals"] = _count(
                session.execute(delete(ConversationSignal).where(ConversationSignal.created_at < before))
            )
    return removed
