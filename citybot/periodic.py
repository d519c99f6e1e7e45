"""Background housekeeping of a serve process: one blocking pass in a worker thread, then a
pause that ends early when the process stops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable


async def repeat_in_thread(work: Callable[[], None], every_seconds: float, stop: asyncio.Event) -> None:
    """`work` now and then every `every_seconds` until `stop` is set. `work` logs the failures
    it can live with; anything else ends the loop."""
    while not stop.is_set():
        await asyncio.to_thread(work)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_seconds)
