"""Prometheus metrics shared by the gateway, the backend and the action server.

Each process exposes its own registry at `/metrics` (prometheus_client's text format). Label
values are bounded sets (route templates, channel names, intents of the model, emergency kinds),
never a sender id, ticket or text, so the series count stays small and nothing personal leaks.
Queue and outbox depths are read from the database when Prometheus scrapes, not kept in memory,
so they are right after a restart and with several processes sharing one database.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "citybot_http_request_duration_seconds",
    "HTTP request latency by process, route template, method and status",
    ["process", "route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
MESSAGES = Counter("citybot_messages_total", "Citizen messages received by the gateway", ["channel"])
INTENTS = Counter("citybot_intents_total", "Intents recognised (once per citizen message)", ["intent"])
FALLBACKS = Counter("citybot_fallbacks_total", "Messages the assistant could not place", ["kind"])
EMERGENCIES = Counter("citybot_emergencies_total", "Emergencies answered with the emergency numbers", ["type"])
DELIVERY_FAILURES = Counter(
    "citybot_delivery_failures_total", "Replies a channel failed to deliver (each failed attempt)", ["channel"]
)
RETRIEVAL_CONFIDENCE = Histogram(
    "citybot_retrieval_confidence",
    "Confidence of the best knowledge passage for each question answered from the knowledge files",
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
)


@dataclass(frozen=True)
class QueueState:
    name: str
    depth: int
    oldest_age_seconds: float


class QueueCollector(Collector):
    """Depth and age of the oldest waiting item of each queue, read at scrape time.

    One collector per process; each app registers a reader under its own name (the latest app
    of that name wins, which is what tests that build several apps in one process need).
    """

    def __init__(self) -> None:
        self.readers: dict[str, Callable[[], Iterable[QueueState]]] = {}

    def collect(self) -> Iterable[GaugeMetricFamily]:
        depth = GaugeMetricFamily("citybot_queue_depth", "Items waiting in a queue or outbox", labels=["queue"])
        age = GaugeMetricFamily(
            "citybot_queue_oldest_age_seconds", "Age of the oldest waiting item (0 when empty)", labels=["queue"]
        )
        for name, read in list(self.readers.items()):
            try:
                states = list(read())
            except Exception as exc:  # a database hiccup must not break the whole scrape
                log.warning("queue metrics of %s unavailable: %s", name, type(exc).__name__)
                continue
            for state in states:
                depth.add_metric([state.name], state.depth)
                age.add_metric([state.name], state.oldest_age_seconds)
        yield depth
        yield age


QUEUES = QueueCollector()
REGISTRY.register(QUEUES)


def register_queues(name: str, read: Callable[[], Iterable[QueueState]]) -> None:
    QUEUES.readers[name] = read


def age_seconds(oldest: dt.datetime | None) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.UTC)
    return max(0.0, (dt.datetime.now(dt.UTC) - oldest).total_seconds())


def exposition() -> tuple[bytes, str]:
    """The body and content type of a `/metrics` answer."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class RequestMetricsMiddleware:
    """Times every HTTP request; the label is the matched route template (`/api/v1/complaints/{ticket}`),
    or `unmatched` for 404s, so scanners cannot create a series per URL."""

    def __init__(self, app: ASGIApp, process: str) -> None:
        self.app = app
        self.process = process

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            REQUEST_SECONDS.labels(self.process, template, scope.get("method", ""), str(status)).observe(
                time.perf_counter() - started
            )
