"""Rasa's REST channel, except that a turn Rasa could not handle is a 503, not an empty 200.

Runs inside `.venv-rasa` (named in bot/credentials.yml). Rasa's own REST channel logs any error
while handling a message and answers 200 with whatever was said so far, usually nothing. The
gateway then cannot tell "the bot had nothing to say" from "the tracker store was down", and the
citizen's message is gone. With this channel the gateway gets a 503, answers "sistem sibuk" and
the citizen (or the client's retry) sends the same message again once the store is back.
Together with `citybot.rasa_boot`'s strict tracker store, no turn is ever answered from an empty
tracker while PostgreSQL restarts.
"""

from __future__ import annotations

from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

structlogger = structlog.get_logger()


class TurnSafeRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        # Same URL as Rasa's REST channel: /webhooks/rest/webhook.
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            sender_id = await self._extract_sender(request)
            text = self._extract_message(request)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        collector,
                        sender_id,
                        input_channel=self._extract_input_channel(request),
                        metadata=self.get_metadata(request),
                    )
                )
            except CancelledError:
                structlogger.error("rest.message.received.timeout")
                return response.json({"error": "turn timed out"}, status=503)
            except Exception:
                # The text is not logged: it may hold a citizen's personal data.
                structlogger.exception("rest.message.received.failure")
                return response.json({"error": "turn not handled"}, status=503)
            return response.json(collector.messages)

        return webhook
