"""Durable notify outbox: status events are written in the same transaction as the change and
delivered to the gateway later, signed, until it answers 2xx (at-least-once).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from citybot import metrics
from citybot.backend.db import Database
from citybot.backend.models import OutboxEvent, utcnow
from citybot.backoff import backoff_seconds
from citybot.periodic import repeat_in_thread
from citybot.signing import headers as signed_headers

log = logging.getLogger(__name__)

BATCH = 50


def enqueue(
    session: Session, event_type: str, data: dict[str, Any], *, channel: str | None, address: str | None
) -> OutboxEvent:
    event_id = str(uuid.uuid4())
    payload = {"event_id": event_id, "type": event_type, **data}
    row = OutboxEvent(
        event_id=event_id,
        type=event_type,
        payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        channel=channel,
        address=address,
        next_attempt_at=utcnow(),
    )
    session.add(row)
    return row


@dataclass
class DispatchResult:
    delivered: int = 0
    failed: int = 0


def dispatch_once(
    db: Database, *, url: str, secret: str, timeout: float = 3.0, client: httpx.Client | None = None
) -> DispatchResult:
    """Send every due event once. Rows are read, sent, then updated in short transactions, so no
    database lock is held while waiting on the network (a SQLite write lock would stall the API).
    """
    if not secret:
        raise RuntimeError("NOTIFY_SECRET is empty: refusing to send unsigned events")
    now = utcnow()
    with db.read() as session:
        due = session.execute(
            select(OutboxEvent.id, OutboxEvent.payload, OutboxEvent.attempts)
            .where(OutboxEvent.delivered_at.is_(None), OutboxEvent.next_attempt_at <= now)
            .order_by(OutboxEvent.id)
            .limit(BATCH)
        ).all()
    result = DispatchResult()
    if not due:
        return result
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    own_client = client is None
    http = client or httpx.Client(timeout=timeout)
    try:
        for row_id, payload, attempts in due:
            body = payload.encode()
            error: str | None = None
            try:
                response = http.post(
                    url,
                    content=body,
                    # Signed at each attempt: a signature is valid five minutes, a retry may come later.
                    headers=signed_headers(secret, "POST", target, body),
                )
                if not 200 <= response.status_code < 300:
                    error = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:500]
            with db.writing() as session:
                if error is None:
                    session.execute(
                        update(OutboxEvent)
                        .where(OutboxEvent.id == row_id)
                        .values(delivered_at=utcnow(), attempts=attempts + 1, last_error=None)
                    )
                    result.delivered += 1
                else:
                    delay = dt.timedelta(seconds=backoff_seconds(attempts + 1))
                    session.execute(
                        update(OutboxEvent)
                        .where(OutboxEvent.id == row_id)
                        .values(attempts=attempts + 1, last_error=error, next_attempt_at=utcnow() + delay)
                    )
                    result.failed += 1
                    metrics.DELIVERY_FAILURES.labels("backend_notify").inc()
                    log.info("notify event %s not accepted: %s", row_id, error)
    finally:
        if own_client:
            http.close()
    return result


def purge_delivered(db: Database, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    with db.writing() as session:
        res = session.execute(
            delete(OutboxEvent).where(
                OutboxEvent.delivered_at.is_not(None), OutboxEvent.delivered_at < utcnow() - older_than
            )
        )
        return int(getattr(res, "rowcount", 0) or 0)


async def run_dispatcher(
    db: Database, *, url: str, secret: str, http_timeout: float, poll_seconds: float, stop: asyncio.Event
) -> None:
    """Background loop of the serve process; errors are logged, never fatal."""
    with httpx.Client(timeout=http_timeout) as client:

        def one_pass() -> None:
            try:
                dispatch_once(db, url=url, secret=secret, client=client)
            except Exception:
                log.exception("outbox dispatch pass failed")

        await repeat_in_thread(one_pass, poll_seconds, stop)
