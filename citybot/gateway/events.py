"""In-process publish/subscribe for live updates (agent console and web widget over SSE).

One gateway process sees its own events; the durable state (inbox, queue) is in the database,
so a client that reconnects to another process still gets everything by re-reading it.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request

HEARTBEAT_SECONDS = 15.0
QUEUE_SIZE = 100


class Broker:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    def subscribe(self, topic: str) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._subscribers[topic].add(queue)
        return queue

    def unsubscribe(self, topic: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        subscribers = self._subscribers.get(topic)
        if subscribers is not None:
            subscribers.discard(queue)
            if not subscribers:
                del self._subscribers[topic]

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(topic, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # A stalled client loses live events, not data: it re-reads state on reconnect.
                pass


def sse_frame(event: dict[str, Any]) -> str:
    name = str(event.get("type", "message"))
    return f"event: {name}\ndata: {json.dumps(event, ensure_ascii=False, default=str)}\n\n"


async def sse_stream(
    request: Request, queue: asyncio.Queue[dict[str, Any]], first: list[dict[str, Any]] | None = None
) -> AsyncIterator[str]:
    """Yield SSE frames until the client goes away; comments keep proxies from timing out."""
    yield "retry: 2000\n\n"
    for event in first or []:
        yield sse_frame(event)
    while not await request.is_disconnected():
        try:
            event = await asyncio.wait_for(queue.get(), timeout=HEARTBEAT_SECONDS)
        except TimeoutError:
            yield ": ping\n\n"
            continue
        yield sse_frame(event)
