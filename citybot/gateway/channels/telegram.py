"""Telegram channel on python-telegram-bot 22.

Long polling by default (works behind NAT); webhook mode when TELEGRAM_WEBHOOK_URL is set, with
Telegram's `secret_token` header checked in constant time. PTB's AIORateLimiter keeps us inside
Telegram's flood limits (per chat and global) and waits out `retry_after`.
"""

from __future__ import annotations

import hmac
import logging
from functools import partial
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from citybot.gateway import store, texts
from citybot.gateway.hub import DeliveryError, Hub, Inbound, Recipient, Template
from citybot.gateway.json_body import json_object
from citybot.gateway.media import MediaRejected, MediaStore
from citybot.gateway.messages import Reply, clean_text, location_message, photo_message
from citybot.settings import Settings

log = logging.getLogger(__name__)  # masked process-wide (citybot.privacy)
CALLBACK_DATA_MAX = 64  # bytes, Telegram's limit for inline keyboard callback_data
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
router = APIRouter(include_in_schema=False)


class TelegramChannel:
    def __init__(self, settings: Settings, hub: Hub, media: MediaStore) -> None:
        self.settings = settings
        self.hub = hub
        self.media = media
        self.webhook = bool(settings.telegram_webhook_url)
        base = settings.telegram_api_base.rstrip("/")
        builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(settings.telegram_bot_token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .rate_limiter(AIORateLimiter(max_retries=3))
            # Different chats are handled in parallel; one chat stays in order (hub's per-sender lock).
            .concurrent_updates(32)
        )
        if self.webhook:
            builder = builder.updater(None)
        self.app: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.app.add_handler(TypeHandler(Update, self._on_update))

    @property
    def bot(self) -> Bot:
        return self.app.bot

    async def start(self) -> None:
        await self.app.initialize()
        await self.app.start()
        allowed = ["message", "callback_query"]
        if self.webhook:
            await self.bot.set_webhook(
                self.settings.telegram_webhook_url,
                secret_token=self.settings.telegram_webhook_secret or None,
                allowed_updates=allowed,
            )
        else:
            assert self.app.updater is not None
            await self.app.updater.start_polling(allowed_updates=allowed, timeout=20)
        log.info("Telegram channel started (%s)", "webhook" if self.webhook else "long polling")

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    # --- inbound -----------------------------------------------------------------------------

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.handle(update)

    async def handle(self, update: Update) -> None:
        inbound = await self._normalise(update)
        if inbound is None:
            return
        result = await self.hub.handle_inbound(inbound)
        if result.duplicate or not result.replies:
            return
        recipient = Recipient(result.sender, "telegram", inbound.platform_id, None)
        await self.hub.deliver_now(recipient, result.replies)

    async def _normalise(self, update: Update) -> Inbound | None:
        key = f"telegram:{update.update_id}"
        if update.callback_query is not None:
            query = update.callback_query
            try:
                await query.answer()  # stop the button's spinner
            except TelegramError as exc:
                log.info("answerCallbackQuery failed: %s", exc)
            data = query.data or ""
            if data.startswith("k:"):
                stored: str | None = await self.hub.run_db(partial(store.long_payload, key=data))
                data = stored or ""
            chat = query.message.chat if query.message is not None else None
            chat_id = str(chat.id) if chat is not None else str(query.from_user.id)
            if not data:
                return None
            return Inbound("telegram", chat_id, data, f"[tombol] {data}", key, query.from_user.full_name)
        message = update.message
        if message is None:
            return None
        chat_id = str(message.chat.id)
        name = message.from_user.full_name if message.from_user else ""
        if message.location is not None:
            lat, lon = message.location.latitude, message.location.longitude
            return Inbound(
                "telegram",
                chat_id,
                location_message(lat, lon),
                f"[lokasi] {lat:.6f}, {lon:.6f}",
                key,
                name,
                {"latitude": lat, "longitude": lon},
            )
        if message.photo:
            # Every photo is a download and a file kept for months: counted per sender.
            if not await self.hub.throttle.hit("photo_sender", self.hub.sender_id("telegram", chat_id)):
                await self._send_text(chat_id, texts.PHOTOS_LIMITED)
                return None
            url = await self._download_photo(message.photo[-1].file_id)
            if url is None:
                await self._send_text(chat_id, texts.PHOTO_FAILED)
                return None
            caption = clean_text(message.caption or "")
            shown = "[foto]" + (f" {caption}" if caption else "")
            return Inbound("telegram", chat_id, photo_message(url), shown, key, name, {"media_url": url})
        if message.text is not None:
            text = clean_text(message.text)
            if not text:
                return None
            if len(text) > 4000:
                await self._send_text(chat_id, texts.TOO_LONG)
                return None
            return Inbound("telegram", chat_id, text, text, key, name)
        await self._send_text(chat_id, texts.NOT_SUPPORTED)
        return None

    async def _download_photo(self, file_id: str) -> str | None:
        try:
            tg_file = await self.bot.get_file(file_id)
            if tg_file.file_size and tg_file.file_size > self.media.max_bytes:
                return None
            data = bytes(await tg_file.download_as_bytearray())
            return await self.media.save_async(data)
        except (TelegramError, MediaRejected, OSError) as exc:
            log.warning("photo download failed: %s", exc)
            return None

    async def _send_text(self, chat_id: str, text: str) -> None:
        try:
            await self.bot.send_message(chat_id, text)
        except TelegramError as exc:
            log.warning("Telegram send failed: %s", exc)

    # --- outbound ----------------------------------------------------------------------------

    async def _keyboard(self, reply: Reply) -> InlineKeyboardMarkup | None:
        if not reply.buttons:
            return None
        rows = []
        for button in reply.buttons:
            data = button.payload
            if len(data.encode()) > CALLBACK_DATA_MAX:
                data = await self.hub.run_db(partial(store.short_payload, payload=data))
            rows.append([InlineKeyboardButton(button.title[:64] or "…", callback_data=data)])
        return InlineKeyboardMarkup(rows)

    async def deliver(self, recipient: Recipient, replies: list[Reply], template: Template | None) -> None:
        chat_id = recipient.platform_id
        try:
            for reply in replies:
                markup = await self._keyboard(reply)
                if reply.image:
                    await self.bot.send_photo(chat_id, reply.image, caption=(reply.text or None), reply_markup=markup)
                elif reply.text or markup:
                    await self.bot.send_message(chat_id, reply.text or texts.CHOOSE, reply_markup=markup)
        except RetryAfter as exc:  # the rate limiter already retried; let the queue wait it out
            retry = exc.retry_after
            seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
            raise DeliveryError(str(exc), retry_after=seconds) from exc
        except (Forbidden, BadRequest) as exc:  # blocked by the user, chat gone: retrying won't help
            raise DeliveryError(str(exc), permanent=True) from exc
        except TelegramError as exc:
            raise DeliveryError(str(exc)) from exc


@router.post("/telegram/webhook")
async def telegram_webhook(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    channel = request.app.state.hub.channels.get("telegram")
    if not isinstance(channel, TelegramChannel) or not channel.webhook:
        raise HTTPException(status_code=404, detail="not found")
    expected = settings.telegram_webhook_secret
    given = request.headers.get(SECRET_HEADER, "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(status_code=401, detail="bad secret token")
    update = Update.de_json(json_object(await request.body(), 400, "invalid update"), channel.bot)
    if update is None:
        return JSONResponse({"ok": True})
    await channel.handle(update)
    return JSONResponse({"ok": True})
