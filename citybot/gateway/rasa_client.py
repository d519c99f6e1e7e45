"""Talks to one or more Rasa servers over the REST channel, failing over when one is down.

Each sender has a stable preference order over the servers (its hashed server first, then the
others in ring order). A turn goes to the first server not marked down; a server that refuses
the connection, times out or answers 502/503/504 is marked down for `retry_after` seconds and
the turn goes to the next one. When the mark expires the sender's own server is tried first
again, so conversations move back when it recovers. The shared tracker and lock stores
(docs/cluster.md) make any server correct for any turn.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

import httpx

log = logging.getLogger(__name__)

# Answers that say "this server cannot take turns now", unlike a 4xx about the message itself.
FAILOVER_STATUSES = {502, 503, 504}


class RasaUnavailable(Exception):
    """No Rasa server answered in time, or one answered with an error."""


class RasaClient:
    def __init__(
        self,
        base_urls: list[str],
        timeout: float,
        client: httpx.AsyncClient | None = None,
        *,
        retry_after: float = 10.0,
        connect_timeout: float = 2.0,
    ):
        if not base_urls:
            raise ValueError("at least one Rasa URL is needed")
        self._urls = base_urls
        # A refused or unreachable server must cost seconds, not the whole turn's budget.
        self._timeout = httpx.Timeout(timeout, connect=min(connect_timeout, timeout))
        self._client = client or httpx.AsyncClient(timeout=self._timeout)
        self._retry_after = retry_after
        self._down_until: dict[str, float] = {}

    @property
    def urls(self) -> list[str]:
        return list(self._urls)

    def url_for(self, sender: str) -> str:
        """The sender's own server: stable while the list of servers is unchanged."""
        return self.order_for(sender)[0]

    def order_for(self, sender: str) -> list[str]:
        first = int(hashlib.sha256(sender.encode()).hexdigest()[:8], 16) % len(self._urls)
        return self._urls[first:] + self._urls[:first]

    def is_down(self, url: str, now: float | None = None) -> bool:
        return self._down_until.get(url, 0.0) > (time.monotonic() if now is None else now)

    def _mark_down(self, url: str, why: str) -> None:
        if not self.is_down(url):
            log.warning("Rasa server %s unavailable (%s); failing over for %.0f s", url, why, self._retry_after)
        self._down_until[url] = time.monotonic() + self._retry_after

    async def send(self, sender: str, message: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        order = self.order_for(sender)
        now = time.monotonic()
        # Servers marked down go last rather than nowhere: if every server is marked, try anyway.
        candidates = [u for u in order if not self.is_down(u, now)] + [u for u in order if self.is_down(u, now)]
        last_error = "no server tried"
        for url in candidates:
            try:
                response = await self._client.post(f"{url}/webhooks/rest/webhook", json=body, timeout=self._timeout)
            except httpx.HTTPError as exc:
                last_error = f"{url}: {type(exc).__name__}"
                self._mark_down(url, type(exc).__name__)
                continue
            if response.status_code in FAILOVER_STATUSES:
                last_error = f"{url}: answered {response.status_code}"
                self._mark_down(url, f"HTTP {response.status_code}")
                continue
            self._down_until.pop(url, None)
            if response.status_code != 200:
                raise RasaUnavailable(f"Rasa answered {response.status_code}")
            data = response.json()
            if not isinstance(data, list):
                raise RasaUnavailable("unexpected Rasa response")
            return [item for item in data if isinstance(item, dict)]
        raise RasaUnavailable(last_error)

    async def probe(self) -> dict[str, str | None]:
        """Each server's readiness reason (None = answering), for the gateway's `/ready`."""
        from citybot.readiness import async_http_reason

        return {url: await async_http_reason(self._client, f"{url}/") for url in self._urls}

    async def aclose(self) -> None:
        await self._client.aclose()
