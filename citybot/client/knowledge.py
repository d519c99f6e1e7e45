"""Knowledge documents shown to citizens: the action server records them, editors read the counts.

Recording is fire-and-forget: one attempt with a short timeout on a task of its own, so a slow
or absent backend never delays or breaks the answer a citizen is waiting for; failures are
only logged.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import httpx
from pydantic import BaseModel

from citybot.client.background import backend_target, post_quietly, schedule
from citybot.client.errors import BackendUnavailable, Rejected, Unauthorized
from citybot.client.tls import shared_ssl_context

log = logging.getLogger(__name__)
SHOWN_PATH = "/api/v1/knowledge/shown"


class ShownCount(BaseModel):
    doc_id: str
    count: int
    last_shown: dt.datetime


class ShownReport(BaseModel):
    days: int
    since: dt.datetime
    items: list[ShownCount]


async def record_shown(
    doc_id: str, *, base_url: str | None = None, api_key: str | None = None, http_timeout: float | None = None
) -> bool:
    """POST one "shown" record; True when the backend took it. Never raises."""
    from citybot.settings import get_settings

    url, key = backend_target(base_url, api_key)
    limit = http_timeout if http_timeout is not None else get_settings().knowledge_shown_timeout_seconds
    return await post_quietly(f"{url}{SHOWN_PATH}", key, {"doc_id": doc_id}, limit, f"knowledge shown for {doc_id}")


def record_shown_later(doc_id: str) -> None:
    """Schedule `record_shown` on the running event loop and return at once."""
    from citybot.settings import get_settings

    if not doc_id or not get_settings().backend_api_key:
        return  # no backend configured: the backend would refuse an unkeyed call anyway
    schedule(lambda: record_shown(doc_id), f"knowledge shown for {doc_id}")


def _report(response: httpx.Response) -> ShownReport:
    if response.status_code in (401, 403):
        raise Unauthorized(f"backend answered {response.status_code}")
    if response.status_code >= 500:
        raise BackendUnavailable(f"backend answered {response.status_code}")
    if response.status_code >= 400:
        raise Rejected(f"http_{response.status_code}", response.text[:200], response.status_code)
    return ShownReport.model_validate(response.json())


async def most_shown(
    *,
    days: int = 30,
    limit: int = 20,
    base_url: str | None = None,
    api_key: str | None = None,
    http_timeout: float = 3.0,
) -> ShownReport:
    """Documents by how often citizens were shown them in the last `days` days (for the console)."""
    url, key = backend_target(base_url, api_key)
    try:
        async with httpx.AsyncClient(verify=shared_ssl_context(), timeout=http_timeout) as http:
            response = await http.get(
                f"{url}{SHOWN_PATH}", params={"days": days, "limit": limit}, headers={"X-API-Key": key}
            )
    except httpx.HTTPError as exc:
        raise BackendUnavailable(f"backend unreachable: {type(exc).__name__}") from exc
    return _report(response)


def most_shown_sync(
    *,
    days: int = 30,
    limit: int = 20,
    base_url: str | None = None,
    api_key: str | None = None,
    http_timeout: float = 3.0,
) -> ShownReport:
    """The same for the command line, which has no event loop of its own."""
    return asyncio.run(
        most_shown(days=days, limit=limit, base_url=base_url, api_key=api_key, http_timeout=http_timeout)
    )
