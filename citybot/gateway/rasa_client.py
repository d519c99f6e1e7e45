"""Talks to one or more Rasa servers over the REST channel."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    def __init__(self, base_urls: list[str], timeout: float, client: httpx.AsyncClient | None = None):
        if not base_urls:
            raise ValueError("at least one Rasa URL is needed")
        self._urls = base_urls
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._timeout = timeout

    def url_for(self, sender: str) -> str:
        # A stable choice per sender keeps a conversation on one server while all are up; the
        # shared tracker and lock stores make any server correct if it moves.
        index = int(hashlib.sha256(sender.encode()).hexdigest()[:8], 16) % len(self._urls)
        return self._urls[index]

    async def send(self, sender: str, message: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        url = f"{self.url_for(sender)}/webhooks/rest/webhook"
        try:
            response = await self._client.post(url, json=body, timeout=self._timeout)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(str(exc)) from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered {response.status_code}")
        data = response.json()
        if not isinstance(data, list):
            raise RasaUnavailable("unexpected Rasa response")
        return [item for item in data if isinstance(item, dict)]

    async def aclose(self) -> None:
        await self._client.aclose()
