"""Structured logs: one JSON object per line (time, level, process, request and conversation id),
or a readable line with the same fields when LOG_FORMAT=text.

Masking is not done here: `citybot.privacy.install_log_masking()` masks every record when it is
created, and `configure` installs it, so NIKs and phone numbers never reach any handler.
Request ids come from `X-Request-ID` (a proxy's, if it is a plain token) or are made here, are
echoed in the response, and ride on a context variable to every line logged for that request.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from citybot.privacy import install_log_masking

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
conversation_id: ContextVar[str | None] = ContextVar("conversation_id", default=None)
_PROCESS = {"name": "citybot"}
_TOKEN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Attributes every LogRecord has; anything else was passed with `extra=` and is logged too.
# uvicorn's `color_message` is its message with terminal colours: not for a log collector.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "process": _PROCESS["name"],
        "pid": record.process,
        "logger": record.name,
        "request_id": request_id.get(),
        "conversation_id": conversation_id.get(),
        "message": record.getMessage(),
    }
    for key, value in vars(record).items():
        if key not in _STANDARD and key not in fields:
            fields[key] = value if isinstance(value, str | int | float | bool) or value is None else str(value)
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        fields["exception"] = record.exc_text
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(_fields(record), ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For people reading a terminal: the same fields, one line (plus the traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        f = _fields(record)
        ids = " ".join(f"{k}={f[k]}" for k in ("request_id", "conversation_id") if f[k])
        line = f"{f['time']} {f['level']:<7} {f['process']} {f['logger']}: {f['message']}"
        line += f" [{ids}]" if ids else ""
        return line + ("\n" + f["exception"] if "exception" in f else "")


def configure(process: str, log_format: str = "json", level: int = logging.INFO) -> None:
    """Route every logger of this process (uvicorn's and Sanic's included) to one stderr handler."""
    install_log_masking()
    _PROCESS["name"] = process
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(TextFormatter() if log_format == "text" else JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)  # library warnings become log lines in the same format
    # Libraries that bring their own handlers would print a second, unstructured copy.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "sanic.root", "sanic.access", "sanic.error"):
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True


def incoming_request_id(value: str | None) -> str:
    """A proxy's id when it is a plain short token (it lands in logs verbatim), else a new one."""
    return value if value and _TOKEN.match(value) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Gives each HTTP request an id for its log lines and answers it in `X-Request-ID`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-request-id"), None)
        rid = incoming_request_id(given)
        token = request_id.set(rid)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            request_id.reset(token)
