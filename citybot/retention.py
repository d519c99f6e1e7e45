"""Scheduled retention: each process deletes its own expired operational data, no cron needed.

The gateway (`citybot/gateway/retention.py`) and the backend (`citybot/backend/services/
retention.py`) each pass their purge function to `run_forever`, started in their lifespan.
Periods come from the RETENTION_* settings (docs/security.md, "Retention"); 0 keeps forever.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from citybot.periodic import repeat_in_thread

log = logging.getLogger(__name__)


def cutoff(now: dt.datetime, days: float) -> dt.datetime | None:
    """The oldest time still kept, or None when this kind of data is kept forever."""
    return None if days <= 0 else now - dt.timedelta(days=days)


async def run_forever(purge: Callable[[], dict[str, int]], every_seconds: float, stop: asyncio.Event) -> None:
    """Purge now and then every `every_seconds` until `stop`; a failed pass is logged, not fatal."""

    def one_pass() -> None:
        try:
            removed = purge()
            if any(removed.values()):
                log.info("retention: deleted %s", ", ".join(f"{n} {k}" for k, n in removed.items() if n))
        except Exception:
            log.exception("retention pass failed")

    await repeat_in_thread(one_pass, every_seconds, stop)
