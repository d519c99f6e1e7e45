"""Web channel: the chat widget's API (messages, photo, inbox, live stream) and its static files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from citybot.gateway import texts
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

STATIC = Path(__file__).parent / "static"
router = APIRouter()
WebClientId = Annotated[str, Query(min_length=1, max_length=128, alias="sender")]


class LocationIn(BaseModel):
    sender: str = Field(min_length=1, max_length=128)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


def _busy() -> JSONResponse:
    return JSONResponse(status_code=503, content=RepliesOut(replies=[Reply(text=texts.BUSY)]).model_dump())


async def _converse(request: Request, inbound: Inbound) -> RepliesOut | JSONResponse:
    hub: Hub = request.app.state.hub
    result = await hub.handle_inbound(inbound)
    if result.rasa_failed:
        return _busy()
    return RepliesOut(replies=result.replies)


@router.get("/", include_in_schema=False)
async def web_chat() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")


@router.get("/widget.js", include_in_schema=False)
async def widget_loader() -> FileResponse:
    # One script tag on a city website: it opens the chat in an iframe served from here.
    return FileResponse(STATIC / "widget.js", media_type="text/javascript", headers={"Cache-Control": "max-age=300"})


@router.get("/static/{name}", include_in_schema=False)
async def static_file(name: str) -> Response:
    allowed = {"chat.js": "text/javascript", "chat.css": "text/css", "agent.js": "text/javascript"}
    if name not in allowed:
        return Response(status_code=404)
    return FileResponse(STATIC / name, media_type=allowed[name])


@router.post("/api/messages", response_model=RepliesOut)
async def web_message(message: WebMessage, request: Request) -> RepliesOut | JSONResponse:
    text = clean_text(message.payload or message.text or "")
    if not text:
        return RepliesOut(replies=[Reply(text=texts.EMPTY_MESSAGE)])
    if len(text) > MAX_TEXT_CHARS:
        return RepliesOut(replies=[Reply(text=texts.TOO_LONG)])
    return await _converse(request, Inbound("web", message.sender, text, text))


@router.post("/api/messages/location", response_model=RepliesOut)
async def web_location(body: LocationIn, request: Request) -> RepliesOut | JSONResponse:
    shown = f"[lokasi] {body.latitude:.6f}, {body.longitude:.6f}"
    data = {"latitude": body.latitude, "longitude": body.longitude}
    text = location_message(body.latitude, body.longitude)
    return await _converse(request, Inbound("web", body.sender, text, shown, data=data))


@router.post("/api/messages/photo", response_model=RepliesOut)
async def web_photo(
    request: Request,
    sender: Annotated[str, Form(min_length=1, max_length=128)],
    photo: Annotated[UploadFile, File()],
) -> RepliesOut | JSONResponse:
    media: MediaStore = request.app.state.media
    data = await photo.read(media.max_bytes + 1)
    try:
        url = media.save(data)
    except MediaRejected:
        return RepliesOut(replies=[Reply(text=texts.PHOTO_FAILED)])
    return await _converse(request, Inbound("web", sender, photo_message(url), "[foto]", data={"media_url": url}))


@router.get("/api/messages/inbox", response_model=RepliesOut)
async def web_inbox(request: Request, sender: WebClientId) -> RepliesOut:
    """Pushes waiting for this web client; returned once (marked delivered)."""
    hub: Hub = request.app.state.hub
    replies = await hub.take_inbox(hub.sender_id("web", sender))
    return RepliesOut(replies=[Reply.model_validate(r) for r in replies])


@router.get("/api/messages/stream", include_in_schema=False)
async def web_stream(request: Request, sender: WebClientId) -> StreamingResponse:
    """Live pushes over SSE: on (re)connect and on every new inbox item, the inbox is drained."""
    hub: Hub = request.app.state.hub
    sid = hub.sender_id("web", sender)
    topic = web_topic(sid)
    queue = hub.broker.subscribe(topic)

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
            hub.broker.unsubscribe(topic, queue)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(frames(), media_type="text/event-stream", headers=headers)
