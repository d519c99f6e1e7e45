"""Background delivery of complaints that were queued while the city backend was unreachable.

Runs as an asyncio task inside the action server. It is started when a complaint is queued and
whenever a complaint action runs while work is owed (so pending items from before a restart of
the action server are picked up with the next conversation). Each item is filed with the
idempotency key it was queued with, so however often delivery is retried the backend files it
once; then the ticket number is pushed to the citizen through the gateway.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache

from citybot.backoff import backoff_seconds
from citybot.client import BackendUnavailable, CityClient, CityClientError, NotFound, Rejected, Unauthorized
from citybot.client.gateway import GatewayClient
from citybot.client.outbox import Outbox, OutboxItem
from citybot.settings import get_settings

logger = logging.getLogger(__name__)

KIND = "pengaduan"
MAX_BACKOFF_SECONDS = 30.0
IDLE_CHECK_SECONDS = 1.0

_task: asyncio.Task[None] | None = None


@lru_cache(maxsize=1)
def outbox() -> Outbox:
    return Outbox(get_settings().var_dir / "pengaduan_outbox.sqlite3")


def backoff(attempts: int) -> float:
    """2, 4, 8, 16, 30, 30 ... seconds: quick while an outage is short, gentle when it is long."""
    return backoff_seconds(attempts + 2, MAX_BACKOFF_SECONDS, jitter=False)


def ensure_worker() -> None:
    """Start the delivery task if work is owed and no task is running in this process."""
    global _task
    if _task is not None and not _task.done():
        return
    try:
        if outbox().seconds_until_due() is None:
            return
    except Exception:  # a broken outbox file must not break the conversation
        logger.exception("complaint outbox unreadable")
        return
    _task = asyncio.get_running_loop().create_task(run_until_empty(), name="pengaduan-outbox")


def resume_after_restart() -> None:
    """At action-server start: if complaints are still owed (queued before a crash or restart),
    deliver them now on a thread with its own event loop, without waiting for a citizen to chat.
    Items are leased when claimed, so this and the in-loop worker never file one twice."""
    import threading

    try:
        if outbox().seconds_until_due() is None:
            return
    except Exception:  # a broken outbox file must not stop the action server from starting
        logger.exception("complaint outbox unreadable at start")
        return
    threading.Thread(target=lambda: asyncio.run(run_until_empty()), name="pengaduan-resume", daemon=True).start()


async def run_until_empty() -> None:
    box = outbox()
    while True:
        wait = await asyncio.to_thread(box.seconds_until_due)
        if wait is None:
            return
        if wait > 0:
            await asyncio.sleep(min(wait, IDLE_CHECK_SECONDS * 5))
            continue
        items = await asyncio.to_thread(box.claim_due)
        if not items:
            await asyncio.sleep(IDLE_CHECK_SECONDS)
            continue
        for item in items:
            try:
                await process(box, item)
            except Exception:  # keep delivering the others; this one is retried later
                logger.exception("complaint outbox item %s failed unexpectedly", item.id)
                await asyncio.to_thread(box.retry_later, item.key, "unexpected error", backoff(item.attempts))


async def process(box: Outbox, item: OutboxItem) -> None:
    if item.state == "pending":
        await deliver(box, item)
    else:
        await notify(box, item)


async def deliver(box: Outbox, item: OutboxItem) -> None:
    try:
        async with CityClient(attempts=1) as city:
            complaint = await city.create_complaint(**item.payload, idempotency_key=item.key)
    except (BackendUnavailable, Unauthorized) as exc:
        logger.info("complaint %s not delivered yet (%s), attempt %d", item.id, type(exc).__name__, item.attempts + 1)
        await asyncio.to_thread(box.retry_later, item.key, type(exc).__name__, backoff(item.attempts))
        return
    except (Rejected, NotFound) as exc:
        logger.warning("complaint %s rejected by the backend: %s", item.id, exc.code)
        await asyncio.to_thread(box.mark_rejected, item.key, {"alasan": exc.message}, exc.code)
        rejected = await asyncio.to_thread(box.get, item.key)
        await notify(box, rejected or item)
        return
    except CityClientError as exc:
        await asyncio.to_thread(box.retry_later, item.key, type(exc).__name__, backoff(item.attempts))
        return
    logger.info("queued complaint %s delivered as %s", item.id, complaint.ticket)
    await asyncio.to_thread(box.mark_delivered, item.key, {"tiket": complaint.ticket})
    delivered: OutboxItem | None = await asyncio.to_thread(box.get, item.key)
    if delivered is not None:
        await notify(box, delivered)


def message_for(item: OutboxItem) -> str:
    if item.state == "delivered":
        template = str(item.context.get("terkirim") or "Laporan Anda terkirim dengan nomor {tiket}.")
        return template.replace("{tiket}", str(item.result.get("tiket", "")))
    template = str(item.context.get("gagal") or "Laporan Anda tidak dapat diterima ({alasan}).")
    return template.replace("{alasan}", str(item.result.get("alasan", "")).rstrip("."))


async def notify(box: Outbox, item: OutboxItem) -> None:
    if item.state not in ("delivered", "rejected"):
        return
    try:
        await GatewayClient().push(item.sender, [{"text": message_for(item)}], event_id=f"{item.key}-{item.state}")
    except Rejected as exc:
        # The gateway refused (e.g. it does not know this sender): retrying cannot help. The
        # complaint itself is filed; the citizen still sees it under "laporan saya".
        logger.warning("push for complaint %s refused by the gateway: %s", item.id, exc.code)
        await asyncio.to_thread(box.mark_notified, item.key)
        return
    except CityClientError as exc:
        logger.info("push for complaint %s postponed (%s)", item.id, type(exc).__name__)
        await asyncio.to_thread(box.retry_later, item.key, f"push: {type(exc).__name__}", backoff(item.attempts))
        return
    await asyncio.to_thread(box.mark_notified, item.key)
