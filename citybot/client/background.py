"""Counts the action server sends after a reply has gone out (knowledge shown, conversation
signals): one POST with the API key and a short timeout, on a task of its own, so a slow or
absent backend never delays or breaks what a citizen is waiting for; failures are only logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

from citybot.client.tls import shared_ssl_context

log = logging.getLogger(__name__)
_pending: set[asyncio.Task[bool]] = set()  # a task nobody references may be collected mid-flight


def backend_target(base_url: str | None, api_key: str | None) -> tuple[str, str]:
    """The backend's base URL and API key: the ones given, else the settings'."""
    from citybot.settings import get_settings

    settings = get_settings()
    url = (base_url if base_url is not None else settings.backend_base_url).rstrip("/")
    return url, api_key if api_key is not None else settings.backend_api_key


async def post_quietly(url: str, api_key: str, body: dict[str, Any], http_timeout: float, what: str) -> bool:
    """POST `body` to `url`; True when the backend took it. Never raises."""
    try:
        async with httpx.AsyncClient(verify=shared_ssl_context(), timeout=http_timeout) as http:
            response = await http.post(url, json=body, headers={"X-API-Key": api_key})
    except Exception as exc:  # the reply has already gone out; a lost count is only a lost count
        log.warning("%s not recorded: %s", what, type(exc).__name__)
        return False
    if response.status_code >= 300:
        log.warning("%s not recorded: backend answered %s", what, response.status_code)
        return False
    return True


def schedule(start: Callable[[], Coroutine[Any, Any, bool]], what: str) -> None:
    """Run `start()` on the running event loop and return at once (nothing when there is none)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        log.debug("%s not recorded: no event loop", what)
        return
    task = loop.create_task(start())
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def wait_pending() -> None:
    """For tests and shutdown: let the posts already scheduled finish."""
    if _pending:
        await asyncio.gather(*list(_pending), return_exceptions=True)
