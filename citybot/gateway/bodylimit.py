"""Request bodies are capped before anything reads them.

A declared Content-Length over the cap is answered 413 at once, unread (the WhatsApp webhook
never gets to compute a signature over 200 MB). A chunked body is counted as it streams in and
cut off at the cap with the same 413, so no handler ever holds more than the cap in memory.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from citybot.gateway import texts
from citybot.settings import Settings

TOO_LARGE = "request body too large"
MULTIPART_OVERHEAD = 65_536


def body_cap(settings: Settings, path: str) -> int:
    if path == "/api/messages/photo":
        return settings.gateway_media_max_bytes + MULTIPART_OVERHEAD
    if path.startswith(("/whatsapp/", "/telegram/", "/internal/")):
        return settings.gateway_webhook_max_bytes
    return settings.gateway_body_max_bytes


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=413, detail=TOO_LARGE, headers={"Connection": "close"})


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = body_cap(self.settings, scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await _refuse(send, scope["path"])
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    # An HTTPException passes FastAPI's body parsing untouched and becomes the 413.
                    raise BodyTooLarge()
            return message

        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(send, scope["path"])


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or []:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, path: str) -> None:
    content: dict[str, Any] = {"detail": TOO_LARGE}
    if path.startswith("/api/messages"):  # the widget shows replies, whatever the status
        content["replies"] = [{"text": texts.TOO_LARGE}]
    body = json.dumps(content).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
