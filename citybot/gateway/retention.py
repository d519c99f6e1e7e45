"""What the gateway forgets, and when (RETENTION_* settings; docs/security.md "Retention").

- outbound queue rows that were sent (or gave up) longer ago than `retention_outbox_days`;
- de-duplication keys of webhook deliveries and notified backend events older than
  `retention_deliveries_days` (platforms retry for days, not weeks);
- conversation messages (the console transcript) older than `retention_messages_days`;
- whole conversations in Rasa's tracker store idle longer than `retention_conversations_days`.
Pending outbound rows are never deleted: they are work still to do.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CursorResult, delete, or_

from citybot.gateway.db import GatewayDB
from citybot.gateway.models import Delivery, Message, Outbound, utcnow
from citybot.gateway.tracker_retention import purge_idle_conversations
from citybot.retention import cutoff
from citybot.settings import Settings


def _count(result: object) -> int:
    return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0


def purge(db: GatewayDB, settings: Settings, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    removed = {"outbound": 0, "deliveries": 0, "messages": 0, "conversation events": 0}
    with db.begin() as session:
        if (before := cutoff(now, settings.retention_outbox_days)) is not None:
            removed["outbound"] = _count(
                session.execute(
                    delete(Outbound).where(
                        or_(Outbound.status == "sent", Outbound.status == "failed"),
                        or_(Outbound.sent_at < before, Outbound.sent_at.is_(None) & (Outbound.created_at < before)),
                    )
                )
            )
        if (before := cutoff(now, settings.retention_deliveries_days)) is not None:
            removed["deliveries"] = _count(session.execute(delete(Delivery).where(Delivery.received_at < before)))
        if (before := cutoff(now, settings.retention_messages_days)) is not None:
            removed["messages"] = _count(session.execute(delete(Message).where(Message.created_at < before)))
    removed["conversation events"] = purge_idle_conversations(settings, now)
    return removed
