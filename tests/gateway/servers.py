"""Small local servers speaking the protocols at the gateway's external boundaries.

- `FakeRasa`: Rasa's REST channel (`POST /webhooks/rest/webhook`), records what it received.
- `FakeTelegram`: the Bot API methods python-telegram-bot uses (getMe, getUpdates, sendMessage,
  sendPhoto, getFile + file download, answerCallbackQuery, setWebhook, deleteWebhook).
- `FakeGraph`: WhatsApp Cloud API (send messages, media URL lookup + download).

Each runs under a real uvicorn server in a thread, so the real clients talk real HTTP.
"""

from __future__ import annotations

import asyncio
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

# A 1x1 JPEG: the media store checks magic bytes, so the photo must really be an image.
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f"
    "141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100"
    "ffc4001f0000010501010101010100000000000000000102030405060708090a0bffda0008010100003f00d2cf20ffd9"
)


def same_picture(stored: bytes, original: bytes = JPEG) -> bool:
    """Stored photos are re-encoded without metadata (citybot/gateway/photos.py): compare the
    pictures, not the bytes."""
    from PIL import Image

    with Image.open(io.BytesIO(stored)) as got, Image.open(io.BytesIO(original)) as sent:
        return got.format == sent.format and got.size == sent.size


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: Any, port: int | None = None) -> Iterator[str]:
    """Run an ASGI app on 127.0.0.1 in a thread; yields its base URL."""
    port = port or free_port()
    # proxy_headers=False as in production (citybot/gateway/__main__.py): X-Forwarded-* count only
    # from GATEWAY_TRUSTED_PROXIES, never because the test client is on 127.0.0.1.
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", proxy_headers=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("server thread died during startup")
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def wait_for(predicate: Any, timeout: float = 10.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


class FakeRasa:
    """Answers every message with an echo and two buttons; `replies_for` overrides per message."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.delay = 0.0
        self.app = FastAPI()

        @self.app.post("/webhooks/rest/webhook")
        async def webhook(request: Request) -> JSONResponse:
            body = await request.json()
            with self.lock:
                self.received.append(body)
            if self.delay:
                await asyncio.sleep(self.delay)
            sender = body["sender"]
            return JSONResponse(
                [
                    {"recipient_id": sender, "text": f"Diterima: {body['message']}"},
                    {
                        "recipient_id": sender,
                        "text": "Ada lagi?",
                        "buttons": [
                            {"title": "Lapor masalah", "payload": "/lapor_pengaduan"},
                            {"title": "Cek status", "payload": "/cek_status_laporan"},
                        ],
                    },
                ]
            )

        @self.app.get("/")
        async def root() -> dict[str, str]:
            return {"status": "ok"}

    def messages(self) -> list[str]:
        with self.lock:
            return [r["message"] for r in self.received]


class FakeTelegram:
    """Enough of the Bot API for python-telegram-bot's polling, webhook setup, sends and files."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.lock = threading.Lock()
        self.updates: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.files: dict[str, bytes] = {}
        self.flood_once: set[str] = set()  # methods that first answer 429 retry_after=1
        self.polled = False
        self.next_update_id = 1000
        self.next_message_id = 1
        self.app = FastAPI()
        self.app.add_api_route("/bot{token}/{method}", self.method, methods=["GET", "POST"])
        self.app.add_api_route("/file/bot{token}/{path:path}", self.download, methods=["GET"])

    # --- test side -------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> int:
        with self.lock:
            update_id = self.next_update_id
            self.next_update_id += 1
            self.updates.append({"update_id": update_id, **update})
            return update_id

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        with self.lock:
            return [params for name, params in self.calls if name == method]

    def called(self, method: str) -> bool:
        with self.lock:
            return any(name == method for name, _ in self.calls)

    # --- server side -----------------------------------------------------------------------

    async def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query_params)
        if request.method == "POST":
            content_type = request.headers.get("content-type", "")
            if "json" in content_type:
                params.update(await request.json())
            else:
                form = await request.form()
                for key, value in form.items():
                    if isinstance(value, str):
                        try:
                            params[key] = json.loads(value)
                        except ValueError:
                            params[key] = value
        return params

    def _message(self, chat_id: Any, **extra: Any) -> dict[str, Any]:
        with self.lock:
            message_id = self.next_message_id
            self.next_message_id += 1
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": int(chat_id), "type": "private"},
            **extra,
        }

    async def method(self, token: str, method: str, request: Request) -> Response:
        if token != self.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        params = await self._params(request)
        if method != "getUpdates":
            with self.lock:
                flood = method in self.flood_once
                self.flood_once.discard(method)
                self.calls.append((method, params) if not flood else (f"{method}:429", params))
            if flood:
                return JSONResponse(
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": "Too Many Requests: retry after 1",
                        "parameters": {"retry_after": 1},
                    },
                    429,
                )
        if method == "getMe":
            return self._ok(
                {
                    "id": 4242,
                    "is_bot": True,
                    "first_name": "Asisten Kota",
                    "username": "asisten_kota_bot",
                    "can_join_groups": False,
                    "can_read_all_group_messages": False,
                    "supports_inline_queries": False,
                }
            )
        if method == "getUpdates":
            self.polled = True
            return self._ok(await self._get_updates(params))
        if method in ("deleteWebhook", "setWebhook", "answerCallbackQuery", "setMyCommands"):
            return self._ok(True)
        if method == "sendMessage":
            return self._ok(self._message(params["chat_id"], text=params.get("text", "")))
        if method == "sendPhoto":
            return self._ok(self._message(params["chat_id"], caption=params.get("caption")))
        if method == "getFile":
            file_id = str(params["file_id"])
            data = self.files.get(file_id, b"")
            return self._ok(
                {
                    "file_id": file_id,
                    "file_unique_id": f"u{file_id}",
                    "file_size": len(data),
                    "file_path": f"photos/{file_id}.jpg",
                }
            )
        return JSONResponse({"ok": False, "error_code": 404, "description": f"Not Found: {method}"}, 404)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                # Confirmed updates (id < offset) are forgotten, as Telegram does.
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                ready = list(self.updates)
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.05)

    async def download(self, token: str, path: str) -> Response:
        file_id = path.rsplit("/", 1)[-1].removesuffix(".jpg")
        if token != self.token or file_id not in self.files:
            return Response(status_code=404)
        return Response(self.files[file_id], media_type="image/jpeg")

    @staticmethod
    def _ok(result: Any) -> JSONResponse:
        return JSONResponse({"ok": True, "result": result})


class FakeGraph:
    """WhatsApp Cloud API: POST /{phone_number_id}/messages, GET /{media_id}, media download."""

    def __init__(self, token: str, phone_number_id: str) -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.lock = threading.Lock()
        self.sent: list[dict[str, Any]] = []
        self.media: dict[str, bytes] = {}
        self.fail_next = 0  # answer this many sends with 503 (a Graph API outage)
        self.failures = 0
        self.base = ""
        self.app = FastAPI()
        self.app.add_api_route("/{phone_number_id}/messages", self.send, methods=["POST"])
        self.app.add_api_route("/download/{media_id}", self.download, methods=["GET"])
        self.app.add_api_route("/{media_id}", self.media_meta, methods=["GET"])

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    async def send(self, phone_number_id: str, request: Request) -> JSONResponse:
        if not self._authorised(request) or phone_number_id != self.phone_number_id:
            return JSONResponse({"error": {"message": "Invalid OAuth access token", "code": 190}}, 401)
        body = await request.json()
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                self.failures += 1
                return JSONResponse({"error": {"message": "Service temporarily unavailable", "code": 2}}, 503)
            self.sent.append(body)
            n = len(self.sent)
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": f"wamid.out{n}"}],
            }
        )

    async def media_meta(self, media_id: str, request: Request) -> JSONResponse:
        if not self._authorised(request) or media_id not in self.media:
            return JSONResponse({"error": {"message": "not found"}}, 404)
        return JSONResponse(
            {
                "url": f"{self.base}/download/{media_id}",
                "mime_type": "image/jpeg",
                "file_size": len(self.media[media_id]),
                "id": media_id,
                "messaging_product": "whatsapp",
            }
        )

    async def download(self, media_id: str, request: Request) -> Response:
        if not self._authorised(request) or media_id not in self.media:
            return Response(status_code=404)
        return Response(self.media[media_id], media_type="image/jpeg")

    def messages(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.sent)
