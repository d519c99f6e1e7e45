"""The gateway: the only public face of the assistant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse

from citybot.gateway import texts
from citybot.gateway.messages import (
    MAX_TEXT_CHARS,
    RepliesOut,
    Reply,
    WebMessage,
    clean_text,
    replies_from_rasa,
)
from citybot.gateway.rasa_client import RasaClient, RasaUnavailable
from citybot.gateway.senders import sender_id
from citybot.settings import Settings, get_settings

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.rasa = RasaClient(settings.rasa_base_urls, timeout=settings.rasa_timeout_seconds)
        yield
        await app.state.rasa.aclose()

    app = FastAPI(title="Asisten Kota gateway", lifespan=lifespan)
    app.state.settings = settings

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    async def web_chat() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.post("/api/messages", response_model=RepliesOut)
    async def web_message(message: WebMessage, request: Request) -> RepliesOut | JSONResponse:
        text = clean_text(message.payload or message.text or "")
        if not text:
            return RepliesOut(replies=[Reply(text=texts.EMPTY_MESSAGE)])
        if len(text) > MAX_TEXT_CHARS:
            return RepliesOut(replies=[Reply(text=texts.TOO_LONG)])
        rasa: RasaClient = request.app.state.rasa
        sender = sender_id(settings.sender_id_key, "web", message.sender)
        try:
            raw = await rasa.send(sender, text, metadata={"channel": "web"})
        except RasaUnavailable:
            body = RepliesOut(replies=[Reply(text=texts.BUSY)])
            return JSONResponse(status_code=503, content=body.model_dump())
        return RepliesOut(replies=replies_from_rasa(raw))

    return app
