"""The gateway: the only public face of the assistant.

Routers by concern: web widget (`web`), internal signed API (`internal`), media files (`media`),
Telegram and WhatsApp webhooks (`channels`), agent console (`console`). Add a router with one
`app.include_router(...)` line below.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from citybot.gateway import (
    agents,
    branding,
    console,
    console_gaps,
    console_insight,
    console_knowledge,
    console_panels,
    health,
    internal,
    media,
    ops_metrics,
    retention,
    texts,
    web,
)
from citybot.gateway.bodylimit import BodyLimitMiddleware
from citybot.gateway.channels import telegram, whatsapp
from citybot.gateway.clientip import ClientAddressMiddleware
from citybot.gateway.db import GatewayDB, upgrade
from citybot.gateway.events import Broker
from citybot.gateway.hub import Hub
from citybot.gateway.messages import RepliesOut, Reply, clean_text
from citybot.gateway.rasa_client import RasaClient
from citybot.gateway.streams import StreamSlots
from citybot.login_throttle import LoginThrottle
from citybot.privacy import install_log_masking
from citybot.retention import run_forever as run_retention
from citybot.settings import Settings, get_settings

log = logging.getLogger(__name__)  # masked process-wide (citybot.privacy)


def _proxy_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # Gateway modules log with plain `logging`; masking is installed for the whole process (also
    # when the app is served by a test or another runner than `python -m citybot.gateway`).
    install_log_masking()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(upgrade, settings.gateway_database_url)
        db = GatewayDB(settings.gateway_database_url)
        await asyncio.to_thread(agents.bootstrap, db, settings)
        rasa = RasaClient(
            settings.rasa_base_urls,
            timeout=settings.rasa_timeout_seconds,
            retry_after=settings.rasa_failover_retry_seconds,
        )
        hub = Hub(settings, db, rasa, Broker())
        app.state.hub, app.state.db = hub, db
        app.state.media = media.MediaStore(settings)
        app.state.web_streams = StreamSlots(settings.gateway_sse_per_ip)
        if settings.whatsapp_token and settings.whatsapp_phone_number_id:
            hub.channels["whatsapp"] = whatsapp.WhatsAppChannel(settings, hub, app.state.media)
        telegram_channel = None
        if settings.telegram_bot_token:
            telegram_channel = telegram.TelegramChannel(settings, hub, app.state.media)
        stop = asyncio.Event()
        worker = asyncio.create_task(hub.run_outbound(stop), name="outbound-queue")
        sweeper = asyncio.create_task(media.sweep_forever(app.state.media, stop), name="media-expiry")
        cleaner = asyncio.create_task(
            run_retention(lambda: retention.purge(db, settings), settings.retention_sweep_seconds, stop),
            name="retention",
        )
        try:
            if telegram_channel is not None:
                await telegram_channel.start()
                hub.channels["telegram"] = telegram_channel
            yield
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            sweeper.cancel()
            cleaner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await cleaner
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            if "telegram" in hub.channels and telegram_channel is not None:
                await telegram_channel.stop()
            for adapter in hub.channels.values():
                closer = getattr(adapter, "aclose", None)
                if closer is not None:
                    await closer()
            await rasa.aclose()
            db.dispose()

    app = FastAPI(title="Asisten Kota gateway", lifespan=lifespan)
    app.state.settings = settings
    app.state.login_throttle = LoginThrottle.from_settings("console-login", settings)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(ClientAddressMiddleware, trusted_proxies=settings.gateway_trusted_proxies)
    if settings.gateway_trusted_proxies.strip():
        # Added last, so it runs first: behind a TLS proxy its X-Forwarded-Proto makes the session
        # cookie `Secure` and its X-Forwarded-For becomes the client address every limit counts.
        # Anyone else's headers are ignored (uvicorn's own proxy handling is off, see __main__).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=_proxy_list(settings.gateway_trusted_proxies))

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The gateway's database restarting or failing over: a polite "try again" (503, like a busy
        # Rasa), never a bare 500. Webhook platforms retry a 503; nothing was half-recorded.
        log.warning("database unavailable on %s: %s", request.url.path, type(exc).__name__)
        body = RepliesOut(replies=[Reply(text=texts.BUSY)]).model_dump()
        return JSONResponse(status_code=503, content=body, headers={"Retry-After": "2"})

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes the input, which cannot be encoded when it holds a lone UTF-16
        # surrogate (a 500); the chat API also owes the citizen a readable sentence.
        detail = [
            {
                "type": str(e.get("type", "")),
                "loc": [clean_text(str(x)) for x in e.get("loc", ())],
                "msg": clean_text(str(e.get("msg", ""))),
            }
            for e in exc.errors()
        ]
        body: dict[str, object] = {"detail": detail}
        if request.url.path.startswith("/api/messages"):
            unreadable = any(d["type"] == "string_unicode" for d in detail)
            body["replies"] = [Reply(text=texts.UNREADABLE if unreadable else texts.NOT_SUPPORTED).model_dump()]
        return JSONResponse(status_code=422, content=body)

    app.include_router(health.router)
    app.include_router(branding.router)  # the chat page and widget.js, in the city's branding
    app.include_router(web.router)
    app.include_router(media.router)
    app.include_router(internal.router)
    app.include_router(telegram.router)
    app.include_router(whatsapp.router)
    app.include_router(console.router)
    app.include_router(console_panels.router)
    app.include_router(console_knowledge.router)
    app.include_router(console_insight.router)
    app.include_router(console_insight.static_router)  # the vendored map and chart libraries
    app.include_router(console_gaps.router)
    ops_metrics.install(app, settings)
    return app
