"""Client for the gateway's internal API (pushes to citizens, handoff to agents).

Every call is signed with NOTIFY_SECRET (citybot.signing); the gateway rejects unsigned ones.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from citybot import signing
from citybot.client.errors import BackendUnavailable, Rejected
from citybot.client.tls import shared_ssl_context
from citybot.settings import get_settings


class GatewayClient:
    def __init__(self, base_url: str | None = None, secret: str | None = None, timeout: float | None = None):
        settings = get_settings()
        self._base_url = (base_url or f"http://127.0.0.1:{settings.gateway_port}").rstrip("/")
        self._secret = secret if secret is not None else settings.notify_secret
        self._timeout = timeout or settings.http_timeout_seconds

    async def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = signing.headers(self._secret, "POST", path, body)
        try:
            async with httpx.AsyncClient(timeout=self._timeout, verify=shared_ssl_context()) as client:
                response = await client.post(f"{self._base_url}{path}", content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise BackendUnavailable(f"gateway unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise BackendUnavailable(f"gateway answered {response.status_code}")
        if response.status_code >= 400:
            raise Rejected("gateway_rejected", response.text[:200], response.status_code)
        data = response.json() if response.content else {}
        return data if isinstance(data, dict) else {}

    async def push(self, sender: str, replies: list[dict[str, Any]], event_id: str | None = None) -> dict[str, Any]:
        """Queue replies ({"text", "buttons"}) for the citizen behind a Rasa sender id.

        `event_id` makes the push idempotent: the gateway delivers one event id once.
        """
        return await self._post(
            "/internal/push",
            {"event_id": event_id or uuid.uuid4().hex, "sender": sender, "replies": replies},
        )

    async def handoff(self, sender: str, summary: str, reason: str) -> dict[str, Any]:
        """Hand the conversation to the agent console; answers {"status": "queued"|"callback", ...}."""
        return await self._post("/internal/handoff", {"sender": sender, "summary": summary, "reason": reason})

    async def erase(
        self, sender: str, *, media_urls: list[str] | None = None, after_action: str | None = None
    ) -> dict[str, Any]:
        """ "Hapus data saya" on the assistant's side: the gateway's messages and directory row for
        this sender, their photos, and (once the turn running `after_action` is saved) Rasa's tracker."""
        return await self._post(
            "/internal/erase", {"sender": sender, "media_urls": media_urls or [], "after_action": after_action}
        )
