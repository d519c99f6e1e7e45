"""Web channel: the chat widget's API (session, messages, photo, inbox, live stream) and its static files.

A web citizen is the client id this gateway issued (`POST /api/session`, see `webclient`), sent
in a header or cookie. Every message also counts against the client's network (per-IP limits), so
minting many ids from one place buys nothing.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from python_multipart.exceptions import MultipartParseError

from citybot.gateway import texts, webclient
from citybot.gateway.bodylimit import BodyTooLarge
from citybot.gateway.clientip import client_ip
from citybot.gateway.events import sse_frame, sse_stream
from citybot.gateway.hub import Hub, Inbound, web_topic
from citybot.gateway.media import MediaRejected, MediaStore
from citybot.gateway.messages import (
    MAX_TEXT_CHARS,
    RepliesOut,
    Reply,
    WebMessage,
    clean_text,
    location_message,
    photo_message,
)
from citybot.gateway.streams import StreamSlots
from citybot.gateway.upload import BadUpload, read_file_part

STATIC = Path(__file__).parent / "static"
router = APIRouter()
log = logging.getLogger(__name__)  # masked process-wide (citybot.privacy)
Client = Annotated[str, Depends(webclient.require)]
# A ticket number in a message is a status lookup (typed or from a button): consecutive numbers
# are how tickets are enumerated, so lookups are counted per client and per network.
TICKET = re.compile(r"\b[A-Za-z]{2,5}-20\d{2}-\d{6}\b")
# The complaint form's summary offers this button; the turn that answers it is the one that files.
SUBMIT_PAYLOAD = "/kirim_pengaduan"


class LocationIn(BaseModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


def _busy() -> JSONResponse:
    return JSONResponse(status_code=503, content=RepliesOut(replies=[Reply(text=texts.BUSY)]).model_dump())


def _limited(text: str, retry_after: int) -> JSONResponse:
    body = {"detail": "rate limited", **RepliesOut(replies=[Reply(text=text)]).model_dump()}
    return JSONResponse(status_code=429, content=body, headers={"Retry-After": str(retry_after)})


async def _admit(request: Request, client: str, text: str) -> JSONResponse | None:
    """Per-network and per-kind limits, checked before the message is recorded or sent on."""
    hub: Hub = request.app.state.hub
    throttle, ip = hub.throttle, client_ip(request)
    if not await throttle.hit("message_ip", ip):
        log.warning("web network over the message limit")
        return _limited(texts.NETWORK_BUSY, 60)
    sender = hub.sender_id("web", client)
    if TICKET.search(text):
        if not (await throttle.hit("lookup_sender", sender) and await throttle.hit("lookup_ip", ip)):
            log.warning("web status lookups over the limit for %s", sender)
            return _limited(texts.LOOKUPS_LIMITED, 3600)
    confirming = await throttle.take_mark("confirm", sender)
    if (confirming or text.startswith(SUBMIT_PAYLOAD)) and not await throttle.hit("complaint_ip", ip):
        log.warning("web network over the complaint limit (%s)", sender)
        return _limited(texts.COMPLAINTS_LIMITED, 3600)
    return None


async def _converse(request: Request, inbound: Inbound) -> RepliesOut | JSONResponse:
    hub: Hub = request.app.state.hub
    result = await hub.handle_inbound(inbound)
    if result.rasa_failed:
        return _busy()
    if any(b.payload.startswith(SUBMIT_PAYLOAD) for r in result.replies for b in r.buttons):
        await hub.throttle.mark("confirm", result.sender)
    return RepliesOut(replies=result.replies)


@router.get("/static/{name}", include_in_schema=False)
async def static_file(name: str) -> Response:
    allowed = {
        "chat.js": "text/javascript",
        "chat.css": "text/css",
        "agent.js": "text/javascript",
        "insight.js": "text/javascript",
        "insight_map.js": "text/javascript",
        "gaps.js": "text/javascript",
        "insight.css": "text/css",
    }
    if name not in allowed:
        return Response(status_code=404)
    return FileResponse(STATIC / name, media_type=allowed[name])


@router.post("/api/session")
async def web_session(request: Request) -> JSONResponse:
    """The widget's client id: the one it presents if we issued it, else a new one (counted per network)."""
    settings = request.app.state.settings
    hub: Hub = request.app.state.hub
    token = webclient.presented(request)
    if not webclient.valid(settings.sender_id_key, token):
        if not await hub.throttle.hit("session_ip", client_ip(request)):
            log.warning("web network over the session limit")
            return _limited(texts.NETWORK_BUSY, 3600)
        token = webclient.issue(settings.sender_id_key)
    response = JSONResponse({"client_id": token}, headers={"Cache-Control": "no-store"})
    secure = request.url.scheme == "https" or settings.gateway_public_url.startswith("https://")
    response.set_cookie(
        webclient.COOKIE,
        token,
        max_age=365 * 86400,
        path="/api",
        httponly=True,
        secure=secure,
        samesite="none" if secure else "lax",
    )
    return response


@router.post("/api/messages", response_model=RepliesOut)
async def web_message(message: WebMessage, request: Request, client: Client) -> RepliesOut | JSONResponse:
    text = clean_text(message.payload or message.text or "")
    if not text:
        return RepliesOut(replies=[Reply(text=texts.EMPTY_MESSAGE)])
    if len(text) > MAX_TEXT_CHARS:
        return RepliesOut(replies=[Reply(text=texts.TOO_LONG)])
    if (refused := await _admit(request, client, text)) is not None:
        return refused
    return await _converse(request, Inbound("web", client, text, text))


@router.post("/api/messages/location", response_model=RepliesOut)
async def web_location(body: LocationIn, request: Request, client: Client) -> RepliesOut | JSONResponse:
    shown = f"[lokasi] {body.latitude:.6f}, {body.longitude:.6f}"
    data = {"latitude": body.latitude, "longitude": body.longitude}
    text = location_message(body.latitude, body.longitude)
    if (refused := await _admit(request, client, text)) is not None:
        return refused
    return await _converse(request, Inbound("web", client, text, shown, data=data))


@router.post("/api/messages/photo", response_model=RepliesOut)
async def web_photo(request: Request, client: Client) -> RepliesOut | JSONResponse:
    """Multipart with one `photo` file part; the part is capped as it streams in (413 past the cap)."""
    hub: Hub = request.app.state.hub
    media: MediaStore = request.app.state.media
    if (refused := await _admit(request, client, "[foto]")) is not None:
        return refused
    sender, ip = hub.sender_id("web", client), client_ip(request)
    if not (await hub.throttle.hit("photo_sender", sender) and await hub.throttle.hit("photo_ip", ip)):
        log.warning("web photo uploads over the limit for %s", sender)
        return _limited(texts.PHOTOS_LIMITED, 3600)
    try:
        data = await read_file_part(request, "photo", media.max_bytes)
        url = await media.save_async(data)
    except BodyTooLarge:
        text = texts.PHOTO_TOO_LARGE.format(mb=media.max_bytes // 1_000_000)
        body = {"detail": "request body too large", **RepliesOut(replies=[Reply(text=text)]).model_dump()}
        return JSONResponse(status_code=413, content=body, headers={"Connection": "close"})
    except (BadUpload, MultipartParseError) as exc:
        log.info("web photo refused: %s", exc)
        body = {
            "detail": "expected multipart/form-data with a photo file part",
            **RepliesOut(replies=[Reply(text=texts.PHOTO_FAILED)]).model_dump(),
        }
        return JSONResponse(status_code=400, content=body)
    except MediaRejected:
        return RepliesOut(replies=[Reply(text=texts.PHOTO_FAILED)])
    return await _converse(request, Inbound("web", client, photo_message(url), "[foto]", data={"media_url": url}))


@router.get("/api/messages/inbox", response_model=RepliesOut)
async def web_inbox(request: Request, client: Client) -> RepliesOut:
    """Pushes waiting for this web client; returned once (marked delivered)."""
    hub: Hub = request.app.state.hub
    replies = await hub.take_inbox(hub.sender_id("web", client))
    return RepliesOut(replies=[Reply.model_validate(r) for r in replies])


@router.get("/api/messages/stream", include_in_schema=False, response_model=None)
async def web_stream(request: Request, client: Client) -> StreamingResponse | JSONResponse:
    """Live pushes over SSE: on (re)connect and on every new inbox item, the inbox is drained."""
    hub: Hub = request.app.state.hub
    slots: StreamSlots = request.app.state.web_streams
    ip = client_ip(request)
    if not slots.acquire(ip):
        log.warning("web network over the open-stream limit")
        return _limited(texts.NETWORK_BUSY, 60)
    sid = hub.sender_id("web", client)
    topic = web_topic(sid)
    queue = hub.broker.subscribe(topic)
    done = False

    def release() -> None:
        nonlocal done
        if not done:
            done = True
            hub.broker.unsubscribe(topic, queue)
            slots.release(ip)

    async def frames() -> AsyncIterator[str]:
        try:
            pending = await hub.take_inbox(sid)
            first = [{"type": "replies", "replies": pending}] if pending else []
            async for frame in sse_stream(request, queue, first):
                # A push may have been queued by another gateway process: its event never reaches
                # this one, so every heartbeat also looks at the durable inbox.
                if frame.startswith(("event: inbox", ": ping")):
                    replies = await hub.take_inbox(sid)
                    if not replies:
                        if frame.startswith(": ping"):
                            yield frame
                        continue
                    frame = sse_frame({"type": "replies", "replies": replies})
                yield frame
        finally:
            release()

    stream = frames()
    # A client gone before the first frame leaves the generator unstarted (its `finally` never
    # runs): the slot is then given back when the generator is collected.
    weakref.finalize(stream, release)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
