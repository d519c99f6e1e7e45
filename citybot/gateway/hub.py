"""The gateway's core: every channel hands inbound messages here and every reply leaves from here.

Inbound: de-duplicate the delivery, record the sender and the message, apply the abuse limit,
then either forward to the agent console (conversation taken over) or ask Rasa. Outbound:
immediate replies go straight to the channel; pushes, agent replies and failed replies go
through the durable outbound queue with retries (web replies wait in the sender's inbox).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from citybot import logs, metrics
from citybot.backoff import backoff_seconds
from citybot.gateway import store, texts
from citybot.gateway.db import GatewayDB
from citybot.gateway.events import Broker
from citybot.gateway.messages import Reply, replies_from_rasa
from citybot.gateway.models import utcnow
from citybot.gateway.office_hours import OfficeHours
from citybot.gateway.rasa_client import RasaClient, RasaUnavailable
from citybot.gateway.senders import sender_id as make_sender_id
from citybot.gateway.throttle import Throttle
from citybot.settings import Settings

log = logging.getLogger(__name__)  # masked process-wide (citybot.privacy)
T = TypeVar("T")

AGENTS_TOPIC = "agents"
WHATSAPP_WINDOW = dt.timedelta(hours=24)
MAX_ATTEMPTS = 8


def web_topic(sender: str) -> str:
    return f"web:{sender}"


@dataclass
class Inbound:
    """One normalised inbound message, whatever channel it came from."""

    channel: str
    platform_id: str
    text: str  # what Rasa receives (text, button payload, /kirim_lokasi{...}, /kirim_foto{...})
    shown: str  # what the agent console shows
    delivery_key: str | None = None
    display_name: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class InboundResult:
    sender: str
    duplicate: bool = False
    replies: list[Reply] = field(default_factory=list)
    to_agent: bool = False
    rasa_failed: bool = False


@dataclass(frozen=True)
class Recipient:
    sender_id: str
    channel: str
    platform_id: str
    last_inbound_at: dt.datetime | None

    def in_whatsapp_window(self, now: dt.datetime) -> bool:
        return self.last_inbound_at is not None and now - self.last_inbound_at < WHATSAPP_WINDOW


@dataclass(frozen=True)
class Template:
    """A pre-approved WhatsApp template, the only thing allowed outside the 24-hour window."""

    name: str
    params: list[str]


class DeliveryError(Exception):
    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class ChannelAdapter(Protocol):
    async def deliver(self, recipient: Recipient, replies: list[Reply], template: Template | None) -> None: ...


def reply_dicts(replies: list[Reply]) -> list[dict[str, Any]]:
    return [r.model_dump(exclude_none=True) for r in replies]


def replies_from_dicts(items: list[Any]) -> list[Reply]:
    return [Reply.model_validate(item) for item in items if isinstance(item, dict)]


def reply_summary(replies: list[Reply]) -> str:
    parts = []
    for reply in replies:
        text = reply.text or ("[gambar]" if reply.image else "")
        if reply.buttons:
            text += " [" + " | ".join(b.title for b in reply.buttons) + "]"
        parts.append(text.strip())
    return "\n".join(p for p in parts if p)


def _claim(session: Session, row_id: int) -> bool:
    return store.claim_outbound(session, row_id, utcnow())


def _finish(session: Session, row_id: int, error: str | None, retry_at: dt.datetime | None) -> None:
    store.finish_outbound(session, row_id, error, retry_at, MAX_ATTEMPTS)


class Hub:
    def __init__(self, settings: Settings, db: GatewayDB, rasa: RasaClient, broker: Broker) -> None:
        self.settings = settings
        self.db = db
        self.rasa = rasa
        self.broker = broker
        self.channels: dict[str, ChannelAdapter] = {}
        self.throttle = Throttle(settings)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._wake = asyncio.Event()
        self.office_hours = OfficeHours(
            settings.office_hours,
            settings.office_days,
            settings.city_timezone,
            holiday_country=settings.office_holiday_country,
            closed_dates=settings.office_closed_dates,
        )

    # --- helpers -----------------------------------------------------------------------------

    async def run_db(self, fn: Callable[[Session], T]) -> T:
        """Run one transaction in a worker thread so SQLite waits never block the event loop."""

        def work() -> T:
            with self.db.begin() as session:
                return fn(session)

        return await asyncio.to_thread(work)

    def sender_id(self, channel: str, platform_id: str) -> str:
        return make_sender_id(self.settings.sender_id_key, channel, platform_id)

    def sender_lock(self, sender: str) -> asyncio.Lock:
        """Held while one of the sender's messages is being answered (see handle_inbound)."""
        return self._lock(sender)

    def _lock(self, sender: str) -> asyncio.Lock:
        lock = self._locks.get(sender)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[sender] = lock
        return lock

    def wake_outbound(self) -> None:
        self._wake.set()

    # --- inbound -----------------------------------------------------------------------------

    async def handle_inbound(self, msg: Inbound) -> InboundResult:
        sender = self.sender_id(msg.channel, msg.platform_id)
        logs.conversation_id.set(sender)  # a keyed hash, never the platform id: fit for logs
        # One citizen's messages are handled one at a time, in arrival order (Rasa's lock store
        # serialises per conversation too, but would not keep our order).
        async with self._lock(sender):
            return await self._handle(sender, msg)

    async def _handle(self, sender: str, msg: Inbound) -> InboundResult:
        # Web client ids are bearer secrets for the inbox, so the directory keeps none for web.
        platform_id = "" if msg.channel == "web" else msg.platform_id

        def record(session: Session) -> tuple[bool, str]:
            if msg.delivery_key and not store.claim_delivery(session, msg.delivery_key):
                return False, ""
            store.upsert_sender(session, sender, msg.channel, platform_id, msg.display_name)
            store.add_message(session, sender, "in", "citizen", msg.shown, msg.data)
            return True, store.conversation_state(session, sender)

        fresh, state = await self.run_db(record)
        result = InboundResult(sender=sender)
        if not fresh:
            log.info("duplicate delivery %s ignored", msg.delivery_key)
            result.duplicate = True
            return result
        metrics.MESSAGES.labels(msg.channel).inc()
        self.broker.publish(
            AGENTS_TOPIC, {"type": "message", "sender": sender, "author": "citizen", "text": msg.shown, "state": state}
        )
        verdict = await self.throttle.verdict("message_sender", sender)
        if verdict != "ok":
            log.warning("sender %s over the rate limit (%s)", sender, verdict)
            if verdict == "warn":
                result.replies = [Reply(text=texts.RATE_LIMITED)]
                await self._log_out(sender, result.replies, "system")
            return result
        if state == "agent":
            result.to_agent = True
            return result
        try:
            raw = await self.rasa.send(sender, msg.text, metadata={"channel": msg.channel})
        except RasaUnavailable as exc:
            log.warning("Rasa unavailable for %s: %s", sender, exc)
            result.rasa_failed = True
            result.replies = [Reply(text=texts.BUSY)]
            return result
        result.replies = replies_from_rasa(raw) or [Reply(text=texts.NO_ANSWER)]
        if not raw:
            # Rasa said nothing (an out-of-context button, a dropped turn): never leave silence.
            log.info("no reply from Rasa for %s; sent the generic answer", sender)
        await self._log_out(sender, result.replies, "bot")
        return result

    async def _log_out(self, sender: str, replies: list[Reply], author: str) -> None:
        if not replies:
            return
        summary = reply_summary(replies)

        def write(session: Session) -> None:
            store.add_message(session, sender, "out", author, summary, {"replies": reply_dicts(replies)})

        await self.run_db(write)
        self.broker.publish(AGENTS_TOPIC, {"type": "message", "sender": sender, "author": author, "text": summary})

    # --- outbound ----------------------------------------------------------------------------

    async def recipient(self, sender: str) -> Recipient | None:
        def read(session: Session) -> Recipient | None:
            row = store.get_sender(session, sender)
            if row is None:
                return None
            return Recipient(row.sender_id, row.channel, row.platform_id, row.last_inbound_at)

        return await self.run_db(read)

    async def deliver_now(self, recipient: Recipient, replies: list[Reply]) -> None:
        """Send a conversational reply at once; if the channel fails, the queue retries it."""
        if not replies:
            return
        adapter = self.channels.get(recipient.channel)
        if adapter is not None:
            try:
                await adapter.deliver(recipient, replies, None)
                return
            except DeliveryError as exc:
                metrics.DELIVERY_FAILURES.labels(recipient.channel).inc()
                log.warning("direct delivery to %s failed, queued: %s", recipient.sender_id, exc)
        await self.queue(recipient.sender_id, recipient.channel, "reply", replies)

    async def queue(
        self,
        sender: str,
        channel: str,
        kind: str,
        replies: list[Reply],
        template: Template | None = None,
        author: str | None = None,
        dedupe_key: str | None = None,
    ) -> bool:
        """Durably queue replies (web: into the inbox). False if `dedupe_key` was already used."""
        payload: dict[str, Any] = {"replies": reply_dicts(replies)}
        if template is not None:
            payload["template"] = {"name": template.name, "params": template.params}
        summary = reply_summary(replies)

        def write(session: Session) -> bool:
            if dedupe_key and not store.claim_delivery(session, dedupe_key):
                return False
            store.enqueue(session, sender, channel, kind, payload)
            if author:
                store.add_message(session, sender, "out", author, summary, {"replies": payload["replies"]})
            return True

        fresh = await self.run_db(write)
        if not fresh:
            return False
        if author:
            self.broker.publish(AGENTS_TOPIC, {"type": "message", "sender": sender, "author": author, "text": summary})
        if channel == "web":
            self.broker.publish(web_topic(sender), {"type": "inbox"})
        else:
            self.wake_outbound()
        return True

    async def take_inbox(self, sender: str) -> list[dict[str, Any]]:
        return await self.run_db(lambda s: store.take_inbox(s, sender))

    async def dispatch_due(self) -> int:
        """Deliver every due queued reply once; returns how many were sent."""
        now = utcnow()
        rows = await self.run_db(
            lambda s: [(r.id, r.sender_id, r.attempts, r.payload) for r in store.due_outbound(s, now)]
        )
        sent = 0
        blocked: set[str] = set()
        for row_id, sender, attempts, payload in rows:
            if sender in blocked:
                continue  # keep a citizen's messages in order behind a failing one
            if not await self.run_db(partial(_claim, row_id=row_id)):
                continue
            error, retry_at = await self._deliver_row(sender, attempts, payload)
            if error is not None and retry_at is not None:
                blocked.add(sender)
            await self.run_db(partial(_finish, row_id=row_id, error=error, retry_at=retry_at))
            if error is None:
                sent += 1
            else:
                log.warning("queued message %s to %s not delivered: %s", row_id, sender, error)
        return sent

    async def _deliver_row(
        self, sender: str, attempts: int, payload: dict[str, Any]
    ) -> tuple[str | None, dt.datetime | None]:
        recipient = await self.recipient(sender)
        if recipient is None:
            return "unknown sender", None
        adapter = self.channels.get(recipient.channel)
        if adapter is None:
            return f"channel {recipient.channel} not configured", utcnow() + dt.timedelta(minutes=5)
        replies = replies_from_dicts(list(payload.get("replies") or []))
        template = None
        if recipient.channel == "whatsapp" and not recipient.in_whatsapp_window(utcnow()):
            template = self._template_for(payload, replies)
        try:
            await adapter.deliver(recipient, replies, template)
        except DeliveryError as exc:
            metrics.DELIVERY_FAILURES.labels(recipient.channel).inc()
            if exc.permanent:
                return str(exc), None
            # The platform's own wait when it names one; `attempts` counts the earlier failures.
            delay = exc.retry_after if exc.retry_after is not None else backoff_seconds(attempts + 1)
            return str(exc), utcnow() + dt.timedelta(seconds=delay)
        except Exception as exc:  # an adapter bug must not stop the queue
            metrics.DELIVERY_FAILURES.labels(recipient.channel).inc()
            log.exception("delivery to %s crashed", sender)
            return f"{type(exc).__name__}: {exc}", utcnow() + dt.timedelta(seconds=30)
        return None, None

    def _template_for(self, payload: dict[str, Any], replies: list[Reply]) -> Template:
        stored = payload.get("template")
        if isinstance(stored, dict) and stored.get("name"):
            return Template(str(stored["name"]), [str(p) for p in stored.get("params") or []])
        text = " ".join((r.text or "") for r in replies).strip() or "-"
        return Template(self.settings.whatsapp_push_template, [text[:1000]])

    async def run_outbound(self, stop: asyncio.Event, poll_seconds: float = 2.0) -> None:
        while not stop.is_set():
            try:
                await self.dispatch_due()
            except Exception:
                log.exception("outbound pass failed")
            self._wake.clear()
            waiter = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({waiter, stopper}, timeout=poll_seconds, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            stopper.cancel()
