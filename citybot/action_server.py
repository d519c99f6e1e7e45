"""The action server: rasa-sdk's Sanic app plus request latency, intent and fallback counts and
`/metrics` (internal networks only).

rasa-sdk builds its app inside `rasa_sdk.endpoint.run`; this module does the same with a factory
that adds the instrumentation, so rasa-sdk itself stays unpatched. Intents are counted here
because every action call carries the tracker: each citizen message is counted once (by its
message id), whatever number of actions it triggers.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections import OrderedDict
from functools import partial
from typing import Any

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, raw
from sanic.worker.loader import AppLoader

from citybot import logs, metrics
from citybot.city_profile import require_profile
from citybot.logs import configure as configure_logs
from citybot.settings import get_settings

log = logging.getLogger(__name__)
FALLBACK_INTENTS = {"nlu_fallback", "tidak_jelas"}
_SEEN_LIMIT = 10_000


class MessageCounter:
    """Counts the intent of each citizen message once; remembers the last ids it counted."""

    def __init__(self) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()

    def count(self, action_call: dict[str, Any]) -> None:
        latest = (action_call.get("tracker") or {}).get("latest_message") or {}
        message_id = latest.get("message_id")
        intent = (latest.get("intent") or {}).get("name")
        if not message_id or not intent or message_id in self._seen:
            return
        self._seen[message_id] = None
        if len(self._seen) > _SEEN_LIMIT:
            self._seen.popitem(last=False)
        metrics.INTENTS.labels(intent).inc()
        if intent in FALLBACK_INTENTS:
            metrics.FALLBACKS.labels(intent).inc()


def instrument(app: Sanic, allowed_networks: str) -> Sanic:
    counter = MessageCounter()

    @app.on_request
    async def _start(request: Request) -> None:
        request.ctx.started = time.perf_counter()
        logs.request_id.set(logs.incoming_request_id(request.headers.get("x-request-id")))
        if request.path == "/webhook" and request.method == "POST":
            try:
                body = request.json
            except Exception:  # a deflated or broken body: rasa-sdk answers it; no count
                body = None
            if isinstance(body, dict):
                counter.count(body)
                # The sender id is the gateway's keyed hash, never a phone number.
                logs.conversation_id.set(str(body.get("sender_id") or "") or None)

    @app.on_response
    async def _finish(request: Request, response: HTTPResponse) -> None:
        started = getattr(request.ctx, "started", None)
        if started is None:
            return
        route = "/" + request.route.path.lstrip("/") if request.route else "unmatched"
        labels = ("actions", route, request.method, str(response.status))
        metrics.REQUEST_SECONDS.labels(*labels).observe(time.perf_counter() - started)

    @app.get("/metrics")
    async def _metrics(request: Request) -> HTTPResponse:
        if not metrics.allowed(request.ip, allowed_networks):
            return raw(b"forbidden", status=403)
        body, content_type = metrics.exposition()
        return raw(body, content_type=content_type)

    return app


def create_instrumented_app(
    action_executor: ActionExecutor, allowed_networks: str, log_format: str, **kwargs: Any
) -> Sanic:
    # Sanic builds the app again in its worker process (spawned, so nothing is inherited):
    # logging is set up here too, or the worker's lines would be plain and unmasked.
    configure_logs("actions", log_format)
    return instrument(create_app_for_serve(action_executor, **kwargs), allowed_networks)


def main() -> None:
    parser = argparse.ArgumentParser(description="Asisten Kota action server")
    parser.add_argument("--actions", default="actions")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()
    settings = get_settings()
    require_profile("action server")  # a broken city profile stops start-up with its reasons
    configure_logs("actions", settings.log_format)  # JSON lines (or text), masked
    utils.update_sanic_log_level()
    executor = ActionExecutor()
    executor.register_package(args.actions)
    loader = AppLoader(
        factory=partial(
            create_instrumented_app,
            executor,
            settings.internal_allowed_networks,
            settings.log_format,
            cors_origins=None,
        )
    )
    app = loader.load()
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    log.info("action server on http://%s:%s", host, args.port)
    app.prepare(host=host, port=args.port, workers=utils.number_of_sanic_workers())
    Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
