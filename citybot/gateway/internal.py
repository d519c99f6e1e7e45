"""Internal API for our own processes: backend status events, pushes from actions, handoff.

Every call must carry `X-Citybot-Signature` (citybot.signing: NOTIFY_SECRET over method, path,
time and body, valid five minutes) and, by default, come from loopback: a leaked URL alone is
useless, and a captured request cannot be replayed later or against another endpoint.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from citybot import signing
from citybot.gateway import erasure, render
from citybot.gateway.conversations import request_handoff
from citybot.gateway.hub import AGENTS_TOPIC, Hub
from citybot.gateway.json_body import json_object
from citybot.gateway.messages import Reply
from citybot.networks import address_allowed
from citybot.settings import Settings

log = logging.getLogger(__name__)  # masked process-wide (citybot.privacy)


class NotifyIn(BaseModel):
    event_id: str = Field(min_length=1, max_length=100)
    type: str
    ticket: str = Field(default="", max_length=40)
    status: str = Field(default="", max_length=20)
    status_label: str = Field(default="", max_length=40)
    note: str | None = Field(default="", max_length=2000)
    channel: str = Field(default="", max_length=16)
    address: str = Field(default="", max_length=80)
    occurred_at: str | None = None


class PushIn(BaseModel):
    event_id: str = Field(min_length=1, max_length=100)
    sender: str = Field(min_length=1, max_length=80)
    replies: list[Reply] = Field(min_length=1, max_length=10)


class HandoffIn(BaseModel):
    sender: str = Field(min_length=1, max_length=80)
    summary: str = Field(default="", max_length=4000)
    reason: str = Field(default="", max_length=200)


class EraseIn(BaseModel):
    sender: str = Field(min_length=1, max_length=80)
    # Photos of the sender's complaints as the backend recorded them (only this store's names count).
    media_urls: list[str] = Field(default_factory=list, max_length=200)
    # The action asking, mid-turn: Rasa's tracker is erased once that turn is saved.
    after_action: str | None = Field(default=None, max_length=80)


class HandoffOut(BaseModel):
    status: Literal["queued", "callback"]
    next_open: str | None = None


async def signed_body(request: Request) -> dict[str, Any]:
    """The verified JSON body; anything unsigned, forged or from outside is refused first."""
    settings: Settings = request.app.state.settings
    host = request.client.host if request.client else None
    if not address_allowed(host, settings.internal_allowed_networks):
        raise HTTPException(status_code=403, detail="forbidden")
    body = await request.body()
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    header = request.headers.get(signing.SIGNATURE_HEADER)
    if not signing.verify(settings.notify_secret, request.method, target, body, header):
        raise HTTPException(status_code=401, detail="bad signature")
    return json_object(body, 422, "a JSON object is expected")


SignedBody = Annotated[dict[str, Any], Depends(signed_body)]
router = APIRouter(prefix="/internal", include_in_schema=False)
_background: set[asyncio.Task[int]] = set()  # strong references until each task ends


def _parse(model: type[Any], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise HTTPException(status_code=422, detail=exc.errors(include_url=False, include_context=False)) from exc


@router.post("/notify")
async def notify(request: Request, data: SignedBody) -> JSONResponse:
    event: NotifyIn = _parse(NotifyIn, data)
    hub: Hub = request.app.state.hub
    if event.type != "complaint.status_changed":
        return JSONResponse({"status": "ignored"})
    recipient = await hub.recipient(event.address)
    channel = recipient.channel if recipient else event.channel
    if recipient is None and channel != "web":
        # Retrying cannot help: we never heard from this sender on a push channel.
        log.warning("notify %s for unknown sender %s", event.event_id, event.address)
        return JSONResponse({"status": "unknown_sender"})
    note = event.note or ""
    reply = render.status_changed(event.ticket, event.status, event.status_label, note)
    template = render.status_template(hub.settings.whatsapp_status_template, event.ticket, event.status_label, note)
    fresh = await hub.queue(
        event.address,
        channel,
        "notify",
        [reply],
        template=template,
        author="system",
        dedupe_key=f"notify:{event.event_id}",
    )
    return JSONResponse({"status": "queued" if fresh else "duplicate"}, status_code=202 if fresh else 200)


@router.post("/push")
async def push(request: Request, data: SignedBody) -> JSONResponse:
    body: PushIn = _parse(PushIn, data)
    hub: Hub = request.app.state.hub
    recipient = await hub.recipient(body.sender)
    if recipient is None:
        return JSONResponse({"code": "unknown_sender", "message": "Pengirim tidak dikenal."}, status_code=404)
    fresh = await hub.queue(
        body.sender, recipient.channel, "push", body.replies, author="bot", dedupe_key=f"push:{body.event_id}"
    )
    return JSONResponse({"status": "queued" if fresh else "duplicate"}, status_code=202 if fresh else 200)


@router.post("/handoff", response_model=HandoffOut)
async def handoff(request: Request, data: SignedBody) -> HandoffOut:
    body: HandoffIn = _parse(HandoffIn, data)
    hub: Hub = request.app.state.hub
    recipient = await hub.recipient(body.sender)
    channel = recipient.channel if recipient else body.sender.split("-", 1)[0]
    status, next_open = await hub.run_db(
        lambda s: request_handoff(s, hub.office_hours, body.sender, channel, body.summary, body.reason)
    )
    hub.broker.publish(AGENTS_TOPIC, {"type": "queue", "sender": body.sender, "state": status})
    return HandoffOut(status=status, next_open=next_open.isoformat() if next_open else None)


@router.post("/erase")
async def erase(request: Request, data: SignedBody) -> JSONResponse:
    """ "Hapus data saya": the sender's messages, queue, directory row, photos and Rasa tracker."""
    body: EraseIn = _parse(EraseIn, data)
    hub: Hub = request.app.state.hub
    since = time.time() - 1.0
    erased = await hub.run_db(lambda s: erasure.erase_sender(s, body.sender))
    await asyncio.to_thread(hub.db.checkpoint)
    names = erased.media_names | erasure.media_names(body.media_urls)
    photos = await asyncio.to_thread(erasure.remove_media, request.app.state.media.directory, names)
    task = asyncio.create_task(
        erasure.erase_tracker(
            erasure.tracker_url(hub.settings),
            body.sender,
            hub.sender_lock(body.sender),
            after_action=body.after_action,
            since=since,
        ),
        name=f"erase-tracker-{body.sender[:12]}",
    )
    _background.add(task)
    task.add_done_callback(_background.discard)
    log.info("erased sender %s: %d messages, %d photos", body.sender, erased.messages, photos)
    return JSONResponse({"messages": erased.messages, "photos": photos, "tracker": "scheduled"})
