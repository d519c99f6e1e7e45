"""WhatsApp Cloud API channel: webhook (verification + signed deliveries) and Graph API sender.

Inbound text, interactive button/list replies, template quick replies, locations and images;
outbound text, reply buttons (≤ 3), list messages (≤ 10 rows, titles ≤ 24 chars), images, and
templates when the 24-hour customer-service window is closed.
"""

from __future__ import annotations

import hmac
import logging
import re
from functools import partial
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from citybot.gateway import store, texts
from citybot.gateway.hub import DeliveryError, Hub, Inbound, Recipient, Template
from citybot.gateway.json_body import json_object
from citybot.gateway.media import MediaRejected, MediaStore
from citybot.gateway.messages import Reply, clean_text, location_message, photo_message
from citybot.settings import Settings
from citybot.signing import verify_body

log = logging.getLogger(__name__)  # masked process-wide (citybot.privacy)
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_BUTTONS = 3
MAX_ROWS = 10
BUTTON_TITLE_MAX = 20
ROW_TITLE_MAX = 24
ROW_ID_MAX = 200
BODY_MAX = 1024
TEXT_MAX = 4096
_MEDIA_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
router = APIRouter(include_in_schema=False)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class WhatsAppChannel:
    def __init__(self, settings: Settings, hub: Hub, media: MediaStore, client: httpx.AsyncClient | None = None):
        self.settings = settings
        self.hub = hub
        self.media = media
        self.base = settings.whatsapp_graph_url.rstrip("/")
        self.http = client or httpx.AsyncClient(
            timeout=httpx.Timeout(settings.http_timeout_seconds * 3, connect=settings.http_timeout_seconds),
            headers={"Authorization": f"Bearer {settings.whatsapp_token}"},
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- inbound -----------------------------------------------------------------------------

    async def handle_payload(self, payload: dict[str, Any]) -> int:
        """Process every message of one webhook delivery; returns how many were new."""
        handled = 0
        for entry in payload.get("entry") or []:
            for change in (entry or {}).get("changes") or []:
                value = (change or {}).get("value") or {}
                names = {
                    str(c.get("wa_id")): str((c.get("profile") or {}).get("name", ""))
                    for c in value.get("contacts") or []
                    if isinstance(c, dict)
                }
                for message in value.get("messages") or []:
                    if isinstance(message, dict) and await self._handle_message(message, names):
                        handled += 1
        return handled

    async def _handle_message(self, message: dict[str, Any], names: dict[str, str]) -> bool:
        wa_id = str(message.get("from") or "")
        message_id = str(message.get("id") or "")
        if not wa_id or not message_id:
            return False
        inbound = await self._normalise(message, wa_id, message_id, names.get(wa_id, ""))
        if inbound is None:
            return False
        result = await self.hub.handle_inbound(inbound)
        if result.duplicate:
            return False
        if result.replies:
            recipient = Recipient(result.sender, "whatsapp", wa_id, None)
            await self.hub.deliver_now(recipient, result.replies)
        return True

    async def _normalise(self, message: dict[str, Any], wa_id: str, message_id: str, name: str) -> Inbound | None:
        key = f"whatsapp:{message_id}"
        kind = message.get("type")
        if kind == "text":
            text = clean_text(str((message.get("text") or {}).get("body", "")))
            return Inbound("whatsapp", wa_id, text[:4000], text, key, name) if text else None
        if kind == "interactive":
            interactive = message.get("interactive") or {}
            choice = interactive.get("button_reply") or interactive.get("list_reply") or {}
            payload = str(choice.get("id") or "")
            if payload.startswith("k:"):
                stored: str | None = await self.hub.run_db(partial(store.long_payload, key=payload))
                payload = stored or ""
            shown = f"[tombol] {choice.get('title') or payload}"
            return Inbound("whatsapp", wa_id, payload, shown, key, name) if payload else None
        if kind == "button":  # quick reply on a template message
            button = message.get("button") or {}
            payload = str(button.get("payload") or button.get("text") or "")
            return Inbound("whatsapp", wa_id, payload, f"[tombol] {payload}", key, name) if payload else None
        if kind == "location":
            loc = message.get("location") or {}
            try:
                lat, lon = float(loc["latitude"]), float(loc["longitude"])
            except (KeyError, TypeError, ValueError):
                return None
            return Inbound(
                "whatsapp",
                wa_id,
                location_message(lat, lon),
                f"[lokasi] {lat:.6f}, {lon:.6f}",
                key,
                name,
                {"latitude": lat, "longitude": lon},
            )
        if kind == "image":
            # Every photo is a download and a file kept for months: counted per sender.
            if not await self.hub.throttle.hit("photo_sender", self.hub.sender_id("whatsapp", wa_id)):
                await self._send_safely(wa_id, texts.PHOTOS_LIMITED)
                return None
            image = message.get("image") or {}
            url = await self._download_media(str(image.get("id") or ""))
            if url is None:
                await self._send_safely(wa_id, texts.PHOTO_FAILED)
                return None
            caption = clean_text(str(image.get("caption") or ""))
            shown = "[foto]" + (f" {caption}" if caption else "")
            return Inbound("whatsapp", wa_id, photo_message(url), shown, key, name, {"media_url": url})
        await self._send_safely(wa_id, texts.NOT_SUPPORTED)
        return None

    async def _download_media(self, media_id: str) -> str | None:
        """Graph API: GET /<media-id> gives a short-lived URL; fetching it needs the same token."""
        if not _MEDIA_ID.fullmatch(media_id):  # it becomes part of a URL path
            return None
        try:
            meta = await self.http.get(f"{self.base}/{media_id}")
            meta.raise_for_status()
            url = str(meta.json().get("url") or "")
            if not url.startswith(("https://", "http://")):
                return None
            async with self.http.stream("GET", url) as response:
                response.raise_for_status()
                data = bytearray()
                async for chunk in response.aiter_bytes():
                    data.extend(chunk)
                    if len(data) > self.media.max_bytes:
                        return None
            return await self.media.save_async(bytes(data))
        except (httpx.HTTPError, ValueError, MediaRejected, OSError) as exc:
            log.warning("WhatsApp media %s not fetched: %s", media_id, exc)
            return None

    async def _send_safely(self, wa_id: str, text: str) -> None:
        try:
            await self._post({"to": wa_id, "type": "text", "text": {"body": text}})
        except DeliveryError as exc:
            log.warning("WhatsApp send failed: %s", exc)

    # --- outbound ----------------------------------------------------------------------------

    async def _post(self, message: dict[str, Any]) -> None:
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **message}
        url = f"{self.base}/{self.settings.whatsapp_phone_number_id}/messages"
        try:
            response = await self.http.post(url, json=body)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"Graph API unreachable: {exc}") from exc
        if response.status_code == 429:
            raise DeliveryError("Graph API rate limit", retry_after=float(response.headers.get("Retry-After", 30)))
        if response.status_code >= 500:
            raise DeliveryError(f"Graph API answered {response.status_code}")
        if response.status_code >= 400:
            raise DeliveryError(f"Graph API refused: {response.text[:300]}", permanent=True)

    async def _payload_id(self, payload: str, limit: int) -> str:
        if len(payload) <= limit:
            return payload
        return await self.hub.run_db(partial(store.short_payload, payload=payload))

    async def render(self, wa_id: str, reply: Reply) -> list[dict[str, Any]]:
        """One Rasa reply → the WhatsApp messages that show it."""
        out: list[dict[str, Any]] = []
        text = (reply.text or "").strip()
        if reply.image:
            image: dict[str, Any] = {"link": reply.image}
            if text and not reply.buttons:
                image["caption"] = _cut(text, BODY_MAX)
                text = ""
            out.append({"to": wa_id, "type": "image", "image": image})
        buttons = reply.buttons
        if not buttons:
            if text:
                out.append({"to": wa_id, "type": "text", "text": {"body": _cut(text, TEXT_MAX), "preview_url": False}})
            return out
        body = {"text": _cut(text or texts.CHOOSE, BODY_MAX)}
        if len(buttons) <= MAX_BUTTONS:
            choices = [
                {"id": await self._payload_id(b.payload, 256), "title": _cut(b.title, BUTTON_TITLE_MAX)}
                for b in buttons
            ]
            action: dict[str, Any] = {"buttons": [{"type": "reply", "reply": c} for c in choices]}
            out.append(
                {"to": wa_id, "type": "interactive", "interactive": {"type": "button", "body": body, "action": action}}
            )
            return out
        for start in range(0, len(buttons), MAX_ROWS):
            chunk = buttons[start : start + MAX_ROWS]
            rows = [
                {"id": await self._payload_id(b.payload, ROW_ID_MAX), "title": _cut(b.title, ROW_TITLE_MAX)}
                for b in chunk
            ]
            action = {"button": texts.LIST_BUTTON, "sections": [{"title": _cut(texts.LIST_BUTTON, 24), "rows": rows}]}
            out.append(
                {"to": wa_id, "type": "interactive", "interactive": {"type": "list", "body": body, "action": action}}
            )
            body = {"text": texts.CHOOSE}
        return out

    def render_template(self, wa_id: str, template: Template) -> dict[str, Any]:
        parameters = [{"type": "text", "text": _cut(p, 1000)} for p in template.params]
        components = [{"type": "body", "parameters": parameters}] if parameters else []
        return {
            "to": wa_id,
            "type": "template",
            "template": {
                "name": template.name,
                "language": {"code": self.settings.whatsapp_template_language},
                "components": components,
            },
        }

    async def deliver(self, recipient: Recipient, replies: list[Reply], template: Template | None) -> None:
        if template is not None:
            await self._post(self.render_template(recipient.platform_id, template))
            return
        for reply in replies:
            for message in await self.render(recipient.platform_id, reply):
                await self._post(message)


def _channel(request: Request) -> WhatsAppChannel:
    channel = request.app.state.hub.channels.get("whatsapp")
    if not isinstance(channel, WhatsAppChannel):
        raise HTTPException(status_code=404, detail="not found")
    return channel


@router.get("/whatsapp/webhook")
async def whatsapp_verify(
    request: Request,
    mode: Annotated[str, Query(alias="hub.mode")] = "",
    token: Annotated[str, Query(alias="hub.verify_token")] = "",
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=200)] = "",
) -> PlainTextResponse:
    channel = _channel(request)
    expected = channel.settings.whatsapp_verify_token
    if mode == "subscribe" and expected and hmac.compare_digest(token.encode(), expected.encode()):
        return PlainTextResponse(challenge)
    raise HTTPException(status_code=403, detail="verification failed")


@router.post("/whatsapp/webhook")
async def whatsapp_webhook(request: Request) -> JSONResponse:
    channel = _channel(request)
    body = await request.body()
    # Meta signs the raw body with the app secret (`sha256=<hex>`); its scheme has no time or path.
    if not verify_body(channel.settings.whatsapp_app_secret, body, request.headers.get(SIGNATURE_HEADER)):
        raise HTTPException(status_code=401, detail="bad signature")
    handled = await channel.handle_payload(json_object(body, 400, "invalid payload"))
    return JSONResponse({"status": "ok", "handled": handled})
