"""A Telegram text reaches the real Rasa (and action server) and the reply comes back to Telegram.

The Telegram Bot API is the only stand-in (a local server speaking its protocol); a second
gateway process polls it and talks to the stack's real Rasa server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from tests.gateway.servers import FakeTelegram, free_port, serve, wait_for
from tests.stack import Process, Stack

pytestmark = pytest.mark.e2e
TOKEN = "777000:E2E-token"


@pytest.fixture
def telegram_gateway(stack: Stack) -> Iterator[FakeTelegram]:
    fake = FakeTelegram(TOKEN)
    with serve(fake.app) as api:
        port = free_port()
        env = dict(stack.env)
        env.update(
            {
                "GATEWAY_PORT": str(port),
                "GATEWAY_DATABASE_URL": f"sqlite:///{stack.var_dir / 'gateway-telegram.db'}",
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE": api,
            }
        )
        process = Process(
            "gateway-telegram",
            [stack.processes["gateway"].command[0], "-m", "citybot.gateway"],
            f"http://127.0.0.1:{port}/healthz",
            stack.var_dir / "logs" / "gateway-telegram.log",
        )
        process.start(env)
        try:
            wait_for(lambda: fake.called("getMe") or process.popen.poll() is not None, timeout=60)  # type: ignore[union-attr]
            assert process.popen is not None and process.popen.poll() is None, process.log_tail()
            yield fake
        finally:
            process.stop()


def test_telegram_text_reaches_real_rasa_and_reply_comes_back(telegram_gateway: FakeTelegram) -> None:
    fake = telegram_gateway
    chat = 918273
    fake.push_update(
        {
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private"},
                "from": {"id": chat, "is_bot": False, "first_name": "Rina"},
                "text": "selamat pagi kak",
            }
        }
    )
    # The welcome and the menu are separate sendMessage calls: wait until both have arrived.
    sent = wait_for(
        lambda: (
            fake.sent()
            if any("Asisten Kota" in (p.get("text") or "") for p in fake.sent())
            and any(p.get("reply_markup") for p in fake.sent())
            else None
        ),
        timeout=90,
    )
    assert all(int(p["chat_id"]) == chat for p in sent)
    text = "\n".join(p.get("text") or "" for p in sent)
    assert any(g in text for g in ("Selamat pagi", "Selamat siang", "Selamat sore", "Selamat malam"))
    # The menu's buttons arrive as an inline keyboard with Rasa payloads.
    payloads = set()
    for p in sent:
        markup = p.get("reply_markup")
        markup = json.loads(markup) if isinstance(markup, str) else (markup or {})
        payloads |= {b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}
    assert "/lapor_pengaduan" in payloads
