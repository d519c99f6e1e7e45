"""Running blocking work (retrieval, file stores) from async actions without stalling them."""

from __future__ import annotations

import asyncio
from typing import Any


async def run_bounded(func: Any, *args: Any, limit: float) -> Any:
    """Runs blocking `func` in a worker thread and gives up waiting after `limit` seconds."""
    async with asyncio.timeout(limit):
        return await asyncio.to_thread(func, *args)
