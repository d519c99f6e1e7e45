"""The real python-telegram-bot against a local Bot API stand-in, through the real gateway."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from citybot.gateway.senders import sender_id
from tests.gateway.conftest import TELEGRAM_TOKEN, Gateway, GatewayFactory
from tests.gateway.servers import JPEG, FakeTelegram, same_picture, serve, wait_for

CHAT = 5550001
WEBHOOK_SECRET = "webhook-secret-abc123"


def user(chat: int = CHAT) -> dict[str, Any]:
    return {"id": chat, "is_bot": False, "first_name": "Budi", "last_name": "Santoso"}


def message(chat: int = CHAT, **content: Any) -> dict[str, Any]:
    return {
        "message_id": int(time.time() * 1000) % 10**9,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private"},
        "from": user(chat),
        **content,
    }


def callback(data: str, chat: int = CHAT) -> dict[str, Any]:
    bot_message = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private"},
        "from": {"id": 4242, "is_bot": True, "first_name": "Asisten Kota"},
        "text": "Ada lagi?",
    }
    return {
        "id": f"cbq-{time.time_ns()}",
        "from": user(chat),
        "chat_instance": "ci-1",
        "data": data,
        "message": bot_message,
    }


@pytest.fixture
def telegram() -> Iterator[tuple[FakeTelegram, str]]:
    fake = FakeTelegram(TELEGRAM_TOKEN)
    fake.files["photo-big"] = JPEG
    fake.files["photo-small"] = JPEG[:50]
    with serve(fake.app) as url:
        yield fake, url


@pytest.fixture
def polling(
    gateway_factory: GatewayFactory, telegram: tuple[FakeTelegram, str]
) -> Iterator[tuple[FakeTelegram, Gateway]]:
    """A gateway long-polling the fake Bot API, past its first getMe."""
    fake, api = telegram
    with gateway_factory(telegram_bot_token=TELEGRAM_TOKEN, telegram_api_base=api) as gw:
        wait_for(lambda: fake.called("getMe"))
        yield fake, gw


def keyboard(params: dict[str, Any]) -> list[list[dict[str, Any]]]:
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    return (markup or {}).get("inline_keyboard", [])


def test_long_polling_text_button_location_photo(polling: tuple[FakeTelegram, Gateway]) -> None:
    fake, gw = polling
    expected_sender = sender_id(gw.settings.sender_id_key, "telegram", str(CHAT))

    fake.push_update({"message": message(text="halo, jalan di depan rumah rusak")})
    wait_for(lambda: len(fake.sent()) >= 2)
    first = gw.rasa.received[0]
    assert first == {
        "sender": expected_sender,
        "message": "halo, jalan di depan rumah rusak",
        "metadata": {"channel": "telegram"},
    }
    texts = [p["text"] for p in fake.sent()]
    assert texts[:2] == ["Diterima: halo, jalan di depan rumah rusak", "Ada lagi?"]
    # Buttons come back as an inline keyboard carrying the payloads.
    assert keyboard(fake.sent()[1]) == [
        [{"text": "Lapor masalah", "callback_data": "/lapor_pengaduan"}],
        [{"text": "Cek status", "callback_data": "/cek_status_laporan"}],
    ]

    fake.push_update({"callback_query": callback("/lapor_pengaduan")})
    wait_for(lambda: len(gw.rasa.received) >= 2)
    assert gw.rasa.received[1]["message"] == "/lapor_pengaduan"
    wait_for(lambda: fake.called("answerCallbackQuery"))

    fake.push_update({"message": message(location={"latitude": -6.175392, "longitude": 106.827153})})
    wait_for(lambda: len(gw.rasa.received) >= 3)
    assert gw.rasa.received[2]["message"] == '/kirim_lokasi{"latitude": -6.175392, "longitude": 106.827153}'

    photo = [
        {"file_id": "photo-small", "file_unique_id": "s1", "width": 90, "height": 90, "file_size": 50},
        {"file_id": "photo-big", "file_unique_id": "b1", "width": 800, "height": 600, "file_size": len(JPEG)},
    ]
    fake.push_update({"message": message(photo=photo, caption="ini fotonya")})
    wait_for(lambda: len(gw.rasa.received) >= 4)
    sent = gw.rasa.received[3]["message"]
    assert sent.startswith("/kirim_foto{")
    media_url = json.loads(sent.removeprefix("/kirim_foto"))["media_url"]
    assert media_url.startswith(f"{gw.url}/media/")
    assert fake.sent("getFile")[0]["file_id"] == "photo-big"  # the largest size is fetched
    assert same_picture(httpx.get(media_url, timeout=10).content)
    assert all(r["sender"] == expected_sender for r in gw.rasa.received)
    assert all(str(CHAT) not in r["sender"] for r in gw.rasa.received)
    # Every turn was answered (2 replies each).
    wait_for(lambda: len(fake.sent()) >= 8)


def test_long_callback_payload_survives_telegram_64_byte_limit(polling: tuple[FakeTelegram, Gateway]) -> None:
    fake, gw = polling
    fake.push_update({"message": message(text="halo")})
    wait_for(lambda: len(fake.sent()) >= 2)
    sender = gw.rasa.received[0]["sender"]
    long_payload = '/sudah_beres{"nomor_tiket": "JKL-2026-000123", "catatan": "sudah diperbaiki total"}'
    push = {
        "event_id": "p-long",
        "sender": sender,
        "replies": [{"text": "Sudah beres?", "buttons": [{"title": "Ya", "payload": long_payload}]}],
    }
    assert gw.internal("/internal/push", push).status_code == 202
    wait_for(lambda: len(fake.sent()) >= 3)
    data = keyboard(fake.sent()[2])[0][0]["callback_data"]
    assert len(data.encode()) <= 64
    fake.push_update({"callback_query": callback(data)})
    wait_for(lambda: len(gw.rasa.received) >= 2)
    assert gw.rasa.received[1]["message"] == long_payload


def test_flood_limit_retry_after_is_honoured(polling: tuple[FakeTelegram, Gateway]) -> None:
    fake, gw = polling
    fake.flood_once.add("sendMessage")
    started = time.monotonic()
    fake.push_update({"message": message(text="halo")})
    wait_for(lambda: len(fake.sent()) >= 2, timeout=15)
    assert time.monotonic() - started >= 1.0  # waited out retry_after=1
    assert fake.sent("sendMessage:429")  # the refused attempt happened
    assert [p["text"] for p in fake.sent()][:2] == ["Diterima: halo", "Ada lagi?"]
    assert len(gw.rasa.received) == 1


def post_update(gw: Gateway, update: dict[str, Any], secret: str | None = WEBHOOK_SECRET) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return httpx.post(f"{gw.url}/telegram/webhook", content=json.dumps(update), headers=headers, timeout=30)


def webhook_settings(api: str) -> dict[str, str]:
    """Gateway settings with the Telegram channel in webhook mode against the fake Bot API."""
    return {
        "telegram_bot_token": TELEGRAM_TOKEN,
        "telegram_api_base": api,
        "telegram_webhook_url": "https://kota.example/telegram/webhook",
        "telegram_webhook_secret": WEBHOOK_SECRET,
    }


def test_webhook_mode_sets_secret_and_dedupes_parallel_deliveries(
    gateway_factory: GatewayFactory, telegram: tuple[FakeTelegram, str]
) -> None:
    fake, api = telegram
    with gateway_factory(**webhook_settings(api)) as gw:
        hook = fake.sent("setWebhook")[0]
        assert hook["url"] == "https://kota.example/telegram/webhook"
        assert hook["secret_token"] == WEBHOOK_SECRET
        assert not fake.polled  # webhook mode never long-polls
        update = {"update_id": 9001, "message": message(text="lampu jalan mati")}
        gw.rasa.delay = 0.3  # keep the copies overlapping
        with ThreadPoolExecutor(3) as pool:
            codes = list(pool.map(lambda _: post_update(gw, update).status_code, range(3)))
        assert codes == [200, 200, 200]
        assert gw.rasa.messages() == ["lampu jalan mati"]
        time.sleep(0.3)
        assert [p["text"] for p in fake.sent()] == ["Diterima: lampu jalan mati", "Ada lagi?"]


@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong-secret", WEBHOOK_SECRET + "x", WEBHOOK_SECRET[:-1], WEBHOOK_SECRET.upper()],
    ids=["missing", "empty", "wrong", "longer", "prefix", "case"],
)
def test_forged_telegram_webhook_is_refused(
    gateway_factory: GatewayFactory, telegram: tuple[FakeTelegram, str], secret: str | None
) -> None:
    _fake, api = telegram
    with gateway_factory(**webhook_settings(api)) as gw:
        response = post_update(gw, {"update_id": 1, "message": message(text="halo")}, secret)
        assert response.status_code in (401, 403)
        assert gw.rasa.received == []
